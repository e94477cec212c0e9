//! The experiment file's schema: what a user may write, with paper values as defaults.
//!
//! Every struct denies unknown fields, so a typo is an error naming the key and the
//! valid ones. One expanded sweep cell is a [`RunConfig`]; with a seed it is one run.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

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

/// Where the pairs come from, and the web-noise knobs applied to the pool.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DatasetSpec {
    /// Seed of the data itself; fixed across run seeds so selectors see the same pool.
    #[serde(default)]
    pub seed: u64,
    /// Exactly one of `synthetic` and `files`.
    #[serde(default)]
    pub synthetic: Option<SyntheticSpec>,
    #[serde(default)]
    pub files: Option<FilesSpec>,
    /// Fraction of pool pairs whose B view is taken from another example.
    #[serde(default)]
    pub misaligned: f64,
    /// Fraction of pool pairs with heavy noise added to both views.
    #[serde(default)]
    pub heavy_noise: f64,
    /// Standard deviation of that heavy noise, in units of the view's scale.
    #[serde(default = "default_heavy_noise_scale")]
    pub heavy_noise_scale: f64,
    /// Fraction of pool pairs that are near-copies of another pool pair.
    #[serde(default)]
    pub duplicates: f64,
}

fn default_heavy_noise_scale() -> f64 {
    3.0
}

/// SPEC §3 synthetic multimodal data.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SyntheticSpec {
    /// Number of latent concepts K.
    pub concepts: usize,
    /// Zipf exponent of concept frequencies in the web pool (p_k ∝ 1/k^zipf).
    #[serde(default = "default_zipf")]
    pub zipf: f64,
    pub latent_dim: usize,
    pub dim_a: usize,
    pub dim_b: usize,
    /// Hidden width of the fixed random non-linear view maps.
    #[serde(default = "default_view_hidden")]
    pub view_hidden: usize,
    /// Standard deviation of an example's latent around its concept centre.
    #[serde(default = "default_concept_spread")]
    pub concept_spread: f64,
    /// Observation noise added to every view (relative to the view's scale).
    #[serde(default = "default_observation_noise")]
    pub observation_noise: f64,
    /// Web pool size N.
    pub pool: usize,
    /// Curated set size (clean, balanced).
    pub curated: usize,
    /// Fraction of curated items drawn from the evaluation concepts.
    #[serde(default = "default_curated_eval_weight")]
    pub curated_eval_weight: f64,
    /// Number of concepts the zero-shot evaluation uses.
    pub eval_concepts: usize,
    /// Held-out clean examples per evaluation concept.
    pub eval_per_concept: usize,
}

fn default_zipf() -> f64 {
    1.0
}
fn default_view_hidden() -> usize {
    64
}
fn default_concept_spread() -> f64 {
    0.5
}
fn default_observation_noise() -> f64 {
    0.1
}
fn default_curated_eval_weight() -> f64 {
    0.5
}

/// Paired features from files: row i of `a` and row i of `b` are the same item.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FilesSpec {
    pub a: PathBuf,
    pub b: PathBuf,
    /// Optional labels file (.npy of integers, or a one-column CSV).
    #[serde(default)]
    pub labels: Option<PathBuf>,
    /// In a CSV view, a column of this name is taken as the label, not a feature.
    #[serde(default = "default_label_column")]
    pub label_column: String,
    /// Fraction of items held out for evaluation (seeded split; ignored with `split`).
    #[serde(default = "default_eval_fraction")]
    pub eval_fraction: f64,
    /// A CSV whose `split_column` says, per item, `train` or `test` (a standard split,
    /// e.g. the Wikipedia set's `items.csv`). Without it the split is seeded.
    #[serde(default)]
    pub split: Option<PathBuf>,
    #[serde(default = "default_split_column")]
    pub split_column: String,
    /// Fraction of the training split kept clean as the curated set.
    #[serde(default = "default_curated_fraction")]
    pub curated_fraction: f64,
}

fn default_label_column() -> String {
    "label".into()
}
fn default_split_column() -> String {
    "split".into()
}
fn default_eval_fraction() -> f64 {
    0.2
}
fn default_curated_fraction() -> f64 {
    0.2
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

/// How examples are chosen each iteration (SPEC §2 "Selectors").
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum SelectorName {
    /// b examples drawn uniformly from the super-batch, which is not scored.
    Uniform,
    /// Each example scored alone (s_i = A_ii); top-k or sampled (`train.mode`).
    Independent,
    /// Joint example selection: chunks sampled on conditional learnability.
    Jest,
}

impl SelectorName {
    pub fn as_str(self) -> &'static str {
        match self {
            SelectorName::Uniform => "uniform",
            SelectorName::Independent => "independent",
            SelectorName::Jest => "jest",
        }
    }

    /// Whether the super-batch must be scored by learner and reference.
    pub fn scores(self) -> bool {
        !matches!(self, SelectorName::Uniform)
    }
}

/// What produced a run's results (the results' `method` column): the selector of a
/// JEST run, with independent prioritisation's mode, or the fitting method of a
/// SWIM run.
#[derive(
    Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, Hash, PartialOrd, Ord,
)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    #[default]
    Uniform,
    IndependentTopk,
    IndependentSample,
    Jest,
    Swim,
    Elm,
    Adam,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Uniform => "uniform",
            Method::IndependentTopk => "independent_topk",
            Method::IndependentSample => "independent_sample",
            Method::Jest => "jest",
            Method::Swim => "swim",
            Method::Elm => "elm",
            Method::Adam => "adam",
        }
    }

    pub fn is_independent(self) -> bool {
        matches!(self, Method::IndependentTopk | Method::IndependentSample)
    }

    pub fn family(self) -> Family {
        match self {
            Method::Swim | Method::Elm | Method::Adam => Family::Swim,
            _ => Family::Jest,
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which claim a run belongs to: data selection (JEST) or sampled networks (SWIM).
#[derive(
    Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, Hash, PartialOrd, Ord,
)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    #[default]
    Jest,
    Swim,
}

/// How the score matrix A is formed from the learner (L) and reference (R) pair losses.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Scoring {
    /// A = L − R.
    Learnability,
    /// A = L.
    HardLearner,
    /// A = −R.
    EasyReference,
}

impl Scoring {
    pub fn as_str(self) -> &'static str {
        match self {
            Scoring::Learnability => "learnability",
            Scoring::HardLearner => "hard_learner",
            Scoring::EasyReference => "easy_reference",
        }
    }
}

/// Independent prioritisation's rule.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum IndependentMode {
    /// The b highest scores (as RHO-LOSS).
    Topk,
    /// b draws without replacement, p ∝ exp(gain · s_i).
    Sample,
}

/// The training recipe: batch sizes, selection, optimiser, schedule.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TrainSpec {
    /// Training iterations.
    pub steps: usize,
    /// Learning batch size b.
    pub batch_size: usize,
    /// Filtering ratio f = 1 − b/B; the super-batch is B = round(b / (1 − f)).
    /// Give this or `super_batch`, not both (neither: f = 0, B = b).
    #[serde(default)]
    pub filter_ratio: Option<f64>,
    /// The super-batch size B directly (for a fixed B across learning batch sizes).
    #[serde(default)]
    pub super_batch: Option<usize>,
    #[serde(default = "default_selector")]
    pub selector: SelectorName,
    /// The score matrix A (scoring selectors only).
    #[serde(default = "default_scoring")]
    pub scoring: Scoring,
    /// `independent`: top-k or sampled.
    #[serde(default = "default_mode")]
    pub mode: IndependentMode,
    /// `jest`: number of chunks; b must be divisible by it.
    #[serde(default = "default_n_chunks")]
    pub n_chunks: usize,
    /// Inverse temperature of the sampling distributions, p ∝ exp(gain · score).
    #[serde(default = "default_gain")]
    pub gain: f64,
    /// Peak learning rate.
    #[serde(default = "default_lr")]
    pub lr: f64,
    /// Linear warmup steps, then cosine decay to zero.
    #[serde(default)]
    pub warmup_steps: usize,
    #[serde(default = "default_beta1")]
    pub beta1: f64,
    /// The paper's Adam uses β2 = 0.95.
    #[serde(default = "default_beta2")]
    pub beta2: f64,
    #[serde(default = "default_eps")]
    pub eps: f64,
    /// Decoupled weight decay on weight matrices.
    #[serde(default = "default_weight_decay")]
    pub weight_decay: f64,
    /// Global gradient-norm clipping threshold.
    #[serde(default = "default_clip_norm")]
    pub clip_norm: f64,
}

fn default_selector() -> SelectorName {
    SelectorName::Uniform
}
fn default_scoring() -> Scoring {
    Scoring::Learnability
}
fn default_mode() -> IndependentMode {
    IndependentMode::Topk
}
fn default_n_chunks() -> usize {
    16
}
fn default_gain() -> f64 {
    100.0
}
fn default_lr() -> f64 {
    1e-3
}
fn default_beta1() -> f64 {
    0.9
}
fn default_beta2() -> f64 {
    0.95
}
fn default_eps() -> f64 {
    1e-8
}
fn default_weight_decay() -> f64 {
    1e-4
}
fn default_clip_norm() -> f64 {
    1.0
}

impl TrainSpec {
    /// B: `super_batch` if given, else round(b / (1 − f)).
    pub fn super_batch(&self) -> usize {
        match (self.super_batch, self.filter_ratio) {
            (Some(b_super), _) => b_super,
            (None, f) => (self.batch_size as f64 / (1.0 - f.unwrap_or(0.0))).round() as usize,
        }
    }

    /// The same recipe with every selection key at its default: uniform batches,
    /// no filtering (the reference model's training, SPEC §2).
    pub fn without_selection(&self) -> TrainSpec {
        TrainSpec {
            filter_ratio: None,
            super_batch: None,
            selector: default_selector(),
            scoring: default_scoring(),
            mode: default_mode(),
            n_chunks: default_n_chunks(),
            gain: default_gain(),
            ..self.clone()
        }
    }

    /// The results' `method` of a run with this recipe.
    pub fn method(&self) -> Method {
        match (self.selector, self.mode) {
            (SelectorName::Uniform, _) => Method::Uniform,
            (SelectorName::Independent, IndependentMode::Topk) => Method::IndependentTopk,
            (SelectorName::Independent, IndependentMode::Sample) => Method::IndependentSample,
            (SelectorName::Jest, _) => Method::Jest,
        }
    }

    /// The effective filtering ratio 1 − b/B.
    pub fn effective_filter_ratio(&self) -> f64 {
        1.0 - self.batch_size as f64 / self.super_batch() as f64
    }
}

/// Held-out evaluation.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EvalSpec {
    /// Evaluate every this many steps (and at step 0 and the last step).
    pub every: usize,
}

/// The reference model (trained on curated data at quality q).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReferenceSpec {
    /// q in [0, 1]: the fraction of the reference training set drawn from the
    /// curated set; the rest is web pool.
    #[serde(default = "default_quality")]
    pub quality: f64,
    /// Reference training steps (0: as many as the learner).
    #[serde(default)]
    pub steps: usize,
    /// Seed of the reference's initialisation, order and reference-set draw; one
    /// reference is trained per (data, model, reference) and shared by every run.
    #[serde(default)]
    pub seed: u64,
    /// Reference batch size (0: the learner's b).
    #[serde(default)]
    pub batch_size: usize,
}

fn default_quality() -> f64 {
    1.0
}

impl Default for ReferenceSpec {
    fn default() -> Self {
        ReferenceSpec {
            quality: default_quality(),
            steps: 0,
            seed: 0,
            batch_size: 0,
        }
    }
}
