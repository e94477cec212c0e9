//! The output layer: least squares on [features, 1] by a thin SVD (faer: blocked and
//! multithreaded), singular values below `rcond · σ_max` treated as zero:
//! C = V diag(1/σᵢ for σᵢ > rcond·σ_max, else 0) Uᵀ Y.

use nalgebra::DMatrix;

/// Appends a column of ones.
pub fn with_bias(features: &DMatrix<f64>) -> DMatrix<f64> {
    let (n, k) = features.shape();
    let mut a = DMatrix::from_element(n, k + 1, 1.0);
    a.view_mut((0, 0), (n, k)).copy_from(features);
    a
}

/// argmin_C ‖[features, 1] C − targets‖ with a relative singular-value cutoff.
pub fn least_squares(
    features: &DMatrix<f64>,
    targets: &DMatrix<f64>,
    rcond: f64,
) -> Result<DMatrix<f64>, String> {
    let a = with_bias(features);
    let (n, k) = a.shape();
    if targets.nrows() != n {
        return Err(format!(
            "least squares: {n} feature rows but {} target rows",
            targets.nrows()
        ));
    }
    let fa = faer::Mat::<f64>::from_fn(n, k, |i, j| a[(i, j)]);
    let svd = fa.thin_svd();
    let (u, s, v) = (svd.u(), svd.s_diagonal(), svd.v());
    let r = s.nrows();
    let smax = (0..r).map(|i| s.read(i)).fold(0.0, f64::max);
    if !smax.is_finite() {
        return Err("least squares: the features are not finite".into());
    }
    let cutoff = rcond * smax;
    let fy = faer::Mat::<f64>::from_fn(n, targets.ncols(), |i, j| targets[(i, j)]);
    // Uᵀ Y, scaled row by row by the pseudo-inverse of Σ, then V (·).
    let mut uty = u.transpose() * &fy;
    for i in 0..r {
        let si = s.read(i);
        let inv = if si > cutoff && si > 0.0 {
            1.0 / si
        } else {
            0.0
        };
        for j in 0..uty.ncols() {
            uty.write(i, j, uty.read(i, j) * inv);
        }
    }
    let c = v * &uty;
    Ok(DMatrix::from_fn(k, targets.ncols(), |i, j| c.read(i, j)))
}

/// Predictions of the fitted head.
pub fn predict(features: &DMatrix<f64>, coef: &DMatrix<f64>) -> DMatrix<f64> {
    with_bias(features) * coef
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_an_exact_linear_map_with_bias() {
        let x = DMatrix::from_fn(20, 3, |i, j| ((i * 7 + j * 3) % 11) as f64 / 5.0 - 1.0);
        let truth = DMatrix::from_row_slice(4, 2, &[1.0, -2.0, 0.5, 0.0, 3.0, 1.0, -0.7, 0.2]);
        let y = with_bias(&x) * &truth;
        let c = least_squares(&x, &y, 1e-12).unwrap();
        assert!((c - truth).abs().max() < 1e-10);
    }
}
