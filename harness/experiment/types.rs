//! The experiment file as written: its sections are the settings types of the code
//! that uses them (`data::DatasetSpec`, `model::ModelSpec`, `train::TrainSpec`,
//! `train::EvalSpec`, `train::ReferenceSpec`), with paper values as defaults. One
//! expanded sweep cell is a `train::RunConfig`; with a seed it is one run.

use serde::Deserialize;

use crate::data::DatasetSpec;
use crate::model::ModelSpec;
use crate::train::{EvalSpec, ReferenceSpec, TrainSpec};

/// The whole file, as written (sweep not yet expanded).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExperiment {
    pub name: String,
    /// Learner seeds on the file's one world (or `replicates`).
    #[serde(default)]
    pub seeds: Option<Vec<u64>>,
    /// Worlds × learners: every random draw varies across replicates.
    #[serde(default)]
    pub replicates: Option<super::Replicates>,
    pub dataset: DatasetSpec,
    pub model: ModelSpec,
    pub train: TrainSpec,
    pub eval: EvalSpec,
    #[serde(default)]
    pub reference: ReferenceSpec,
    /// Dotted key → list of values; expands to the cartesian product.
    #[serde(default)]
    pub sweep: serde_yaml::Mapping,
    /// More seeds for some cells only (e.g. the cheap horizons of a sweep).
    #[serde(default)]
    pub extra_seeds: Option<ExtraSeeds>,
}

/// `extra_seeds: {seeds: [...], where: {sweep key: [values]}}`: the cells whose
/// swept values are among the listed ones for every key also run these seeds.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraSeeds {
    pub seeds: Vec<u64>,
    #[serde(rename = "where")]
    pub only: serde_yaml::Mapping,
}
