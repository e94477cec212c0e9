//! A run's recipe, which the experiment file's sections fill: [`RunConfig`] (one
//! sweep cell), the `train` section (batch sizes, selection, optimiser and
//! schedule), `eval` (when to evaluate) and `reference` (the reference model's data
//! and training). Every struct denies unknown fields, so a typo is an error naming
//! the key and the valid ones.

mod file;

use serde::{Deserialize, Serialize};

use crate::data::DatasetSpec;
use crate::method::Method;
use crate::model::optim::AdamConfig;
use crate::model::ModelSpec;
use crate::score::Scoring;
use crate::select::{IndependentMode, SelectorName, Settings};

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

impl RunConfig {
    /// This configuration in a world of an experiment's `replicates`: the data
    /// drawn with `dataset_seed` (for files: the seeded split, and a seeded draw
    /// of the curated items) and the reference with `reference_seed`, where given.
    pub fn in_world(&self, dataset_seed: Option<u64>, reference_seed: Option<u64>) -> RunConfig {
        let mut c = self.clone();
        if let Some(s) = dataset_seed {
            c.dataset.seed = s;
            if let Some(f) = &mut c.dataset.files {
                f.seeded_curated = true;
            }
        }
        if let Some(s) = reference_seed {
            c.reference.seed = s;
        }
        c
    }
}

#[cfg(test)]
impl RunConfig {
    /// The configuration of a one-cell experiment file (its `name` and `seeds`
    /// dropped), for unit tests below the experiment loader.
    pub(crate) fn from_test_yaml(text: &str) -> RunConfig {
        let mut doc: serde_yaml::Mapping = serde_yaml::from_str(text).unwrap();
        doc.remove("name");
        doc.remove("seeds");
        serde_yaml::from_value(serde_yaml::Value::Mapping(doc)).unwrap()
    }
}

/// The training recipe: batch sizes, selection, optimiser, schedule. Read through
/// [`file::TrainFile`], which resolves the selector's name.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(try_from = "file::TrainFile")]
pub struct TrainSpec {
    /// Training iterations.
    pub steps: usize,
    /// Learning batch size b.
    pub batch_size: usize,
    /// Filtering ratio f = 1 − b/B; the super-batch is B = round(b / (1 − f)).
    /// Give this or `super_batch`, not both (neither: f = 0, B = b).
    pub filter_ratio: Option<f64>,
    /// The super-batch size B directly (for a fixed B across learning batch sizes).
    pub super_batch: Option<usize>,
    /// The selector (files name it by the results' method names).
    pub selector: SelectorName,
    /// The score matrix A (scoring selectors only).
    pub scoring: Scoring,
    /// Independent prioritisation: top-k or sampled.
    pub mode: IndependentMode,
    /// `jest`: number of chunks; b must be divisible by it.
    pub n_chunks: usize,
    /// Inverse temperature of the sampling distributions, p ∝ exp(gain · score).
    pub gain: f64,
    /// Peak learning rate.
    pub lr: f64,
    /// Linear warmup steps, then cosine decay to zero.
    pub warmup_steps: usize,
    pub beta1: f64,
    /// The paper's Adam uses β2 = 0.95.
    pub beta2: f64,
    pub eps: f64,
    /// Decoupled weight decay on weight matrices.
    pub weight_decay: f64,
    /// Global gradient-norm clipping threshold.
    pub clip_norm: f64,
    /// Cheap scoring and multi-resolution training (Flexi-JEST, docs/methods.md §5).
    #[serde(skip_serializing_if = "FlexiSpec::is_off")]
    pub flexi: FlexiSpec,
}

/// Flexi-JEST's analog for MLP towers (docs/methods.md §5): a low-resolution view of each
/// modality's input — features averaged in groups of `resolution` — through the same
/// towers with first-layer weights summed over each group (no new parameters).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FlexiSpec {
    /// Features per group, r (1: full resolution, where the other two keys change
    /// nothing — so a sweep over r can include the full-resolution baseline).
    #[serde(default = "default_resolution")]
    pub resolution: usize,
    /// Score super-batches at the low resolution.
    #[serde(default)]
    pub score_low_res: bool,
    /// The share of each learning batch trained at the low resolution (the rest at
    /// full; evaluation always at full).
    #[serde(default)]
    pub low_res_share: f64,
}

fn default_resolution() -> usize {
    1
}

impl Default for FlexiSpec {
    fn default() -> Self {
        FlexiSpec {
            resolution: 1,
            score_low_res: false,
            low_res_share: 0.0,
        }
    }
}

impl FlexiSpec {
    pub fn is_off(&self) -> bool {
        *self == FlexiSpec::default()
    }

    /// The resolution super-batches are scored at.
    pub fn score_resolution(&self) -> usize {
        if self.score_low_res {
            self.resolution
        } else {
            1
        }
    }

    /// How many of a learning batch of b train at the low resolution.
    pub fn low_res_items(&self, b: usize) -> usize {
        if self.resolution > 1 {
            ((self.low_res_share * b as f64).round() as usize).min(b)
        } else {
            0
        }
    }
}

fn default_selector() -> SelectorName {
    SelectorName::UNIFORM
}
pub(super) fn default_scoring() -> Scoring {
    Scoring::Learnability
}
fn default_mode() -> IndependentMode {
    IndependentMode::Topk
}
pub(super) fn default_n_chunks() -> usize {
    16
}
pub(super) fn default_gain() -> f64 {
    100.0
}
pub(super) fn default_lr() -> f64 {
    1e-3
}
pub(super) fn default_beta1() -> f64 {
    AdamConfig::default().beta1
}
pub(super) fn default_beta2() -> f64 {
    AdamConfig::default().beta2
}
pub(super) fn default_eps() -> f64 {
    AdamConfig::default().eps
}
pub(super) fn default_weight_decay() -> f64 {
    AdamConfig::default().weight_decay
}
pub(super) fn default_clip_norm() -> f64 {
    AdamConfig::default().clip_norm
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
    /// no filtering (the reference model's training, docs/methods.md §2).
    pub fn without_selection(&self) -> TrainSpec {
        TrainSpec {
            filter_ratio: None,
            super_batch: None,
            selector: default_selector(),
            scoring: default_scoring(),
            mode: default_mode(),
            n_chunks: default_n_chunks(),
            gain: default_gain(),
            flexi: FlexiSpec::default(),
            ..self.clone()
        }
    }

    /// The results' `method` of a run with this recipe.
    pub fn method(&self) -> Method {
        self.selector.method(self.mode)
    }

    /// The optimiser's settings.
    pub fn adam(&self) -> AdamConfig {
        AdamConfig {
            beta1: self.beta1,
            beta2: self.beta2,
            eps: self.eps,
            weight_decay: self.weight_decay,
            clip_norm: self.clip_norm,
        }
    }

    /// The selector's settings.
    pub fn selection(&self) -> Settings {
        Settings {
            selector: self.selector,
            mode: self.mode,
            n_chunks: self.n_chunks,
            gain: self.gain,
        }
    }

    /// The effective filtering ratio 1 − b/B.
    pub fn effective_filter_ratio(&self) -> f64 {
        1.0 - self.batch_size as f64 / self.super_batch() as f64
    }
}

/// Held-out evaluation: when, by exactly one of three schedules (step 0 and the
/// last step are always evaluated).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EvalSpec {
    /// Every this many steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<usize>,
    /// At these steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Vec<usize>>,
    /// At this many log-spaced steps from step 10 (or the last step, if sooner) to
    /// the last: early crossings are resolved on long horizons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_points: Option<usize>,
}

/// The first step a log-spaced schedule evaluates.
pub const LOG_SCHEDULE_START: usize = 10;

impl EvalSpec {
    /// The steps in 1..=total at which a run of `total` steps evaluates, ascending
    /// (the last step included; step 0 is evaluated before training).
    pub fn steps(&self, total: usize) -> Vec<usize> {
        let mut s: Vec<usize> = match (self.every, &self.at, self.log_points) {
            (Some(every), _, _) => (1..=total / every.max(1)).map(|k| k * every).collect(),
            (None, Some(at), _) => at
                .iter()
                .copied()
                .filter(|&x| x >= 1 && x <= total)
                .collect(),
            (None, None, Some(n)) => {
                let first = LOG_SCHEDULE_START.min(total).max(1) as f64;
                let ratio = total as f64 / first;
                (0..n)
                    .map(|k| {
                        let frac = k as f64 / (n.max(2) - 1) as f64;
                        libm::round(first * libm::pow(ratio, frac)) as usize
                    })
                    .collect()
            }
            (None, None, None) => Vec::new(),
        };
        s.push(total);
        s.sort_unstable();
        s.dedup();
        s.retain(|&x| x >= 1 && x <= total);
        s
    }
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
    /// Share of the reference set held out to choose the reference's checkpoint
    /// (0: none; the last step's model is used). With it, the reference is
    /// validated every `validate_every` steps and the checkpoint with the lowest
    /// held-out loss is kept — early stopping that never looks at the eval split.
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub validation_fraction: f64,
    /// Steps between the reference's validations (0: a twentieth of its steps).
    #[serde(default, skip_serializing_if = "is_zero_usize")]
    pub validate_every: usize,
}

fn is_zero_f64(x: &f64) -> bool {
    *x == 0.0
}

fn is_zero_usize(x: &usize) -> bool {
    *x == 0
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
            validation_fraction: 0.0,
            validate_every: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluation_schedules() {
        let every = EvalSpec {
            every: Some(300),
            ..Default::default()
        };
        assert_eq!(every.steps(1000), vec![300, 600, 900, 1000]);
        let at = EvalSpec {
            at: Some(vec![5, 50, 2000]),
            ..Default::default()
        };
        assert_eq!(at.steps(1000), vec![5, 50, 1000]);
        // Log-spaced from step 10 to the last: 10·(1600)^(k/4) for 16,000 steps.
        let log = EvalSpec {
            log_points: Some(5),
            ..Default::default()
        };
        assert_eq!(log.steps(16000), vec![10, 63, 400, 2530, 16000]);
        // Each point is about 6.3x the one before: early crossings are resolved.
        let s = log.steps(16000);
        for w in s.windows(2) {
            let r = w[1] as f64 / w[0] as f64;
            assert!((r - 1600f64.powf(0.25)).abs() < 0.1, "{s:?}");
        }
        // Short runs: from the last step if it comes before step 10; no duplicates.
        assert_eq!(log.steps(4), vec![4]);
        let dense = EvalSpec {
            log_points: Some(40),
            ..Default::default()
        };
        let d = dense.steps(100);
        assert!(d.windows(2).all(|w| w[0] < w[1]) && d[0] == 10 && *d.last().unwrap() == 100);
    }
}
