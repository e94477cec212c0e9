//! SWIM experiment files (sampled networks against iterative training, docs/methods.md §1, §2
//! "SWIM", §5 "SWIM claim"): a `task`, a `network` (the method, its width, depth,
//! activation and least-squares head) and the Adam baseline's `fit` recipe. Sweeps
//! expand exactly as for JEST experiments.

use std::path::Path;

use serde::Deserialize;

use super::validate::validate;
use super::{FitSpec, NetworkSpec, SwimConfig, TaskSpec};
use crate::experiment::{self, Experiment, ExperimentError};

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

/// A SWIM experiment file, validated, its sweep expanded (no extra seeds).
pub type SwimExperiment = Experiment<SwimConfig>;

/// Parses `source` as the SWIM experiment file at `path`, refusing sweeps of more
/// than `max_runs` runs before expanding them.
pub fn parse(
    source: &str,
    path: &Path,
    max_runs: usize,
) -> Result<SwimExperiment, ExperimentError> {
    experiment::check_depth(source, path)?;
    let raw: RawSwimExperiment = experiment::from_yaml(source, path)?;
    experiment::parse_cells(
        source,
        path,
        (&raw.name, &raw.seeds, max_runs),
        &raw.sweep,
        validate,
    )
}
