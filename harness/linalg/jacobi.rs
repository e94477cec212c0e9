//! One-sided Jacobi SVD in a round-robin order of disjoint pairs.

use faer::MatRef;
use rayon::prelude::*;

use super::{dot, norm, plane_rotation};

/// A thin SVD A = U·diag(σ)·Vᵀ by one-sided Jacobi (Hestenes): rotations of
/// column pairs until every pair is orthogonal to working precision. Pairs are
/// visited in a fixed round-robin order whose rounds hold disjoint pairs, so a
/// round runs in parallel and gives the same bits with any thread count.
/// Returns (U·diag(σ) as columns, σ, V); a zero column keeps σ = 0.
pub struct Svd {
    /// Column i is σ_i·u_i (length n).
    pub us: Vec<Vec<f64>>,
    pub sigma: Vec<f64>,
    /// Column i is v_i (length k); with [`jacobi_svd_carrying`], row i of VᵀX.
    pub v: Vec<Vec<f64>>,
    pub sweeps: usize,
}

/// The most Jacobi sweeps before giving up (convergence takes 6–12 in practice).
pub const MAX_SWEEPS: usize = 60;

pub fn jacobi_svd(a: MatRef<'_, f64>) -> Result<Svd, String> {
    let k = a.ncols();
    let identity = (0..k)
        .map(|j| (0..k).map(|i| f64::from(u8::from(i == j))).collect())
        .collect();
    jacobi_svd_carrying(a, identity)
}

/// As [`jacobi_svd`], but column i carries `extra[i]` instead of eᵢ: every
/// rotation of columns p and q rotates `extra[p]` and `extra[q]` alike, so the
/// returned `v[i]` is row i of Vᵀ·X when `extra[i]` is row i of X. With X = I
/// that is V itself; with X = B it is VᵀB without forming V (half the rotation
/// work when B has few columns).
pub fn jacobi_svd_carrying(a: MatRef<'_, f64>, extra: Vec<Vec<f64>>) -> Result<Svd, String> {
    let (n, k) = (a.nrows(), a.ncols());
    assert_eq!(extra.len(), k, "one carried row per column");
    // Column i: a_i (n entries) then its carried row; the rotation acts on both.
    let mut cols: Vec<Vec<f64>> = extra
        .into_iter()
        .enumerate()
        .map(|(j, x)| {
            let mut c: Vec<f64> = (0..n).map(|i| a.read(i, j)).collect();
            c.extend(x);
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
    plane_rotation(x, y, c, s);
    Some((alpha - t * gamma, beta + t * gamma))
}
