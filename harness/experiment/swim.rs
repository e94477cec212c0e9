//! SWIM experiment files (sampled networks against iterative training, SPEC §1, §2
//! "SWIM", §5 "SWIM claim"): a `task`, a `network` (the method, its width, depth,
//! activation and least-squares head) and the Adam baseline's `fit` recipe. Sweeps
//! expand exactly as for JEST experiments.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The file as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSwimExperiment {
    pub name: String,
    pub seeds: Vec<u64>,
    pub task: TaskSpec,
    pub network: NetworkSpec,
    #[serde(default)]
    pub fit: FitSpec,
    #[serde(default)]
    pub sweep: serde_yaml::Mapping,
}

/// One sweep cell.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SwimConfig {
    pub task: TaskSpec,
    pub network: NetworkSpec,
    #[serde(default)]
    pub fit: FitSpec,
}

/// Exactly one of the task kinds.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TaskSpec {
    /// Seed of the data (sampling of points, splits); fixed across run seeds.
    #[serde(default)]
    pub seed: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regression: Option<RegressionSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pendulum: Option<SystemSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub henon_heiles: Option<SystemSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hamiltonian: Option<HamiltonianSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<TableSpec>,
}

impl TaskSpec {
    /// The Hamiltonian task, if this is one.
    pub fn hamiltonian(&self) -> Option<&HamiltonianSpec> {
        self.hamiltonian.as_ref()
    }
}

/// Smooth synthetic regression on [−1, 1]^dim:
/// f(x) = sin(π ⟨a, x⟩) + ½ cos(‖x‖²), a a fixed random unit vector.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RegressionSpec {
    pub dim: usize,
    pub train: usize,
    pub test: usize,
}

/// A function regression sampled uniformly on a box: the pendulum's vector field
/// (q, p) ↦ (p, −sin q) on [−π, π] × [−2, 2], or the Hénon–Heiles Hamiltonian
/// H = ½(p₁² + p₂²) + ½(q₁² + q₂²) + q₁²q₂ − q₂³/3 on [−1, 1]⁴, as plain targets.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SystemSpec {
    pub train: usize,
    pub test: usize,
}

/// Hamiltonian learning (SPEC §5 "SWIM claim"): states x = (q, p) drawn uniformly
/// from `domain`, targets their time derivatives (q', p') = (∂H/∂p, −∂H/∂q) from
/// the system's known H; the model learns H from them.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HamiltonianSpec {
    pub system: HamiltonianSystem,
    pub train: usize,
    pub test: usize,
    /// [lo, hi] per coordinate, q's then p's (default: the system's, see
    /// [`HamiltonianSystem`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<Vec<[f64; 2]>>,
    /// The trajectory whose energy drift is measured (default: the system's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trajectory: Option<TrajectorySpec>,
}

/// The systems of Rahma, Datar & Dietrich (arXiv 2411.17511), all constants 1.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum HamiltonianSystem {
    /// H = p²/2 + (1 − cos q) on q ∈ [−2π, 2π], p ∈ [−1, 1].
    SinglePendulum,
    /// H = (p₁² + p₂²)/2 + (q₁² + q₂²)/2 + q₁²q₂ − q₂³/3 on [−5, 5]⁴.
    HenonHeiles,
    /// H = [p₁² + 2p₂² − 2p₁p₂ cos(q₁ − q₂)] / [2(1 + sin²(q₁ − q₂))] − 2 cos q₁ − cos q₂
    /// on q ∈ [−π, π]², p ∈ [−1, 1]².
    DoublePendulum,
}

impl HamiltonianSystem {
    /// Degrees of freedom: x = (q, p) has 2·dof coordinates.
    pub fn dof(self) -> usize {
        match self {
            HamiltonianSystem::SinglePendulum => 1,
            _ => 2,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            HamiltonianSystem::SinglePendulum => "single_pendulum",
            HamiltonianSystem::HenonHeiles => "henon_heiles",
            HamiltonianSystem::DoublePendulum => "double_pendulum",
        }
    }
}

/// An initial state, integrated with the learned H by the implicit midpoint rule
/// (symplectic) for `horizon` time units in steps of `step`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TrajectorySpec {
    /// (q, p), 2·dof numbers.
    pub start: Vec<f64>,
    pub horizon: f64,
    pub step: f64,
}

/// A labelled table (CSV with a header; the label column is the class).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    pub file: PathBuf,
    #[serde(default = "default_label")]
    pub label_column: String,
    #[serde(default = "default_test_fraction")]
    pub test_fraction: f64,
}

fn default_label() -> String {
    "label".into()
}
fn default_test_fraction() -> f64 {
    0.25
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SwimMethod {
    /// Sampled hidden weights, pairs weighted by the change of the targets (for a
    /// Hamiltonian task: of the time derivatives), least-squares output layer.
    Swim,
    /// U-SWIM: pairs drawn uniformly (no targets used to sample).
    USwim,
    /// A-SWIM (Hamiltonian tasks): a U-SWIM fit gives a first estimate Ĥ; pairs are
    /// drawn again weighted by the change of Ĥ, and the output layer solved again.
    ASwim,
    /// Random features that do not saturate: inputs standardised, W ~ N(0, 1/d),
    /// each neuron's bias centring it on a random training point (b = −⟨w, x_i⟩).
    Elm,
    /// The authors' random-feature baseline, unscaled: W ~ N(0, 1), b ~ U(−π, π)
    /// on the raw inputs.
    ElmUnscaled,
    /// The same architecture trained by Adam to convergence.
    Adam,
}

impl SwimMethod {
    /// The results' `method` of a fit by this method.
    pub fn method(self) -> super::Method {
        match self {
            SwimMethod::Swim => super::Method::Swim,
            SwimMethod::USwim => super::Method::USwim,
            SwimMethod::ASwim => super::Method::ASwim,
            SwimMethod::Elm => super::Method::Elm,
            SwimMethod::ElmUnscaled => super::Method::ElmUnscaled,
            SwimMethod::Adam => super::Method::Adam,
        }
    }

    /// Whether the output layer is solved by least squares (not trained).
    pub fn is_solved(self) -> bool {
        self != SwimMethod::Adam
    }
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    Relu,
    Tanh,
}

/// How the least-squares output layer is solved.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Solver {
    /// Normal equations on unit-norm columns with a relative ridge, by Cholesky; an
    /// ill-conditioned system (condition estimate above 1e12, or a failed
    /// factorisation) falls back to the SVD.
    Cholesky,
    /// Thin SVD with the relative singular-value cutoff `rcond` (the authors'
    /// `lstsq`).
    Svd,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
    pub method: SwimMethod,
    /// Width of every hidden layer.
    pub width: usize,
    /// Number of hidden layers (1 for Hamiltonian tasks).
    #[serde(default = "default_depth")]
    pub depth: usize,
    #[serde(default = "default_activation")]
    pub activation: Activation,
    /// The least-squares head's solver.
    #[serde(default = "default_solver")]
    pub solver: Solver,
    /// Relative singular-value cutoff of the SVD solve (and of its fallback).
    #[serde(default = "default_rcond")]
    pub rcond: f64,
    /// Ridge of the Cholesky solve, relative to the unit-norm columns' Gram matrix.
    #[serde(default = "default_ridge")]
    pub ridge: f64,
    /// Candidate pairs drawn per layer before sampling `width` of them (0: 4·width).
    #[serde(default)]
    pub candidate_pairs: usize,
}

fn default_depth() -> usize {
    1
}
fn default_activation() -> Activation {
    Activation::Tanh
}
fn default_solver() -> Solver {
    Solver::Cholesky
}
fn default_rcond() -> f64 {
    1e-10
}
fn default_ridge() -> f64 {
    1e-10
}

/// The Adam baseline's recipe: trained to convergence. Every epoch is a pass over
/// the training split (the rest of the data is a validation split) in shuffled
/// batches. After `lr_patience` epochs without a better validation loss the
/// learning rate is multiplied by `lr_decay` (again after each further
/// `lr_patience`; 1 keeps it fixed); training stops when the validation loss has
/// not improved for `patience` epochs, or after `max_epochs`; the best validation
/// epoch's weights are kept (the checkpoint). Defaults: lr 1e-3, batch 64, halved
/// after 10 epochs without improvement, patience 30, at most 2000 epochs, 10%
/// validation.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FitSpec {
    #[serde(default = "default_lr")]
    pub lr: f64,
    #[serde(default = "default_batch")]
    pub batch_size: usize,
    #[serde(default = "default_epochs")]
    pub max_epochs: usize,
    #[serde(default = "default_patience")]
    pub patience: usize,
    #[serde(default = "default_validation")]
    pub validation_fraction: f64,
    #[serde(default = "default_lr_decay")]
    pub lr_decay: f64,
    #[serde(default = "default_lr_patience")]
    pub lr_patience: usize,
    /// Curve rows: every epoch up to 20, then epochs at least this fraction after
    /// the last logged one (0: every epoch); the best and the last epoch always.
    #[serde(default = "default_log_spacing")]
    pub log_spacing: f64,
}

fn default_lr() -> f64 {
    1e-3
}
fn default_batch() -> usize {
    64
}
fn default_epochs() -> usize {
    2000
}
fn default_patience() -> usize {
    30
}
fn default_lr_decay() -> f64 {
    0.5
}
fn default_lr_patience() -> usize {
    10
}
fn default_validation() -> f64 {
    0.1
}
fn default_log_spacing() -> f64 {
    0.05
}

impl Default for FitSpec {
    fn default() -> Self {
        FitSpec {
            lr: default_lr(),
            batch_size: default_batch(),
            max_epochs: default_epochs(),
            patience: default_patience(),
            validation_fraction: default_validation(),
            lr_decay: default_lr_decay(),
            lr_patience: default_lr_patience(),
            log_spacing: default_log_spacing(),
        }
    }
}

/// The widest layer a SWIM file may ask for.
pub const MAX_WIDTH: usize = 1 << 16;

/// Impossible values, as (dotted key, message).
pub(super) fn validate(c: &SwimConfig) -> Result<(), (String, String)> {
    let fail = |k: &str, m: String| Err((k.to_string(), m));
    let t = &c.task;
    let kinds = [
        t.regression.is_some(),
        t.pendulum.is_some(),
        t.henon_heiles.is_some(),
        t.hamiltonian.is_some(),
        t.table.is_some(),
    ];
    if kinds.iter().filter(|&&k| k).count() != 1 {
        return fail(
            "task",
            "give exactly one of `regression`, `pendulum`, `henon_heiles`, `hamiltonian`, `table`"
                .into(),
        );
    }
    if let Some(r) = &t.regression {
        if r.dim == 0 || r.dim > 64 {
            return fail(
                "task.regression.dim",
                format!("must be in 1..=64, found {}", r.dim),
            );
        }
        if r.train < 2 || r.test < 1 {
            return fail(
                "task.regression.train",
                "needs at least 2 training and 1 test point".into(),
            );
        }
    }
    for (k, s) in [
        ("task.pendulum", &t.pendulum),
        ("task.henon_heiles", &t.henon_heiles),
    ] {
        if let Some(s) = s {
            if s.train < 2 || s.test < 1 {
                return fail(
                    &format!("{k}.train"),
                    "needs at least 2 training and 1 test point".into(),
                );
            }
        }
    }
    if let Some(h) = &t.hamiltonian {
        hamiltonian(h, c)?;
    }
    if let Some(tb) = &t.table {
        if !(tb.test_fraction > 0.0 && tb.test_fraction < 1.0) {
            return fail(
                "task.table.test_fraction",
                format!("must be in (0, 1), found {}", tb.test_fraction),
            );
        }
    }
    let n = &c.network;
    if n.width == 0 || n.width > MAX_WIDTH {
        return fail(
            "network.width",
            format!("must be in 1..={MAX_WIDTH}, found {}", n.width),
        );
    }
    if n.depth == 0 {
        return fail("network.depth", "must be at least 1, found 0".into());
    }
    if n.method == SwimMethod::ASwim && t.hamiltonian.is_none() {
        return fail(
            "network.method",
            "a_swim resamples with a first estimate of H and needs a `hamiltonian` task; use swim or u_swim"
                .into(),
        );
    }
    if !(n.rcond.is_finite() && n.rcond >= 0.0 && n.rcond < 1.0) {
        return fail(
            "network.rcond",
            format!("must be in [0, 1), found {}", n.rcond),
        );
    }
    if !(n.ridge.is_finite() && n.ridge >= 0.0 && n.ridge < 1.0) {
        return fail(
            "network.ridge",
            format!("must be in [0, 1), found {}", n.ridge),
        );
    }
    let f = &c.fit;
    if !(f.lr.is_finite() && f.lr > 0.0) {
        return fail(
            "fit.lr",
            format!("must be a positive number, found {}", f.lr),
        );
    }
    if f.batch_size == 0 {
        return fail("fit.batch_size", "must be at least 1, found 0".into());
    }
    if f.max_epochs == 0 || f.max_epochs > 1_000_000 {
        return fail(
            "fit.max_epochs",
            format!("must be in 1..=1000000, found {}", f.max_epochs),
        );
    }
    if f.patience == 0 {
        return fail("fit.patience", "must be at least 1, found 0".into());
    }
    if !(f.validation_fraction > 0.0 && f.validation_fraction < 1.0) {
        return fail(
            "fit.validation_fraction",
            format!("must be in (0, 1), found {}", f.validation_fraction),
        );
    }
    if !(f.lr_decay > 0.0 && f.lr_decay <= 1.0) {
        return fail(
            "fit.lr_decay",
            format!(
                "must be in (0, 1] (1: a fixed learning rate), found {}",
                f.lr_decay
            ),
        );
    }
    if f.lr_patience == 0 {
        return fail("fit.lr_patience", "must be at least 1, found 0".into());
    }
    if !(f.log_spacing.is_finite() && (0.0..=1.0).contains(&f.log_spacing)) {
        return fail(
            "fit.log_spacing",
            format!("must be in [0, 1], found {}", f.log_spacing),
        );
    }
    Ok(())
}

fn hamiltonian(h: &HamiltonianSpec, c: &SwimConfig) -> Result<(), (String, String)> {
    let fail = |k: &str, m: String| Err((k.to_string(), m));
    let dim = 2 * h.system.dof();
    if h.train < 2 || h.test < 1 {
        return fail(
            "task.hamiltonian.train",
            "needs at least 2 training and 1 test point".into(),
        );
    }
    if let Some(d) = &h.domain {
        if d.len() != dim {
            return fail(
                "task.hamiltonian.domain",
                format!(
                    "{} has {dim} coordinates (q's then p's): give {dim} [lo, hi] pairs, found {}",
                    h.system.name(),
                    d.len()
                ),
            );
        }
        if let Some((i, [lo, hi])) = d
            .iter()
            .enumerate()
            .find(|(_, [lo, hi])| !(lo.is_finite() && hi.is_finite() && lo < hi))
        {
            return fail(
                "task.hamiltonian.domain",
                format!("coordinate {i}: [lo, hi] needs finite lo < hi, found [{lo}, {hi}]"),
            );
        }
    }
    if let Some(tr) = &h.trajectory {
        if tr.start.len() != dim || tr.start.iter().any(|v| !v.is_finite()) {
            return fail(
                "task.hamiltonian.trajectory.start",
                format!(
                    "needs {dim} finite numbers (q's then p's) for {}, found {:?}",
                    h.system.name(),
                    tr.start
                ),
            );
        }
        if !(tr.step.is_finite() && tr.step > 0.0) {
            return fail(
                "task.hamiltonian.trajectory.step",
                format!("must be a positive number, found {}", tr.step),
            );
        }
        if !(tr.horizon.is_finite() && tr.horizon >= tr.step && tr.horizon / tr.step <= 1e7) {
            return fail(
                "task.hamiltonian.trajectory.horizon",
                format!(
                    "must be at least one step and at most 1e7 steps ({}), found {}",
                    tr.step, tr.horizon
                ),
            );
        }
    }
    if c.network.depth != 1 {
        return fail(
            "network.depth",
            format!(
                "a Hamiltonian network has one hidden layer (H = Σ w_k tanh(⟨v_k, x⟩ + b_k) + c), found {}",
                c.network.depth
            ),
        );
    }
    if c.network.activation != Activation::Tanh {
        return fail(
            "network.activation",
            "a Hamiltonian network needs a smooth activation: tanh (ReLU's gradient is a step, its Hessian zero)".into(),
        );
    }
    Ok(())
}
