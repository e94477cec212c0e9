//! Householder QR: unblocked, blocked (dlarft's T), and column-pivoted.

use faer::{Mat, MatRef};
use rayon::prelude::*;

use super::{axpy, dot, gemm_ld, gemm_packed, norm, packed, PARALLEL_WORK};

/// Householder QR of the n×k `a` (n ≥ k) applied to `y` (n×r): returns R (k×k,
/// upper) and the first k rows of Qᵀ·Y. Unblocked (LAPACK's dgeqr2 with dlarfg's
/// reflector); each reflector is applied to the remaining columns in parallel,
/// a column per task.
pub fn qr_apply(a: MatRef<'_, f64>, y: MatRef<'_, f64>) -> (Mat<f64>, Mat<f64>) {
    let (r, qty, _) = qr(a, y, false);
    (r, qty)
}

/// Columns of a Householder panel in [`qr_blocked_apply`].
const QR_PANEL: usize = 32;

/// Householder QR of the n×k `a` (n ≥ k) applied to `y` (n×r), blocked: panels
/// of [`QR_PANEL`] columns are factorised as in [`qr_apply`], and each panel's
/// reflectors, gathered as I − V·T·Vᵀ (LAPACK's dlarft), update the columns to
/// its right and Y with two products ([`gemm_packed`]: in-order sums, split by
/// output columns). Returns R (k×k) and the first k rows of Qᵀ·Y; the same R as
/// the unblocked QR up to rounding, and the same bits on any CPU and thread count.
pub fn qr_blocked_apply(a: MatRef<'_, f64>, y: MatRef<'_, f64>) -> (Mat<f64>, Mat<f64>) {
    let (n, k, r) = (a.nrows(), a.ncols(), y.ncols());
    assert!(n >= k && y.nrows() == n);
    let kt = k + r;
    // [A | Y], column-major, leading dimension n.
    let mut m = packed(a);
    m.extend(packed(y));
    let mut tau = vec![0.0f64; k];
    for j0 in (0..k).step_by(QR_PANEL) {
        let j1 = (j0 + QR_PANEL).min(k);
        // The panel, unblocked: reflector j is stored below the diagonal (v_j = 1
        // implicit), β_j on it.
        for j in j0..j1 {
            let (before, from_j) = m.split_at_mut(j * n);
            let _ = before;
            let (colj, rest) = from_j.split_at_mut(n);
            let x = &mut colj[j..];
            let alpha = x[0];
            let xnorm = norm(&x[1..]);
            if xnorm == 0.0 {
                tau[j] = 0.0;
                continue;
            }
            let beta = -alpha.signum() * libm::hypot(alpha, xnorm);
            tau[j] = (beta - alpha) / beta;
            let scale = 1.0 / (alpha - beta);
            for v in x[1..].iter_mut() {
                *v *= scale;
            }
            x[0] = beta;
            let v = &x[1..];
            for c in rest[..(j1 - j - 1) * n].chunks_mut(n) {
                let c = &mut c[j..];
                let w = tau[j] * (c[0] + dot(v, &c[1..]));
                c[0] -= w;
                axpy(-w, v, &mut c[1..]);
            }
        }
        let nc = kt - j1;
        if nc == 0 {
            continue;
        }
        let (b, l) = (j1 - j0, n - j0);
        // V (l×b, column-major) with its unit diagonal, and Vᵀ (b×l).
        let mut v = vec![0.0f64; l * b];
        for t in 0..b {
            v[t * l + t] = 1.0;
            let src = &m[(j0 + t) * n + j0 + t + 1..(j0 + t + 1) * n];
            v[t * l + t + 1..(t + 1) * l].copy_from_slice(src);
        }
        let mut vt = vec![0.0f64; b * l];
        for t in 0..b {
            for i in 0..l {
                vt[i * b + t] = v[t * l + i];
            }
        }
        // T (b×b, upper, column-major): T_tt = τ_t, T_{<t,t} = −τ_t·T_{<t,<t}·(V_{<t}ᵀ v_t).
        let mut tm = vec![0.0f64; b * b];
        for t in 0..b {
            let tt = tau[j0 + t];
            tm[t * b + t] = tt;
            let z: Vec<f64> = (0..t)
                .map(|q| dot(&v[q * l..(q + 1) * l], &v[t * l..(t + 1) * l]))
                .collect();
            for i in 0..t {
                let mut s = 0.0;
                for (q, zq) in z.iter().enumerate().skip(i) {
                    s += tm[q * b + i] * zq;
                }
                tm[t * b + i] = -tt * s;
            }
        }
        // C (rows j0.., columns j1..) ← C − V·(Tᵀ·(Vᵀ·C)), C read in place.
        let mut w = vec![0.0f64; b * nc];
        gemm_ld(b, nc, l, &vt, (&m[j1 * n + j0..], n), &mut w);
        let mut w2 = vec![0.0f64; b * nc];
        for c in 0..nc {
            for i in 0..b {
                let mut s = 0.0;
                for q in 0..=i {
                    s += tm[i * b + q] * w[c * b + q];
                }
                w2[c * b + i] = s;
            }
        }
        let mut vw = vec![0.0f64; l * nc];
        gemm_packed(l, nc, b, &v, &w2, &mut vw);
        for c in 0..nc {
            let col = &mut m[(j1 + c) * n + j0..(j1 + c + 1) * n];
            for (x, d) in col.iter_mut().zip(&vw[c * l..(c + 1) * l]) {
                *x -= d;
            }
        }
    }
    let rm = Mat::from_fn(k, k, |i, j| if i <= j { m[j * n + i] } else { 0.0 });
    let qty = Mat::from_fn(k, r, |i, j| m[(k + j) * n + i]);
    (rm, qty)
}

/// As [`qr_apply`] with column pivoting (LAPACK's dgeqp3 order: at each step the
/// remaining column of largest norm, the lowest index on ties): A·P = Q·R, and
/// `perm[j]` is the column of A at position j. R's diagonal then decreases, which
/// is what makes a one-sided Jacobi SVD of Rᵀ converge in a few sweeps.
pub fn qr_pivoted_apply(
    a: MatRef<'_, f64>,
    y: MatRef<'_, f64>,
) -> (Mat<f64>, Mat<f64>, Vec<usize>) {
    qr(a, y, true)
}

fn qr(a: MatRef<'_, f64>, y: MatRef<'_, f64>, pivot: bool) -> (Mat<f64>, Mat<f64>, Vec<usize>) {
    let (n, k, r) = (a.nrows(), a.ncols(), y.ncols());
    assert!(n >= k && y.nrows() == n);
    // Columns of A, then of Y: the reflectors act on all of them alike.
    let mut cols: Vec<Vec<f64>> = (0..k)
        .map(|j| (0..n).map(|i| a.read(i, j)).collect())
        .chain((0..r).map(|j| (0..n).map(|i| y.read(i, j)).collect()))
        .collect();
    let mut perm: Vec<usize> = (0..k).collect();
    // Squared norms of the columns' parts below the current row (pivoting only),
    // downdated as rows are eliminated and recomputed when cancellation looms.
    let mut partial: Vec<f64> = if pivot {
        cols[..k].iter().map(|c| dot(c, c)).collect()
    } else {
        Vec::new()
    };
    let mut exact = partial.clone();
    let mut diag = vec![0.0; k];
    for j in 0..k {
        if pivot {
            let mut best = j;
            for c in j + 1..k {
                if partial[c] > partial[best] {
                    best = c;
                }
            }
            cols.swap(j, best);
            partial.swap(j, best);
            exact.swap(j, best);
            perm.swap(j, best);
        }
        let (head, rest) = cols.split_at_mut(j + 1);
        let x = &mut head[j][j..];
        let alpha = x[0];
        let xnorm = norm(&x[1..]);
        if xnorm == 0.0 {
            // Nothing below the diagonal: H = I.
            diag[j] = alpha;
        } else {
            let beta = -alpha.signum() * libm::hypot(alpha, xnorm);
            let tau = (beta - alpha) / beta;
            let scale = 1.0 / (alpha - beta);
            for v in x[1..].iter_mut() {
                *v *= scale;
            }
            x[0] = 1.0;
            diag[j] = beta;
            let v: &[f64] = x;
            let apply = |c: &mut Vec<f64>| {
                let c = &mut c[j..];
                let w = tau * (c[0] + dot(&v[1..], &c[1..]));
                c[0] -= w;
                axpy(-w, &v[1..], &mut c[1..]);
            };
            if (n - j) * rest.len() >= PARALLEL_WORK / 8 {
                rest.par_iter_mut().for_each(apply);
            } else {
                rest.iter_mut().for_each(apply);
            }
        }
        if pivot {
            for c in j + 1..k {
                let rjc = cols[c][j];
                partial[c] -= rjc * rjc;
                // LAPACK's guard: recompute once most of the norm has cancelled.
                if partial[c] <= 1e-8 * exact[c] {
                    partial[c] = dot(&cols[c][j + 1..], &cols[c][j + 1..]);
                    exact[c] = partial[c];
                }
            }
        }
    }
    let rm = Mat::from_fn(k, k, |i, j| match i.cmp(&j) {
        std::cmp::Ordering::Less => cols[j][i],
        std::cmp::Ordering::Equal => diag[j],
        std::cmp::Ordering::Greater => 0.0,
    });
    let qty = Mat::from_fn(k, r, |i, j| cols[k + j][i]);
    (rm, qty, perm)
}
