//! JEST's results rows: the columns a data-selection run logs beside the common
//! ones ([`JestRow`]), built from the training loop's [`EvalRecord`]s (their
//! layout on disk: `schema`).

use serde::{Deserialize, Serialize};

use super::{EvalRecord, RunStatus};
use crate::log::{Common, GIT_COMMIT, HARNESS_VERSION};
use crate::method::Method;

/// A data-selection run's row: the common columns and JEST's own.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct JestRow {
    #[serde(skip)]
    pub common: Common,
    /// The scoring rule (empty for selectors that do not score).
    pub scoring: String,
    pub filter_ratio: f64,
    pub super_batch: usize,
    pub n_chunks: usize,
    pub gain: f64,
    pub reference_quality: f64,
    /// Flexi-JEST: the resolution super-batches are scored at (1: full), the
    /// low resolution r, and the share of each batch trained at r.
    pub score_resolution: usize,
    pub low_resolution: usize,
    pub low_res_share: f64,
    pub examples_scored: u64,
    pub flops_learner_scoring: u64,
    pub flops_pairs: u64,
    pub flops_paper: u64,
    pub flops_reference_scoring_uncached: u64,
    pub flops_reference_embedding: u64,
    pub flops_reference_training: u64,
    pub select_seconds: f64,
    pub zero_shot_accuracy: Option<f64>,
    pub recall_at1_a2b: Option<f64>,
    pub recall_at1_b2a: Option<f64>,
    pub selected_learnability: Option<f64>,
    pub superbatch_learnability: Option<f64>,
    /// Shares of the pair kinds (clean, misaligned, heavily noised, near-duplicate)
    /// in the trained batches and in the super-batches over the evaluation window.
    pub selected_clean: Option<f64>,
    pub selected_misaligned: Option<f64>,
    pub selected_heavy_noise: Option<f64>,
    pub selected_duplicate: Option<f64>,
    pub superbatch_clean: Option<f64>,
    pub superbatch_misaligned: Option<f64>,
    pub superbatch_heavy_noise: Option<f64>,
    pub superbatch_duplicate: Option<f64>,
    /// The reference model's held-out zero-shot accuracy.
    pub reference_score: Option<f64>,
    /// Seconds spent training and embedding the reference (once, shared).
    pub reference_seconds: f64,
    /// The reference checkpoint's step (its last, or the one its held-out
    /// validation chose).
    pub reference_step: Option<usize>,
    /// Shares of the head, torso and tail concepts (equal-mass thirds of the pool
    /// by concept frequency, `data::concepts`) in the trained batches and in the
    /// super-batches over the evaluation window; empty without labels.
    pub selected_head: Option<f64>,
    pub selected_torso: Option<f64>,
    pub selected_tail: Option<f64>,
    pub superbatch_head: Option<f64>,
    pub superbatch_torso: Option<f64>,
    pub superbatch_tail: Option<f64>,
    /// The share of a trained batch's off-diagonal pairs whose items share a
    /// concept (false in-batch negatives), window mean; the same over super-batches.
    pub selected_same_concept: Option<f64>,
    pub superbatch_same_concept: Option<f64>,
    /// Zero-shot accuracy over the eval items of head, torso and tail concepts.
    pub zero_shot_head: Option<f64>,
    pub zero_shot_torso: Option<f64>,
    pub zero_shot_tail: Option<f64>,
    /// The world of the experiment's `replicates` the run drew (empty without).
    pub world: Option<u64>,
    /// The seeds its data and its reference were drawn with (empty in files
    /// written before they were logged).
    pub dataset_seed: Option<u64>,
    pub reference_seed: Option<u64>,
}

/// The columns of a JEST run's rows that are the same on all its rows.
#[derive(Clone, Debug, PartialEq)]
pub struct RunIdentity {
    pub experiment: String,
    pub run_id: String,
    pub config_hash: String,
    pub seed: u64,
    pub method: Method,
    pub scoring: String,
    pub filter_ratio: f64,
    pub batch_size: usize,
    pub super_batch: usize,
    pub n_chunks: usize,
    pub gain: f64,
    pub reference_quality: f64,
    pub score_resolution: usize,
    pub low_resolution: usize,
    pub low_res_share: f64,
    pub sweep: String,
    pub device: String,
    pub world: Option<u64>,
    pub dataset_seed: u64,
    pub reference_seed: u64,
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

impl JestRow {
    /// The row of an eval record of a jest-family run.
    pub fn from_record(id: &RunIdentity, r: &EvalRecord) -> JestRow {
        let m = &r.metrics;
        JestRow {
            common: Common {
                experiment: id.experiment.clone(),
                run_id: id.run_id.clone(),
                config_hash: id.config_hash.clone(),
                seed: id.seed,
                method: id.method,
                batch_size: id.batch_size,
                sweep: id.sweep.clone(),
                step: r.step,
                examples_trained: r.examples_trained,
                flops_train: r.flops.train,
                train_seconds: r.train_seconds,
                eval_seconds: r.eval_seconds,
                train_loss: if r.status == RunStatus::Diverged {
                    Some(r.train_loss)
                } else {
                    finite(r.train_loss)
                },
                eval_loss: finite(m.eval_loss),
                eval_score: finite(m.zero_shot_accuracy),
                eval_metric: "zero_shot_accuracy".into(),
                status: r.status,
                device: id.device.clone(),
                harness_version: HARNESS_VERSION.to_string(),
                git_commit: GIT_COMMIT.to_string(),
            },
            scoring: id.scoring.clone(),
            filter_ratio: id.filter_ratio,
            super_batch: id.super_batch,
            n_chunks: id.n_chunks,
            gain: id.gain,
            reference_quality: id.reference_quality,
            score_resolution: id.score_resolution,
            low_resolution: id.low_resolution,
            low_res_share: id.low_res_share,
            examples_scored: r.examples_scored,
            flops_learner_scoring: r.flops.learner_scoring,
            flops_pairs: r.flops.pairs,
            flops_paper: r.flops.paper,
            flops_reference_scoring_uncached: r.flops.reference_scoring_uncached,
            flops_reference_embedding: r.flops.reference_embedding,
            flops_reference_training: r.flops.reference_training,
            select_seconds: r.select_seconds,
            zero_shot_accuracy: finite(m.zero_shot_accuracy),
            recall_at1_a2b: finite(m.recall_at1_a2b),
            recall_at1_b2a: finite(m.recall_at1_b2a),
            selected_learnability: finite(r.selected_learnability),
            superbatch_learnability: finite(r.superbatch_learnability),
            selected_clean: r.selected_kinds.map(|k| k[0]),
            selected_misaligned: r.selected_kinds.map(|k| k[1]),
            selected_heavy_noise: r.selected_kinds.map(|k| k[2]),
            selected_duplicate: r.selected_kinds.map(|k| k[3]),
            superbatch_clean: r.superbatch_kinds.map(|k| k[0]),
            superbatch_misaligned: r.superbatch_kinds.map(|k| k[1]),
            superbatch_heavy_noise: r.superbatch_kinds.map(|k| k[2]),
            superbatch_duplicate: r.superbatch_kinds.map(|k| k[3]),
            reference_score: finite(r.reference_score),
            reference_seconds: r.reference_seconds,
            reference_step: r.reference_step,
            selected_head: r.selected_buckets.map(|k| k[0]),
            selected_torso: r.selected_buckets.map(|k| k[1]),
            selected_tail: r.selected_buckets.map(|k| k[2]),
            superbatch_head: r.superbatch_buckets.map(|k| k[0]),
            superbatch_torso: r.superbatch_buckets.map(|k| k[1]),
            superbatch_tail: r.superbatch_buckets.map(|k| k[2]),
            selected_same_concept: finite(r.selected_same_concept),
            superbatch_same_concept: finite(r.superbatch_same_concept),
            zero_shot_head: finite(m.zero_shot_by_bucket[0]),
            zero_shot_torso: finite(m.zero_shot_by_bucket[1]),
            zero_shot_tail: finite(m.zero_shot_by_bucket[2]),
            world: id.world,
            dataset_seed: Some(id.dataset_seed),
            reference_seed: Some(id.reference_seed),
        }
    }
}
