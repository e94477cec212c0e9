//! The output layer: least squares argmin_C ‖A C − Y‖ (docs/methods.md §2 "SWIM").
//!
//! Two solvers ([`Solver`]):
//! - `cholesky` (fast): the normal equations of A with unit-norm columns,
//!   (ÂᵀÂ + λI) Z = ÂᵀY with Â = A D⁻¹ (D the column norms; λ the relative
//!   `ridge`), factorised by Cholesky, C = D⁻¹ Z. Only the lower half of ÂᵀÂ is
//!   formed (`linalg::gram_lower`: about n·k²/2 multiply-adds, against roughly
//!   2·n·k² + 4·k³ for the SVD).
//!   Condition check: κ̂ = (max Lᵢᵢ / min Lᵢᵢ)², a cheap estimate of the
//!   regularised system's condition number from the Cholesky factor's diagonal.
//!   When κ̂ exceeds [`MAX_CONDITION`], or the factorisation meets a non-positive
//!   pivot, the solve falls back to the SVD and says why.
//! - `svd` (reference): Householder QR, then a one-sided Jacobi SVD of R, with
//!   singular values below `rcond · σ_max` treated as zero:
//!   C = V diag(1/σᵢ for σᵢ > rcond·σ_max, else 0) Uᵀ Y, numpy's `lstsq`.
//!
//! On a well-conditioned A the two agree to rounding (κ(A)²·ε); the ridge moves
//! the Cholesky solution where σᵢ(Â)² is not large against λ, as the cutoff
//! moves the SVD's where σᵢ < rcond·σ_max.

use faer::{Mat, MatRef};

use crate::flops;
use crate::linalg;
use crate::swim::Solver;

/// Above this condition estimate the Cholesky path hands over to the SVD: the
/// normal equations' forward error grows as κ·ε ≈ 1e12 · 2.2e-16 ≈ 2e-4.
pub const MAX_CONDITION: f64 = 1e12;

/// How to solve a head.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HeadSpec {
    pub solver: Solver,
    pub rcond: f64,
    pub ridge: f64,
}

/// Which path produced a solution.
#[derive(Clone, Debug, PartialEq)]
pub enum HeadPath {
    /// Cholesky on the normal equations; κ̂ as estimated.
    Cholesky { condition: f64 },
    /// The SVD, asked for.
    Svd,
    /// The SVD, after the Cholesky path refused (the reason).
    SvdFallback { reason: String },
}

impl HeadPath {
    /// FLOPs of the solve that took this path on an n×k matrix with `out` targets
    /// (a fallback pays for the refused Cholesky attempt too).
    pub fn flops(&self, n: usize, k: usize, out: usize) -> u64 {
        match self {
            HeadPath::Cholesky { .. } => flops::normal_equations_solve(n, k, out),
            HeadPath::Svd => flops::svd_solve(n, k, out),
            HeadPath::SvdFallback { .. } => {
                flops::normal_equations_solve(n, k, out) + flops::svd_solve(n, k, out)
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            HeadPath::Cholesky { condition } => format!("cholesky (κ̂ {condition:.1e})"),
            HeadPath::Svd => "svd".into(),
            HeadPath::SvdFallback { reason } => format!("svd fallback: {reason}"),
        }
    }
}

/// A solved head: coefficients (k × outputs) and how they were found.
#[derive(Clone, Debug)]
pub struct Solution {
    pub coef: Mat<f64>,
    pub path: HeadPath,
}

/// argmin_C ‖A C − Y‖ by `spec`'s solver.
pub fn solve(a: MatRef<'_, f64>, y: MatRef<'_, f64>, spec: &HeadSpec) -> Result<Solution, String> {
    if a.nrows() != y.nrows() {
        return Err(format!(
            "least squares: {} design rows but {} target rows",
            a.nrows(),
            y.nrows()
        ));
    }
    match spec.solver {
        Solver::Svd => Ok(Solution {
            coef: svd(a, y, spec.rcond)?,
            path: HeadPath::Svd,
        }),
        Solver::Cholesky => match cholesky(a, y, spec.ridge) {
            Ok((coef, condition)) => Ok(Solution {
                coef,
                path: HeadPath::Cholesky { condition },
            }),
            Err(reason) => Ok(Solution {
                coef: svd(a, y, spec.rcond)?,
                path: HeadPath::SvdFallback { reason },
            }),
        },
    }
}

/// The Cholesky path; `Err` says why it refused (the caller falls back).
/// Every step is [`crate::linalg`]'s: the same bits on any CPU and thread count.
pub fn cholesky(
    a: MatRef<'_, f64>,
    y: MatRef<'_, f64>,
    ridge: f64,
) -> Result<(Mat<f64>, f64), String> {
    let k = a.ncols();
    // Each column read in place where it is contiguous (a copy of A is 6 MB at
    // mfeat's shape, a tenth of the head's time with its page faults).
    let col_norms: Vec<f64> = (0..k)
        .map(|j| match a.col(j).try_as_slice() {
            Some(col) => linalg::norm(col),
            None => linalg::norm(&a.col(j).iter().copied().collect::<Vec<f64>>()),
        })
        .collect();
    if !col_norms.iter().all(|c| c.is_finite()) {
        return Err("the design matrix is not finite".into());
    }
    // Column scales: 1/‖A_j‖ (a zero column keeps scale 1; only the ridge lifts it).
    let scale: Vec<f64> = col_norms
        .iter()
        .map(|&norm| if norm > 0.0 { 1.0 / norm } else { 1.0 })
        .collect();
    // G = AᵀA, its lower half (what Cholesky reads), then scaled to D⁻¹ G D⁻¹ + λI.
    let mut g = linalg::gram_lower(a);
    for j in 0..k {
        for i in j..k {
            let v = g.read(i, j) * scale[i] * scale[j];
            g.write(i, j, if i == j { v + ridge } else { v });
        }
    }
    // Right-hand side D⁻¹ AᵀY.
    let mut rhs = linalg::mul(a.transpose(), y);
    for j in 0..rhs.ncols() {
        for (i, &s) in scale.iter().enumerate() {
            rhs.write(i, j, rhs.read(i, j) * s);
        }
    }
    let l = linalg::cholesky(g.as_ref()).map_err(|minor| {
        format!("the normal equations are not positive definite (minor {minor})")
    })?;
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for i in 0..k {
        let d = l.read(i, i);
        lo = lo.min(d);
        hi = hi.max(d);
    }
    let condition = (hi / lo).powi(2);
    // A NaN estimate fails the check too.
    if condition.is_nan() || condition > MAX_CONDITION {
        return Err(format!(
            "condition estimate {condition:.1e} above {MAX_CONDITION:.0e}"
        ));
    }
    // L Lᵀ Z = rhs.
    linalg::solve_lower(l.as_ref(), rhs.as_mut());
    linalg::solve_lower_transposed(l.as_ref(), rhs.as_mut());
    for j in 0..rhs.ncols() {
        for (i, &s) in scale.iter().enumerate() {
            rhs.write(i, j, rhs.read(i, j) * s);
        }
    }
    Ok((rhs, condition))
}

/// The SVD path: C = V Σ⁺ Uᵀ Y with the relative cutoff `rcond`. A tall A
/// (n ≥ 2k) is first reduced by a Householder QR, A = Q R, and R's SVD taken
/// (R has A's singular values; LAPACK's `gelsd` reduces the same way).
pub fn svd(a: MatRef<'_, f64>, y: MatRef<'_, f64>, rcond: f64) -> Result<Mat<f64>, String> {
    let n = a.nrows();
    let pa = linalg::packed(a);
    if !pa.iter().all(|v| v.is_finite()) {
        return Err("least squares: the features are not finite".into());
    }
    let k = a.ncols();
    if n < 2 * k {
        return pseudo_inverse_solve(a, y.to_owned(), rcond);
    }
    // A·P = Q·R with column pivoting, then a one-sided Jacobi SVD of Rᵀ (Drmač and
    // Veselić's preconditioning: Rᵀ's columns are close to orthogonal, so a few
    // sweeps suffice). Rᵀ = Ũ Σ Ṽᵀ gives R = Ṽ Σ Ũᵀ, so the solution of
    // R z = QᵀY is z = Ũ Σ⁺ Ṽᵀ QᵀY, and C = P z.
    // The tall reduction blocked (A = Q₁R₁), then the k×k pivoting on R₁ alone
    // (R₁P = Q₂R₂): the same R₂ as pivoting A itself would give, at the cost of a
    // k×k QR instead of an unblocked n×k one.
    let (r1, qty1) = linalg::qr_blocked_apply(a, y);
    let (r, qty, perm) = linalg::qr_pivoted_apply(r1.as_ref(), qty1.as_ref());
    // Each column of Rᵀ carries its row of QᵀY, so the rotations leave Ṽᵀ QᵀY
    // behind without forming Ṽ.
    let rows: Vec<Vec<f64>> = (0..k)
        .map(|i| (0..qty.ncols()).map(|j| qty.read(i, j)).collect())
        .collect();
    let svd = linalg::jacobi_svd_carrying(r.transpose(), rows)?;
    let smax = svd.sigma.iter().copied().fold(0.0, f64::max);
    let cutoff = rcond * smax;
    let mut coef = Mat::<f64>::zeros(k, qty.ncols());
    for j in 0..qty.ncols() {
        let mut z = vec![0.0; k];
        for (i, &si) in svd.sigma.iter().enumerate() {
            if !(si > cutoff && si > 0.0) {
                continue;
            }
            // Ũᵢ (ṼᵀQᵀY)ᵢⱼ / σᵢ = (σᵢŨᵢ) (ṼᵀQᵀY)ᵢⱼ / σᵢ², added in order of i.
            let w = svd.v[i][j] / (si * si);
            linalg::axpy(w, &svd.us[i], &mut z);
        }
        for (pos, &orig) in perm.iter().enumerate() {
            coef.write(orig, j, z[pos]);
        }
    }
    Ok(coef)
}

/// C = V Σ⁺ Uᵀ Y from a one-sided Jacobi SVD of `a` ([`linalg::jacobi_svd`]).
fn pseudo_inverse_solve(a: MatRef<'_, f64>, y: Mat<f64>, rcond: f64) -> Result<Mat<f64>, String> {
    let svd = linalg::jacobi_svd(a)?;
    let smax = svd.sigma.iter().copied().fold(0.0, f64::max);
    if !smax.is_finite() {
        return Err("least squares: the features are not finite".into());
    }
    let cutoff = rcond * smax;
    let k = a.ncols();
    let mut coef = Mat::<f64>::zeros(k, y.ncols());
    let yc = linalg::packed(y.as_ref());
    let n = y.nrows();
    for (i, &si) in svd.sigma.iter().enumerate() {
        if !(si > cutoff && si > 0.0) {
            continue;
        }
        // (σᵢuᵢ)ᵀy / σᵢ² = uᵢᵀy / σᵢ, times vᵢ, added in order of i.
        for j in 0..y.ncols() {
            let w = linalg::dot(&svd.us[i], &yc[j * n..(j + 1) * n]) / (si * si);
            for (r, &vr) in svd.v[i].iter().enumerate() {
                coef.write(r, j, coef.read(r, j) + w * vr);
            }
        }
    }
    Ok(coef)
}

/// Appends a column of ones.
pub fn with_bias(features: &Mat<f64>) -> Mat<f64> {
    let (n, k) = (features.nrows(), features.ncols());
    Mat::from_fn(n, k + 1, |i, j| if j < k { features[(i, j)] } else { 1.0 })
}

/// argmin_C ‖[features, 1] C − targets‖.
pub fn least_squares(
    features: &Mat<f64>,
    targets: &Mat<f64>,
    spec: &HeadSpec,
) -> Result<(Mat<f64>, HeadPath), String> {
    let a = with_bias(features);
    let s = solve(a.as_ref(), targets.as_ref(), spec)?;
    Ok((s.coef, s.path))
}

/// Predictions of the fitted head.
pub fn predict(features: &Mat<f64>, coef: &Mat<f64>) -> Mat<f64> {
    linalg::mul(with_bias(features).as_ref(), coef.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::rng::{chacha, normal};

    fn spec(solver: Solver, ridge: f64) -> HeadSpec {
        HeadSpec {
            solver,
            rcond: 1e-12,
            ridge,
        }
    }

    #[test]
    fn recovers_an_exact_linear_map_with_bias() {
        let x = Mat::from_fn(20, 3, |i, j| ((i * 7 + j * 3) % 11) as f64 / 5.0 - 1.0);
        let truth =
            faer::mat::from_row_major_slice(&[1.0, -2.0, 0.5, 0.0, 3.0, 1.0, -0.7, 0.2], 4, 2)
                .to_owned();
        let y = linalg::mul(with_bias(&x).as_ref(), truth.as_ref());
        for solver in [Solver::Svd, Solver::Cholesky] {
            let (c, _) = least_squares(&x, &y, &spec(solver, 0.0)).unwrap();
            let err = (0..4)
                .flat_map(|i| (0..2).map(move |j| (i, j)))
                .map(|(i, j)| (c[(i, j)] - truth[(i, j)]).abs())
                .fold(0.0, f64::max);
            assert!(err < 1e-10, "{solver:?}");
        }
    }

    /// A random n×k matrix with singular values spread over `decades` decades.
    fn conditioned(n: usize, k: usize, decades: f64, seed: u64) -> Mat<f64> {
        let mut r = chacha(seed, 0);
        let g = Mat::from_fn(n, k, |_, _| normal(&mut r));
        let h = Mat::from_fn(k, k, |_, _| normal(&mut r));
        let (q1, q2) = (g.qr().compute_thin_q(), h.qr().compute_thin_q());
        let s = Mat::from_fn(k, k, |i, j| {
            if i == j {
                10f64.powf(-decades * i as f64 / (k - 1) as f64)
            } else {
                0.0
            }
        });
        linalg::mul(
            linalg::mul(q1.as_ref(), s.as_ref()).as_ref(),
            q2.as_ref().transpose(),
        )
    }

    #[test]
    fn cholesky_agrees_with_the_svd_on_well_conditioned_problems() {
        // κ(A) = 100, κ(AᵀA) = 1e4: the normal equations lose ~1e4·ε.
        for (n, k, out) in [(200, 30, 1), (500, 60, 10), (64, 64, 3)] {
            let a = conditioned(n, k, 2.0, n as u64);
            let mut r = chacha(k as u64, 1);
            let y = Mat::from_fn(n, out, |_, _| normal(&mut r));
            let reference = svd(a.as_ref(), y.as_ref(), 1e-14).unwrap();
            let fast = solve(a.as_ref(), y.as_ref(), &spec(Solver::Cholesky, 0.0)).unwrap();
            assert!(
                matches!(fast.path, HeadPath::Cholesky { .. }),
                "{:?}",
                fast.path
            );
            let diff = (&fast.coef - &reference).norm_l2() / reference.norm_l2();
            assert!(diff < 1e-8, "{n}×{k}: relative difference {diff:e}");
        }
    }

    #[test]
    fn the_qr_reduced_svd_matches_the_direct_one() {
        // σᵢ = 10^(−decades·i/49); the cutoff 1.4e-10 sits between two of them
        // (10^−9.71 and 10^−10 at 14 decades), so no σ lies on it, where rounding
        // alone would decide whether a component is kept.
        let rcond = 1.4e-10;
        for decades in [2.0, 8.0, 14.0] {
            let a = conditioned(400, 50, decades, 9);
            let y = Mat::from_fn(400, 3, |i, j| ((i * 5 + j) % 11) as f64 - 5.0);
            let reduced = svd(a.as_ref(), y.as_ref(), rcond).unwrap();
            let direct = pseudo_inverse_solve(a.as_ref(), y.as_ref().to_owned(), rcond).unwrap();
            let diff = (&reduced - &direct).norm_l2() / direct.norm_l2();
            // Two backward-stable solves agree to about ε·κ of the kept spectrum
            // (σ_max over the smallest σ above the cutoff).
            let smallest_kept = (0..50)
                .map(|i| 10f64.powf(-decades * i as f64 / 49.0))
                .filter(|&s| s > rcond)
                .fold(f64::INFINITY, f64::min);
            let kappa = 1.0 / smallest_kept;
            assert!(
                diff < 100.0 * f64::EPSILON * kappa,
                "{decades} decades: {diff:e} (κ {kappa:.1e})"
            );
        }
    }

    #[test]
    fn ill_conditioned_and_rank_deficient_problems_fall_back_to_the_svd() {
        // κ(A) = 1e9: the estimate of κ(AᵀA) passes 1e12 without a ridge.
        let a = conditioned(300, 40, 9.0, 3);
        let y = Mat::from_fn(300, 2, |i, j| ((i + 3 * j) % 7) as f64);
        let s = solve(a.as_ref(), y.as_ref(), &spec(Solver::Cholesky, 0.0)).unwrap();
        assert!(
            matches!(s.path, HeadPath::SvdFallback { .. }),
            "{:?}",
            s.path
        );
        let reference = svd(a.as_ref(), y.as_ref(), 1e-12).unwrap();
        assert_eq!(s.coef, reference);
        // Duplicated columns: singular normal equations.
        let mut b = conditioned(100, 10, 1.0, 4);
        for i in 0..b.nrows() {
            b[(i, 1)] = b[(i, 0)];
        }
        let y = Mat::from_fn(100, 1, |i, _| i as f64);
        let s = solve(b.as_ref(), y.as_ref(), &spec(Solver::Cholesky, 0.0)).unwrap();
        assert!(
            matches!(s.path, HeadPath::SvdFallback { .. }),
            "{:?}",
            s.path
        );
        // With a ridge the same problem stays on the fast path.
        let s = solve(b.as_ref(), y.as_ref(), &spec(Solver::Cholesky, 1e-8)).unwrap();
        assert!(matches!(s.path, HeadPath::Cholesky { .. }), "{:?}", s.path);
    }
}
