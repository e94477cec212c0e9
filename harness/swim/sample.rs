//! Sampled dense layers (Bolager et al. 2023; SPEC §2 "SWIM").
//!
//! Candidate pairs (x1, x2) are drawn uniformly from the layer's input; each gets
//! p ∝ max_k |y2_k − y1_k| / max(‖x2 − x1‖, 1e-10); `width` pairs are drawn from the
//! candidates with those probabilities (without replacement while enough candidates
//! have p > 0). A pair gives one neuron:
//! ReLU: w = (x2 − x1)/‖x2 − x1‖², b = −⟨w, x1⟩ (pre-activation 0 at x1, 1 at x2);
//! tanh: s2 = ln(3)/2, w = 2·s2·(x2 − x1)/‖x2 − x1‖², b = −⟨w, x1⟩ − s2
//! (tanh of the pre-activation is −1/2 at x1 and +1/2 at x2).
//!
//! Fallback, documented: when every candidate's target difference is 0 (a constant
//! target, or one class only) the pairs are drawn uniformly among candidates with
//! distinct inputs. All inputs identical is an error.

use nalgebra::{DMatrix, DVector};
use rand::Rng;

use crate::data::rng;
use crate::experiment::swim::Activation;

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
    pub w: DMatrix<f64>,
    pub b: DVector<f64>,
}

impl Dense {
    pub fn apply(&self, x: &DMatrix<f64>, act: Activation) -> DMatrix<f64> {
        let mut z = x * &self.w;
        for mut row in z.row_iter_mut() {
            for (v, b) in row.iter_mut().zip(self.b.iter()) {
                *v = activate(*v + b, act);
            }
        }
        z
    }
}

pub fn activate(v: f64, act: Activation) -> f64 {
    match act {
        Activation::Relu => v.max(0.0),
        Activation::Tanh => v.tanh(),
    }
}

/// The neuron a pair gives (SPEC §2): weights and bias.
pub fn pair_neuron(x1: &[f64], x2: &[f64], act: Activation) -> (Vec<f64>, f64) {
    let d: Vec<f64> = x2.iter().zip(x1).map(|(a, b)| a - b).collect();
    let n2: f64 = d.iter().map(|v| v * v).sum();
    let (scale, shift) = match act {
        Activation::Relu => (1.0, 0.0),
        Activation::Tanh => {
            let s2 = 3f64.ln() / 2.0;
            (2.0 * s2, s2)
        }
    };
    let w: Vec<f64> = d.iter().map(|v| scale * v / n2).collect();
    let b = -w.iter().zip(x1).map(|(a, b)| a * b).sum::<f64>() - shift;
    (w, b)
}

/// p(pair) ∝ max_k |y2_k − y1_k| / max(‖x2 − x1‖, 1e-10), unnormalised.
pub fn pair_weight(x: &DMatrix<f64>, y: &DMatrix<f64>, i: usize, j: usize) -> f64 {
    let dx = (x.row(j) - x.row(i)).norm();
    let dy = (y.row(j) - y.row(i)).abs().max();
    dy / dx.max(1e-10)
}

/// Samples `width` neurons from the rows of `x` (targets `y`).
pub fn sample_layer(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    width: usize,
    candidates: usize,
    act: Activation,
    r: &mut impl Rng,
) -> Result<Dense, SampleError> {
    let n = x.nrows();
    if n < 2 {
        return Err(SampleError::TooFewPoints(n));
    }
    let m = if candidates == 0 {
        4 * width
    } else {
        candidates
    }
    .max(width);
    // Candidate pairs of distinct points with distinct inputs.
    let mut pairs = Vec::with_capacity(m);
    let mut tries = 0;
    while pairs.len() < m && tries < 50 * m {
        tries += 1;
        let i = r.gen_range(0..n);
        let j = r.gen_range(0..n);
        if i != j && (x.row(j) - x.row(i)).norm() > 0.0 {
            pairs.push((i, j));
        }
    }
    if pairs.is_empty() {
        return Err(SampleError::IdenticalInputs(n));
    }
    let mut weights: Vec<f64> = pairs
        .iter()
        .map(|&(i, j)| pair_weight(x, y, i, j))
        .collect();
    if weights.iter().all(|&w| w <= 0.0) {
        weights.iter_mut().for_each(|w| *w = 1.0); // documented fallback
    }
    let chosen = draw(&weights, width, r);
    let d = x.ncols();
    let mut w = DMatrix::zeros(d, width);
    let mut b = DVector::zeros(width);
    for (k, &c) in chosen.iter().enumerate() {
        let (i, j) = pairs[c];
        let x1: Vec<f64> = x.row(i).iter().copied().collect();
        let x2: Vec<f64> = x.row(j).iter().copied().collect();
        let (wk, bk) = pair_neuron(&x1, &x2, act);
        for (row, v) in wk.into_iter().enumerate() {
            w[(row, k)] = v;
        }
        b[k] = bk;
    }
    Ok(Dense { w, b })
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

/// Random features (ELM): W ~ N(0, 1), b ~ U(−π, π).
pub fn random_layer(d: usize, width: usize, r: &mut impl Rng) -> Dense {
    let w = DMatrix::from_fn(d, width, |_, _| rng::normal(r));
    let b = DVector::from_fn(width, |_, _| {
        r.gen_range(-std::f64::consts::PI..std::f64::consts::PI)
    });
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
        let x = DMatrix::from_element(5, 2, 0.3);
        let y = DMatrix::from_fn(5, 1, |i, _| i as f64);
        let mut r = chacha(1, 0);
        assert_eq!(
            sample_layer(&x, &y, 3, 0, Activation::Tanh, &mut r).unwrap_err(),
            SampleError::IdenticalInputs(5)
        );
        let x = DMatrix::from_fn(5, 2, |i, j| (i * 2 + j) as f64);
        let y = DMatrix::from_element(5, 1, 1.0);
        let layer = sample_layer(&x, &y, 3, 0, Activation::Tanh, &mut r).unwrap();
        assert!(layer.w.iter().all(|v| v.is_finite()));
        assert_eq!(
            sample_layer(
                &x.rows(0, 1).into_owned(),
                &y.rows(0, 1).into_owned(),
                3,
                0,
                Activation::Tanh,
                &mut r
            )
            .unwrap_err(),
            SampleError::TooFewPoints(1)
        );
    }
}
