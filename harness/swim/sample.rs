//! Hidden layers: sampled from data pairs (Bolager et al. 2023; docs/methods.md §2 "SWIM"), or
//! random (ELM).
//!
//! SWIM: candidate pairs (x1, x2) are drawn uniformly from the layer's input; each
//! gets p ∝ max_k |y2_k − y1_k| / max(‖x2 − x1‖, 1e-10); `width` pairs are drawn from
//! the candidates with those probabilities (without replacement while enough
//! candidates have p > 0). U-SWIM draws `width` pairs uniformly instead. A pair
//! gives one neuron:
//! ReLU: w = (x2 − x1)/‖x2 − x1‖², b = −⟨w, x1⟩ (pre-activation 0 at x1, 1 at x2);
//! tanh: s2 = ln(3)/2, w = 2·s2·(x2 − x1)/‖x2 − x1‖², b = −⟨w, x1⟩ − s2
//! (tanh of the pre-activation is −1/2 at x1 and +1/2 at x2).
//!
//! Fallback, documented: when every candidate's target difference is 0 (a constant
//! target, or one class only) the pairs are drawn uniformly among candidates with
//! distinct inputs. All inputs identical is an error.
//!
//! Random features (docs/methods.md §5): `random_layer` does not saturate — on inputs
//! standardised per column (training mean and standard deviation), w ~ N(0, 1/d),
//! so ⟨w, z⟩ has unit variance for uncorrelated columns, and each neuron's bias
//! puts its centre (tanh's zero, ReLU's kink) on a training point drawn uniformly,
//! b = −⟨w, z_i⟩: every neuron changes inside the data, over a unit scale. The
//! standardisation is folded into the weights, so the layer reads raw inputs.
//! `random_layer_unscaled` is the authors' baseline: W ~ N(0, 1), b ~ U(−π, π) on
//! the raw inputs.

use faer::Mat;
use rand::Rng;
use rayon::prelude::*;

use crate::data::rng;
use crate::swim::Activation;

/// Why a layer could not be sampled.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SampleError {
    #[error("cannot sample weights: all {0} input points are identical (no pair has a direction)")]
    IdenticalInputs(usize),
    #[error("cannot sample weights from {0} point(s): at least two are needed")]
    TooFewPoints(usize),
}

/// A dense layer: `activation(x W + b)`, W is in × out.
#[derive(Clone, Debug)]
pub struct Dense {
    pub w: Mat<f64>,
    pub b: Vec<f64>,
}

impl Dense {
    /// The pre-activations x W + b (a product whose entries are summed in a fixed
    /// order, split over threads by columns).
    pub fn pre_activation(&self, x: &Mat<f64>) -> Mat<f64> {
        let mut z = Mat::<f64>::zeros(x.nrows(), self.w.ncols());
        crate::linalg::matmul(z.as_mut(), x.as_ref(), self.w.as_ref(), false);
        z.par_col_chunks_mut(1)
            .zip(self.b.par_iter())
            .for_each(|(mut col, b)| col.as_mut().col_mut(0).iter_mut().for_each(|v| *v += b));
        z
    }

    pub fn apply(&self, x: &Mat<f64>, act: Activation) -> Mat<f64> {
        let mut z = self.pre_activation(x);
        z.par_col_chunks_mut(1).for_each(|mut c| {
            c.as_mut()
                .col_mut(0)
                .iter_mut()
                .for_each(|v| *v = activate(*v, act))
        });
        z
    }
}

pub fn activate(v: f64, act: Activation) -> f64 {
    match act {
        Activation::Relu => v.max(0.0),
        Activation::Tanh => libm::tanh(v),
    }
}

/// The neuron a pair gives (docs/methods.md §2): weights and bias.
pub fn pair_neuron(x1: &[f64], x2: &[f64], act: Activation) -> (Vec<f64>, f64) {
    let d: Vec<f64> = x2.iter().zip(x1).map(|(a, b)| a - b).collect();
    let n2: f64 = d.iter().map(|v| v * v).sum();
    let (scale, shift) = match act {
        Activation::Relu => (1.0, 0.0),
        Activation::Tanh => {
            let s2 = libm::log(3.0) / 2.0;
            (2.0 * s2, s2)
        }
    };
    let w: Vec<f64> = d.iter().map(|v| scale * v / n2).collect();
    let b = -w.iter().zip(x1).map(|(a, b)| a * b).sum::<f64>() - shift;
    (w, b)
}

/// p(pair) ∝ max_k |y2_k − y1_k| / max(‖x2 − x1‖, 1e-10), unnormalised.
pub fn pair_weight(x: &Mat<f64>, y: &Mat<f64>, i: usize, j: usize) -> f64 {
    let dx = row_distance(x, i, j);
    let dy = (0..y.ncols())
        .map(|c| (y[(j, c)] - y[(i, c)]).abs())
        .reduce(f64::max)
        .unwrap_or(0.0);
    dy / dx.max(1e-10)
}

/// ‖x_j − x_i‖ over the rows of `x`, the squares summed column by column.
fn row_distance(x: &Mat<f64>, i: usize, j: usize) -> f64 {
    let d: Vec<f64> = (0..x.ncols()).map(|c| x[(j, c)] - x[(i, c)]).collect();
    crate::linalg::frobenius(faer::mat::from_row_major_slice(&d, 1, d.len()))
}

/// `m` pairs of distinct points with distinct inputs, drawn uniformly.
fn distinct_pairs(
    x: &Mat<f64>,
    m: usize,
    r: &mut impl Rng,
) -> Result<Vec<(usize, usize)>, SampleError> {
    let n = x.nrows();
    if n < 2 {
        return Err(SampleError::TooFewPoints(n));
    }
    let mut pairs = Vec::with_capacity(m);
    let mut tries = 0;
    while pairs.len() < m && tries < 50 * m {
        tries += 1;
        let i = r.gen_range(0..n);
        let j = r.gen_range(0..n);
        if i != j && row_distance(x, i, j) > 0.0 {
            pairs.push((i, j));
        }
    }
    if pairs.is_empty() {
        return Err(SampleError::IdenticalInputs(n));
    }
    Ok(pairs)
}

/// The layer of neurons the chosen pairs give.
fn layer_of(x: &Mat<f64>, pairs: &[(usize, usize)], act: Activation) -> Dense {
    let d = x.ncols();
    let width = pairs.len();
    let mut w = Mat::<f64>::zeros(d, width);
    let mut b = vec![0.0; width];
    for (k, &(i, j)) in pairs.iter().enumerate() {
        let x1: Vec<f64> = crate::linalg::row(x.as_ref(), i);
        let x2: Vec<f64> = crate::linalg::row(x.as_ref(), j);
        let (wk, bk) = pair_neuron(&x1, &x2, act);
        for (row, v) in wk.into_iter().enumerate() {
            w[(row, k)] = v;
        }
        b[k] = bk;
    }
    Dense { w, b }
}

/// Samples `width` neurons from the rows of `x`, pairs weighted by the change of
/// the targets `y` (SWIM).
pub fn sample_layer(
    x: &Mat<f64>,
    y: &Mat<f64>,
    width: usize,
    candidates: usize,
    act: Activation,
    r: &mut impl Rng,
) -> Result<Dense, SampleError> {
    let m = if candidates == 0 {
        4 * width
    } else {
        candidates
    }
    .max(width);
    let pairs = distinct_pairs(x, m, r)?;
    let mut weights: Vec<f64> = pairs
        .iter()
        .map(|&(i, j)| pair_weight(x, y, i, j))
        .collect();
    if weights.iter().all(|&w| w <= 0.0) {
        weights.iter_mut().for_each(|w| *w = 1.0); // documented fallback
    }
    let chosen: Vec<(usize, usize)> = draw(&weights, width, r)
        .into_iter()
        .map(|c| pairs[c])
        .collect();
    Ok(layer_of(x, &chosen, act))
}

/// U-SWIM: `width` neurons from pairs drawn uniformly (distinct inputs).
pub fn uniform_layer(
    x: &Mat<f64>,
    width: usize,
    act: Activation,
    r: &mut impl Rng,
) -> Result<Dense, SampleError> {
    let mut pairs = distinct_pairs(x, width, r)?;
    // Too few distinct pairs found: repeat them (only for near-identical inputs).
    let found = pairs.len();
    for k in found..width {
        pairs.push(pairs[k % found]);
    }
    Ok(layer_of(x, &pairs, act))
}

/// `k` indices with p ∝ weights: successive sampling without replacement while
/// candidates with positive weight remain, then with replacement.
pub fn draw(weights: &[f64], k: usize, r: &mut impl Rng) -> Vec<usize> {
    let mut w = weights.to_vec();
    let mut out = Vec::with_capacity(k);
    while out.len() < k {
        let total: f64 = w.iter().sum();
        if total <= 0.0 {
            // Every positive-weight candidate is taken: continue with replacement.
            let cdf = rng::cumulative(weights);
            out.push(rng::categorical(r, &cdf));
            continue;
        }
        let cdf = rng::cumulative(&w);
        let i = rng::categorical(r, &cdf);
        out.push(i);
        w[i] = 0.0;
    }
    out
}

/// Random features that do not saturate (see the module notes).
pub fn random_layer(x: &Mat<f64>, width: usize, r: &mut impl Rng) -> Dense {
    let (n, d) = (x.nrows(), x.ncols());
    let sd: Vec<f64> = (0..d)
        .map(|j| {
            let col = x.col_as_slice(j);
            let mean = crate::linalg::mean(crate::linalg::column(col));
            let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n.max(1) as f64;
            if var > 0.0 {
                var.sqrt()
            } else {
                1.0
            }
        })
        .collect();
    let std = (1.0 / d as f64).sqrt();
    let mut w = Mat::<f64>::zeros(d, width);
    for k in 0..width {
        for j in 0..d {
            w[(j, k)] = rng::normal(r) * std / sd[j];
        }
    }
    let b: Vec<f64> = (0..width)
        .map(|k| {
            let i = r.gen_range(0..n);
            -(0..d).map(|j| w[(j, k)] * x[(i, j)]).sum::<f64>()
        })
        .collect();
    Dense { w, b }
}

/// The authors' random features: W ~ N(0, 1), b ~ U(−π, π), raw inputs.
pub fn random_layer_unscaled(d: usize, width: usize, r: &mut impl Rng) -> Dense {
    let w = Mat::from_fn(d, width, |_, _| rng::normal(r));
    let b: Vec<f64> = (0..width)
        .map(|_| r.gen_range(-std::f64::consts::PI..std::f64::consts::PI))
        .collect();
    Dense { w, b }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::rng::chacha;

    #[test]
    fn relu_neuron_is_zero_at_x1_and_one_at_x2() {
        let (x1, x2) = ([0.5, -1.0, 2.0], [1.5, 1.0, 0.0]);
        let (w, b) = pair_neuron(&x1, &x2, Activation::Relu);
        let pre = |x: &[f64]| w.iter().zip(x).map(|(a, b)| a * b).sum::<f64>() + b;
        assert!(pre(&x1).abs() < 1e-12);
        assert!((pre(&x2) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn tanh_neuron_is_minus_and_plus_one_half() {
        let (x1, x2) = ([0.2, 0.3], [-0.7, 1.1]);
        let (w, b) = pair_neuron(&x1, &x2, Activation::Tanh);
        let out = |x: &[f64]| (w.iter().zip(x).map(|(a, b)| a * b).sum::<f64>() + b).tanh();
        assert!((out(&x1) + 0.5).abs() < 1e-12);
        assert!((out(&x2) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn identical_inputs_are_an_error_and_a_constant_target_falls_back() {
        let x = Mat::full(5, 2, 0.3);
        let y = Mat::from_fn(5, 1, |i, _| i as f64);
        let mut r = chacha(1, 0);
        assert_eq!(
            sample_layer(&x, &y, 3, 0, Activation::Tanh, &mut r).unwrap_err(),
            SampleError::IdenticalInputs(5)
        );
        assert_eq!(
            uniform_layer(&x, 3, Activation::Tanh, &mut r).unwrap_err(),
            SampleError::IdenticalInputs(5)
        );
        let x = Mat::from_fn(5, 2, |i, j| (i * 2 + j) as f64);
        let y = Mat::full(5, 1, 1.0);
        let layer = sample_layer(&x, &y, 3, 0, Activation::Tanh, &mut r).unwrap();
        assert!((0..layer.w.ncols()).all(|k| layer
            .w
            .col_as_slice(k)
            .iter()
            .all(|v| v.is_finite())));
        assert_eq!(
            sample_layer(
                &x.as_ref().subrows(0, 1).to_owned(),
                &y.as_ref().subrows(0, 1).to_owned(),
                3,
                0,
                Activation::Tanh,
                &mut r
            )
            .unwrap_err(),
            SampleError::TooFewPoints(1)
        );
    }

    #[test]
    fn scaled_random_features_do_not_saturate_and_unscaled_ones_do() {
        // Inputs on a wide box, as the pendulum's q ∈ [−2π, 2π] and beyond.
        let mut r = chacha(5, 0);
        let x = Mat::from_fn(2000, 4, |_, j| {
            r.gen_range(-1.0..1.0) * [20.0, 6.0, 1.0, 50.0][j]
        });
        let share_saturated = |layer: &Dense| {
            let h = layer.apply(&x, Activation::Tanh);
            let saturated: usize = (0..h.ncols())
                .map(|k| h.col_as_slice(k).iter().filter(|v| v.abs() > 0.99).count())
                .sum();
            saturated as f64 / (h.nrows() * h.ncols()) as f64
        };
        let scaled = random_layer(&x, 200, &mut r);
        let unscaled = random_layer_unscaled(4, 200, &mut r);
        let (s, u) = (share_saturated(&scaled), share_saturated(&unscaled));
        assert!(s < 0.1, "scaled: {s} of activations beyond ±0.99");
        assert!(u > 0.8, "unscaled: {u}");
        // Every scaled neuron is centred on a training point: its pre-activation
        // changes sign inside the data.
        let z = scaled.pre_activation(&x);
        for k in 0..200 {
            let col = z.col_as_slice(k);
            let (lo, hi) = col
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                    (a.min(v), b.max(v))
                });
            assert!(lo < 0.0 && hi > 0.0, "neuron {k}");
        }
    }
}
