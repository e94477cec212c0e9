//! Results rows grouped into sweep cells: per run, its evaluation curve on every
//! x-axis; per cell, the seed-mean curves with point-wise bands, the final score
//! and the trained batches' learnability, each with a bootstrap interval.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::method::Method;
use crate::stats::{self, mean_interval_over, Curve, Interval};
use crate::train::JestRow;
use crate::train::RunStatus;

use super::diagnostics::{
    buckets, concept_windows, kind_windows, kinds, learnability_curve, ConceptWindow, KindWindow,
};

/// The x-axes of learning curves and speed-ups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Axis {
    /// Training iterations.
    Iterations,
    /// Learner FLOPs as the paper counts them: the scoring forward is reused for the
    /// chosen b, reference embeddings are cached and free, reference training is free.
    FlopsPaper,
    /// + reference scoring without a cache (a reference forward over each super-batch).
    FlopsPlusReferenceScoring,
    /// + the reference model's whole training.
    FlopsPlusReferenceTraining,
    /// What this harness executed: learner towers (a fresh forward for training),
    /// every pair entry scored or trained on, the reference's pass over the pool.
    FlopsExecuted,
    /// Wall-clock training seconds (scoring included, evaluation excluded).
    Seconds,
}

impl Axis {
    pub const ALL: [Axis; 6] = [
        Axis::Iterations,
        Axis::FlopsPaper,
        Axis::FlopsPlusReferenceScoring,
        Axis::FlopsPlusReferenceTraining,
        Axis::FlopsExecuted,
        Axis::Seconds,
    ];

    /// The axes learning curves are drawn on.
    pub const PLOTTED: [Axis; 2] = [Axis::Iterations, Axis::FlopsPaper];

    pub fn name(self) -> &'static str {
        match self {
            Axis::Iterations => "iterations",
            Axis::FlopsPaper => "flops_paper",
            Axis::FlopsPlusReferenceScoring => "flops_plus_reference_scoring",
            Axis::FlopsPlusReferenceTraining => "flops_plus_reference_training",
            Axis::FlopsExecuted => "flops_executed",
            Axis::Seconds => "seconds",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Axis::Iterations => "iterations",
            Axis::FlopsPaper => "FLOPs (paper: learner only)",
            Axis::FlopsPlusReferenceScoring => "FLOPs (+ reference scoring)",
            Axis::FlopsPlusReferenceTraining => "FLOPs (+ reference training)",
            Axis::FlopsExecuted => "FLOPs (executed)",
            Axis::Seconds => "wall-clock seconds",
        }
    }

    /// This axis's x for a row (FLOP accountings from `flops`).
    fn of(self, r: &JestRow) -> f64 {
        let paper = r.flops_paper as f64;
        match self {
            Axis::Iterations => r.common.step as f64,
            Axis::FlopsPaper => paper,
            Axis::FlopsPlusReferenceScoring => paper + r.flops_reference_scoring_uncached as f64,
            Axis::FlopsPlusReferenceTraining => {
                paper
                    + r.flops_reference_scoring_uncached as f64
                    + r.flops_reference_training as f64
            }
            Axis::FlopsExecuted => {
                (r.common.flops_train
                    + r.flops_learner_scoring
                    + r.flops_pairs
                    + r.flops_reference_embedding) as f64
            }
            Axis::Seconds => r.common.train_seconds,
        }
    }
}

/// One run's evaluation rows as curves.
#[derive(Clone, Debug, Serialize)]
pub struct RunSeries {
    pub seed: u64,
    /// The world of the experiment's replicates it drew (`None`: the file's one
    /// world; such seeds are independent draws of the learner only).
    pub world: Option<u64>,
    pub status: RunStatus,
    pub score: Vec<f64>,
    pub x: BTreeMap<Axis, Vec<f64>>,
    pub selected_learnability: Vec<f64>,
    /// Kinds of pairs picked and offered per evaluation window (clean, misaligned,
    /// heavy noise, duplicate), where known.
    pub selected_kinds: Vec<Option<[f64; 4]>>,
    pub superbatch_kinds: Vec<Option<[f64; 4]>>,
    /// Head, torso and tail concept shares picked and offered per evaluation
    /// window, where the pool has labels.
    pub selected_buckets: Vec<Option<[f64; 3]>>,
    pub superbatch_buckets: Vec<Option<[f64; 3]>>,
    /// The same-concept share of the trained batches' and super-batches' pairs
    /// per evaluation window, where the pool has labels.
    pub same_concept: Vec<Option<[f64; 2]>>,
    /// Zero-shot accuracy on head, torso and tail concepts at the last row (NaN
    /// where the eval set has no concept of a bucket, or it was not logged).
    pub final_by_bucket: [f64; 3],
    /// The held-out zero-shot accuracy of the reference this run used, if any.
    pub reference_score: Option<f64>,
}

impl RunSeries {
    pub fn curve(&self, axis: Axis) -> Curve {
        Curve::new(self.x[&axis].clone(), self.score.clone())
    }

    pub fn final_score(&self) -> f64 {
        *self.score.last().unwrap_or(&f64::NAN)
    }

    /// Mean learnability of the batches it trained on (NaN when never logged).
    pub fn mean_learnability(&self) -> f64 {
        let v: Vec<f64> = self
            .selected_learnability
            .iter()
            .copied()
            .filter(|x| x.is_finite())
            .collect();
        if v.is_empty() {
            f64::NAN
        } else {
            stats::mean(&v)
        }
    }
}

/// A seed-mean curve with its point-wise 95% bootstrap band.
#[derive(Clone, Debug, Serialize)]
pub struct Band {
    pub axis: Axis,
    pub mean: Curve,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// All runs of one sweep cell, and its summaries.
#[derive(Clone, Debug, Serialize)]
pub struct Cell {
    pub experiment: String,
    pub config_hash: String,
    pub method: Method,
    /// The sweep values other than the selector (and its mode), `key=value;...`.
    pub setting: String,
    pub sweep: Vec<(String, String)>,
    /// The effective filtering ratio, b, B, and the horizon (training steps).
    pub filter_ratio: f64,
    pub batch_size: usize,
    pub super_batch: usize,
    /// Scores super-batches at a low resolution (Flexi-JEST's cheap scoring).
    pub cheap_scoring: bool,
    /// Scores and trains at full resolution only (no Flexi-JEST): what a uniform
    /// baseline must be.
    pub full_resolution: bool,
    pub steps: usize,
    /// The sampling distributions' gain and the reference data's quality (read
    /// by trends; not saved again in `analysis.json`).
    #[serde(skip)]
    pub gain: f64,
    #[serde(skip)]
    pub reference_quality: f64,
    /// Each run's curves: the results file's rows regrouped, so not saved again
    /// in `analysis.json`.
    #[serde(skip)]
    pub runs: Vec<RunSeries>,
    pub diverged: usize,
    /// Seed-mean final score of the completed runs.
    pub final_score: Option<Interval>,
    /// Seed mean of each run's mean trained-batch learnability, where logged.
    pub learnability: Option<Interval>,
    /// Learning curves on the plotted axes.
    pub bands: Vec<Band>,
    /// Seed-mean trained-batch learnability per evaluation window (step, value).
    pub learnability_curve: Vec<(f64, f64)>,
    /// Seed-mean kinds of pairs picked and offered per evaluation window. Plot
    /// data (the report's diagnostics figures), left out of analysis.json as the
    /// iso-accuracy readings are; `jestbench report` recomputes both.
    #[serde(skip)]
    pub kinds: Vec<KindWindow>,
    /// Seed-mean head, torso and tail concept shares picked and offered per
    /// window (plot data, as `kinds`).
    #[serde(skip)]
    pub concepts: Vec<ConceptWindow>,
    /// Seed-mean zero-shot accuracy on head, torso and tail concepts at the end
    /// (NaN where not measured).
    pub final_by_bucket: [f64; 3],
    /// Seed mean of the reference models' held-out scores.
    pub reference_score: Option<f64>,
}

impl Cell {
    pub fn label(&self) -> String {
        if self.setting.is_empty() {
            self.method.to_string()
        } else {
            format!("{} | {}", self.method, self.setting)
        }
    }

    /// The setting a baseline shares with this cell: without the selector's and
    /// Flexi-JEST's keys (every variant of a selector is compared with the same
    /// full-resolution uniform cell), and without `key` when given.
    pub fn baseline_setting(&self, key: Option<&str>) -> String {
        self.sweep
            .iter()
            .filter(|(k, _)| Some(k.as_str()) != key)
            .filter(|(k, _)| !SELECTOR_KEYS.contains(&k.as_str()))
            .filter(|(k, _)| !VARIANT_KEYS.contains(&k.as_str()))
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(";")
    }

    /// The setting without one swept key (`key=value` removed).
    pub fn setting_without(&self, key: &str) -> String {
        self.sweep
            .iter()
            .filter(|(k, _)| k != key && !SELECTOR_KEYS.contains(&k.as_str()))
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(";")
    }

    /// Seeds that completed (diverged runs are reported apart).
    pub fn complete(&self) -> Vec<&RunSeries> {
        self.runs
            .iter()
            .filter(|r| r.status == RunStatus::Complete)
            .collect()
    }

    pub fn mean_curve(&self, axis: Axis) -> Curve {
        let curves: Vec<Curve> = self.complete().iter().map(|r| r.curve(axis)).collect();
        stats::mean_curve(&curves.iter().collect::<Vec<_>>())
    }

    pub fn final_scores(&self) -> Vec<f64> {
        self.complete().iter().map(|r| r.final_score()).collect()
    }

    /// The worlds of [`Cell::complete`]'s runs, in that order (what a nested
    /// bootstrap resamples first).
    pub fn groups(&self) -> Vec<Option<u64>> {
        self.complete().iter().map(|r| r.world).collect()
    }

    /// How many independent replicates its complete runs are: worlds where the
    /// runs drew them, else seeds.
    pub fn units(&self) -> usize {
        stats::units(&self.groups())
    }

    pub fn band(&self, axis: Axis) -> Option<&Band> {
        self.bands.iter().find(|b| b.axis == axis)
    }

    /// Fills the summaries from the runs.
    fn summarise(&mut self) {
        let finals = self.final_scores();
        let draws = stats::mean_draws(&self.groups());
        self.final_score = (!finals.is_empty()).then(|| mean_interval_over(&finals, &draws));
        let learn: Vec<f64> = self
            .complete()
            .iter()
            .map(|r| r.mean_learnability())
            .collect();
        self.learnability = (!learn.is_empty() && learn.iter().all(|v| v.is_finite()))
            .then(|| mean_interval_over(&learn, &draws));
        self.bands = Axis::PLOTTED
            .iter()
            .map(|&a| band(self, a, &draws))
            .collect();
        let runs = self.complete();
        let steps: &[f64] = runs.first().map_or(&[], |r| &r.x[&Axis::Iterations]);
        let learn: Vec<&[f64]> = runs.iter().map(|r| &r.selected_learnability[..]).collect();
        let selected: Vec<_> = runs.iter().map(|r| &r.selected_kinds[..]).collect();
        let offered: Vec<_> = runs.iter().map(|r| &r.superbatch_kinds[..]).collect();
        let (b, big_b) = (self.batch_size as f64, self.super_batch as f64);
        let selected_buckets: Vec<_> = runs.iter().map(|r| &r.selected_buckets[..]).collect();
        let offered_buckets: Vec<_> = runs.iter().map(|r| &r.superbatch_buckets[..]).collect();
        let same: Vec<_> = runs.iter().map(|r| &r.same_concept[..]).collect();
        let by_bucket: Vec<[f64; 3]> = runs.iter().map(|r| r.final_by_bucket).collect();
        let (curve, kinds, concepts) = (
            learnability_curve(steps, &learn),
            kind_windows(steps, &selected, &offered, b, big_b),
            concept_windows(steps, &selected_buckets, &offered_buckets, &same),
        );
        self.final_by_bucket = std::array::from_fn(|i| {
            by_bucket.iter().map(|v| v[i]).sum::<f64>() / by_bucket.len() as f64
        });
        self.learnability_curve = curve;
        self.kinds = kinds;
        self.concepts = concepts;
        let refs: Vec<f64> = self.runs.iter().filter_map(|r| r.reference_score).collect();
        self.reference_score = (!refs.is_empty()).then(|| stats::mean(&refs));
    }
}

/// Point-wise 95% bootstrap band of a cell's seed-mean curve.
/// `draws`: the cell's seed resamples ([`stats::mean_draws`]), drawn once for
/// every point.
fn band(cell: &Cell, axis: Axis, draws: &[Vec<usize>]) -> Band {
    let runs = cell.complete();
    let mean = cell.mean_curve(axis);
    let (mut lower, mut upper) = (Vec::new(), Vec::new());
    for k in 0..mean.y.len() {
        let ys: Vec<f64> = runs.iter().map(|r| r.score[k]).collect();
        let ci = mean_interval_over(&ys, draws);
        lower.push(ci.lower_bound);
        upper.push(ci.upper_bound);
    }
    Band {
        axis,
        mean,
        lower,
        upper,
    }
}

/// Sweep keys that define the selector rather than the setting it runs in.
const SELECTOR_KEYS: [&str; 2] = ["train.selector", "train.mode"];

/// Keys that make a variant of a selector rather than another setting: a
/// Flexi-JEST cell is compared with the full-resolution uniform cell.
const VARIANT_KEYS: [&str; 3] = [
    "train.flexi.resolution",
    "train.flexi.score_low_res",
    "train.flexi.low_res_share",
];

/// For each cell, the earlier cell it repeats, if any: the same method and, seed by
/// seed, the same scores at the same steps and FLOPs, wall-clock time aside (a
/// configuration that several experiments share, e.g. JEST at f = 0.8 as the filter-ratio, gain,
/// scoring and reference-quality baselines). Claims count such runs once.
pub fn repeats(cells: &[Cell]) -> Vec<Option<usize>> {
    let same = |a: &Cell, b: &Cell| {
        a.method == b.method
            && a.runs.len() == b.runs.len()
            && a.runs.iter().zip(&b.runs).all(|(x, y)| {
                x.seed == y.seed
                    && x.status == y.status
                    && x.score == y.score
                    && x.x
                        .iter()
                        .filter(|(a, _)| **a != Axis::Seconds)
                        .eq(y.x.iter().filter(|(a, _)| **a != Axis::Seconds))
            })
    };
    (0..cells.len())
        .map(|i| (0..i).find(|&j| same(&cells[j], &cells[i])))
        .collect()
}

/// Groups rows (of one or more experiments) into cells, in a stable order.
pub fn cells(rows: &[JestRow]) -> Vec<Cell> {
    let mut by_run: BTreeMap<(String, String), Vec<&JestRow>> = BTreeMap::new();
    for r in rows {
        by_run
            .entry((r.common.experiment.clone(), r.common.run_id.clone()))
            .or_default()
            .push(r);
    }
    let mut by_cell: BTreeMap<(String, String), Cell> = BTreeMap::new();
    for ((experiment, _), mut rs) in by_run {
        rs.sort_by_key(|r| r.common.step);
        let first = rs[0];
        let last = rs[rs.len() - 1];
        let sweep: Vec<(String, String)> = first
            .common
            .sweep
            .split(';')
            .filter(|s| !s.is_empty())
            .filter_map(|kv| {
                kv.split_once('=')
                    .map(|(k, v)| (k.to_string(), v.to_string()))
            })
            .collect();
        let setting = sweep
            .iter()
            .filter(|(k, _)| !SELECTOR_KEYS.contains(&k.as_str()))
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(";");
        let cell = by_cell
            .entry((experiment.clone(), first.common.config_hash.clone()))
            .or_insert_with(|| Cell {
                experiment: experiment.clone(),
                config_hash: first.common.config_hash.clone(),
                method: first.common.method,
                setting,
                sweep,
                filter_ratio: first.filter_ratio,
                batch_size: first.common.batch_size,
                super_batch: first.super_batch,
                cheap_scoring: first.score_resolution > 1,
                full_resolution: first.score_resolution <= 1 && first.low_res_share == 0.0,
                steps: 0,
                gain: first.gain,
                reference_quality: first.reference_quality,
                runs: Vec::new(),
                diverged: 0,
                final_score: None,
                learnability: None,
                bands: Vec::new(),
                learnability_curve: Vec::new(),
                kinds: Vec::new(),
                concepts: Vec::new(),
                final_by_bucket: [f64::NAN; 3],
                reference_score: None,
            });
        if last.common.status == RunStatus::Diverged {
            cell.diverged += 1;
        } else {
            cell.steps = cell.steps.max(last.common.step);
        }
        let score: Vec<f64> = rs
            .iter()
            .map(|r| r.common.eval_score.unwrap_or(f64::NAN))
            .collect();
        let x = Axis::ALL
            .iter()
            .map(|&a| (a, rs.iter().map(|r| a.of(r)).collect()))
            .collect();
        cell.runs.push(RunSeries {
            seed: first.common.seed,
            world: last.world,
            status: last.common.status,
            score,
            x,
            selected_learnability: rs
                .iter()
                .map(|r| r.selected_learnability.unwrap_or(f64::NAN))
                .collect(),
            selected_kinds: rs.iter().map(|r| kinds(r, true)).collect(),
            superbatch_kinds: rs.iter().map(|r| kinds(r, false)).collect(),
            selected_buckets: rs.iter().map(|r| buckets(r, true)).collect(),
            superbatch_buckets: rs.iter().map(|r| buckets(r, false)).collect(),
            same_concept: rs
                .iter()
                .map(|r| Some([r.selected_same_concept?, r.superbatch_same_concept?]))
                .collect(),
            final_by_bucket: [
                last.zero_shot_head,
                last.zero_shot_torso,
                last.zero_shot_tail,
            ]
            .map(|v| v.unwrap_or(f64::NAN)),
            reference_score: last.reference_score,
        });
    }
    let mut out: Vec<Cell> = by_cell.into_values().collect();
    for c in &mut out {
        c.runs.sort_by_key(|r| r.seed);
        c.summarise();
    }
    // Settings in numeric order (250 before 1000), as every table and plot shows them.
    out.sort_by(|a, b| {
        a.experiment
            .cmp(&b.experiment)
            .then_with(|| crate::names::natural_cmp(&a.setting, &b.setting))
            .then_with(|| a.method.cmp(&b.method))
    });
    out
}
