//! From results rows to the numbers a report shows: per sweep cell, seed curves on
//! every x-axis; per scoring cell, its uniform baseline and the speed-ups to reach the
//! baseline's final (and best) seed-mean score, with bootstrap CIs over seeds; final
//! scores with Welch's test (Holm-corrected across the report) and Hedges' g.
//! Every statistic comes from `stats`; this only arranges rows.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::log::Row;
use crate::stats::{self, bootstrap, percentile_interval, Curve, Interval, Reached};

/// Bootstrap resamples (≥ 2,000) and their seed.
pub const RESAMPLES: usize = 2000;
pub const BOOTSTRAP_SEED: u64 = 0x5eed;

/// The x-axes of learning curves and speed-ups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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
    /// What this harness executed: fresh training forward, cached reference scoring,
    /// the reference's pass over the pool.
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

    /// This axis's x for a row.
    fn of(self, r: &Row) -> f64 {
        let scored = r.flops_learner_scoring > 0;
        let train = r.flops_train as f64;
        let paper = if scored {
            r.flops_learner_scoring as f64 + train * 2.0 / 3.0
        } else {
            train
        };
        match self {
            Axis::Iterations => r.step as f64,
            Axis::FlopsPaper => paper,
            Axis::FlopsPlusReferenceScoring => paper + r.flops_reference_scoring_uncached as f64,
            Axis::FlopsPlusReferenceTraining => {
                paper
                    + r.flops_reference_scoring_uncached as f64
                    + r.flops_reference_training as f64
            }
            Axis::FlopsExecuted => {
                train
                    + r.flops_learner_scoring as f64
                    + r.flops_reference_scoring_cached as f64
                    + r.flops_reference_embedding as f64
            }
            Axis::Seconds => r.train_seconds,
        }
    }
}

/// Which of the baseline's seed-mean scores is the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Target {
    /// Its final score (the paper's target).
    Final,
    /// Its best score along the curve (harder when the baseline peaks and declines).
    Best,
}

impl Target {
    pub fn name(self) -> &'static str {
        match self {
            Target::Final => "final",
            Target::Best => "best",
        }
    }

    fn of(self, c: &Curve) -> f64 {
        match self {
            Target::Final => c.last(),
            Target::Best => c.max(),
        }
    }
}

/// One run's evaluation rows as curves.
#[derive(Clone, Debug)]
pub struct RunSeries {
    pub seed: u64,
    pub status: String,
    pub score: Vec<f64>,
    pub x: BTreeMap<Axis, Vec<f64>>,
    pub selected_learnability: Vec<f64>,
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
}

/// All runs of one sweep cell.
#[derive(Clone, Debug)]
pub struct Cell {
    pub experiment: String,
    pub config_hash: String,
    pub method: String,
    /// The sweep values other than the selector (and its mode), `key=value;...`.
    pub setting: String,
    pub sweep: Vec<(String, String)>,
    pub runs: Vec<RunSeries>,
    pub diverged: usize,
}

impl Cell {
    pub fn label(&self) -> String {
        if self.setting.is_empty() {
            self.method.clone()
        } else {
            format!("{} | {}", self.method, self.setting)
        }
    }

    /// A swept value of this cell, parsed as a number.
    pub fn numeric(&self, key: &str) -> Option<f64> {
        self.sweep.iter().find(|(k, _)| k == key)?.1.parse().ok()
    }

    /// Seeds that completed (diverged runs are reported apart).
    pub fn complete(&self) -> Vec<&RunSeries> {
        self.runs
            .iter()
            .filter(|r| r.status == "complete")
            .collect()
    }

    pub fn mean_curve(&self, axis: Axis) -> Curve {
        let curves: Vec<Curve> = self.complete().iter().map(|r| r.curve(axis)).collect();
        stats::mean_curve(&curves.iter().collect::<Vec<_>>())
    }

    pub fn final_scores(&self) -> Vec<f64> {
        self.complete().iter().map(|r| r.final_score()).collect()
    }
}

/// Sweep keys that define the selector rather than the setting it runs in.
const SELECTOR_KEYS: [&str; 2] = ["train.selector", "train.mode"];

/// Groups rows (of one or more experiments) into cells, in a stable order.
pub fn cells(rows: &[Row]) -> Vec<Cell> {
    let mut by_run: BTreeMap<(String, String), Vec<&Row>> = BTreeMap::new();
    for r in rows {
        by_run
            .entry((r.experiment.clone(), r.run_id.clone()))
            .or_default()
            .push(r);
    }
    let mut by_cell: BTreeMap<(String, String), Cell> = BTreeMap::new();
    for ((experiment, _), mut rs) in by_run {
        rs.sort_by_key(|r| r.step);
        let first = rs[0];
        let last = rs[rs.len() - 1];
        let sweep: Vec<(String, String)> = first
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
            .entry((experiment.clone(), first.config_hash.clone()))
            .or_insert_with(|| Cell {
                experiment: experiment.clone(),
                config_hash: first.config_hash.clone(),
                method: first.method.clone(),
                setting,
                sweep,
                runs: Vec::new(),
                diverged: 0,
            });
        if last.status == "diverged" {
            cell.diverged += 1;
        }
        let score: Vec<f64> = rs
            .iter()
            .map(|r| r.eval_score.unwrap_or(f64::NAN))
            .collect();
        let x = Axis::ALL
            .iter()
            .map(|&a| (a, rs.iter().map(|r| a.of(r)).collect()))
            .collect();
        cell.runs.push(RunSeries {
            seed: first.seed,
            status: last.status.clone(),
            score,
            x,
            selected_learnability: rs
                .iter()
                .map(|r| r.selected_learnability.unwrap_or(f64::NAN))
                .collect(),
            reference_score: last.reference_score,
        });
    }
    let mut out: Vec<Cell> = by_cell.into_values().collect();
    for c in &mut out {
        c.runs.sort_by_key(|r| r.seed);
    }
    out.sort_by(|a, b| {
        (&a.experiment, &a.setting, &a.method).cmp(&(&b.experiment, &b.setting, &b.method))
    });
    out
}

/// A speed-up of one method over its baseline, on one axis, to one target.
#[derive(Clone, Debug, Serialize)]
pub struct Speedup {
    pub target: Target,
    pub axis: Axis,
    /// The target score (the baseline's final or best seed-mean score).
    pub target_score: f64,
    /// Where the baseline's and the method's seed-mean curves first reach it.
    pub baseline_reached: Reached,
    pub method_reached: Reached,
    /// baseline / method with its bootstrap CI; `None`: the method did not reach it.
    pub interval: Option<Interval>,
    #[serde(skip)]
    pub replicates: Vec<Option<f64>>,
}

/// A method's cell against its uniform baseline.
#[derive(Clone, Debug)]
pub struct Comparison {
    pub method: usize,
    pub baseline: usize,
    pub speedups: Vec<Speedup>,
    pub final_score: Interval,
    pub baseline_final_score: Interval,
    pub welch: Option<stats::WelchTest>,
    /// Holm-adjusted p-value across every comparison of the report.
    pub holm_p: f64,
    pub hedges_g: Option<f64>,
    /// Bootstrap replicates of the method's seed-mean final score.
    pub final_replicates: Vec<Option<f64>>,
}

impl Comparison {
    pub fn speedup(&self, target: Target, axis: Axis) -> &Speedup {
        self.speedups
            .iter()
            .find(|s| s.target == target && s.axis == axis)
            .expect("every target and axis is computed")
    }
}

/// The uniform cell in the same experiment and setting, if any.
fn baseline_of(cells: &[Cell], i: usize) -> Option<usize> {
    let c = &cells[i];
    cells.iter().position(|u| {
        u.method == "uniform" && u.experiment == c.experiment && u.setting == c.setting
    })
}

/// Resampled seed-mean curve and its first reaching of a target computed on it.
fn mean_of(runs: &[&RunSeries], idx: &[usize], axis: Axis) -> Curve {
    let curves: Vec<Curve> = idx.iter().map(|&i| runs[i].curve(axis)).collect();
    stats::mean_curve(&curves.iter().collect::<Vec<_>>())
}

/// Every method cell against its baseline.
pub fn comparisons(cells: &[Cell]) -> Vec<Comparison> {
    let mut out = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        if cell.method == "uniform" {
            continue;
        }
        let Some(j) = baseline_of(cells, i) else {
            continue;
        };
        let (m_runs, b_runs) = (cell.complete(), cells[j].complete());
        if m_runs.is_empty() || b_runs.is_empty() {
            continue;
        }
        let all_m: Vec<usize> = (0..m_runs.len()).collect();
        let all_b: Vec<usize> = (0..b_runs.len()).collect();
        // Paired resampling when both cells ran the same seeds.
        let paired = m_runs
            .iter()
            .map(|r| r.seed)
            .eq(b_runs.iter().map(|r| r.seed));
        let mut speedups = Vec::new();
        for target in [Target::Final, Target::Best] {
            for axis in Axis::ALL {
                // The target comes from the (resampled) baseline itself.
                let statistic = |im: &[usize], ib: &[usize]| {
                    let base = mean_of(&b_runs, ib, axis);
                    let goal = target.of(&base);
                    let meth = mean_of(&m_runs, im, axis);
                    stats::speedup(base.first_reaching(goal), meth.first_reaching(goal))
                };
                let base_curve = mean_of(&b_runs, &all_b, axis);
                let goal = target.of(&base_curve);
                let point = statistic(&all_m, &all_b);
                let replicates = resample(m_runs.len(), b_runs.len(), paired, statistic);
                speedups.push(Speedup {
                    target,
                    axis,
                    target_score: goal,
                    baseline_reached: base_curve.first_reaching(goal),
                    method_reached: mean_of(&m_runs, &all_m, axis).first_reaching(goal),
                    interval: point.map(|p| percentile_interval(p, &replicates, 0.95)),
                    replicates,
                });
            }
        }
        let (fm, fb) = (cell.final_scores(), cells[j].final_scores());
        let mean_of_idx = |v: &[f64], idx: &[usize]| {
            Some(idx.iter().map(|&k| v[k]).sum::<f64>() / idx.len() as f64)
        };
        let final_replicates = bootstrap(fm.len(), RESAMPLES, BOOTSTRAP_SEED, |idx| {
            mean_of_idx(&fm, idx)
        });
        let base_replicates = bootstrap(fb.len(), RESAMPLES, BOOTSTRAP_SEED, |idx| {
            mean_of_idx(&fb, idx)
        });
        out.push(Comparison {
            method: i,
            baseline: j,
            speedups,
            final_score: percentile_interval(stats::mean(&fm), &final_replicates, 0.95),
            baseline_final_score: percentile_interval(stats::mean(&fb), &base_replicates, 0.95),
            welch: stats::welch_t_test(&fm, &fb),
            holm_p: f64::NAN,
            hedges_g: stats::hedges_g(&fm, &fb),
            final_replicates,
        });
    }
    let p: Vec<f64> = out
        .iter()
        .map(|c| c.welch.map_or(1.0, |w| w.p_value))
        .collect();
    for (c, adj) in out.iter_mut().zip(stats::holm(&p)) {
        c.holm_p = adj;
    }
    out
}

/// Bootstrap replicates of a two-cell statistic: the same seed indices for both
/// cells when they are paired, independent draws otherwise.
fn resample<F>(n_method: usize, n_base: usize, paired: bool, statistic: F) -> Vec<Option<f64>>
where
    F: Fn(&[usize], &[usize]) -> Option<f64>,
{
    if paired {
        return bootstrap(n_method, RESAMPLES, BOOTSTRAP_SEED, |idx| {
            statistic(idx, idx)
        });
    }
    let base_draws: Vec<Vec<usize>> = {
        let mut v = Vec::with_capacity(RESAMPLES);
        bootstrap(n_base, RESAMPLES, BOOTSTRAP_SEED ^ 1, |idx| {
            v.push(idx.to_vec());
            None
        });
        v
    };
    let mut k = 0;
    bootstrap(n_method, RESAMPLES, BOOTSTRAP_SEED, |idx| {
        let r = statistic(idx, &base_draws[k]);
        k += 1;
        r
    })
}

/// Point-wise 95% bootstrap band of a cell's seed-mean curve.
pub fn curve_band(cell: &Cell, axis: Axis) -> (Curve, Vec<f64>, Vec<f64>) {
    let runs = cell.complete();
    let mean = cell.mean_curve(axis);
    let n = mean.y.len();
    let mut lower = Vec::with_capacity(n);
    let mut upper = Vec::with_capacity(n);
    for k in 0..n {
        let ys: Vec<f64> = runs.iter().map(|r| r.score[k]).collect();
        let reps = bootstrap(ys.len(), RESAMPLES, BOOTSTRAP_SEED, |idx| {
            Some(idx.iter().map(|&i| ys[i]).sum::<f64>() / idx.len() as f64)
        });
        let ci = percentile_interval(mean.y[k], &reps, 0.95);
        lower.push(ci.lower_bound);
        upper.push(ci.upper_bound);
    }
    (mean, lower, upper)
}
