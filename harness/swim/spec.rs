//! SWIM's settings, which a SWIM experiment file fills (docs/methods.md §1, §2 "SWIM", §5
//! "SWIM claim"): a `task`, a `network` (the method, its width, depth, activation
//! and least-squares head) and the Adam baseline's `fit` recipe.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::method::{Family, Method};

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

/// Hamiltonian learning (docs/methods.md §5 "SWIM claim"): states x = (q, p) drawn uniformly
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
    pub const ALL: [SwimMethod; 6] = [
        SwimMethod::Swim,
        SwimMethod::USwim,
        SwimMethod::ASwim,
        SwimMethod::Elm,
        SwimMethod::ElmUnscaled,
        SwimMethod::Adam,
    ];

    /// The results' `method` of a fit by this method.
    pub fn method(self) -> Method {
        match self {
            SwimMethod::Swim => Method::SWIM,
            SwimMethod::USwim => Method::U_SWIM,
            SwimMethod::ASwim => Method::A_SWIM,
            SwimMethod::Elm => Method::ELM,
            SwimMethod::ElmUnscaled => Method::ELM_UNSCALED,
            SwimMethod::Adam => Method::ADAM,
        }
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

/// SWIM's family, and its methods as the analysis names them by role (the sampled
/// variants, the random-feature baselines, the Adam baseline).
impl Family {
    pub const SWIM: Family = Family::new("swim");
}

impl Method {
    pub const SWIM: Method = Method::new(5, "swim", Family::SWIM);
    pub const U_SWIM: Method = Method::new(6, "u_swim", Family::SWIM);
    pub const A_SWIM: Method = Method::new(7, "a_swim", Family::SWIM);
    pub const ELM: Method = Method::new(8, "elm", Family::SWIM);
    pub const ELM_UNSCALED: Method = Method::new(9, "elm_unscaled", Family::SWIM);
    pub const ADAM: Method = Method::new(10, "adam", Family::SWIM);
}
