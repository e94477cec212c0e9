//! Dense f64 linear algebra for SWIM (products, Cholesky, triangular solves,
//! Householder QR, one-sided Jacobi SVD), deterministic by construction: the same
//! inputs give the same bits on any CPU and with any number of threads.
//!
//! Why our own: faer's and nalgebra's products pick their kernels and blockings at
//! run time. nalgebra's `DMatrix * DMatrix` goes to matrixmultiply, which chooses an
//! AVX-512, AVX2+FMA, AVX or SSE2 kernel by the CPU, each with its own fused or
//! separate multiply-adds; faer's products (gemm-common) size their k-blocks from
//! the L1/L2 cache sizes the CPU reports, so one entry is summed in a different
//! grouping on a CPU with other caches; its factorisations split work by the
//! thread count. Any of these changes the last bits, and SWIM's least squares on
//! 10⁻⁸-level residuals amplify them to the printed digits.
//!
//! The rules here: every sum runs in an order the code fixes, never one that the
//! vector width or the thread count chooses. A product entry is Σ_p a_ip·b_pj from
//! p = 0 upwards, one multiply and one add per step (Rust never contracts them into
//! an FMA), with lanes across independent entries only; a dot product keeps
//! [`LANES`] partial sums (fixed by the code, whatever width the CPU's vectors
//! have) combined in one fixed tree; parallel work is split by output columns (or
//! disjoint column pairs), so a thread computes whole entries.

use faer::{Mat, MatMut, MatRef};
use rayon::prelude::*;

/// Partial sums of a dot product: a constant of the code, not of the CPU.
pub const LANES: usize = 8;

/// Work (multiply-adds) below which a product runs on the calling thread.
const PARALLEL_WORK: usize = 1 << 18;

/// Rows of a register tile of the product kernel.
const MR: usize = 8;
/// Columns of a register tile (and of a parallel task's block, times `NB_TILES`).
const NR: usize = 4;
const NB_TILES: usize = 4;

/// ⟨x, y⟩ with [`LANES`] partial sums in a fixed order, then the tail in order.
pub fn dot(x: &[f64], y: &[f64]) -> f64 {
    assert_eq!(x.len(), y.len());
    let n = x.len() / LANES * LANES;
    let mut acc = [0.0f64; LANES];
    for (xc, yc) in x[..n].chunks_exact(LANES).zip(y[..n].chunks_exact(LANES)) {
        for l in 0..LANES {
            acc[l] += xc[l] * yc[l];
        }
    }
    let mut s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (a, b) in x[n..].iter().zip(&y[n..]) {
        s += a * b;
    }
    s
}

/// ‖x‖₂ from [`dot`].
pub fn norm(x: &[f64]) -> f64 {
    dot(x, x).sqrt()
}

/// y ← y + α·x, entry by entry.
#[inline]
pub fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

/// A column-major copy (m×n, leading dimension m) of a view of any strides.
pub fn packed(a: MatRef<'_, f64>) -> Vec<f64> {
    let (m, n) = (a.nrows(), a.ncols());
    let mut out = Vec::with_capacity(m * n);
    for j in 0..n {
        if a.row_stride() == 1 && m > 0 {
            // SAFETY: column j holds m entries at unit stride from its start.
            let col = unsafe { std::slice::from_raw_parts(a.ptr_at(0, j), m) };
            out.extend_from_slice(col);
        } else {
            out.extend((0..m).map(|i| a.read(i, j)));
        }
    }
    out
}

/// C = A·B for column-major A (m×k) and B (k×n), into column-major C (m×n).
/// Entry (i, j) is Σ_p a_ip·b_pj summed from p = 0, whatever the tile or thread.
pub fn gemm_packed(m: usize, n: usize, k: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n);
    if m == 0 || n == 0 {
        return;
    }
    let block = NR * NB_TILES;
    let task = |(jb, cb): (usize, &mut [f64])| {
        let j0 = jb * block;
        let nb = cb.len() / m;
        columns(m, nb, k, a, &b[j0 * k..], cb);
    };
    if m * n * k >= PARALLEL_WORK {
        c[..m * n]
            .par_chunks_mut(m * block)
            .enumerate()
            .for_each(task);
    } else {
        c[..m * n].chunks_mut(m * block).enumerate().for_each(task);
    }
}

/// `nb` columns of C from the matching columns of B (column-major, k per column).
fn columns(m: usize, nb: usize, k: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    let mut j = 0;
    while j < nb {
        let w = NR.min(nb - j);
        let mut i = 0;
        while i + MR <= m {
            if w == NR {
                tile::<NR>(i, j, m, k, a, b, c);
            } else {
                for jj in j..j + w {
                    tile::<1>(i, jj, m, k, a, b, c);
                }
            }
            i += MR;
        }
        // The last rows one by one (the same order of sums).
        for ii in i..m {
            for jj in j..j + w {
                let mut s = 0.0;
                for p in 0..k {
                    s += a[p * m + ii] * b[jj * k + p];
                }
                c[jj * m + ii] = s;
            }
        }
        j += w;
    }
}

/// An MR×W tile of C held in registers over the whole k loop.
#[inline(always)]
fn tile<const W: usize>(
    i: usize,
    j: usize,
    m: usize,
    k: usize,
    a: &[f64],
    b: &[f64],
    c: &mut [f64],
) {
    let mut acc = [[0.0f64; MR]; W];
    for p in 0..k {
        let col: &[f64; MR] = a[p * m + i..p * m + i + MR].try_into().expect("MR");
        for (jj, accj) in acc.iter_mut().enumerate() {
            let bv = b[(j + jj) * k + p];
            for r in 0..MR {
                accj[r] += col[r] * bv;
            }
        }
    }
    for (jj, accj) in acc.iter().enumerate() {
        c[(j + jj) * m + i..(j + jj) * m + i + MR].copy_from_slice(accj);
    }
}

/// C = A·B (or C + A·B when `accumulate`: the product is summed first, then
/// added to C once) for views of any strides.
pub fn matmul(mut c: MatMut<'_, f64>, a: MatRef<'_, f64>, b: MatRef<'_, f64>, accumulate: bool) {
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    assert!(
        b.nrows() == k && c.nrows() == m && c.ncols() == n,
        "matmul shapes"
    );
    let (pa, pb) = (packed(a), packed(b));
    let mut out = vec![0.0; m * n];
    gemm_packed(m, n, k, &pa, &pb, &mut out);
    for j in 0..n {
        for i in 0..m {
            let v = out[j * m + i];
            c.write(i, j, if accumulate { c.read(i, j) + v } else { v });
        }
    }
}

/// A·B as a new matrix.
pub fn mul(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> Mat<f64> {
    let mut c = Mat::<f64>::zeros(a.nrows(), b.ncols());
    matmul(c.as_mut(), a, b, false);
    c
}

/// Cholesky factor L (lower, L·Lᵀ = G) of a symmetric k×k G whose lower half is
/// given; `Err(j)` at the first non-positive pivot. Left-looking: column j is
/// G's column minus Σ_{p<j} L_jp·L_{·p}, p ascending, lanes across rows.
pub fn cholesky(g: MatRef<'_, f64>) -> Result<Mat<f64>, usize> {
    let k = g.nrows();
    assert_eq!(g.ncols(), k);
    let mut l = vec![0.0f64; k * k];
    for j in 0..k {
        let mut col: Vec<f64> = (j..k).map(|i| g.read(i, j)).collect();
        for p in 0..j {
            let ljp = l[p * k + j];
            let lp = &l[p * k + j..p * k + k];
            for (ci, &li) in col.iter_mut().zip(lp) {
                *ci -= li * ljp;
            }
        }
        let d = col[0];
        if d <= 0.0 || d.is_nan() {
            return Err(j);
        }
        let d = d.sqrt();
        l[j * k + j] = d;
        for (i, ci) in col.iter().enumerate().skip(1) {
            l[j * k + j + i] = ci / d;
        }
    }
    Ok(Mat::from_fn(k, k, |i, j| l[j * k + i]))
}

/// Solves L·X = B in place (L lower triangular), column by column of B: each
/// entry subtracts L_ij·x_j for j ascending.
pub fn solve_lower(l: MatRef<'_, f64>, mut rhs: MatMut<'_, f64>) {
    let k = l.nrows();
    let lc = packed(l);
    for r in 0..rhs.ncols() {
        let mut x: Vec<f64> = (0..k).map(|i| rhs.read(i, r)).collect();
        for j in 0..k {
            x[j] /= lc[j * k + j];
            let xj = x[j];
            let (_, below) = x.split_at_mut(j + 1);
            axpy(-xj, &lc[j * k + j + 1..(j + 1) * k], below);
        }
        for (i, v) in x.iter().enumerate() {
            rhs.write(i, r, *v);
        }
    }
}

/// Solves Lᵀ·X = B in place (L lower triangular): x_j = (b_j − ⟨L_{>j,j}, x_{>j}⟩)/L_jj
/// for j descending.
pub fn solve_lower_transposed(l: MatRef<'_, f64>, mut rhs: MatMut<'_, f64>) {
    let k = l.nrows();
    let lc = packed(l);
    for r in 0..rhs.ncols() {
        let mut x: Vec<f64> = (0..k).map(|i| rhs.read(i, r)).collect();
        for j in (0..k).rev() {
            let s = dot(&lc[j * k + j + 1..(j + 1) * k], &x[j + 1..]);
            x[j] = (x[j] - s) / lc[j * k + j];
        }
        for (i, v) in x.iter().enumerate() {
            rhs.write(i, r, *v);
        }
    }
}

/// Householder QR of the n×k `a` (n ≥ k) applied to `y` (n×r): returns R (k×k,
/// upper) and the first k rows of Qᵀ·Y. Unblocked (LAPACK's dgeqr2 with dlarfg's
/// reflector); each reflector is applied to the remaining columns in parallel,
/// a column per task.
pub fn qr_apply(a: MatRef<'_, f64>, y: MatRef<'_, f64>) -> (Mat<f64>, Mat<f64>) {
    let (r, qty, _) = qr(a, y, false);
    (r, qty)
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

/// A thin SVD A = U·diag(σ)·Vᵀ by one-sided Jacobi (Hestenes): rotations of
/// column pairs until every pair is orthogonal to working precision. Pairs are
/// visited in a fixed round-robin order whose rounds hold disjoint pairs, so a
/// round runs in parallel and gives the same bits with any thread count.
/// Returns (U·diag(σ) as columns, σ, V); a zero column keeps σ = 0.
pub struct Svd {
    /// Column i is σ_i·u_i (length n).
    pub us: Vec<Vec<f64>>,
    pub sigma: Vec<f64>,
    /// Column i is v_i (length k).
    pub v: Vec<Vec<f64>>,
    pub sweeps: usize,
}

/// The most Jacobi sweeps before giving up (convergence takes 6–12 in practice).
pub const MAX_SWEEPS: usize = 60;

pub fn jacobi_svd(a: MatRef<'_, f64>) -> Result<Svd, String> {
    let (n, k) = (a.nrows(), a.ncols());
    // Column i: a_i (n entries) then e_i (k entries); the rotation acts on both.
    let mut cols: Vec<Vec<f64>> = (0..k)
        .map(|j| {
            let mut c: Vec<f64> = (0..n).map(|i| a.read(i, j)).collect();
            c.extend((0..k).map(|i| f64::from(u8::from(i == j))));
            c
        })
        .collect();
    // LAPACK dgesvj's threshold: √n·ε.
    let tol = f64::EPSILON * (n.max(1) as f64).sqrt();
    // Columns whose squared norm is below (ε‖A‖_F)² are zero to working precision:
    // rotating them against each other only stirs rounding noise (and may never
    // settle), so such pairs count as orthogonal.
    let frob2: f64 = cols.iter().map(|c| dot(&c[..n], &c[..n])).sum();
    let floor = f64::EPSILON * f64::EPSILON * frob2;
    // Round-robin schedule over an even count of slots (slot k is empty when k is odd).
    let slots = k + k % 2;
    let mut order: Vec<usize> = (0..slots).collect();
    let mut sweeps = 0;
    loop {
        if sweeps == MAX_SWEEPS {
            return Err(format!(
                "the Jacobi SVD did not converge in {MAX_SWEEPS} sweeps"
            ));
        }
        sweeps += 1;
        let mut rotated = false;
        // Squared column norms, exact at the start of each sweep and updated by
        // each rotation (‖x'‖² = α − tγ, ‖y'‖² = β + tγ) within it.
        let mut norms2: Vec<f64> = cols.iter().map(|c| dot(&c[..n], &c[..n])).collect();
        for _round in 0..slots.saturating_sub(1) {
            let pairs: Vec<(usize, usize)> = (0..slots / 2)
                .map(|s| {
                    let (p, q) = (order[s], order[slots - 1 - s]);
                    (p.min(q), p.max(q))
                })
                .filter(|&(_, q)| q < k)
                .collect();
            // Take the pairs' columns out, rotate them in parallel, put them back.
            let mut work: Vec<(usize, usize, Vec<f64>, Vec<f64>)> = pairs
                .iter()
                .map(|&(p, q)| {
                    (
                        p,
                        q,
                        std::mem::take(&mut cols[p]),
                        std::mem::take(&mut cols[q]),
                    )
                })
                .collect();
            let outcomes: Vec<(bool, usize, usize, f64, f64)> = work
                .par_iter_mut()
                .map(|(p, q, x, y)| {
                    let (np, nq) = (norms2[*p], norms2[*q]);
                    match rotate(x, y, n, (np, nq), tol, floor) {
                        Some((a, b)) => (true, *p, *q, a, b),
                        None => (false, *p, *q, np, nq),
                    }
                })
                .collect();
            for &(r, p, q, a, b) in &outcomes {
                rotated |= r;
                norms2[p] = a;
                norms2[q] = b;
            }
            for (p, q, x, y) in work {
                cols[p] = x;
                cols[q] = y;
            }
            // Keep slot 0, turn the others one place.
            let last = order[slots - 1];
            for s in (2..slots).rev() {
                order[s] = order[s - 1];
            }
            if slots > 1 {
                order[1] = last;
            }
        }
        if !rotated {
            break;
        }
    }
    let mut us = Vec::with_capacity(k);
    let mut sigma = Vec::with_capacity(k);
    let mut v = Vec::with_capacity(k);
    for mut c in cols {
        let vi = c.split_off(n);
        sigma.push(norm(&c));
        us.push(c);
        v.push(vi);
    }
    if sigma.iter().any(|s| !s.is_finite()) {
        return Err("least squares: the features are not finite".into());
    }
    Ok(Svd {
        us,
        sigma,
        v,
        sweeps,
    })
}

/// One Jacobi rotation of the pair (x, y) (first `n` entries are A's, squared
/// norms `(α, β)`), making their A-parts orthogonal: the new squared norms, or
/// `None` when they already are orthogonal.
fn rotate(
    x: &mut [f64],
    y: &mut [f64],
    n: usize,
    (alpha, beta): (f64, f64),
    tol: f64,
    floor: f64,
) -> Option<(f64, f64)> {
    if alpha <= floor || beta <= floor {
        return None;
    }
    let gamma = dot(&x[..n], &y[..n]);
    let (a, b) = (alpha.sqrt(), beta.sqrt());
    if gamma == 0.0 || gamma.abs() <= tol * (a * b) {
        return None;
    }
    let zeta = (beta - alpha) / (2.0 * gamma);
    let t = zeta.signum() / (zeta.abs() + (1.0 + zeta * zeta).sqrt());
    let c = 1.0 / (1.0 + t * t).sqrt();
    let s = c * t;
    for (xi, yi) in x.iter_mut().zip(y.iter_mut()) {
        let (a, b) = (*xi, *yi);
        *xi = c * a - s * b;
        *yi = s * a + c * b;
    }
    Some((alpha - t * gamma, beta + t * gamma))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::rng::{chacha, normal};

    fn random(m: usize, n: usize, seed: u64) -> Mat<f64> {
        let mut r = chacha(seed, 0);
        Mat::from_fn(m, n, |_, _| normal(&mut r))
    }

    #[test]
    fn every_product_entry_is_the_in_order_sum() {
        for (m, n, k) in [
            (37, 23, 41),
            (8, 4, 3),
            (100, 1, 9),
            (3, 70, 700),
            (64, 64, 64),
        ] {
            let (a, b) = (random(m, k, 1), random(k, n, 2));
            let c = mul(a.as_ref(), b.as_ref());
            for i in 0..m {
                for j in 0..n {
                    let mut s = 0.0;
                    for p in 0..k {
                        s += a.read(i, p) * b.read(p, j);
                    }
                    assert_eq!(
                        c.read(i, j).to_bits(),
                        s.to_bits(),
                        "({i}, {j}) of {m}×{n}×{k}"
                    );
                }
            }
            // Transposed views give the transposed product's entries, bit for bit.
            let ct = mul(b.transpose(), a.transpose());
            assert_eq!(ct.transpose().to_owned(), c);
        }
    }

    #[test]
    fn results_do_not_depend_on_the_thread_count() {
        let a = random(300, 120, 3);
        let y = random(300, 2, 4);
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let g = mul(a.transpose(), a.as_ref());
                let (r, qty) = qr_apply(a.as_ref(), y.as_ref());
                let svd = jacobi_svd(r.as_ref()).unwrap();
                (g, r, qty, svd.sigma, svd.v)
            })
        };
        let one = run(1);
        for t in [2, 3, 8] {
            let other = run(t);
            assert!(
                one.0 == other.0 && one.1 == other.1 && one.2 == other.2,
                "{t} threads"
            );
            assert_eq!(one.3, other.3, "{t} threads");
            assert_eq!(one.4, other.4, "{t} threads");
        }
    }

    #[test]
    fn the_dot_product_fixes_its_order() {
        let x: Vec<f64> = (0..37).map(|i| 1.0 / (i as f64 + 1.0)).collect();
        let y: Vec<f64> = (0..37).map(|i| (i as f64).sqrt() - 2.5).collect();
        let mut acc = [0.0; LANES];
        for i in 0..32 {
            acc[i % LANES] += x[i] * y[i];
        }
        let mut want =
            ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
        for i in 32..37 {
            want += x[i] * y[i];
        }
        assert_eq!(dot(&x, &y).to_bits(), want.to_bits());
    }

    #[test]
    fn factorisations_reconstruct_their_matrix() {
        let a = random(200, 30, 5);
        let g = mul(a.transpose(), a.as_ref());
        let l = cholesky(g.as_ref()).unwrap();
        let back = mul(l.as_ref(), l.transpose());
        assert!((&back - &g).norm_max() < 1e-10 * g.norm_max());
        // L Lᵀ x = b.
        let b = random(30, 2, 6);
        let mut x = b.clone();
        solve_lower(l.as_ref(), x.as_mut());
        solve_lower_transposed(l.as_ref(), x.as_mut());
        let gb = mul(g.as_ref(), x.as_ref());
        assert!((&gb - &b).norm_max() < 1e-9);
        // QR: RᵀR = AᵀA, and Qᵀy keeps what R explains.
        let (r, _) = qr_apply(a.as_ref(), random(200, 1, 7).as_ref());
        let rtr = mul(r.transpose(), r.as_ref());
        assert!((&rtr - &g).norm_max() < 1e-10 * g.norm_max());
        // SVD: A V = U Σ with orthogonal V, and σ matches the Gram matrix's.
        let svd = jacobi_svd(a.as_ref()).unwrap();
        for i in 0..30 {
            for j in 0..30 {
                let vv = dot(&svd.v[i], &svd.v[j]);
                assert!((vv - f64::from(u8::from(i == j))).abs() < 1e-12);
                if i != j {
                    let uu = dot(&svd.us[i], &svd.us[j]);
                    assert!(uu.abs() < 1e-10 * svd.sigma[i] * svd.sigma[j] + 1e-300);
                }
            }
        }
        let s2: f64 = svd.sigma.iter().map(|s| s * s).sum();
        let trace: f64 = (0..30).map(|i| g.read(i, i)).sum();
        assert!((s2 - trace).abs() < 1e-10 * trace);
        // A non-positive-definite matrix is refused at its first bad pivot.
        let mut bad = g.clone();
        bad.write(3, 3, -1.0);
        assert_eq!(cholesky(bad.as_ref()).unwrap_err(), 3);
    }
}

#[cfg(test)]
mod timing {
    use super::*;

    /// `cargo test --release --lib linalg::timing -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn time_the_svd_path() {
        let (n, k) = (8000, 401);
        let mut r = crate::data::rng::chacha(1, 0);
        let a = Mat::from_fn(n, k, |_, _| crate::data::rng::normal(&mut r));
        let y = Mat::from_fn(n, 1, |_, _| crate::data::rng::normal(&mut r));
        let t = std::time::Instant::now();
        let (rr, _) = qr_apply(a.as_ref(), y.as_ref());
        println!("qr {:?}", t.elapsed());
        let t = std::time::Instant::now();
        let s = jacobi_svd(rr.as_ref()).unwrap();
        println!("jacobi {:?} ({} sweeps)", t.elapsed(), s.sweeps);
        let t = std::time::Instant::now();
        let _g = mul(a.transpose(), a.as_ref());
        println!("gram {:?}", t.elapsed());
    }
}
