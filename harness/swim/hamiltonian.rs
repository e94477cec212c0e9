//! Sampled Hamiltonian networks (docs/methods.md §5 "SWIM claim"; Rahma, Datar & Dietrich,
//! arXiv 2411.17511).
//!
//! H(x) = Σ_k w_k tanh(⟨v_k, x⟩ + b_k) + c has the gradient
//! ∇H(x) = Σ_k w_k (1 − tanh²(⟨v_k, x⟩ + b_k)) v_k, linear in the outer weights w.
//! With the hidden layer (v, b) sampled, w solves one least-squares problem on the
//! stacked gradient equations: row (j, i) says Σ_k w_k ∂φ_k/∂x_j (x_i) = ∂H/∂x_j (x_i),
//! where the targets are the time derivatives read back as a gradient,
//! ∇H = (−p', q'). The constant c is fixed by one known value, H(x₀) at x₀ = 0 (it
//! appears in no gradient row; the authors append the row [φ(x₀), 1] = H(x₀) to the
//! same system, which gives the same w and c).
//!
//! Sampling the hidden layer:
//! - `swim`: pairs weighted by the change of the derivative targets (q', p');
//! - `u_swim`: pairs drawn uniformly;
//! - `a_swim`: a U-SWIM fit gives Ĥ on the training points; pairs are drawn again
//!   weighted by the change of Ĥ, and w solved again (the paper's A-SWIM);
//! - `elm` / `elm_unscaled`: random layers (see `sample`).

use faer::Mat;
use rand::Rng;
use rayon::prelude::*;

use super::lstsq::{self, HeadPath, HeadSpec};
use super::sample::{self, Dense};
use super::SwimError;
use crate::flops;
use crate::swim::{Activation, SwimMethod};

/// H(x) = Σ_k w_k tanh(⟨v_k, x⟩ + b_k) + c, on raw states x.
#[derive(Clone, Debug)]
pub struct HamiltonianNet {
    /// v (d × K) and b (K).
    pub layer: Dense,
    pub w: Vec<f64>,
    pub c: f64,
}

impl HamiltonianNet {
    /// H at every row of `x`.
    pub fn energy(&self, x: &Mat<f64>) -> Vec<f64> {
        let h = self.layer.apply(x, Activation::Tanh);
        let hw = crate::linalg::mul(h.as_ref(), crate::linalg::column(&self.w));
        (0..x.nrows()).map(|i| hw.read(i, 0) + self.c).collect()
    }

    /// ∇H at every row of `x` (n × d).
    pub fn gradient(&self, x: &Mat<f64>) -> Mat<f64> {
        let mut z = self.layer.pre_activation(x);
        // (1 − tanh²) ⊙ w, then times vᵀ.
        z.par_col_chunks_mut(1)
            .zip(self.w.par_iter())
            .for_each(|(mut col, w)| {
                col.as_mut().col_mut(0).iter_mut().for_each(|v| {
                    let t = libm::tanh(*v);
                    *v = w * (1.0 - t * t);
                })
            });
        crate::linalg::mul(z.as_ref(), self.layer.w.as_ref().transpose())
    }

    /// ∇H at one state.
    pub fn gradient_at(&self, x: &[f64], out: &mut [f64]) {
        out.iter_mut().for_each(|o| *o = 0.0);
        let v = &self.layer.w;
        for k in 0..v.ncols() {
            let mut z = self.layer.b[k];
            for (j, xj) in x.iter().enumerate() {
                z += v[(j, k)] * xj;
            }
            let t = libm::tanh(z);
            let s = self.w[k] * (1.0 - t * t);
            for (j, o) in out.iter_mut().enumerate() {
                *o += s * v[(j, k)];
            }
        }
    }

    /// H at one state.
    pub fn energy_at(&self, x: &[f64]) -> f64 {
        let v = &self.layer.w;
        let mut h = self.c;
        for k in 0..v.ncols() {
            let mut z = self.layer.b[k];
            for (j, xj) in x.iter().enumerate() {
                z += v[(j, k)] * xj;
            }
            h += self.w[k] * libm::tanh(z);
        }
        h
    }
}

/// The stacked gradient equations' matrix (n·d × K): row j·n + i holds
/// ∂φ_k/∂x_j (x_i) = (1 − tanh²(⟨v_k, x_i⟩ + b_k)) v_jk.
pub fn design(x: &Mat<f64>, layer: &Dense) -> Mat<f64> {
    let (n, d) = (x.nrows(), x.ncols());
    let k = layer.w.ncols();
    let z = layer.pre_activation(x);
    let mut a = Mat::<f64>::zeros(n * d, k);
    a.par_col_chunks_mut(1)
        .enumerate()
        .for_each(|(col, mut out)| {
            let out = out
                .as_mut()
                .col_mut(0)
                .try_as_slice_mut()
                .expect("a column");
            let ds: Vec<f64> = z
                .col_as_slice(col)
                .iter()
                .map(|v| {
                    let t = libm::tanh(*v);
                    1.0 - t * t
                })
                .collect();
            for j in 0..d {
                let vjk = layer.w[(j, col)];
                for (o, s) in out[j * n..(j + 1) * n].iter_mut().zip(&ds) {
                    *o = s * vjk;
                }
            }
        });
    a
}

/// The gradient targets stacked as the design's rows: entry j·n + i is
/// ∂H/∂x_j (x_i) = (−p', q')_j of the time derivative `xdot` (n × d).
pub fn stacked_gradient(xdot: &Mat<f64>) -> Mat<f64> {
    let (n, d) = (xdot.nrows(), xdot.ncols());
    let dof = d / 2;
    Mat::from_fn(n * d, 1, |r, _| {
        let (j, i) = (r / n, r % n);
        if j < dof {
            -xdot[(i, dof + j)]
        } else {
            xdot[(i, j - dof)]
        }
    })
}

/// A fitted sampled Hamiltonian network and what fitting it took.
pub struct SampledFit {
    pub net: HamiltonianNet,
    /// The (last) head solve's path.
    pub head: HeadPath,
    pub flops: u64,
}

/// The outer weights for `layer` from the stacked gradient equations, and the FLOPs.
fn outer(
    x: &Mat<f64>,
    g: &Mat<f64>,
    layer: &Dense,
    head: &HeadSpec,
) -> Result<(Vec<f64>, HeadPath, u64), SwimError> {
    let (n, d) = (x.nrows(), x.ncols());
    let k = layer.w.ncols();
    let a = design(x, layer);
    let s = lstsq::solve(a.as_ref(), g.as_ref(), head).map_err(SwimError::Solve)?;
    let w: Vec<f64> = (0..k).map(|i| s.coef.read(i, 0)).collect();
    let flops = flops::hamiltonian_design(n, d, k) + s.path.flops(n * d, k, 1);
    Ok((w, s.path, flops))
}

/// Fits H from states `x` (n × d) and their time derivatives `xdot`, with H(x₀) =
/// `h0` at x₀ = 0 fixing the constant.
#[allow(clippy::too_many_arguments)]
pub fn fit(
    method: SwimMethod,
    x: &Mat<f64>,
    xdot: &Mat<f64>,
    width: usize,
    candidates: usize,
    head: &HeadSpec,
    h0: f64,
    r: &mut impl Rng,
) -> Result<SampledFit, SwimError> {
    let g = stacked_gradient(xdot);
    let d = x.ncols();
    let layer = match method {
        SwimMethod::Swim => sample::sample_layer(x, xdot, width, candidates, Activation::Tanh, r)?,
        SwimMethod::USwim | SwimMethod::ASwim => {
            sample::uniform_layer(x, width, Activation::Tanh, r)?
        }
        SwimMethod::Elm => sample::random_layer(x, width, r),
        SwimMethod::ElmUnscaled => sample::random_layer_unscaled(d, width, r),
        SwimMethod::Adam => unreachable!("Adam is trained, not sampled"),
    };
    let (mut w, mut path, mut flops) = outer(x, &g, &layer, head)?;
    let mut layer = layer;
    if method == SwimMethod::ASwim {
        // Resample with the first estimate of H, then solve again.
        let estimate = HamiltonianNet {
            layer: layer.clone(),
            w: w.clone(),
            c: 0.0,
        }
        .energy(x);
        let estimate = crate::linalg::column(&estimate).to_owned();
        flops += flops::dense_flops(std::iter::once((d, width))) * x.nrows() as u64;
        layer = sample::sample_layer(x, &estimate, width, candidates, Activation::Tanh, r)?;
        let (w2, p2, f2) = outer(x, &g, &layer, head)?;
        (w, path, flops) = (w2, p2, flops + f2);
    }
    let mut net = HamiltonianNet { layer, w, c: 0.0 };
    net.c = h0 - net.energy_at(&vec![0.0; d]);
    Ok(SampledFit {
        net,
        head: path,
        flops,
    })
}

/// Test errors of a learned H against the true one (docs/methods.md §5): the relative L2 error
/// of H up to its constant, ‖(Ĥ − mean Ĥ) − (H − mean H)‖ / ‖H − mean H‖, and of the
/// gradient, ‖∇Ĥ − ∇H‖ / ‖∇H‖ (equal to the vector field's), with the gradient's
/// mean squared error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HamiltonianErrors {
    pub energy: f64,
    pub gradient: f64,
    pub gradient_mse: f64,
}

pub fn errors(
    h_pred: &[f64],
    grad_pred: &Mat<f64>,
    h_true: &[f64],
    grad_true: &Mat<f64>,
) -> HamiltonianErrors {
    use crate::linalg::{column, frobenius, mean, sum_of_squares};
    let centred = |v: &[f64]| -> Vec<f64> {
        let m = mean(column(v));
        v.iter().map(|x| x + -m).collect()
    };
    let (p, t) = (centred(h_pred), centred(h_true));
    let d: Vec<f64> = p.iter().zip(&t).map(|(a, b)| a - b).collect();
    let e = frobenius(column(&d)) / frobenius(column(&t));
    let diff = Mat::from_fn(grad_pred.nrows(), grad_pred.ncols(), |i, j| {
        grad_pred[(i, j)] - grad_true[(i, j)]
    });
    HamiltonianErrors {
        energy: e,
        gradient: frobenius(diff.as_ref()) / frobenius(grad_true.as_ref()),
        gradient_mse: sum_of_squares(diff.as_ref()) / (diff.nrows() * diff.ncols()) as f64,
    }
}
