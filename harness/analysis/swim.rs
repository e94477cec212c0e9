//! The SWIM part of a report: per task setting and method, the test metric and fit
//! time with bootstrap CIs over seeds; SWIM's wall-clock speed-up over Adam; and a
//! claim row per setting, "≥ 100x faster at comparable accuracy".
//!
//! Comparable: for classification, SWIM's seed-mean accuracy is at most 1 point
//! below Adam's; for regression, SWIM's relative L2 error is at most 10% above
//! Adam's (a ratio ≤ 1.1). Each is judged on its bootstrap CI.

use std::collections::BTreeMap;

use serde::Serialize;

use super::claims::{Claim, Verdict};
use crate::experiment::Method;
use crate::log::Row;
use crate::stats::{
    bootstrap, mean_interval, percentile_interval, Interval, BOOTSTRAP_SEED, RESAMPLES,
};

/// The claimed factor.
pub const CLAIMED_SPEEDUP: f64 = 100.0;

/// One seed's fit.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SwimFit {
    /// Test accuracy or relative L2 error (`SwimCell::metric_name`).
    pub metric: f64,
    /// Wall-clock fit seconds.
    pub seconds: f64,
    pub flops: u64,
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
    pub flops: f64,
}

/// SWIM against Adam in one setting.
#[derive(Clone, Debug, Serialize)]
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
    let mut out: BTreeMap<(String, String, Method), SwimCell> = BTreeMap::new();
    for r in rows {
        let setting: Vec<&str> = r
            .sweep
            .split(';')
            .filter(|kv| !kv.is_empty() && !kv.starts_with("network.method="))
            .collect();
        let setting = setting.join(";");
        let c = out
            .entry((r.experiment.clone(), setting.clone(), r.method))
            .or_insert_with(|| SwimCell {
                experiment: r.experiment.clone(),
                setting,
                method: r.method,
                metric_name: r.eval_metric.clone(),
                seeds: BTreeMap::new(),
                metric: Interval::UNDEFINED,
                seconds: Interval::UNDEFINED,
                flops: f64::NAN,
            });
        c.seeds.insert(
            r.seed,
            SwimFit {
                metric: r.eval_score.unwrap_or(f64::NAN),
                seconds: r.train_seconds,
                flops: r.flops_train,
            },
        );
    }
    let mut cells: Vec<SwimCell> = out.into_values().collect();
    for c in &mut cells {
        let metric: Vec<f64> = c.seeds.values().map(|f| f.metric).collect();
        let seconds: Vec<f64> = c.seeds.values().map(|f| f.seconds).collect();
        c.metric = mean_interval(&metric);
        c.seconds = mean_interval(&seconds);
        c.flops = c.seeds.values().map(|f| f.flops as f64).sum::<f64>() / c.seeds.len() as f64;
    }
    cells
}

/// Paired (same seeds) bootstrap of a statistic of two cells' seed means.
fn paired(
    a: &SwimCell,
    b: &SwimCell,
    value: fn(&SwimFit) -> f64,
    f: impl Fn(f64, f64) -> f64,
) -> Option<Interval> {
    let seeds: Vec<u64> = a
        .seeds
        .keys()
        .filter(|s| b.seeds.contains_key(s))
        .copied()
        .collect();
    if seeds.is_empty() {
        return None;
    }
    let pick = |c: &SwimCell| -> Vec<f64> { seeds.iter().map(|s| value(&c.seeds[s])).collect() };
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
    for s in cells.iter().filter(|c| c.method == Method::Swim) {
        let Some(a) = cells.iter().find(|c| {
            c.method == Method::Adam && c.experiment == s.experiment && c.setting == s.setting
        }) else {
            continue;
        };
        let Some(speedup) = paired(a, s, |f| f.seconds, |ta, ts| ta / ts) else {
            continue;
        };
        let classification = s.metric_name == "accuracy";
        let comparability = if classification {
            paired(s, a, |f| f.metric, |ms, ma| ms - ma)
        } else {
            paired(s, a, |f| f.metric, |ms, ma| ms / ma)
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
                id: format!("swim-100x-{}{}", c.experiment, setting.replace(", ", "-")),
                short: "100x".into(),
                spec: "§1 SWIM; §5 SWIM claim".into(),
                claim: format!("SWIM ≥ 100x faster than Adam at comparable accuracy ({}{setting})", c.experiment),
                measured: format!("{:.1}x faster, {what}", c.speedup.point_estimate),
                estimate: Some(c.speedup.into()),
                accounting: "wall-clock fit seconds, 1 CPU process".into(),
                verdict: c.claim,
                rule: "holds if the 95% CI of Adam's / SWIM's seed-mean fit time lies at or above 100 and SWIM is comparable (classification: the CI of SWIM − Adam accuracy lies at or above −0.01; regression: the CI of SWIM / Adam relative L2 error lies at or below 1.1); does not hold if the time CI lies below 100 or the accuracy CI lies wholly beyond the margin; else inconclusive".into(),
            }
        })
        .collect()
}
