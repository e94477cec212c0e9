//! Sampled Hamiltonian networks (SPEC §5 "SWIM claim"; Rahma, Datar & Dietrich,
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

use nalgebra::{DMatrix, DVector};
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
    pub w: DVector<f64>,
    pub c: f64,
}

impl HamiltonianNet {
    /// H at every row of `x`.
    pub fn energy(&self, x: &DMatrix<f64>) -> DVector<f64> {
        let h = self.layer.apply(x, Activation::Tanh);
        let w = DMatrix::from_column_slice(self.w.len(), 1, self.w.as_slice());
        let hw = crate::linalg::mul(lstsq::view(&h), lstsq::view(&w));
        DVector::from_fn(x.nrows(), |i, _| hw.read(i, 0) + self.c)
    }

    /// ∇H at every row of `x` (n × d).
    pub fn gradient(&self, x: &DMatrix<f64>) -> DMatrix<f64> {
        let mut z = self.layer.pre_activation(x);
        // (1 − tanh²) ⊙ w, then times vᵀ.
        let n = z.nrows();
        z.as_mut_slice()
            .par_chunks_mut(n)
            .zip(self.w.as_slice().par_iter())
            .for_each(|(col, w)| {
                col.iter_mut().for_each(|v| {
                    let t = libm::tanh(*v);
                    *v = w * (1.0 - t * t);
                })
            });
        lstsq::to_nalgebra(
            crate::linalg::mul(lstsq::view(&z), lstsq::view(&self.layer.w).transpose()).as_ref(),
        )
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
pub fn design(x: &DMatrix<f64>, layer: &Dense) -> DMatrix<f64> {
    let (n, d) = x.shape();
    let k = layer.w.ncols();
    let z = layer.pre_activation(x);
    let mut a = DMatrix::<f64>::zeros(n * d, k);
    a.as_mut_slice()
        .par_chunks_mut(n * d)
        .zip(z.as_slice().par_chunks(n))
        .enumerate()
        .for_each(|(col, (out, zc))| {
            let ds: Vec<f64> = zc
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
pub fn stacked_gradient(xdot: &DMatrix<f64>) -> DMatrix<f64> {
    let (n, d) = xdot.shape();
    let dof = d / 2;
    DMatrix::from_fn(n * d, 1, |r, _| {
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
    x: &DMatrix<f64>,
    g: &DMatrix<f64>,
    layer: &Dense,
    head: &HeadSpec,
) -> Result<(DVector<f64>, HeadPath, u64), SwimError> {
    let (n, d) = x.shape();
    let k = layer.w.ncols();
    let a = design(x, layer);
    let s = lstsq::solve(lstsq::view(&a), lstsq::view(g), head).map_err(SwimError::Solve)?;
    let w = DVector::from_fn(k, |i, _| s.coef.read(i, 0));
    let flops = flops::hamiltonian_design(n, d, k) + s.path.flops(n * d, k, 1);
    Ok((w, s.path, flops))
}

/// Fits H from states `x` (n × d) and their time derivatives `xdot`, with H(x₀) =
/// `h0` at x₀ = 0 fixing the constant.
#[allow(clippy::too_many_arguments)]
pub fn fit(
    method: SwimMethod,
    x: &DMatrix<f64>,
    xdot: &DMatrix<f64>,
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
        let estimate = DMatrix::from_column_slice(x.nrows(), 1, estimate.as_slice());
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

/// Test errors of a learned H against the true one (SPEC §5): the relative L2 error
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
    h_pred: &DVector<f64>,
    grad_pred: &DMatrix<f64>,
    h_true: &DVector<f64>,
    grad_true: &DMatrix<f64>,
) -> HamiltonianErrors {
    let centred = |v: &DVector<f64>| v.add_scalar(-v.mean());
    let e = (centred(h_pred) - centred(h_true)).norm() / centred(h_true).norm();
    let diff = grad_pred - grad_true;
    HamiltonianErrors {
        energy: e,
        gradient: diff.norm() / grad_true.norm(),
        gradient_mse: diff.norm_squared() / diff.len() as f64,
    }
}
