//! The iterative baseline on dfdx: the same architecture (depth hidden layers of
//! `width`, then a linear output) trained with Adam as in the SWIM paper: lr 1e-3,
//! batch 64, at most 100 epochs, early stopping with patience 3 on a validation
//! split (the best epoch's weights are kept). MSE for regression, softmax
//! cross-entropy for classification. Glorot-uniform weights, zero biases.

use dfdx::prelude::*;
use nalgebra::DMatrix;
use rand::Rng;

use crate::data::rng::{self, stream};
use crate::experiment::swim::{Activation, FitSpec, NetworkSpec};
use crate::flops;
use crate::model::optim::AdamW;
use crate::model::{scalar_value, Flat, Mat, Slot};

/// A trained MLP and what training it took.
pub struct Trained {
    pub predict_test: DMatrix<f64>,
    pub epochs: usize,
    pub examples: u64,
    pub flops: u64,
}

fn slots(d_in: usize, width: usize, depth: usize, d_out: usize) -> Vec<(Slot, Slot)> {
    let mut widths = vec![d_in];
    widths.extend(std::iter::repeat_n(width, depth));
    widths.push(d_out);
    let mut offset = 0;
    widths
        .windows(2)
        .map(|w| {
            let ws = Slot {
                offset,
                rows: w[0],
                cols: w[1],
                decay: false,
            };
            offset += ws.len();
            let bs = Slot {
                offset,
                rows: 1,
                cols: w[1],
                decay: false,
            };
            offset += bs.len();
            (ws, bs)
        })
        .collect()
}

fn forward<T>(
    theta: &Flat<Cpu, T>,
    layers: &[(Slot, Slot)],
    x: Mat<Cpu>,
    act: Activation,
) -> Mat<Cpu, T>
where
    T: Tape<f32, Cpu> + Merge<T> + Merge<NoneTape> + Default,
{
    let n = x.shape().0;
    let mut h: Mat<Cpu, T> = x.retaped::<T>();
    for (i, (w, b)) in layers.iter().enumerate() {
        let weight = theta
            .with_empty_tape()
            .slice((w.offset..w.offset + w.len(),))
            .reshape_like(&(w.rows, w.cols));
        let bias = theta
            .with_empty_tape()
            .slice((b.offset..b.offset + b.len(),))
            .broadcast_like::<_, Axis<0>>(&(n, w.cols));
        h = h.matmul(weight) + bias;
        if i + 1 < layers.len() {
            h = match act {
                Activation::Relu => h.relu(),
                Activation::Tanh => h.tanh(),
            };
        }
    }
    h
}

fn to_tensor(dev: &Cpu, m: &DMatrix<f64>, rows: &[usize]) -> Mat<Cpu> {
    let mut v = Vec::with_capacity(rows.len() * m.ncols());
    for &i in rows {
        v.extend(m.row(i).iter().map(|&x| x as f32));
    }
    dev.tensor_from_vec(v, (rows.len(), m.ncols()))
}

fn loss<T: Tape<f32, Cpu>>(
    pred: Mat<Cpu, T>,
    target: Mat<Cpu>,
    classification: bool,
) -> Tensor<(), f32, Cpu, T> {
    if classification {
        cross_entropy_with_logits_loss(pred, target)
    } else {
        mse_loss(pred, target)
    }
}

#[allow(clippy::too_many_arguments)]
pub fn train(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    x_test: &DMatrix<f64>,
    net: &NetworkSpec,
    fit: &FitSpec,
    classification: bool,
    seed: u64,
) -> Trained {
    let dev = Cpu::default();
    let (n, d_in, d_out) = (x.nrows(), x.ncols(), y.ncols());
    let layers = slots(d_in, net.width, net.depth, d_out);
    let total = layers.last().map(|(_, b)| b.offset + b.len()).unwrap_or(0);
    let mut r = rng::chacha(seed, stream::INIT);
    let mut host = vec![0.0f32; total];
    for (w, _) in &layers {
        let limit = (6.0 / (w.rows + w.cols) as f64).sqrt();
        for v in &mut host[w.range()] {
            *v = r.gen_range(-limit..limit) as f32;
        }
    }
    let mut theta: Flat<Cpu> = dev.tensor_from_vec(host, (total,));
    // Plain Adam: no weight decay, no clipping.
    let mut opt = AdamW::from_parts(&dev, vec![0.0; total], 0.9, 0.999, 1e-7, 0.0, f64::INFINITY);
    let f_example = flops::dense_flops(layers.iter().map(|(w, _)| (w.rows, w.cols)));

    let order = rng::permutation(&mut rng::chacha(seed, stream::SPLIT), n);
    let n_val = ((fit.validation_fraction * n as f64).round() as usize).clamp(1, n - 1);
    let (val, tr) = order.split_at(n_val);
    let (xv, yv) = (to_tensor(&dev, x, val), to_tensor(&dev, y, val));
    let mut shuffle = rng::chacha(seed, stream::ORDER);
    let (mut best, mut best_theta, mut since) = (f32::INFINITY, theta.clone(), 0usize);
    let (mut epochs, mut examples, mut flops) = (0usize, 0u64, 0u64);
    for _ in 0..fit.max_epochs {
        epochs += 1;
        let perm = rng::permutation(&mut shuffle, tr.len());
        for chunk in perm.chunks(fit.batch_size) {
            let rows: Vec<usize> = chunk.iter().map(|&i| tr[i]).collect();
            let (xb, yb) = (to_tensor(&dev, x, &rows), to_tensor(&dev, y, &rows));
            let t = theta.leaky_trace();
            let l = loss(forward(&t, &layers, xb, net.activation), yb, classification);
            let grads = l.backward();
            let g = grads.get(&theta);
            opt.step(&mut theta, g, fit.lr);
            examples += rows.len() as u64;
            flops += 3 * f_example * rows.len() as u64;
        }
        let v = scalar_value(&loss(
            forward(&theta, &layers, xv.clone(), net.activation),
            yv.clone(),
            classification,
        ));
        flops += f_example * n_val as u64;
        if v < best {
            (best, best_theta, since) = (v, theta.clone(), 0);
        } else {
            since += 1;
            if since >= fit.patience {
                break;
            }
        }
    }
    let all: Vec<usize> = (0..x_test.nrows()).collect();
    let out = forward(
        &best_theta,
        &layers,
        to_tensor(&dev, x_test, &all),
        net.activation,
    )
    .as_vec();
    Trained {
        predict_test: DMatrix::from_row_iterator(
            x_test.nrows(),
            d_out,
            out.into_iter().map(f64::from),
        ),
        epochs,
        examples,
        flops,
    }
}
