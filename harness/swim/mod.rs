/*!
Sampled networks (SWIM, Bolager et al. 2023; sampled Hamiltonian networks, Rahma,
Datar & Dietrich 2024) against the same networks trained by Adam to convergence.

- `sample`: hidden layers from data pairs (SWIM, U-SWIM) or random (ELM, scaled and
  the authors' unscaled variant);
- `lstsq`: the least-squares head (Cholesky on the normal equations with a ridge and
  a condition check, or the SVD);
- `systems`, `hamiltonian`, `integrate`: Hamiltonian systems, sampled Hamiltonian
  networks fitted on their stacked gradient equations (A-SWIM, U-SWIM), and
  symplectic trajectories for the energy drift;
- `adam` with `mlp` and `hnn`: the iterative baseline, an Adam loop over a
  written-out objective (an MLP, or the Hamiltonian network's gradient loss);
- `tasks`: the data.

The family's room (`family::Room` for SWIM, `family`) holds the rest of it: its
experiment files (`config`, `validate`), their execution (`run`), its results rows
(`row`), its part of an analysis (`analysis`, with `time`: each method against
Adam by time to equal accuracy, and the claim rows) and its report section
(`report`, `svg`). The core names none of it.

A fit returns its test metric (accuracy; relative L2 error of the targets; for
Hamiltonian tasks of H up to its constant), its wall-clock fit seconds (sampling,
features and solves; test predictions are timed apart), FLOPs, and for Adam the
curve of logged epochs.
*/

pub mod adam;
pub mod analysis;
pub mod config;
pub mod family;
pub mod hamiltonian;
pub mod hnn;
pub mod integrate;
pub mod lstsq;
pub mod mlp;
mod report;
pub mod row;
mod run;
pub mod sample;
mod spec;
mod svg;
pub mod systems;
pub mod tasks;
mod time;
mod validate;

use faer::Mat;
use std::time::Instant;

use crate::data::rng::{self, stream};
use crate::flops;

pub use adam::{EpochRecord, TestMetrics};
pub use config::SwimExperiment;
pub use lstsq::HeadPath;
pub use row::SwimRow;
pub use spec::{
    Activation, FitSpec, HamiltonianSpec, HamiltonianSystem, NetworkSpec, RegressionSpec, Solver,
    SwimConfig, SwimMethod, SystemSpec, TableSpec, TaskSpec, TrajectorySpec,
};
pub use tasks::{HamiltonianTask, TaskData};
pub use validate::MAX_WIDTH;

/// The metric names of `eval_score`.
pub const ACCURACY: &str = "accuracy";
pub const REL_L2_ERROR: &str = "rel_l2_error";
/// Hamiltonian tasks: the relative L2 error of H up to its constant.
pub const H_REL_L2_ERROR: &str = "h_rel_l2_error";

/// What fitting one network gave.
#[derive(Clone, Debug, PartialEq)]
pub struct FitResult {
    /// [`ACCURACY`], [`REL_L2_ERROR`] or [`H_REL_L2_ERROR`].
    pub metric_name: &'static str,
    pub metric: f64,
    /// Mean squared error on the test set (Hamiltonian: of the gradient).
    pub test_mse: f64,
    /// Hamiltonian tasks: relative L2 error of the gradient (the vector field's).
    pub grad_error: Option<f64>,
    /// Hamiltonian tasks: max |H(x_t) − H(x₀)|, true H, along the trajectory the
    /// learned H gives (infinite when it blew up).
    pub energy_drift: Option<f64>,
    pub fit_seconds: f64,
    /// Test predictions and trajectories (not in `fit_seconds`).
    pub eval_seconds: f64,
    /// Sampling, features and solves (see `flops`), or Adam's forward and
    /// backward passes (3·F per training example, F per validation example).
    pub flops: u64,
    /// Adam epochs (1 for sampled and random networks).
    pub epochs: usize,
    pub examples: u64,
    /// Adam: epoch 0 and the logged epochs, the last being the summary.
    pub curve: Vec<EpochRecord>,
    /// Sampled and random networks: how the (last) head was solved.
    pub head: Option<HeadPath>,
}

#[derive(Debug, thiserror::Error)]
pub enum SwimError {
    #[error(transparent)]
    Sample(#[from] sample::SampleError),
    #[error("{0}")]
    Solve(String),
}

/// Test metric and MSE of predictions `pred` against `y`.
fn metric(pred: &Mat<f64>, y: &Mat<f64>, classes: Option<usize>) -> (&'static str, f64, f64) {
    let diff = Mat::from_fn(pred.nrows(), pred.ncols(), |i, j| pred[(i, j)] - y[(i, j)]);
    let squares = Mat::from_fn(diff.nrows(), diff.ncols(), |i, j| {
        diff[(i, j)] * diff[(i, j)]
    });
    let mse = crate::linalg::mean(squares.as_ref());
    match classes {
        Some(_) => {
            let argmax = |m: &Mat<f64>, i: usize| {
                m.row(i)
                    .iter()
                    .enumerate()
                    .max_by(|a, b| a.1.total_cmp(b.1))
                    .map(|(k, _)| k)
            };
            let hits = (0..y.nrows())
                .filter(|&i| argmax(pred, i) == argmax(y, i))
                .count();
            (ACCURACY, hits as f64 / y.nrows() as f64, mse)
        }
        None => (
            REL_L2_ERROR,
            crate::linalg::frobenius(diff.as_ref()) / crate::linalg::frobenius(y.as_ref()),
            mse,
        ),
    }
}

fn head_spec(config: &SwimConfig) -> lstsq::HeadSpec {
    lstsq::HeadSpec {
        solver: config.network.solver,
        rcond: config.network.rcond,
        ridge: config.network.ridge,
    }
}

/// Fits one network of `config` with `seed` on `data`.
pub fn fit(config: &SwimConfig, seed: u64, data: &TaskData) -> Result<FitResult, SwimError> {
    match (&data.hamiltonian, config.network.method) {
        (Some(h), SwimMethod::Adam) => Ok(adam_hamiltonian(config, seed, data, h)),
        (Some(h), _) => sampled_hamiltonian(config, seed, data, h),
        (None, SwimMethod::Adam) => Ok(adam_mlp(config, seed, data)),
        (None, _) => solved(config, seed, data),
    }
}

/// A sampled or random network with a least-squares head.
fn solved(config: &SwimConfig, seed: u64, data: &TaskData) -> Result<FitResult, SwimError> {
    let net = &config.network;
    let started = Instant::now();
    let mut r = rng::chacha(seed, stream::INIT);
    let n = data.x_train.nrows() as u64;
    let mut h = data.x_train.clone();
    let mut layers = Vec::with_capacity(net.depth);
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
            SwimMethod::USwim => sample::uniform_layer(&h, net.width, net.activation, &mut r)?,
            SwimMethod::Elm => sample::random_layer(&h, net.width, &mut r),
            SwimMethod::ElmUnscaled => sample::random_layer_unscaled(h.ncols(), net.width, &mut r),
            SwimMethod::ASwim | SwimMethod::Adam => unreachable!("validated: not a solved fit"),
        };
        flops += n * flops::dense_flops(std::iter::once((h.ncols(), net.width)));
        h = layer.apply(&h, net.activation);
        layers.push(layer);
    }
    let (coef, path) =
        lstsq::least_squares(&h, &data.y_train, &head_spec(config)).map_err(SwimError::Solve)?;
    flops += path.flops(h.nrows(), net.width + 1, data.y_train.ncols());
    let fit_seconds = started.elapsed().as_secs_f64();

    let evaluated = Instant::now();
    let mut h_test = data.x_test.clone();
    for layer in &layers {
        h_test = layer.apply(&h_test, net.activation);
    }
    let pred = lstsq::predict(&h_test, &coef);
    let (metric_name, value, test_mse) = metric(&pred, &data.y_test, data.classes);
    Ok(FitResult {
        metric_name,
        metric: value,
        test_mse,
        grad_error: None,
        energy_drift: None,
        fit_seconds,
        eval_seconds: evaluated.elapsed().as_secs_f64(),
        flops,
        epochs: 1,
        examples: n,
        curve: Vec::new(),
        head: Some(path),
    })
}

/// Test errors and energy drift of a learned Hamiltonian network.
fn judge_hamiltonian(
    net: &hamiltonian::HamiltonianNet,
    data: &TaskData,
    h: &HamiltonianTask,
) -> (hamiltonian::HamiltonianErrors, f64) {
    let e = hamiltonian::errors(
        &net.energy(&data.x_test),
        &net.gradient(&data.x_test),
        &h.h_test,
        &h.grad_test,
    );
    let t = &h.trajectory;
    let steps = (t.horizon / t.step).round() as usize;
    let states =
        integrate::implicit_midpoint(|x, g| net.gradient_at(x, g), &t.start, t.step, steps);
    let drift = integrate::energy_drift(|x| h.system.energy(x), &states, steps);
    (e, drift)
}

fn sampled_hamiltonian(
    config: &SwimConfig,
    seed: u64,
    data: &TaskData,
    h: &HamiltonianTask,
) -> Result<FitResult, SwimError> {
    let net = &config.network;
    debug_assert_eq!(net.activation, Activation::Tanh);
    let started = Instant::now();
    let mut r = rng::chacha(seed, stream::INIT);
    let fitted = hamiltonian::fit(
        net.method,
        &data.x_train,
        &data.y_train,
        net.width,
        net.candidate_pairs,
        &head_spec(config),
        h.h0,
        &mut r,
    )?;
    let fit_seconds = started.elapsed().as_secs_f64();
    let evaluated = Instant::now();
    let (e, drift) = judge_hamiltonian(&fitted.net, data, h);
    Ok(FitResult {
        metric_name: H_REL_L2_ERROR,
        metric: e.energy,
        test_mse: e.gradient_mse,
        grad_error: Some(e.gradient),
        energy_drift: Some(drift),
        fit_seconds,
        eval_seconds: evaluated.elapsed().as_secs_f64(),
        flops: fitted.flops,
        epochs: 1,
        examples: data.x_train.nrows() as u64,
        curve: Vec::new(),
        head: Some(fitted.head),
    })
}

/// The summary of an Adam run from its curve's last record.
fn from_curve(name: &'static str, curve: Vec<EpochRecord>, epochs: usize) -> FitResult {
    let last = *curve.last().expect("epoch 0 at least");
    FitResult {
        metric_name: name,
        metric: last.test.score,
        test_mse: last.test.mse,
        grad_error: last.test.grad_error,
        energy_drift: None,
        fit_seconds: last.seconds,
        eval_seconds: last.eval_seconds,
        flops: last.flops,
        epochs,
        examples: last.examples,
        curve,
        head: None,
    }
}

fn adam_mlp(config: &SwimConfig, seed: u64, data: &TaskData) -> FitResult {
    let net = &config.network;
    let (val, train) = adam::split(data.x_train.nrows(), config.fit.validation_fraction, seed);
    let obj = mlp::Mlp::new(
        &data.x_train,
        &data.y_train,
        &data.x_test,
        &data.y_test,
        &train,
        net.width,
        net.depth,
        net.activation,
        data.classes.is_some(),
    );
    let t = adam::train(&obj, &train, &val, &config.fit, seed);
    let name = if data.classes.is_some() {
        ACCURACY
    } else {
        REL_L2_ERROR
    };
    from_curve(name, t.curve, t.epochs)
}

fn adam_hamiltonian(
    config: &SwimConfig,
    seed: u64,
    data: &TaskData,
    h: &HamiltonianTask,
) -> FitResult {
    let (val, train) = adam::split(data.x_train.nrows(), config.fit.validation_fraction, seed);
    let obj = hnn::HamiltonianObjective::new(
        hnn::HamiltonianData {
            x: &data.x_train,
            grad: &h.grad_train,
            x_test: &data.x_test,
            h_test: &h.h_test,
            grad_test: &h.grad_test,
            h0: h.h0,
        },
        &train,
        config.network.width,
    );
    let t = adam::train(&obj, &train, &val, &config.fit, seed);
    let net = obj.network(&t.checkpoint);
    let mut result = from_curve(H_REL_L2_ERROR, t.curve, t.epochs);
    let evaluated = Instant::now();
    let (_, drift) = judge_hamiltonian(&net, data, h);
    result.energy_drift = Some(drift);
    result.eval_seconds += evaluated.elapsed().as_secs_f64();
    result
}

#[cfg(test)]
mod tests;
