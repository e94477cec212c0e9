//! The SWIM part of a report (docs/methods.md §5 "SWIM claim"): per task setting and method,
//! the test metric, fit time, and for Hamiltonian tasks the gradient error and the
//! energy drift, with bootstrap CIs over seeds; Adam's curves (its checkpoint's
//! test metric against wall time); and each sampled or random-feature method
//! against Adam by time to equal accuracy (`time`), with a claim row per
//! sampled method and setting, "≥ 100x faster at comparable accuracy".
//!
//! Rows: a sampled fit has one row; an Adam run one per logged epoch, its last
//! (the highest step) the summary.

use std::collections::BTreeMap;

use serde::Serialize;

use super::SwimRow;
use crate::analysis::Analysis;
use crate::method::{Family, Method};
use crate::stats::{mean_interval, Interval};

pub use super::time::{claims, comparisons, SwimComparison, CLAIMED_SPEEDUP};

/// One seed's fit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SwimFit {
    /// Test accuracy or relative L2 error (`SwimCell::metric_name`).
    pub metric: f64,
    /// Wall-clock fit seconds (Adam: its whole run).
    pub seconds: f64,
    pub flops: u64,
    pub grad_error: Option<f64>,
    pub energy_drift: Option<f64>,
    /// Adam epochs (1 for sampled fits).
    pub epochs: usize,
    /// Adam: (seconds, checkpoint's test metric) at epoch 0 and each logged epoch.
    pub curve: Option<Vec<(f64, f64)>>,
}

/// One method in one setting, per seed, with seed-mean intervals.
#[derive(Clone, Debug, Serialize)]
pub struct SwimCell {
    pub experiment: String,
    pub setting: String,
    pub method: Method,
    pub metric_name: String,
    pub seeds: BTreeMap<u64, SwimFit>,
    pub metric: Interval,
    pub seconds: Interval,
    pub grad_error: Option<Interval>,
    /// Seed mean over the trajectories that stayed finite.
    pub energy_drift: Option<Interval>,
    /// Trajectories that blew up.
    pub blown_up: usize,
    pub flops: f64,
}

impl SwimCell {
    pub fn from_fits(
        experiment: &str,
        setting: &str,
        method: Method,
        metric_name: &str,
        seeds: BTreeMap<u64, SwimFit>,
    ) -> SwimCell {
        let values = |f: fn(&SwimFit) -> f64| -> Vec<f64> { seeds.values().map(f).collect() };
        let optional = |f: fn(&SwimFit) -> Option<f64>| -> Option<Vec<f64>> {
            seeds.values().map(f).collect()
        };
        let drifts = optional(|f| f.energy_drift);
        let blown_up = drifts
            .as_ref()
            .map_or(0, |d| d.iter().filter(|v| !v.is_finite()).count());
        let finite_drifts: Option<Vec<f64>> = drifts
            .map(|d| d.into_iter().filter(|v| v.is_finite()).collect::<Vec<_>>())
            .filter(|d| !d.is_empty());
        SwimCell {
            experiment: experiment.into(),
            setting: setting.into(),
            method,
            metric_name: metric_name.into(),
            metric: mean_interval(&values(|f| f.metric)),
            seconds: mean_interval(&values(|f| f.seconds)),
            grad_error: optional(|f| f.grad_error).map(|v| mean_interval(&v)),
            energy_drift: finite_drifts.map(|v| mean_interval(&v)),
            blown_up,
            flops: values(|f| f.flops as f64).iter().sum::<f64>() / seeds.len() as f64,
            seeds,
        }
    }
}

/// The sweep label without the method: the setting methods are compared in.
pub fn setting_of(sweep: &str) -> String {
    sweep
        .split(';')
        .filter(|kv| !kv.is_empty() && !kv.starts_with("network.method="))
        .collect::<Vec<_>>()
        .join(";")
}

/// SWIM cells from the rows of family `swim`.
pub fn cells(rows: &[SwimRow]) -> Vec<SwimCell> {
    // (experiment, setting, method) → seed → that run's rows.
    type Key = (String, String, Method);
    let mut runs: BTreeMap<Key, BTreeMap<u64, Vec<&SwimRow>>> = BTreeMap::new();
    let mut names: BTreeMap<Key, String> = BTreeMap::new();
    for r in rows {
        let key = (
            r.common.experiment.clone(),
            setting_of(&r.common.sweep),
            r.common.method,
        );
        names
            .entry(key.clone())
            .or_insert_with(|| r.common.eval_metric.clone());
        runs.entry(key)
            .or_default()
            .entry(r.common.seed)
            .or_default()
            .push(r);
    }
    runs.into_iter()
        .map(|(key, seeds)| {
            let fits = seeds
                .into_iter()
                .map(|(seed, mut rs)| {
                    rs.sort_by_key(|r| r.common.step);
                    let last = rs[rs.len() - 1];
                    let curve = (rs.len() > 1).then(|| {
                        rs.iter()
                            .map(|r| {
                                (
                                    r.common.train_seconds,
                                    r.common.eval_score.unwrap_or(f64::NAN),
                                )
                            })
                            .collect()
                    });
                    let fit = SwimFit {
                        metric: last.common.eval_score.unwrap_or(f64::NAN),
                        seconds: last.common.train_seconds,
                        flops: last.common.flops_train,
                        grad_error: last.grad_error,
                        energy_drift: last.energy_drift,
                        epochs: last.common.step,
                        curve,
                    };
                    (seed, fit)
                })
                .collect();
            let name = names[&key].clone();
            SwimCell::from_fits(&key.0, &key.1, key.2, &name, fits)
        })
        .collect()
}

/// What a report shows of sampled-network runs (`swim` in `analysis.json`).
#[derive(Clone, Debug, Default, Serialize)]
pub struct SwimAnalysis {
    pub cells: Vec<SwimCell>,
    pub comparisons: Vec<SwimComparison>,
}

impl Analysis {
    /// SWIM's part (empty when the rows had none).
    pub fn swim(&self) -> &SwimAnalysis {
        static EMPTY: SwimAnalysis = SwimAnalysis {
            cells: Vec::new(),
            comparisons: Vec::new(),
        };
        self.parts.get(Family::SWIM).unwrap_or(&EMPTY)
    }
}

/// SWIM's part of an analysis; adds its claims to `a`.
pub fn analyse(rows: &[SwimRow], a: &mut Analysis) -> SwimAnalysis {
    let cells = cells(rows);
    let comparisons = comparisons(&cells);
    a.claims.extend(claims(&comparisons));
    SwimAnalysis { cells, comparisons }
}
