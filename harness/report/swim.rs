//! The SWIM part of a report: per task setting and method, the test metric and fit
//! time with bootstrap CIs over seeds; SWIM's wall-clock speed-up over Adam; and a
//! claim row per setting, "≥ 100x faster at comparable accuracy".
//!
//! Comparable: for classification, SWIM's seed-mean accuracy is at most 1 point
//! below Adam's; for regression, SWIM's relative L2 error is at most 10% above
//! Adam's (a ratio ≤ 1.1). Each is judged on its bootstrap CI.

use std::collections::BTreeMap;

use super::analysis::{BOOTSTRAP_SEED, RESAMPLES};
use super::claims::{Claim, Verdict};
use crate::log::Row;
use crate::stats::{bootstrap, mean, percentile_interval, Interval};

/// The claimed factor.
pub const CLAIMED_SPEEDUP: f64 = 100.0;

/// One method in one setting: per seed (metric, seconds, flops).
#[derive(Clone, Debug)]
pub struct SwimCell {
    pub experiment: String,
    pub setting: String,
    pub method: String,
    pub metric_name: String,
    pub seeds: BTreeMap<u64, (f64, f64, u64)>,
}

impl SwimCell {
    fn values(&self, k: usize) -> Vec<f64> {
        self.seeds
            .values()
            .map(|v| match k {
                0 => v.0,
                1 => v.1,
                _ => v.2 as f64,
            })
            .collect()
    }

    pub fn interval(&self, k: usize) -> Interval {
        let v = self.values(k);
        let reps = bootstrap(v.len(), RESAMPLES, BOOTSTRAP_SEED, |idx| {
            Some(idx.iter().map(|&i| v[i]).sum::<f64>() / idx.len() as f64)
        });
        percentile_interval(mean(&v), &reps, 0.95)
    }
}

/// SWIM against Adam in one setting.
#[derive(Clone, Debug)]
pub struct SwimComparison {
    pub experiment: String,
    pub setting: String,
    pub metric_name: String,
    /// Adam's seed-mean fit seconds / SWIM's.
    pub speedup: Interval,
    /// Classification: SWIM − Adam accuracy; regression: SWIM / Adam error.
    pub comparability: Interval,
    pub comparable: Verdict,
    pub claim: Verdict,
}

/// SWIM cells from the rows of family `swim`.
pub fn cells(rows: &[&Row]) -> Vec<SwimCell> {
    let mut out: BTreeMap<(String, String, String), SwimCell> = BTreeMap::new();
    for r in rows {
        let setting: Vec<&str> = r
            .sweep
            .split(';')
            .filter(|kv| !kv.is_empty() && !kv.starts_with("network.method="))
            .collect();
        let setting = setting.join(";");
        let c = out
            .entry((r.experiment.clone(), setting.clone(), r.method.clone()))
            .or_insert_with(|| SwimCell {
                experiment: r.experiment.clone(),
                setting,
                method: r.method.clone(),
                metric_name: r.eval_metric.clone(),
                seeds: BTreeMap::new(),
            });
        c.seeds.insert(
            r.seed,
            (
                r.eval_score.unwrap_or(f64::NAN),
                r.train_seconds,
                r.flops_train,
            ),
        );
    }
    out.into_values().collect()
}

/// Paired (same seeds) bootstrap of a statistic of two cells' seed means.
fn paired(a: &SwimCell, b: &SwimCell, k: usize, f: impl Fn(f64, f64) -> f64) -> Option<Interval> {
    let seeds: Vec<u64> = a
        .seeds
        .keys()
        .filter(|s| b.seeds.contains_key(s))
        .copied()
        .collect();
    if seeds.is_empty() {
        return None;
    }
    let pick = |c: &SwimCell| -> Vec<f64> {
        seeds
            .iter()
            .map(|s| [c.seeds[s].0, c.seeds[s].1][k])
            .collect()
    };
    let (va, vb) = (pick(a), pick(b));
    let stat = |idx: &[usize]| {
        let ma = idx.iter().map(|&i| va[i]).sum::<f64>() / idx.len() as f64;
        let mb = idx.iter().map(|&i| vb[i]).sum::<f64>() / idx.len() as f64;
        let v = f(ma, mb);
        v.is_finite().then_some(v)
    };
    let all: Vec<usize> = (0..seeds.len()).collect();
    let reps = bootstrap(seeds.len(), RESAMPLES, BOOTSTRAP_SEED, stat);
    Some(percentile_interval(stat(&all)?, &reps, 0.95))
}

pub fn comparisons(cells: &[SwimCell]) -> Vec<SwimComparison> {
    let mut out = Vec::new();
    for s in cells.iter().filter(|c| c.method == "swim") {
        let Some(a) = cells
            .iter()
            .find(|c| c.method == "adam" && c.experiment == s.experiment && c.setting == s.setting)
        else {
            continue;
        };
        let Some(speedup) = paired(a, s, 1, |ta, ts| ta / ts) else {
            continue;
        };
        let classification = s.metric_name == "accuracy";
        let comparability = if classification {
            paired(s, a, 0, |ms, ma| ms - ma)
        } else {
            paired(s, a, 0, |ms, ma| ms / ma)
        };
        let Some(comparability) = comparability else {
            continue;
        };
        let comparable = if classification {
            judge(
                comparability.lower_bound >= -0.01,
                comparability.upper_bound < -0.01,
            )
        } else {
            judge(
                comparability.upper_bound <= 1.1,
                comparability.lower_bound > 1.1,
            )
        };
        let fast = judge(
            speedup.lower_bound >= CLAIMED_SPEEDUP,
            speedup.upper_bound < CLAIMED_SPEEDUP,
        );
        let claim = match (fast, comparable) {
            (Verdict::Holds, Verdict::Holds) => Verdict::Holds,
            (Verdict::DoesNotHold, _) | (_, Verdict::DoesNotHold) => Verdict::DoesNotHold,
            _ => Verdict::Inconclusive,
        };
        out.push(SwimComparison {
            experiment: s.experiment.clone(),
            setting: s.setting.clone(),
            metric_name: s.metric_name.clone(),
            speedup,
            comparability,
            comparable,
            claim,
        });
    }
    out
}

fn judge(holds: bool, fails: bool) -> Verdict {
    if holds {
        Verdict::Holds
    } else if fails {
        Verdict::DoesNotHold
    } else {
        Verdict::Inconclusive
    }
}

/// One claim row per setting.
pub fn claims(comps: &[SwimComparison]) -> Vec<Claim> {
    comps
        .iter()
        .map(|c| {
            let what = if c.metric_name == "accuracy" {
                format!("accuracy difference {:+.4}", c.comparability.point_estimate)
            } else {
                format!("error ratio {:.3}", c.comparability.point_estimate)
            };
            let setting = if c.setting.is_empty() { String::new() } else { format!(", {}", c.setting) };
            Claim {
                claim: format!("SWIM ≥ 100x faster than Adam at comparable accuracy ({}{setting})", c.experiment),
                measured: format!("{:.1}x faster, {what}", c.speedup.point_estimate),
                estimate: Some(c.speedup),
                accounting: "wall-clock fit seconds, 1 CPU process".into(),
                verdict: c.claim,
                rule: "holds if the 95% CI of Adam's / SWIM's seed-mean fit time lies at or above 100 and SWIM is comparable (classification: the CI of SWIM − Adam accuracy lies at or above −0.01; regression: the CI of SWIM / Adam relative L2 error lies at or below 1.1); does not hold if the time CI lies below 100 or the accuracy CI lies wholly beyond the margin; else inconclusive".into(),
            }
        })
        .collect()
}
