//! The experiment file's schema: what a user may write, with paper values as defaults.
//!
//! Every struct denies unknown fields, so a typo is an error naming the key and the
//! valid ones. One expanded sweep cell is a [`RunConfig`]; with a seed it is one run.
//! The sections live beside this file: `dataset` (data and web noise), `recipe`
//! (training, selection, evaluation, reference).

use serde::{Deserialize, Serialize};

use super::dataset::DatasetSpec;
use super::recipe::{EvalSpec, ReferenceSpec, TrainSpec};

/// The whole file, as written (sweep not yet expanded).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExperiment {
    pub name: String,
    pub seeds: Vec<u64>,
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

/// One cell of the sweep: everything that defines a run except its seed.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    pub dataset: DatasetSpec,
    pub model: ModelSpec,
    pub train: TrainSpec,
    pub eval: EvalSpec,
    #[serde(default)]
    pub reference: ReferenceSpec,
}

/// Two towers: an MLP per modality, a linear projection to `embed`, L2-normalised.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// Hidden widths of each tower's MLP (ReLU between layers).
    pub hidden: Vec<usize>,
    /// Embedding width e.
    pub embed: usize,
    /// SigLIP temperature t at init (the parameter is t' = ln t).
    #[serde(default = "default_temperature")]
    pub temperature_init: f64,
    /// SigLIP bias c at init.
    #[serde(default = "default_bias")]
    pub bias_init: f64,
}

fn default_temperature() -> f64 {
    10.0
}
fn default_bias() -> f64 {
    -10.0
}
