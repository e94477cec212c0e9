//! The two-tower model's batch loss and its gradient on the host, written out by
//! hand (docs/methods.md §2): the CPU's training step, and — in f64 — the oracle that finite
//! differences check.
//!
//! Forward, per tower: z_l = h_{l−1} W_l + b_l, h_l = relu(z_l) between layers,
//! e = u / sqrt(‖u‖² + 1e-12) for the last layer's u. Logits Z = t·S + c with
//! S = E_A E_Bᵀ and t = exp(t'); loss = Σ_ij softplus(−z_ij Z_ij) / n.
//!
//! Backward: G = ∂loss/∂Z = (σ(Z) − I)/n; ∂/∂c = ΣG; ∂/∂t' = t·Σ(G ⊙ S);
//! ∂/∂E_A = t·G·E_B and ∂/∂E_B = t·Gᵀ·E_A; through the normalisation
//! ∂u = (∂e − e(e·∂e)) / ‖u‖; then each layer: ∂W = hᵀ∂z, ∂b = Σ_rows ∂z,
//! ∂h = ∂z Wᵀ, and relu passes ∂ where z > 0.

use num_traits::Float;

pub mod dense;
mod tower;

use super::Layout;
use crate::kernels;
pub use tower::{embed, first_layer, First};
use tower::{tower_backward, tower_forward, TowerPass};

/// The float types the host model runs in: f32 (training, fast kernels) and f64
/// (gradient checks).
pub trait Scalar: Float + Copy + Send + Sync + std::iter::Sum + std::fmt::Debug + 'static {
    /// C (m×n) = A (m×k) · B (k×n), all row-major.
    fn matmul(m: usize, n: usize, k: usize, a: &[Self], b: &[Self], c: &mut [Self]);
    /// softplus(x) = ln(1 + e^x).
    fn softplus(x: Self) -> Self;
    /// eˣ from the `libm` crate: the same bits on every CPU (the C library's
    /// `exp` has CPU-specific variants).
    fn exp_of(x: Self) -> Self;
    fn from_f64(x: f64) -> Self {
        <Self as num_traits::NumCast>::from(x).expect("a float")
    }

    /// The transpose of an r×c row-major matrix.
    fn transposed(x: &[Self], r: usize, c: usize) -> Vec<Self> {
        let mut t = vec![Self::zero(); r * c];
        crate::kernels::transpose_into(x, r, c, &mut t);
        t
    }

    /// The pair terms of the batch loss from the similarities S (n×n): each
    /// pair's loss term into `sp`, ∂loss/∂Z into `g` (see `kernels::pair_grad`,
    /// the f32 version: the same bits as this loop).
    #[allow(clippy::too_many_arguments)]
    fn pair_grad(
        s: &[Self],
        n: usize,
        t: Self,
        c: Self,
        inv_n: Self,
        sp: &mut [Self],
        g: &mut [Self],
    ) {
        for i in 0..n {
            for j in 0..n {
                let z = t * s[i * n + j] + c;
                let matching = i == j;
                sp[i * n + j] = Self::softplus(if matching { -z } else { z });
                let sigma = Self::one() / (Self::one() + Self::exp_of(-z));
                g[i * n + j] = (sigma - if matching { Self::one() } else { Self::zero() }) * inv_n;
            }
        }
    }

    /// Σ sp, Σ g and Σ g ⊙ s, each in row-major order.
    fn pair_sums(sp: &[Self], g: &[Self], s: &[Self]) -> [Self; 3] {
        let loss = sp.iter().fold(Self::zero(), |a, &b| a + b);
        [
            loss,
            g.iter().copied().sum(),
            g.iter().zip(s).map(|(&a, &b)| a * b).sum(),
        ]
    }
}

impl Scalar for f32 {
    fn matmul(m: usize, n: usize, k: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
        kernels::products_par(m, n, k, a, b, n, 0, c)
    }
    fn pair_grad(s: &[f32], n: usize, t: f32, c: f32, inv_n: f32, sp: &mut [f32], g: &mut [f32]) {
        kernels::pair_grad(s, n, t, c, inv_n, sp, g)
    }
    fn transposed(x: &[f32], r: usize, c: usize) -> Vec<f32> {
        let mut t = vec![0.0; r * c];
        kernels::transpose_par(x, r, c, &mut t);
        t
    }
    fn pair_sums(sp: &[f32], g: &[f32], s: &[f32]) -> [f32; 3] {
        let sums = kernels::pair_sums(sp, g, s);
        [sums.loss, sums.g, sums.gs]
    }
    fn softplus(x: f32) -> f32 {
        kernels::softplus(x)
    }
    fn exp_of(x: f32) -> f32 {
        libm::expf(x)
    }
}

impl Scalar for f64 {
    /// Row-major C = A·B is column-major Cᵀ = Bᵀ·Aᵀ, and a row-major buffer read
    /// column-major is its transpose: `linalg`'s product, each entry summed from
    /// p = 0 in separate multiplies and adds (as a plain triple loop would).
    fn matmul(m: usize, n: usize, k: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
        crate::linalg::gemm_packed(n, m, k, b, a, c)
    }
    fn softplus(x: f64) -> f64 {
        x.max(0.0) + libm::log1p(libm::exp(-x.abs()))
    }
    fn exp_of(x: f64) -> f64 {
        libm::exp(x)
    }
}

/// The transpose of an r×c row-major matrix.
fn transpose<T: Scalar>(x: &[T], r: usize, c: usize) -> Vec<T> {
    T::transposed(x, r, c)
}

fn matmul<T: Scalar>(m: usize, n: usize, k: usize, a: &[T], b: &[T]) -> Vec<T> {
    let mut c = vec![T::zero(); m * n];
    T::matmul(m, n, k, a, b, &mut c);
    c
}

/// A learning batch on the host, in two parts by resolution: `low` rows (inputs
/// already averaged in groups of `resolution`) then `full` rows. Row i of each
/// view is the same pair.
pub struct HostBatch<'a, T> {
    pub full_a: &'a [T],
    pub full_b: &'a [T],
    pub n_full: usize,
    pub low_a: &'a [T],
    pub low_b: &'a [T],
    pub n_low: usize,
    pub resolution: usize,
}

impl<'a, T> HostBatch<'a, T> {
    /// A batch at full resolution.
    pub fn full(a: &'a [T], b: &'a [T], n: usize) -> Self {
        HostBatch {
            full_a: a,
            full_b: b,
            n_full: n,
            low_a: &[],
            low_b: &[],
            n_low: 0,
            resolution: 1,
        }
    }
}

/// Both towers over both parts of a batch, and the logits' inputs.
struct Forward<T> {
    passes: Vec<(TowerPass<T>, TowerPass<T>, bool)>,
    ea: Vec<T>,
    eb: Vec<T>,
    firsts: (Option<First<T>>, Option<First<T>>),
    n: usize,
}

fn forward<T: Scalar>(layout: &Layout, theta: &[T], batch: &HostBatch<T>) -> Forward<T> {
    let r = batch.resolution;
    let firsts = (
        first_layer(theta, &layout.tower_a, r),
        first_layer(theta, &layout.tower_b, r),
    );
    let mut passes = Vec::new();
    // The two towers side by side: their element-wise work (ReLU, the
    // normalisation) is serial, and the other worker would idle through it.
    if batch.n_low > 0 {
        let (a, b) = rayon::join(
            || {
                tower_forward(
                    theta,
                    &layout.tower_a,
                    firsts.0.as_ref(),
                    batch.low_a,
                    batch.n_low,
                )
            },
            || {
                tower_forward(
                    theta,
                    &layout.tower_b,
                    firsts.1.as_ref(),
                    batch.low_b,
                    batch.n_low,
                )
            },
        );
        passes.push((a, b, true));
    }
    if batch.n_full > 0 {
        let (a, b) = rayon::join(
            || tower_forward(theta, &layout.tower_a, None, batch.full_a, batch.n_full),
            || tower_forward(theta, &layout.tower_b, None, batch.full_b, batch.n_full),
        );
        passes.push((a, b, false));
    }
    let ea: Vec<T> = passes
        .iter()
        .map(|p| &p.0.e[..])
        .collect::<Vec<_>>()
        .concat();
    let eb: Vec<T> = passes
        .iter()
        .map(|p| &p.1.e[..])
        .collect::<Vec<_>>()
        .concat();
    Forward {
        passes,
        ea,
        eb,
        firsts,
        n: batch.n_low + batch.n_full,
    }
}

/// The batch loss (1/n) Σ_ij −log σ(z_ij Z_ij) of n pairs and its gradient with
/// respect to every parameter in `theta` (`layout`'s order).
pub fn loss_and_grad<T: Scalar>(layout: &Layout, theta: &[T], batch: &HostBatch<T>) -> (T, Vec<T>) {
    let fw = forward(layout, theta, batch);
    let (n, e) = (fw.n, layout.embed);
    let t = T::exp_of(theta[layout.log_temperature.offset]);
    let c = theta[layout.bias.offset];
    let s = matmul(n, n, e, &fw.ea, &transpose(&fw.eb, n, e));
    let inv_n = T::one() / T::from_f64(n as f64);
    let (mut sp, mut g) = (vec![T::zero(); n * n], vec![T::zero(); n * n]);
    T::pair_grad(&s, n, t, c, inv_n, &mut sp, &mut g);
    // The three sums are serial chains (their order fixes their bits): they run
    // beside the products of the backward pass, which fill the other workers.
    let scale = |v: Vec<T>| -> Vec<T> { v.into_iter().map(|x| x * t).collect() };
    let ([loss, sum_g, sum_gs], (de_a, de_b)) = rayon::join(
        || T::pair_sums(&sp, &g, &s),
        || {
            let de_a = scale(matmul(n, e, n, &g, &fw.eb));
            // Gᵀ·E_A as (E_Aᵀ·G)ᵀ: the same products over i in the same order,
            // without transposing the n×n matrix.
            let de_b_t = matmul(e, n, n, &transpose(&fw.ea, n, e), &g);
            (de_a, scale(transpose(&de_b_t, e, n)))
        },
    );
    let mut grad = vec![T::zero(); layout.len()];
    grad[layout.bias.offset] = sum_g;
    grad[layout.log_temperature.offset] = t * sum_gs;
    let r = batch.resolution;
    // Tower A's parameters come first, then tower B's (and the two scalars): the
    // towers' backward passes run side by side on their own halves of `grad`,
    // each adding its passes in the same order as one after the other would.
    let split = layout
        .tower_b
        .first()
        .map_or(layout.len(), |(w, _)| w.offset);
    let (grad_a, grad_b) = grad.split_at_mut(split);
    let mut row = 0;
    for (pa, pb, low) in &fw.passes {
        let rows = row * e..(row + pa.n) * e;
        let (fa, fb) = if *low {
            (
                fw.firsts.0.as_ref().map(|f| (f, r)),
                fw.firsts.1.as_ref().map(|f| (f, r)),
            )
        } else {
            (None, None)
        };
        rayon::join(
            || {
                tower_backward(
                    theta,
                    &layout.tower_a,
                    fa,
                    pa,
                    &de_a[rows.clone()],
                    (&mut *grad_a, 0),
                )
            },
            || {
                tower_backward(
                    theta,
                    &layout.tower_b,
                    fb,
                    pb,
                    &de_b[rows.clone()],
                    (&mut *grad_b, split),
                )
            },
        );
        row += pa.n;
    }
    (loss * inv_n, grad)
}

/// The batch loss alone (finite differences).
pub fn loss<T: Scalar>(layout: &Layout, theta: &[T], batch: &HostBatch<T>) -> T {
    let fw = forward(layout, theta, batch);
    let (n, e) = (fw.n, layout.embed);
    let t = T::exp_of(theta[layout.log_temperature.offset]);
    let c = theta[layout.bias.offset];
    let s = matmul(n, n, e, &fw.ea, &transpose(&fw.eb, n, e));
    let mut total = T::zero();
    for i in 0..n {
        for j in 0..n {
            let z = t * s[i * n + j] + c;
            total = total + T::softplus(if i == j { -z } else { z });
        }
    }
    total / T::from_f64(n as f64)
}

#[cfg(test)]
mod tests;
