//! One dense layer on the host, row-major (W: in × out, then b), in f32 or f64:
//! z = h·W + b and its backward, ∂W = hᵀ∂z, ∂b = Σ_rows ∂z, ∂h = ∂z·Wᵀ. The
//! two-tower model's host towers (training step and scoring) and SWIM's Adam
//! baseline MLP (`swim::mlp`) run on it; the products are [`Scalar::matmul`]'s
//! (f32: the `kernels` tiles; f64: `linalg`'s fixed-order products), so every
//! entry is summed in an order the code fixes.

use super::{matmul, transpose, Scalar};

/// z = h·W + b for the n rows of h (W: `rows` × `cols`, row-major).
pub fn dense<T: Scalar>(
    h: &[T],
    n: usize,
    w: &[T],
    rows: usize,
    cols: usize,
    bias: &[T],
) -> Vec<T> {
    let mut z = matmul(n, cols, rows, h, w);
    for row in z.chunks_mut(cols) {
        for (v, &c) in row.iter_mut().zip(bias) {
            *v = *v + c;
        }
    }
    z
}

/// ∂W = hᵀ∂z (`rows` × `cols`) over the n rows of h.
pub fn dense_weight_grad<T: Scalar>(
    h: &[T],
    n: usize,
    rows: usize,
    cols: usize,
    dz: &[T],
) -> Vec<T> {
    matmul(rows, cols, n, &transpose(h, n, rows), dz)
}

/// Adds ∂b = Σ_rows ∂z to `gb`, row by row.
pub fn add_bias_grad<T: Scalar>(dz: &[T], cols: usize, gb: &mut [T]) {
    for row in dz.chunks(cols) {
        for (g, &d) in gb.iter_mut().zip(row) {
            *g = *g + d;
        }
    }
}

/// ∂h = ∂z·Wᵀ.
pub fn dense_input_grad<T: Scalar>(
    dz: &[T],
    n: usize,
    w: &[T],
    rows: usize,
    cols: usize,
) -> Vec<T> {
    matmul(n, rows, cols, dz, &transpose(w, rows, cols))
}
