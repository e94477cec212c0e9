//! SWIM experiment files (sampled networks against iterative training, docs/methods.md §1, §2
//! "SWIM", §5 "SWIM claim"): a `task`, a `network` (the method, its width, depth,
//! activation and least-squares head) and the Adam baseline's `fit` recipe. Sweeps
//! expand exactly as for JEST experiments.

use serde::Deserialize;

mod validate;

pub(super) use validate::validate;
pub use validate::MAX_WIDTH;

pub use crate::swim::{
    Activation, FitSpec, HamiltonianSpec, HamiltonianSystem, NetworkSpec, RegressionSpec, Solver,
    SwimConfig, SwimMethod, SystemSpec, TableSpec, TaskSpec, TrajectorySpec,
};

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
