//! The results schema (SPEC §4): one flat row type for every family of run.

use serde::{Deserialize, Serialize};

use crate::method::{Family, Method};
use crate::train::{EvalRecord, RunStatus};

pub const HARNESS_VERSION: &str = env!("CARGO_PKG_VERSION");
pub const GIT_COMMIT: &str = env!("JESTBENCH_GIT_COMMIT");

/// The columns that identify a run and its configuration (same on all its rows).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunIdentity {
    pub experiment: String,
    pub run_id: String,
    pub config_hash: String,
    pub seed: u64,
    /// `jest` (data selection runs) or `swim` (sampled networks).
    pub family: Family,
    /// The selector (jest family) or the fitting method (swim family).
    #[serde(deserialize_with = "super::methods::deserialize")]
    pub method: Method,
    /// The scoring rule (empty for selectors that do not score).
    pub scoring: String,
    pub filter_ratio: f64,
    pub batch_size: usize,
    pub super_batch: usize,
    pub n_chunks: usize,
    pub gain: f64,
    pub reference_quality: f64,
    /// Flexi-JEST: the resolution super-batches are scored at (1: full), the
    /// low resolution r, and the share of each batch trained at r.
    pub score_resolution: usize,
    pub low_resolution: usize,
    pub low_res_share: f64,
    /// The swept keys and this run's values, `key=value;...`.
    pub sweep: String,
    pub device: String,
}

/// One row of results.csv / summary.csv. Empty cells are values that do not apply.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub experiment: String,
    pub run_id: String,
    pub config_hash: String,
    pub seed: u64,
    pub family: Family,
    #[serde(deserialize_with = "super::methods::deserialize")]
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
    pub step: usize,
    pub examples_trained: u64,
    pub examples_scored: u64,
    pub flops_train: u64,
    pub flops_learner_scoring: u64,
    pub flops_pairs: u64,
    pub flops_paper: u64,
    pub flops_reference_scoring_uncached: u64,
    pub flops_reference_embedding: u64,
    pub flops_reference_training: u64,
    pub train_seconds: f64,
    pub select_seconds: f64,
    pub eval_seconds: f64,
    pub train_loss: Option<f64>,
    pub eval_loss: Option<f64>,
    pub zero_shot_accuracy: Option<f64>,
    pub recall_at1_a2b: Option<f64>,
    pub recall_at1_b2a: Option<f64>,
    /// The headline metric of the family (jest: zero-shot accuracy).
    pub eval_score: Option<f64>,
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
    pub status: RunStatus,
    pub device: String,
    pub harness_version: String,
    pub git_commit: String,
    /// What `eval_score` measures: `zero_shot_accuracy` (jest), `accuracy` or
    /// `rel_l2_error` (swim). Absent in files written before it existed.
    #[serde(default)]
    pub eval_metric: String,
    /// Swim family, Adam: the validation loss of this epoch's weights (what early
    /// stopping watches; `eval_score` is the checkpoint's test metric).
    #[serde(default)]
    pub val_loss: Option<f64>,
    /// Swim family, Hamiltonian tasks: the relative L2 error of the learned
    /// gradient (the vector field's) on the test set.
    #[serde(default)]
    pub grad_error: Option<f64>,
    /// Swim family, Hamiltonian tasks, a run's last row: max |H(x_t) − H(x₀)| of
    /// the true H along the trajectory integrated with the learned H (`inf`: it
    /// blew up).
    #[serde(default)]
    pub energy_drift: Option<f64>,
    /// Shares of the head, torso and tail concepts (equal-mass thirds of the pool
    /// by concept frequency, `data::concepts`) in the trained batches and in the
    /// super-batches over the evaluation window; empty without labels.
    #[serde(default)]
    pub selected_head: Option<f64>,
    #[serde(default)]
    pub selected_torso: Option<f64>,
    #[serde(default)]
    pub selected_tail: Option<f64>,
    #[serde(default)]
    pub superbatch_head: Option<f64>,
    #[serde(default)]
    pub superbatch_torso: Option<f64>,
    #[serde(default)]
    pub superbatch_tail: Option<f64>,
    /// The share of a trained batch's off-diagonal pairs whose items share a
    /// concept (false in-batch negatives), window mean; the same over super-batches.
    #[serde(default)]
    pub selected_same_concept: Option<f64>,
    #[serde(default)]
    pub superbatch_same_concept: Option<f64>,
    /// Zero-shot accuracy over the eval items of head, torso and tail concepts.
    #[serde(default)]
    pub zero_shot_head: Option<f64>,
    #[serde(default)]
    pub zero_shot_torso: Option<f64>,
    #[serde(default)]
    pub zero_shot_tail: Option<f64>,
}

/// Columns a results file may lack (added after the first files were written).
const OPTIONAL_COLUMNS: [&str; 15] = [
    "eval_metric",
    "val_loss",
    "grad_error",
    "energy_drift",
    "selected_head",
    "selected_torso",
    "selected_tail",
    "superbatch_head",
    "superbatch_torso",
    "superbatch_tail",
    "selected_same_concept",
    "superbatch_same_concept",
    "zero_shot_head",
    "zero_shot_torso",
    "zero_shot_tail",
];

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

impl Row {
    /// The row of an eval record of a jest-family run.
    pub fn from_record(id: &RunIdentity, r: &EvalRecord) -> Row {
        let m = &r.metrics;
        Row {
            experiment: id.experiment.clone(),
            run_id: id.run_id.clone(),
            config_hash: id.config_hash.clone(),
            seed: id.seed,
            family: id.family,
            method: id.method,
            scoring: id.scoring.clone(),
            filter_ratio: id.filter_ratio,
            batch_size: id.batch_size,
            super_batch: id.super_batch,
            n_chunks: id.n_chunks,
            gain: id.gain,
            reference_quality: id.reference_quality,
            score_resolution: id.score_resolution,
            low_resolution: id.low_resolution,
            low_res_share: id.low_res_share,
            sweep: id.sweep.clone(),
            step: r.step,
            examples_trained: r.examples_trained,
            examples_scored: r.examples_scored,
            flops_train: r.flops.train,
            flops_learner_scoring: r.flops.learner_scoring,
            flops_pairs: r.flops.pairs,
            flops_paper: r.flops.paper,
            flops_reference_scoring_uncached: r.flops.reference_scoring_uncached,
            flops_reference_embedding: r.flops.reference_embedding,
            flops_reference_training: r.flops.reference_training,
            train_seconds: r.train_seconds,
            select_seconds: r.select_seconds,
            eval_seconds: r.eval_seconds,
            train_loss: if r.status == RunStatus::Diverged {
                Some(r.train_loss)
            } else {
                finite(r.train_loss)
            },
            eval_loss: finite(m.eval_loss),
            zero_shot_accuracy: finite(m.zero_shot_accuracy),
            recall_at1_a2b: finite(m.recall_at1_a2b),
            recall_at1_b2a: finite(m.recall_at1_b2a),
            eval_score: finite(m.zero_shot_accuracy),
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
            status: r.status,
            device: id.device.clone(),
            harness_version: HARNESS_VERSION.to_string(),
            git_commit: GIT_COMMIT.to_string(),
            eval_metric: "zero_shot_accuracy".into(),
            val_loss: None,
            grad_error: None,
            energy_drift: None,
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
        }
    }

    /// The row with its timing columns (`*_seconds`) zeroed, its provenance
    /// columns (harness version, git commit) cleared and its selector named as the
    /// method is (`train.selector=independent` in rows from files written before
    /// one name per selector): what must be bit-identical when the same
    /// configuration and seed run again on the CPU.
    pub fn masked(&self) -> Row {
        let sweep = self
            .sweep
            .split(';')
            .map(|kv| match kv {
                "train.selector=independent" => format!("train.selector={}", self.method.as_str()),
                _ => kv.to_string(),
            })
            .collect::<Vec<_>>()
            .join(";");
        Row {
            sweep,
            train_seconds: 0.0,
            select_seconds: 0.0,
            eval_seconds: 0.0,
            reference_seconds: 0.0,
            harness_version: String::new(),
            git_commit: String::new(),
            ..self.clone()
        }
    }

    /// The row as one CSV line, newline included.
    pub fn to_line(&self) -> String {
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        w.serialize(self).expect("rows serialise");
        String::from_utf8(w.into_inner().expect("in-memory write")).expect("utf-8")
    }
}

/// The header line of both files.
pub fn header_line() -> String {
    let mut w = csv::WriterBuilder::new()
        .has_headers(true)
        .from_writer(Vec::new());
    // Serialising any row makes csv write the header from the field names.
    let dummy = Row::default();
    w.serialize(&dummy).expect("rows serialise");
    let text = String::from_utf8(w.into_inner().expect("in-memory write")).expect("utf-8");
    text.lines().next().expect("a header line").to_string() + "\n"
}

/// A CSV reader over whole text, and its header.
pub(super) fn reader(text: &str) -> Result<(csv::Reader<&[u8]>, Vec<String>), String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = r
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(str::to_string)
        .collect();
    Ok((r, header))
}

/// A record that does not parse, with its line.
pub(super) fn record_error(e: csv::Error) -> String {
    match e.position() {
        Some(p) => format!("line {}: {e}", p.line()),
        None => e.to_string(),
    }
}

/// Parses whole CSV text (header first) into rows, and names the optional columns
/// the file lacks (it predates them: their cells read as empty); errors name the line.
pub fn parse(text: &str) -> Result<(Vec<Row>, Vec<String>), String> {
    if text.trim().is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let (mut r, got) = reader(text)?;
    if super::foreign::is_foreign(&got) {
        return super::foreign::read(&got, r).map(|rows| (rows, Vec::new()));
    }
    let want = header_line();
    let want: Vec<&str> = want.trim_end().split(',').collect();
    if let Some(missing) = want
        .iter()
        .filter(|c| !OPTIONAL_COLUMNS.contains(c))
        .find(|c| !got.iter().any(|g| g == *c))
    {
        return Err(format!("line 1: missing column `{missing}` (not a jestbench results file, or from another version; results from other tools use the minimal schema, {})", super::foreign::REQUIRED.join(", ")));
    }
    let absent = OPTIONAL_COLUMNS
        .iter()
        .filter(|c| !got.iter().any(|g| g == *c))
        .map(|c| c.to_string())
        .collect();
    let mut rows = Vec::new();
    let headers = r.headers().map_err(|e| e.to_string())?.clone();
    for rec in r.records() {
        let rec = rec.map_err(record_error)?;
        let line = rec.position().map_or(0, |p| p.line());
        let row: Row = rec
            .deserialize(Some(&headers))
            .map_err(|e| format!("line {line}: {e}"))?;
        // The experiment names report folders and files: the same rule as the
        // experiment file's `name`.
        crate::names::identifier(&row.experiment)
            .map_err(|m| format!("line {line}: column `experiment`: {m}"))?;
        rows.push(row);
    }
    Ok((rows, absent))
}
