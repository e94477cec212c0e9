//! The iterative baseline's MLP for regression and classification, forward and
//! backward on the host dense layer in f64 (`model::host::dense`: the layer the
//! two-tower model's host towers run on); the Adam baseline's objective.
//!
//! depth hidden layers of `width` (tanh or ReLU), then a linear output; inputs
//! standardised on the training rows (an affine map the first layer could absorb:
//! the same architecture). Regression: mean squared error on standardised targets,
//! over every output; classification: softmax cross-entropy, averaged over rows.
//!
//! Forward: z_l = h_{l−1} W_l + b_l, h_l = act(z_l); out = h_L W_o + b_o.
//! Backward: ∂W_l = h_{l−1}ᵀ ∂z_l, ∂b_l = Σ_rows ∂z_l, ∂h_{l−1} = ∂z_l W_lᵀ,
//! ∂z = ∂h ⊙ act'(z) with tanh' = 1 − h², relu' = [z > 0].

use faer::Mat;
use faer::MatRef;
use rand::Rng;

use super::adam::{Objective, TestMetrics};
use crate::flops;
use crate::model::host::dense::{add_bias_grad, dense, dense_input_grad, dense_weight_grad};
use crate::swim::Activation;

/// Column means and standard deviations (0 → 1) of `x`'s rows `rows`.
pub fn moments(x: &Mat<f64>, rows: &[usize]) -> (Vec<f64>, Vec<f64>) {
    let n = rows.len().max(1) as f64;
    (0..x.ncols())
        .map(|j| {
            let mean = rows.iter().map(|&i| x[(i, j)]).sum::<f64>() / n;
            let var = rows
                .iter()
                .map(|&i| (x[(i, j)] - mean).powi(2))
                .sum::<f64>()
                / n;
            (mean, if var > 0.0 { var.sqrt() } else { 1.0 })
        })
        .unzip()
}

pub fn standardise(x: &Mat<f64>, mean: &[f64], sd: &[f64]) -> Mat<f64> {
    Mat::from_fn(x.nrows(), x.ncols(), |i, j| (x[(i, j)] - mean[j]) / sd[j])
}

/// Rows `rows` of `x`, row-major.
pub fn gather(x: &Mat<f64>, rows: &[usize]) -> Vec<f64> {
    let mut out = Vec::with_capacity(rows.len() * x.ncols());
    for &i in rows {
        out.extend((0..x.ncols()).map(|j| x[(i, j)]));
    }
    out
}

/// C = A·B (overwriting), each entry summed in a fixed order ([`crate::linalg`]).
pub fn mul(c: faer::MatMut<'_, f64>, a: MatRef<'_, f64>, b: MatRef<'_, f64>) {
    crate::linalg::matmul(c, a, b, false);
}

/// A dense layer's parameter ranges in θ: W (in × out, row-major: the host dense
/// layer's layout), then b.
#[derive(Clone, Copy, Debug)]
pub struct LayerSlots {
    pub inputs: usize,
    pub outputs: usize,
    pub w: usize,
    pub b: usize,
}

pub fn slots(sizes: &[usize]) -> (Vec<LayerSlots>, usize) {
    let mut off = 0;
    let layers = sizes
        .windows(2)
        .map(|s| {
            let l = LayerSlots {
                inputs: s[0],
                outputs: s[1],
                w: off,
                b: off + s[0] * s[1],
            };
            off = l.b + s[1];
            l
        })
        .collect();
    (layers, off)
}

/// Glorot-uniform weights, zero biases.
pub fn glorot(layers: &[LayerSlots], total: usize, r: &mut impl Rng) -> Vec<f64> {
    let mut theta = vec![0.0; total];
    for l in layers {
        let limit = (6.0 / (l.inputs + l.outputs) as f64).sqrt();
        for v in &mut theta[l.w..l.b] {
            *v = r.gen_range(-limit..limit);
        }
    }
    theta
}

/// The MLP objective on a task's training rows, with its test set.
pub struct Mlp {
    x: Mat<f64>,
    y: Mat<f64>,
    x_test: Mat<f64>,
    y_test: Mat<f64>,
    /// Regression: targets were standardised with these (per output).
    y_mean: Vec<f64>,
    y_sd: Vec<f64>,
    layers: Vec<LayerSlots>,
    total: usize,
    act: Activation,
    classification: bool,
}

impl Mlp {
    /// `train_rows`: the rows the statistics of standardisation come from.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        x: &Mat<f64>,
        y: &Mat<f64>,
        x_test: &Mat<f64>,
        y_test: &Mat<f64>,
        train_rows: &[usize],
        width: usize,
        depth: usize,
        act: Activation,
        classification: bool,
    ) -> Mlp {
        let (mean, sd) = moments(x, train_rows);
        let (y_mean, y_sd) = if classification {
            (vec![0.0; y.ncols()], vec![1.0; y.ncols()])
        } else {
            moments(y, train_rows)
        };
        let mut sizes = vec![x.ncols()];
        sizes.extend(std::iter::repeat_n(width, depth));
        sizes.push(y.ncols());
        let (layers, total) = slots(&sizes);
        Mlp {
            x: standardise(x, &mean, &sd),
            y: standardise(y, &y_mean, &y_sd),
            x_test: standardise(x_test, &mean, &sd),
            y_test: y_test.clone(),
            y_mean,
            y_sd,
            layers,
            total,
            act,
            classification,
        }
    }

    /// Every layer's output on the n rows of `x` (row-major; the last: the
    /// network's output), on the host dense layer.
    fn forward(&self, theta: &[f64], x: Vec<f64>, n: usize) -> Vec<Vec<f64>> {
        let mut hs = vec![x];
        for (li, l) in self.layers.iter().enumerate() {
            let h = hs.last().expect("the input");
            let mut z = dense(
                h,
                n,
                &theta[l.w..l.b],
                l.inputs,
                l.outputs,
                &theta[l.b..l.b + l.outputs],
            );
            if li + 1 < self.layers.len() {
                for v in &mut z {
                    *v = match self.act {
                        Activation::Tanh => libm::tanh(*v),
                        Activation::Relu => v.max(0.0),
                    };
                }
            }
            hs.push(z);
        }
        hs
    }

    /// Mean loss of the n rows of outputs `out` against targets `y` (both
    /// row-major, o columns), and ∂loss/∂out.
    fn loss_of(&self, out: &[f64], y: &[f64], n: usize) -> (f64, Vec<f64>) {
        let o = self.y.ncols();
        let mut d = vec![0.0; n * o];
        let mut loss = 0.0;
        if self.classification {
            for i in 0..n {
                let row = &out[i * o..(i + 1) * o];
                let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let z: f64 = row.iter().map(|&v| libm::exp(v - m)).sum();
                for k in 0..o {
                    let p = libm::exp(row[k] - m) / z;
                    let t = y[i * o + k];
                    if t > 0.0 {
                        loss -= t * libm::log(p.max(1e-300));
                    }
                    d[i * o + k] = (p - t) / n as f64;
                }
            }
            (loss / n as f64, d)
        } else {
            let scale = 2.0 / (n * o) as f64;
            for k in 0..o {
                for i in 0..n {
                    let r = out[i * o + k] - y[i * o + k];
                    loss += r * r;
                    d[i * o + k] = scale * r;
                }
            }
            (loss / (n * o) as f64, d)
        }
    }
}

impl Objective for Mlp {
    fn n_params(&self) -> usize {
        self.total
    }

    fn init(&self, r: &mut rand_chacha::ChaCha8Rng) -> Vec<f64> {
        glorot(&self.layers, self.total, r)
    }

    fn loss_grad(&self, theta: &[f64], rows: &[usize], grad: &mut [f64]) -> f64 {
        let n = rows.len();
        let hs = self.forward(theta, gather(&self.x, rows), n);
        let (loss, mut dz) = self.loss_of(hs.last().expect("output"), &gather(&self.y, rows), n);
        for (li, l) in self.layers.iter().enumerate().rev() {
            let h = &hs[li];
            let gw = dense_weight_grad(h, n, l.inputs, l.outputs, &dz);
            grad[l.w..l.b].copy_from_slice(&gw);
            let gb = &mut grad[l.b..l.b + l.outputs];
            gb.fill(0.0);
            add_bias_grad(&dz, l.outputs, gb);
            if li == 0 {
                break;
            }
            let mut dh = dense_input_grad(&dz, n, &theta[l.w..l.b], l.inputs, l.outputs);
            for (v, hv) in dh.iter_mut().zip(h) {
                *v *= match self.act {
                    Activation::Tanh => 1.0 - hv * hv,
                    Activation::Relu => f64::from(u8::from(*hv > 0.0)),
                };
            }
            dz = dh;
        }
        loss
    }

    fn loss(&self, theta: &[f64], rows: &[usize]) -> f64 {
        let n = rows.len();
        let hs = self.forward(theta, gather(&self.x, rows), n);
        self.loss_of(hs.last().expect("output"), &gather(&self.y, rows), n)
            .0
    }

    fn test(&self, theta: &[f64]) -> TestMetrics {
        let all: Vec<usize> = (0..self.x_test.nrows()).collect();
        let (n, o) = (all.len(), self.y.ncols());
        let out = self
            .forward(theta, gather(&self.x_test, &all), n)
            .pop()
            .expect("output");
        let out = |i: usize, k: usize| out[i * o + k];
        let y = &self.y_test;
        if self.classification {
            let (mut hits, mut brier) = (0usize, 0.0);
            for i in 0..n {
                let m = (0..o).map(|k| out(i, k)).fold(f64::NEG_INFINITY, f64::max);
                let z: f64 = (0..o).map(|k| libm::exp(out(i, k) - m)).sum();
                let arg = |f: &dyn Fn(usize) -> f64| {
                    (0..o).max_by(|&a, &b| f(a).total_cmp(&f(b))).unwrap_or(0)
                };
                if arg(&|k| out(i, k)) == arg(&|k| y[(i, k)]) {
                    hits += 1;
                }
                for k in 0..o {
                    brier += (libm::exp(out(i, k) - m) / z - y[(i, k)]).powi(2);
                }
            }
            TestMetrics {
                score: hits as f64 / n as f64,
                mse: brier / (n * o) as f64,
                grad_error: None,
            }
        } else {
            let (mut err, mut norm) = (0.0, 0.0);
            for k in 0..o {
                for i in 0..n {
                    let pred = out(i, k) * self.y_sd[k] + self.y_mean[k];
                    err += (pred - y[(i, k)]).powi(2);
                    norm += y[(i, k)].powi(2);
                }
            }
            TestMetrics {
                score: (err / norm).sqrt(),
                mse: err / (n * o) as f64,
                grad_error: None,
            }
        }
    }

    fn flops_per_example(&self) -> u64 {
        flops::dense_flops(self.layers.iter().map(|l| (l.inputs, l.outputs)))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::data::rng::chacha;

    /// Central differences of the loss against the written-out gradient.
    pub fn check_gradient(obj: &dyn Objective, rows: &[usize], seed: u64) {
        let mut r = chacha(seed, 0);
        let theta: Vec<f64> = obj
            .init(&mut r)
            .iter()
            .map(|v| v + 0.1 * (r.gen::<f64>() - 0.5))
            .collect();
        let mut g = vec![0.0; obj.n_params()];
        obj.loss_grad(&theta, rows, &mut g);
        let step = 1e-6;
        for i in (0..theta.len()).step_by((theta.len() / 40).max(1)) {
            let (mut a, mut b) = (theta.clone(), theta.clone());
            a[i] += step;
            b[i] -= step;
            let fd = (obj.loss(&a, rows) - obj.loss(&b, rows)) / (2.0 * step);
            assert!(
                (fd - g[i]).abs() < 1e-6 * (1.0 + fd.abs()),
                "θ[{i}]: finite difference {fd} vs {}",
                g[i]
            );
        }
    }

    #[test]
    fn gradients_match_finite_differences() {
        let mut r = chacha(3, 0);
        let x = Mat::from_fn(30, 3, |_, _| r.gen_range(-1.0..1.0));
        let y = Mat::from_fn(30, 2, |i, j| x[(i, 0)] * (j as f64 + 1.0) - x[(i, 2)]);
        let labels = Mat::from_fn(30, 3, |i, k| f64::from(u8::from(i % 3 == k)));
        let rows: Vec<usize> = (0..30).collect();
        for act in [Activation::Tanh, Activation::Relu] {
            for depth in [1, 2] {
                let reg = Mlp::new(&x, &y, &x, &y, &rows, 7, depth, act, false);
                check_gradient(&reg, &rows[..11], 1);
                let cls = Mlp::new(&x, &labels, &x, &labels, &rows, 5, depth, act, true);
                check_gradient(&cls, &rows[3..20], 2);
            }
        }
    }
}
