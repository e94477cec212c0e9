//! SWIM experiment files (sampled networks against iterative training, SPEC §1–2):
//! a `task`, a `network` (method swim | elm | adam, width, depth, activation) and
//! the Adam baseline's `fit` recipe. Sweeps expand exactly as for JEST experiments.

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
    #[serde(default)]
    pub regression: Option<RegressionSpec>,
    #[serde(default)]
    pub pendulum: Option<SystemSpec>,
    #[serde(default)]
    pub henon_heiles: Option<SystemSpec>,
    #[serde(default)]
    pub table: Option<TableSpec>,
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

/// A dynamical system sampled uniformly on a box: the pendulum's vector field
/// (q, p) ↦ (p, −sin q) on [−π, π] × [−2, 2], or the Hénon–Heiles Hamiltonian
/// H = ½(p₁² + p₂²) + ½(q₁² + q₂²) + q₁²q₂ − q₂³/3 on [−1, 1]⁴.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SystemSpec {
    pub train: usize,
    pub test: usize,
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
    /// Sampled hidden weights, least-squares output layer.
    Swim,
    /// Random features: W ~ N(0, 1), b ~ U(−π, π), the same least-squares head.
    Elm,
    /// The same architecture trained by Adam (the SWIM paper's protocol).
    Adam,
}

impl SwimMethod {
    /// The results' `method` of a fit by this method.
    pub fn method(self) -> super::Method {
        match self {
            SwimMethod::Swim => super::Method::Swim,
            SwimMethod::Elm => super::Method::Elm,
            SwimMethod::Adam => super::Method::Adam,
        }
    }
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    Relu,
    Tanh,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
    pub method: SwimMethod,
    /// Width of every hidden layer.
    pub width: usize,
    /// Number of hidden layers.
    #[serde(default = "default_depth")]
    pub depth: usize,
    #[serde(default = "default_activation")]
    pub activation: Activation,
    /// Relative singular-value cutoff of the least-squares output layer.
    #[serde(default = "default_rcond")]
    pub rcond: f64,
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
fn default_rcond() -> f64 {
    1e-10
}

/// The Adam baseline's recipe (the SWIM paper's: lr 1e-3, batch 64, at most 100
/// epochs, early stopping with patience 3 on a validation split).
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
}

fn default_lr() -> f64 {
    1e-3
}
fn default_batch() -> usize {
    64
}
fn default_epochs() -> usize {
    100
}
fn default_patience() -> usize {
    3
}
fn default_validation() -> f64 {
    0.1
}

impl Default for FitSpec {
    fn default() -> Self {
        FitSpec {
            lr: default_lr(),
            batch_size: default_batch(),
            max_epochs: default_epochs(),
            patience: default_patience(),
            validation_fraction: default_validation(),
        }
    }
}

/// Impossible values, as (dotted key, message).
pub(super) fn validate(c: &SwimConfig) -> Result<(), (String, String)> {
    let fail = |k: &str, m: String| Err((k.to_string(), m));
    let t = &c.task;
    let kinds = [
        t.regression.is_some(),
        t.pendulum.is_some(),
        t.henon_heiles.is_some(),
        t.table.is_some(),
    ];
    if kinds.iter().filter(|&&k| k).count() != 1 {
        return fail(
            "task",
            "give exactly one of `regression`, `pendulum`, `henon_heiles`, `table`".into(),
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
    if let Some(tb) = &t.table {
        if !(tb.test_fraction > 0.0 && tb.test_fraction < 1.0) {
            return fail(
                "task.table.test_fraction",
                format!("must be in (0, 1), found {}", tb.test_fraction),
            );
        }
    }
    let n = &c.network;
    if n.width == 0 {
        return fail("network.width", "must be at least 1, found 0".into());
    }
    if n.depth == 0 {
        return fail("network.depth", "must be at least 1, found 0".into());
    }
    if !(n.rcond.is_finite() && n.rcond >= 0.0 && n.rcond < 1.0) {
        return fail(
            "network.rcond",
            format!("must be in [0, 1), found {}", n.rcond),
        );
    }
    let f = &c.fit;
    if !(f.lr.is_finite() && f.lr > 0.0) {
        return fail(
            "fit.lr",
            format!("must be a positive number, found {}", f.lr),
        );
    }
    if f.batch_size == 0 || f.max_epochs == 0 {
        return fail(
            "fit.batch_size",
            "batch_size and max_epochs must be at least 1".into(),
        );
    }
    if !(f.validation_fraction > 0.0 && f.validation_fraction < 1.0) {
        return fail(
            "fit.validation_fraction",
            format!("must be in (0, 1), found {}", f.validation_fraction),
        );
    }
    Ok(())
}
