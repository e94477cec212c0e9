//! The data's settings, which the experiment file's `dataset` section fills: where
//! the pairs come from (synthetic, docs/methods.md §3, or files a user brings) and the
//! web-noise knobs applied to the pool.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Where the pairs come from, and the web-noise knobs applied to the pool.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DatasetSpec {
    /// Seed of the data itself; fixed across run seeds so selectors see the same pool.
    #[serde(default)]
    pub seed: u64,
    /// Exactly one of `synthetic`, `files` and `text`.
    #[serde(default)]
    pub synthetic: Option<SyntheticSpec>,
    #[serde(default)]
    pub files: Option<FilesSpec>,
    /// Text pairs from one CSV, featurised here (`data::text`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<TextSpec>,
    /// Keeps this many pairs of the pool (a seeded draw, before the noise is
    /// injected): the pool-size knob, at a fixed number of examples seen, that
    /// turns a stream which never repeats into one cycled many times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<usize>,
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

/// docs/methods.md §3 synthetic multimodal data.
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
    /// How the rest of the curated set's concepts are drawn: `balanced` (uniformly
    /// over all concepts, the default) or `pool` (with the pool's Zipf frequencies,
    /// so the reference sees the stream's skew and cannot rebalance it).
    #[serde(default, skip_serializing_if = "CuratedConcepts::is_balanced")]
    pub curated_concepts: CuratedConcepts,
    /// Number of concepts the zero-shot evaluation uses.
    pub eval_concepts: usize,
    /// Held-out clean examples per evaluation concept.
    pub eval_per_concept: usize,
}

/// The curated set's concept distribution (outside its evaluation-concept share).
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CuratedConcepts {
    #[default]
    Balanced,
    Pool,
}

impl CuratedConcepts {
    /// The default is left out of a configuration's serialisation, so files written
    /// before the knob existed keep their configuration hash.
    pub fn is_balanced(&self) -> bool {
        *self == CuratedConcepts::Balanced
    }
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
    /// Which training items are curated: the first `curated_fraction` in file
    /// order (false, the default) or a draw seeded by the dataset seed (true; what
    /// an experiment's `replicates` set where the data varies).
    #[serde(default, skip_serializing_if = "is_false")]
    pub seeded_curated: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl FilesSpec {
    /// Each file the spec names, with its key in the experiment file.
    pub fn keyed_paths(&self) -> [(&'static str, Option<&PathBuf>); 4] {
        [
            ("dataset.files.a", Some(&self.a)),
            ("dataset.files.b", Some(&self.b)),
            ("dataset.files.labels", self.labels.as_ref()),
            ("dataset.files.split", self.split.as_ref()),
        ]
    }
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

/// Text pairs from one CSV (docs/methods.md §3 "Text pairs"): two text columns,
/// each featurised by hashed n-grams (`data::text`); a label column (concepts for
/// zero-shot); a numeric column whose positive rows are the curated set.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TextSpec {
    /// The CSV (UTF-8, with a header).
    pub csv: PathBuf,
    /// The A view (e.g. WordNet's lemmas, as character n-grams).
    pub a: TextView,
    /// The B view (e.g. WordNet's gloss, as word n-grams).
    pub b: TextView,
    /// The column of each row's concept (any strings; classes in sorted order).
    #[serde(default)]
    pub label_column: Option<String>,
    /// The column whose rows with a value above 0 are the curated set (WordNet:
    /// `tag_count`, the senses seen in SemCor's edited text).
    pub curated_column: String,
    /// Rows held out for evaluation (a seeded draw; the rest is the pool).
    pub eval_items: usize,
    /// At most this many curated rows (a seeded draw among them), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curated_max: Option<usize>,
}

/// One text column and how it becomes features.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TextView {
    pub column: String,
    /// `chars` (character n-grams of each `;`-separated item) or `words` (words
    /// and word n-grams of each non-example segment).
    pub features: TextKind,
    /// The n-gram length (characters) or the longest word run (words).
    pub n: usize,
    /// The number of hashed buckets: the view's width.
    pub dim: usize,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TextKind {
    Chars,
    Words,
}

impl TextView {
    pub fn features(&self) -> super::text::TextFeatures {
        use super::text::TextFeatures;
        match self.features {
            TextKind::Chars => TextFeatures::Chars {
                n: self.n,
                dim: self.dim,
            },
            TextKind::Words => TextFeatures::Words {
                n: self.n,
                dim: self.dim,
            },
        }
    }
}
