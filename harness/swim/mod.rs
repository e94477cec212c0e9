/*!
Sampled networks (SWIM, Bolager et al. 2023) against iterative training.

`swim` samples each hidden layer from data pairs where the target changes fastest
(`sample`), `elm` uses random features, and both solve the output layer by least
squares (`lstsq`); `adam` trains the same architecture iteratively (`adam`). A fit
returns the test metric (accuracy for classification, relative L2 error
‖ŷ − y‖ / ‖y‖ for regression), its wall-clock seconds and FLOPs.
*/

pub mod adam;
pub mod lstsq;
pub mod sample;
pub mod tasks;

use std::time::Instant;

use nalgebra::DMatrix;

use crate::data::rng::{self, stream};
use crate::experiment::swim::{SwimConfig, SwimMethod};
use crate::flops;

pub use tasks::TaskData;

/// What fitting one network gave.
#[derive(Clone, Debug, PartialEq)]
pub struct FitResult {
    /// `accuracy` or `rel_l2_error`.
    pub metric_name: &'static str,
    pub metric: f64,
    /// Mean squared error on the test set.
    pub test_mse: f64,
    pub fit_seconds: f64,
    /// Sampled/random features and the least-squares solve (estimated as for a
    /// thin SVD, 4·n·k² + 8·k³ with k = width + 1), or Adam's forward and backward
    /// passes (3·F per example, F per validation example).
    pub flops: u64,
    /// Adam epochs (1 for swim and elm).
    pub epochs: usize,
    pub examples: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SwimError {
    #[error(transparent)]
    Sample(#[from] sample::SampleError),
    #[error("{0}")]
    Solve(String),
}

fn metric(
    pred: &DMatrix<f64>,
    y: &DMatrix<f64>,
    classes: Option<usize>,
) -> (&'static str, f64, f64) {
    let mse = (pred - y).map(|v| v * v).mean();
    match classes {
        Some(_) => {
            let argmax = |m: &DMatrix<f64>, i: usize| {
                m.row(i)
                    .iter()
                    .enumerate()
                    .max_by(|a, b| a.1.total_cmp(b.1))
                    .map(|(k, _)| k)
            };
            let hits = (0..y.nrows())
                .filter(|&i| argmax(pred, i) == argmax(y, i))
                .count();
            ("accuracy", hits as f64 / y.nrows() as f64, mse)
        }
        None => ("rel_l2_error", (pred - y).norm() / y.norm(), mse),
    }
}

/// Fits one network of `config` with `seed` on `data`.
pub fn fit(config: &SwimConfig, seed: u64, data: &TaskData) -> Result<FitResult, SwimError> {
    let net = &config.network;
    let started = Instant::now();
    let (pred, flops, epochs, examples) = match net.method {
        SwimMethod::Swim | SwimMethod::Elm => {
            let mut r = rng::chacha(seed, stream::INIT);
            let n = data.x_train.nrows() as u64;
            let (mut h, mut h_test) = (data.x_train.clone(), data.x_test.clone());
            let mut flops = 0u64;
            for _ in 0..net.depth {
                let layer = match net.method {
                    SwimMethod::Swim => sample::sample_layer(
                        &h,
                        &data.y_train,
                        net.width,
                        net.candidate_pairs,
                        net.activation,
                        &mut r,
                    )?,
                    _ => sample::random_layer(h.ncols(), net.width, &mut r),
                };
                flops += n * flops::dense_flops(std::iter::once((h.ncols(), net.width)));
                h = layer.apply(&h, net.activation);
                h_test = layer.apply(&h_test, net.activation);
            }
            let coef =
                lstsq::least_squares(&h, &data.y_train, net.rcond).map_err(SwimError::Solve)?;
            flops += flops::svd_solve(h.nrows(), net.width + 1, data.y_train.ncols());
            (lstsq::predict(&h_test, &coef), flops, 1, n)
        }
        SwimMethod::Adam => {
            let t = adam::train(
                &data.x_train,
                &data.y_train,
                &data.x_test,
                net,
                &config.fit,
                data.classes.is_some(),
                seed,
            );
            (t.predict_test, t.flops, t.epochs, t.examples)
        }
    };
    let fit_seconds = started.elapsed().as_secs_f64();
    let (metric_name, value, test_mse) = metric(&pred, &data.y_test, data.classes);
    Ok(FitResult {
        metric_name,
        metric: value,
        test_mse,
        fit_seconds,
        flops,
        epochs,
        examples,
    })
}

#[cfg(test)]
mod tests;
