//! Cholesky factor and triangular solves, each entry's sum in a fixed order.

use faer::{Mat, MatMut, MatRef};

use super::{axpy, dot, packed};

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
