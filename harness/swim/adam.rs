//! The iterative baseline trained to convergence (docs/methods.md §5 "SWIM claim"): Adam on an
//! [`Objective`] (the MLP of `mlp`, or the Hamiltonian network of `hnn`), in f64 on
//! the host, single-threaded, so a seed gives the same bytes every time.
//!
//! A seeded split holds out `validation_fraction` of the training rows. Each epoch
//! is one pass over the rest in shuffled batches; after it the validation loss is
//! measured, and an improvement makes the weights the checkpoint. Every
//! `lr_patience` epochs without improvement multiply the learning rate by
//! `lr_decay` (reduce on plateau); training stops after `patience` epochs without
//! improvement, or at `max_epochs`.
//!
//! The curve: epoch 0 (the initial weights, at time 0) and the logged epochs
//! (`FitSpec::log_spacing`; the checkpoint's epoch and the last always). Each record
//! holds the wall time of training and validation so far, the epoch's mean training
//! loss, its validation loss, and the test metrics of the checkpoint at that time —
//! the model early stopping would return if stopped there. Test evaluations are
//! measurement: timed apart (`eval_seconds`), and done only for logged epochs.
//!
//! Adam: β₁ 0.9, β₂ 0.999, ε 1e-8, bias-corrected, no weight decay.

use std::time::Instant;

use crate::data::rng::{self, stream};
use crate::model::optim::{AdamConfig, HostAdam};
use crate::swim::FitSpec;

/// A loss over rows of a training set, with its gradient, and test metrics.
pub trait Objective {
    fn n_params(&self) -> usize;
    fn init(&self, r: &mut rand_chacha::ChaCha8Rng) -> Vec<f64>;
    /// Mean loss over `rows`; writes its gradient into `grad` (overwritten).
    fn loss_grad(&self, theta: &[f64], rows: &[usize], grad: &mut [f64]) -> f64;
    fn loss(&self, theta: &[f64], rows: &[usize]) -> f64;
    fn test(&self, theta: &[f64]) -> TestMetrics;
    /// Forward FLOPs of one example (a training example costs three times this).
    fn flops_per_example(&self) -> u64;
}

/// A model's test metrics.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TestMetrics {
    /// Accuracy (classification) or relative L2 error (regression: of the
    /// targets; Hamiltonian: of H up to its constant).
    pub score: f64,
    /// Mean squared error (Hamiltonian: of the gradient; classification: of the
    /// softmax probabilities against the one-hot labels).
    pub mse: f64,
    /// Hamiltonian: relative L2 error of the gradient.
    pub grad_error: Option<f64>,
}

/// One logged epoch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpochRecord {
    pub epoch: usize,
    /// Training and validation wall time so far.
    pub seconds: f64,
    /// Test-evaluation wall time so far (not in `seconds`).
    pub eval_seconds: f64,
    /// The epoch's mean training loss (none at epoch 0).
    pub train_loss: Option<f64>,
    pub val_loss: f64,
    /// The checkpoint's test metrics.
    pub test: TestMetrics,
    pub examples: u64,
    pub flops: u64,
}

/// What training gave.
pub struct Trained {
    pub curve: Vec<EpochRecord>,
    pub checkpoint: Vec<f64>,
    pub best_epoch: usize,
    /// Epochs run.
    pub epochs: usize,
}

/// The Adam baseline's moments: Kingma and Ba's defaults (β2 = 0.999), no
/// weight decay, no clipping.
const ADAM: AdamConfig = AdamConfig {
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    weight_decay: 0.0,
    clip_norm: f64::INFINITY,
};

/// Whether epoch `e` is on the log grid, the last logged being `last`.
pub fn on_grid(e: usize, last: usize, spacing: f64) -> bool {
    e <= 20 || spacing == 0.0 || e as f64 >= last as f64 * (1.0 + spacing)
}

/// The validation rows and the training rows of `n` (seeded split).
pub fn split(n: usize, fraction: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let order = rng::permutation(&mut rng::chacha(seed, stream::SPLIT), n);
    let n_val = ((fraction * n as f64).round() as usize).clamp(1, n - 1);
    let (val, tr) = order.split_at(n_val);
    (val.to_vec(), tr.to_vec())
}

/// Trains `obj` on its rows `train` with validation rows `val`.
pub fn train(
    obj: &dyn Objective,
    train: &[usize],
    val: &[usize],
    fit: &FitSpec,
    seed: u64,
) -> Trained {
    let started = Instant::now();
    let mut eval_seconds = 0.0;
    let mut theta = obj.init(&mut rng::chacha(seed, stream::INIT));
    let p = theta.len();
    let mut adam = HostAdam::<f64>::plain(p, &ADAM);
    let mut grad = vec![0.0; p];
    let f = obj.flops_per_example();
    let mut shuffle = rng::chacha(seed, stream::ORDER);
    let (mut examples, mut flops) = (0u64, f * val.len() as u64);

    let mut best = obj.loss(&theta, val);
    let mut checkpoint = theta.clone();
    let test_of = |theta: &[f64], eval_seconds: &mut f64| {
        let t = Instant::now();
        let m = obj.test(theta);
        *eval_seconds += t.elapsed().as_secs_f64();
        m
    };
    let mut tested = test_of(&checkpoint, &mut eval_seconds);
    let elapsed = |eval: f64| started.elapsed().as_secs_f64() - eval;
    let mut curve = vec![EpochRecord {
        epoch: 0,
        seconds: 0.0,
        eval_seconds,
        train_loss: None,
        val_loss: best,
        test: tested,
        examples: 0,
        flops,
    }];
    let (mut best_epoch, mut best_record, mut stale, mut since) = (0usize, curve[0], false, 0usize);
    let mut epochs = 0;
    let mut lr = fit.lr;
    for e in 1..=fit.max_epochs {
        epochs = e;
        let perm = rng::permutation(&mut shuffle, train.len());
        let mut total = 0.0;
        let mut rows = Vec::with_capacity(fit.batch_size);
        for chunk in perm.chunks(fit.batch_size) {
            rows.clear();
            rows.extend(chunk.iter().map(|&i| train[i]));
            total += obj.loss_grad(&theta, &rows, &mut grad) * rows.len() as f64;
            adam.step(&mut theta, &grad, lr);
            examples += rows.len() as u64;
            flops += 3 * f * rows.len() as u64;
        }
        let v = obj.loss(&theta, val);
        flops += f * val.len() as u64;
        let improved = v < best;
        if improved {
            best = v;
            checkpoint.copy_from_slice(&theta);
            (best_epoch, stale, since) = (e, true, 0);
        } else {
            since += 1;
            if since % fit.lr_patience == 0 {
                lr *= fit.lr_decay;
            }
        }
        let done = since >= fit.patience || e == fit.max_epochs || !v.is_finite();
        let mut record = EpochRecord {
            epoch: e,
            seconds: elapsed(eval_seconds),
            eval_seconds,
            train_loss: Some(total / train.len() as f64),
            val_loss: v,
            test: tested,
            examples,
            flops,
        };
        let last = curve.last().map_or(0, |r| r.epoch);
        if on_grid(e, last, fit.log_spacing) || done {
            if stale {
                tested = test_of(&checkpoint, &mut eval_seconds);
                stale = false;
            }
            record.test = tested;
            record.eval_seconds = eval_seconds;
            curve.push(record);
        }
        if improved {
            best_record = record;
        }
        if done {
            break;
        }
    }
    // The checkpoint's epoch is always on the curve, with its own metrics.
    if !curve.iter().any(|r| r.epoch == best_epoch) {
        best_record.test = tested;
        let at = curve.partition_point(|r| r.epoch < best_epoch);
        curve.insert(at, best_record);
    }
    Trained {
        curve,
        checkpoint,
        best_epoch,
        epochs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_grid_is_dense_early_and_geometric_later() {
        let mut last = 0;
        let mut logged = vec![];
        for e in 1..=200 {
            if on_grid(e, last, 0.1) {
                logged.push(e);
                last = e;
            }
        }
        assert_eq!(&logged[..20], &(1..=20).collect::<Vec<_>>()[..]);
        assert_eq!(&logged[20..25], &[22, 25, 28, 31, 35]);
        assert!(logged
            .windows(2)
            .all(|w| w[1] as f64 >= w[0] as f64 * 1.1 || w[1] <= 20));
        assert!(on_grid(1000, 999, 0.0));
    }
}
