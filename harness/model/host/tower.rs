//! One tower on the host, row-major, in f32 or f64: dense layers (ReLU between),
//! then the L2 normalisation, on the host dense layer ([`super::dense`]): the
//! training step ([`tower_forward`], [`tower_backward`]) and the scoring forward
//! over a super-batch ([`embed`], called by `score::tower_host`). The dfdx towers
//! (`model::TwoTower`) are the autodiff path and these functions' test oracle.

use super::dense::{add_bias_grad, dense, dense_input_grad, dense_weight_grad};
use super::Scalar;
use crate::model::{flexi, Slot};

/// Norm floor inside the L2 normalisation, as in `TwoTower::tower`.
const NORM_EPS: f64 = 1e-12;

fn relu<T: Scalar>(z: &[T]) -> Vec<T> {
    z.iter().map(|&v| v.max(T::zero())).collect()
}

/// Divides each row of `e` by sqrt(‖row‖² + ε) and returns those norms.
fn normalise<T: Scalar>(e: &mut [T], dim: usize) -> Vec<T> {
    let eps = T::from_f64(NORM_EPS);
    let mut norms = Vec::with_capacity(e.len() / dim.max(1));
    for row in e.chunks_mut(dim.max(1)) {
        let norm = (row.iter().map(|&v| v * v).sum::<T>() + eps).sqrt();
        row.iter_mut().for_each(|v| *v = *v / norm);
        norms.push(norm);
    }
    norms
}

/// What one tower's forward pass keeps for its backward pass.
pub(super) struct TowerPass<T> {
    /// Each layer's input h_{l−1} (the batch first) and pre-activation z_l.
    inputs: Vec<Vec<T>>,
    pre: Vec<Vec<T>>,
    /// Row norms sqrt(‖u‖² + ε) and the normalised embeddings e.
    norms: Vec<T>,
    pub(super) e: Vec<T>,
    /// Rows of the batch in this pass.
    pub(super) n: usize,
}

/// A tower's first layer at resolution r: weights summed over groups of r inputs.
pub struct First<T> {
    weights: Vec<T>,
    rows: usize,
}

/// The first layer's weights at resolution r (`None` at full resolution).
pub fn first_layer<T: Scalar>(theta: &[T], layers: &[(Slot, Slot)], r: usize) -> Option<First<T>> {
    let (w, _) = layers.first()?;
    (r > 1).then(|| First {
        weights: flexi::sum_weights(&theta[w.range()], w.rows, w.cols, r),
        rows: flexi::groups(w.rows, r),
    })
}

/// Layer l's weights and input width (the first layer's at low resolution where
/// `first` is given).
fn weights<'a, T: Scalar>(
    theta: &'a [T],
    layers: &[(Slot, Slot)],
    first: Option<&'a First<T>>,
    l: usize,
) -> (&'a [T], usize) {
    let w = &layers[l].0;
    match (l, first) {
        (0, Some(f)) => (&f.weights[..], f.rows),
        _ => (&theta[w.range()], w.rows),
    }
}

/// The tower's normalised embeddings of the n rows of `x` (inputs already at the
/// first layer's resolution): the forward pass without its backward.
pub fn embed<T: Scalar>(
    theta: &[T],
    layers: &[(Slot, Slot)],
    first: Option<&First<T>>,
    x: &[T],
    n: usize,
) -> Vec<T> {
    tower_forward(theta, layers, first, x, n).e
}

pub(super) fn tower_forward<T: Scalar>(
    theta: &[T],
    layers: &[(Slot, Slot)],
    first: Option<&First<T>>,
    x: &[T],
    n: usize,
) -> TowerPass<T> {
    let mut h = x.to_vec();
    let (mut inputs, mut pre) = (Vec::new(), Vec::new());
    for (l, (w, b)) in layers.iter().enumerate() {
        let (weights, rows) = weights(theta, layers, first, l);
        let z = dense(&h, n, weights, rows, w.cols, &theta[b.range()]);
        let next = if l + 1 < layers.len() {
            relu(&z)
        } else {
            z.clone()
        };
        inputs.push(std::mem::replace(&mut h, next));
        pre.push(z);
    }
    let dim = layers.last().map_or(0, |(w, _)| w.cols);
    let mut e = h;
    let norms = normalise(&mut e, dim);
    TowerPass {
        inputs,
        pre,
        norms,
        e,
        n,
    }
}

/// Adds the tower's parameter gradients to `grad`, given ∂loss/∂e (a low-resolution
/// first layer's gradient goes back to every weight row of its group); `grad`
/// holds the parameters from offset `base` on (the tower's slots among them).
pub(super) fn tower_backward<T: Scalar>(
    theta: &[T],
    layers: &[(Slot, Slot)],
    first: Option<(&First<T>, usize)>,
    pass: &TowerPass<T>,
    de: &[T],
    (grad, base): (&mut [T], usize),
) {
    let n = pass.n;
    let at = |s: &Slot| s.offset - base..s.offset - base + s.len();
    let dim = layers.last().map_or(0, |(w, _)| w.cols);
    // Through the normalisation: ∂u = (∂e − e(e·∂e)) / norm.
    let mut dz: Vec<T> = Vec::with_capacity(n * dim);
    for i in 0..n {
        let (e, g) = (&pass.e[i * dim..(i + 1) * dim], &de[i * dim..(i + 1) * dim]);
        let proj: T = e.iter().zip(g).map(|(&a, &b)| a * b).sum();
        dz.extend(
            e.iter()
                .zip(g)
                .map(|(&a, &b)| (b - a * proj) / pass.norms[i]),
        );
    }
    for l in (0..layers.len()).rev() {
        let (w, b) = &layers[l];
        let rows = weights(theta, layers, first.map(|f| f.0), l).1;
        let dw = dense_weight_grad(&pass.inputs[l], n, rows, w.cols, &dz);
        match (l, first) {
            (0, Some((_, r))) => flexi::scatter_grad(&dw, w.rows, w.cols, r, &mut grad[at(w)]),
            _ => {
                for (g, d) in grad[at(w)].iter_mut().zip(&dw) {
                    *g = *g + *d;
                }
            }
        }
        add_bias_grad(&dz, w.cols, &mut grad[at(b)]);
        if l == 0 {
            break;
        }
        // ∂h = ∂z Wᵀ, then the previous layer's relu.
        let mut dh = dense_input_grad(&dz, n, &theta[w.range()], w.rows, w.cols);
        for (d, &z) in dh.iter_mut().zip(&pass.pre[l - 1]) {
            if z <= T::zero() {
                *d = T::zero();
            }
        }
        dz = dh;
    }
}
