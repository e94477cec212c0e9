//! The two towers' settings, which the experiment file's `model` section fills.

use serde::{Deserialize, Serialize};

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
