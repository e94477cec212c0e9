//! The iterative baseline for Hamiltonian tasks (docs/methods.md §5): the same network as the
//! sampled one, H(x) = s·N((x − μ)/σ) + c with N(x̃) = Σ_k w_k tanh(⟨v_k, x̃⟩ + b_k),
//! trained by Adam on the gradient loss. Inputs are standardised (μ, σ from the
//! training rows) and H scaled by s = the RMS of the gradient targets; both are
//! fixed affine maps the network could absorb. c is fixed afterwards by H(x₀).
//!
//! The loss is the mean squared error of ∇H against the targets (−p', q'), in units
//! of s, over every row and coordinate: with G̃ = ∇_x̃ N = (S ⊙ w) Vᵀ, where
//! S = 1 − tanh²(Z), Z = X̃V + b, the prediction is P = G̃ / σ (per coordinate) and
//! L = mean (P − T)², T = ∇H / s. Backward, written out with the activation's
//! derivative (first-order only): E = ∂L/∂G̃ = 2(P − T)/(B·d) / σ,
//! ∂w_k = Σ_i S_ik (E V)_ik, ∂V = Eᵀ (S ⊙ w) + X̃ᵀ Q, ∂b = Σ_i Q_i with
//! Q = w ⊙ (E V) ⊙ (−2 tanh(Z) ⊙ S).

use faer::Mat;

use super::adam::{Objective, TestMetrics};
use super::hamiltonian::{self, HamiltonianNet};
use super::mlp::{gather, glorot, moments, mul, slots, standardise, LayerSlots};
use super::sample::Dense;
use crate::flops;

/// The data a Hamiltonian objective needs.
pub struct HamiltonianData<'a> {
    pub x: &'a Mat<f64>,
    /// ∇H at each row of `x` (n × d).
    pub grad: &'a Mat<f64>,
    pub x_test: &'a Mat<f64>,
    pub h_test: &'a [f64],
    pub grad_test: &'a Mat<f64>,
    /// H(0).
    pub h0: f64,
}

pub struct HamiltonianObjective<'a> {
    data: HamiltonianData<'a>,
    x: Mat<f64>,
    targets: Mat<f64>,
    mean: Vec<f64>,
    sd: Vec<f64>,
    scale: f64,
    /// V (d × K) and b as a layer slot; w after them.
    layer: LayerSlots,
    w: usize,
    total: usize,
}

impl<'a> HamiltonianObjective<'a> {
    pub fn new(data: HamiltonianData<'a>, train_rows: &[usize], width: usize) -> Self {
        let (mean, sd) = moments(data.x, train_rows);
        let d = data.x.ncols();
        let sq: f64 = train_rows
            .iter()
            .map(|&i| (0..d).map(|j| data.grad[(i, j)].powi(2)).sum::<f64>())
            .sum();
        let rms = (sq / (train_rows.len() * d).max(1) as f64).sqrt();
        let scale = if rms > 0.0 { rms } else { 1.0 };
        let (layers, _) = slots(&[d, width]);
        let layer = layers[0];
        let w = layer.b + width;
        HamiltonianObjective {
            x: standardise(data.x, &mean, &sd),
            targets: Mat::from_fn(data.grad.nrows(), data.grad.ncols(), |i, j| {
                data.grad[(i, j)] / scale
            }),
            data,
            mean,
            sd,
            scale,
            layer,
            w,
            total: w + width,
        }
    }

    /// The network θ stands for, on raw states, its constant fixed by H(0).
    pub fn network(&self, theta: &[f64]) -> HamiltonianNet {
        let (d, k) = (self.layer.inputs, self.layer.outputs);
        let v = Mat::from_fn(d, k, |j, c| theta[self.layer.w + j * k + c] / self.sd[j]);
        let b: Vec<f64> = (0..k)
            .map(|c| {
                theta[self.layer.b + c] - (0..d).map(|j| v[(j, c)] * self.mean[j]).sum::<f64>()
            })
            .collect();
        let w: Vec<f64> = (0..k).map(|c| self.scale * theta[self.w + c]).collect();
        let mut net = HamiltonianNet {
            layer: Dense { w: v, b },
            w,
            c: 0.0,
        };
        net.c = self.data.h0 - net.energy_at(&vec![0.0; d]);
        net
    }

    /// Loss on `rows`, and (when asked) its gradient.
    fn evaluate(&self, theta: &[f64], rows: &[usize], grad: Option<&mut [f64]>) -> f64 {
        let (d, k) = (self.layer.inputs, self.layer.outputs);
        let bsz = rows.len();
        let xs = gather(&self.x, rows);
        let xb = faer::mat::from_row_major_slice(&xs, bsz, d);
        let v = faer::mat::from_row_major_slice(&theta[self.layer.w..self.layer.b], d, k);
        let (b, w) = (&theta[self.layer.b..self.w], &theta[self.w..self.total]);
        let mut t = Mat::<f64>::zeros(bsz, k); // tanh(Z)
        mul(t.as_mut(), xb, v);
        let mut s = Mat::<f64>::zeros(bsz, k); // S ⊙ w
        for c in 0..k {
            let (bc, wc) = (b[c], w[c]);
            let tc = t.col_as_slice_mut(c);
            let sc: Vec<f64> = tc
                .iter_mut()
                .map(|z| {
                    *z = libm::tanh(*z + bc);
                    wc * (1.0 - *z * *z)
                })
                .collect();
            s.col_as_slice_mut(c).copy_from_slice(&sc);
        }
        let mut g = Mat::<f64>::zeros(bsz, d); // G̃, then E
        mul(g.as_mut(), s.as_ref(), v.transpose());
        let mut loss = 0.0;
        let norm = 2.0 / (bsz * d) as f64;
        for j in 0..d {
            let inv = 1.0 / self.sd[j];
            for (i, gv) in g.col_as_slice_mut(j).iter_mut().enumerate() {
                let r = *gv * inv - self.targets[(rows[i], j)];
                loss += r * r;
                *gv = norm * r * inv;
            }
        }
        let loss = loss / (bsz * d) as f64;
        let Some(grad) = grad else {
            return loss;
        };
        let mut p0 = Mat::<f64>::zeros(bsz, k); // E V, then Q
        mul(p0.as_mut(), g.as_ref(), v);
        for c in 0..k {
            let (wc, tc) = (w[c], t.col_as_slice(c));
            let pc = p0.col_as_slice_mut(c);
            let mut dw = 0.0;
            let mut db = 0.0;
            for i in 0..bsz {
                let sk = 1.0 - tc[i] * tc[i];
                dw += sk * pc[i];
                pc[i] *= wc * (-2.0 * tc[i] * sk);
                db += pc[i];
            }
            grad[self.w + c] = dw;
            grad[self.layer.b + c] = db;
        }
        let gv = faer::mat::from_row_major_slice_mut(&mut grad[self.layer.w..self.layer.b], d, k);
        // ∂V = X̃ᵀ Q + Eᵀ (S ⊙ w).
        crate::linalg::matmul(gv, xb.transpose(), p0.as_ref(), false);
        let gv = faer::mat::from_row_major_slice_mut(&mut grad[self.layer.w..self.layer.b], d, k);
        crate::linalg::matmul(gv, g.transpose(), s.as_ref(), true);
        loss
    }
}

impl Objective for HamiltonianObjective<'_> {
    fn n_params(&self) -> usize {
        self.total
    }

    fn init(&self, r: &mut rand_chacha::ChaCha8Rng) -> Vec<f64> {
        let k = self.layer.outputs;
        // V and w Glorot-uniform (d → K and K → 1), b zero.
        let (out, _) = slots(&[k, 1]);
        let mut theta = glorot(&[self.layer], self.total, r);
        let w = glorot(&out, k + 1, r);
        theta[self.w..self.total].copy_from_slice(&w[..k]);
        theta
    }

    fn loss_grad(&self, theta: &[f64], rows: &[usize], grad: &mut [f64]) -> f64 {
        self.evaluate(theta, rows, Some(grad))
    }

    fn loss(&self, theta: &[f64], rows: &[usize]) -> f64 {
        self.evaluate(theta, rows, None)
    }

    fn test(&self, theta: &[f64]) -> TestMetrics {
        let net = self.network(theta);
        let e = hamiltonian::errors(
            &net.energy(self.data.x_test),
            &net.gradient(self.data.x_test),
            self.data.h_test,
            self.data.grad_test,
        );
        TestMetrics {
            score: e.energy,
            mse: e.gradient_mse,
            grad_error: Some(e.gradient),
        }
    }

    fn flops_per_example(&self) -> u64 {
        flops::hamiltonian_gradient(self.layer.inputs, self.layer.outputs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::rng::chacha;
    use rand::Rng;

    #[test]
    fn the_written_out_gradient_matches_finite_differences() {
        let mut r = chacha(4, 0);
        let x = Mat::from_fn(40, 4, |_, j| r.gen_range(-1.0..1.0) * (j + 1) as f64);
        let grad = Mat::from_fn(40, 4, |i, j| (x[(i, j)] * 1.3).sin() + x[(i, (j + 1) % 4)]);
        let (h, g) = (vec![0.0; 40], grad.clone());
        let data = HamiltonianData {
            x: &x,
            grad: &grad,
            x_test: &x,
            h_test: &h,
            grad_test: &g,
            h0: 0.0,
        };
        let rows: Vec<usize> = (0..40).collect();
        let obj = HamiltonianObjective::new(data, &rows, 9);
        super::super::mlp::tests::check_gradient(&obj, &rows[5..30], 7);
    }

    #[test]
    fn the_network_on_raw_states_is_the_trained_one() {
        // N(x̃) scaled by s and read on raw x equals HamiltonianNet's H (up to c)
        // and its gradient the loss's prediction times s.
        let mut r = chacha(6, 0);
        let x = Mat::from_fn(20, 2, |_, j| r.gen_range(-3.0..3.0) + j as f64);
        let grad = Mat::from_fn(20, 2, |i, j| x[(i, 1 - j)]);
        let h = vec![0.0; 20];
        let data = HamiltonianData {
            x: &x,
            grad: &grad,
            x_test: &x,
            h_test: &h,
            grad_test: &grad,
            h0: 0.5,
        };
        let rows: Vec<usize> = (0..20).collect();
        let obj = HamiltonianObjective::new(data, &rows, 6);
        let theta = obj.init(&mut chacha(1, 1));
        let net = obj.network(&theta);
        assert!((net.energy_at(&[0.0, 0.0]) - 0.5).abs() < 1e-12);
        // Loss from the raw network's gradient equals the objective's loss.
        let g = net.gradient(&x);
        let direct = (0..20)
            .flat_map(|i| (0..2).map(move |j| (i, j)))
            .map(|(i, j)| ((g[(i, j)] - grad[(i, j)]) / obj.scale).powi(2))
            .sum::<f64>()
            / 40.0;
        assert!((direct - obj.loss(&theta, &rows)).abs() < 1e-12 * (1.0 + direct));
    }
}
