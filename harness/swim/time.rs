//! Time to equal accuracy (docs/methods.md §5 "SWIM claim"): how long Adam, trained to
//! convergence, takes to first reach a sampled network's test metric.
//!
//! Adam's curve is its checkpoint's test metric against wall time (epoch 0 at 0 s,
//! then the logged epochs). The target is the sampled method's seed-mean test
//! metric. For each Adam seed, the time to reach it is interpolated linearly
//! between logged epochs, or — when its run ended without reaching it — censored:
//! at least the run's whole time (patience included). The statistic is
//! (mean over seeds of Adam's time to the target) / (mean of the sampled fit
//! times); a bootstrap over seeds (paired: one resample draws the same seeds for
//! both methods) recomputes the target, the reaching times and the ratio; censored
//! values widen the interval to their extremes ([`CensoredInterval`]).
//!
//! Beside it: Adam's time to its own best (the first time its checkpoint's metric
//! reaches its final value), the ratio of that to the sampled fit time, and the
//! sampled metric against Adam's best.

use serde::Serialize;

use super::analysis::SwimCell;
use crate::analysis::claims::{Claim, Rule, Verdict};
use crate::method::Method;
use crate::stats::{
    bootstrap, censored_interval, percentile_interval, Bounds, CensoredInterval, Curve, Interval,
    Reached, BOOTSTRAP_SEED, RESAMPLES,
};

/// The claimed factor.
pub const CLAIMED_SPEEDUP: f64 = 100.0;

/// Whether larger values of `metric_name` are better.
pub fn higher_is_better(metric_name: &str) -> bool {
    metric_name == "accuracy"
}

/// The first time a curve of (seconds, metric) reaches `target`: exact
/// (interpolated), or at least the curve's last time when it never does.
pub fn time_to(points: &[(f64, f64)], target: f64, higher_better: bool) -> Bounds {
    let sign = if higher_better { 1.0 } else { -1.0 };
    let c = Curve::new(
        points.iter().map(|p| p.0).collect(),
        points.iter().map(|p| sign * p.1).collect(),
    );
    match c.first_reaching(sign * target) {
        Reached::At(t) => Bounds::exact(t),
        Reached::Never => Bounds::at_least(points.last().map_or(0.0, |p| p.0)),
    }
}

/// A sampled (or random-feature) method against Adam in one setting.
#[derive(Clone, Debug, Serialize)]
pub struct SwimComparison {
    pub experiment: String,
    pub setting: String,
    pub method: Method,
    pub metric_name: String,
    /// Seeds both methods ran.
    pub seeds: usize,
    /// The sampled method's seed-mean test metric (Adam's target) and fit seconds.
    pub target: Interval,
    pub sampled_seconds: Interval,
    /// Adam's seed-mean time to first reach the target (censored).
    pub adam_to_target: CensoredInterval,
    /// Adam seeds that reached the (whole-sample) target within their runs.
    pub reached: usize,
    /// Adam's seed-mean whole run: seconds and epochs (its budget).
    pub adam_seconds: Interval,
    pub adam_epochs: f64,
    /// Adam's best: its checkpoint's final metric, and the time it first reached it.
    pub adam_best: Interval,
    pub adam_to_best: Interval,
    /// Adam's time to the target / the sampled fit time (censored).
    pub speedup: CensoredInterval,
    /// Adam's time to its best / the sampled fit time.
    pub speedup_to_best: Interval,
    /// Errors: sampled / Adam's best; accuracy: sampled − Adam's best.
    pub versus_best: Interval,
    /// Judged on `speedup` against 100 (sampled methods; random features: measured).
    pub claim: Verdict,
}

/// How a method is named in claim rows.
/// A setting in short words: a path value by its file's stem, other values by the
/// last part of their key (`task.table.file=../data/mfeat-fou.csv` → `mfeat-fou`,
/// `task.regression.dim=10` → `dim=10`).
pub fn short_setting(setting: &str) -> String {
    setting
        .split(';')
        .filter(|kv| !kv.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((_, v)) if v.contains('/') || v.ends_with(".csv") || v.ends_with(".npy") => {
                std::path::Path::new(v)
                    .file_stem()
                    .map_or(v.to_string(), |s| s.to_string_lossy().into_owned())
            }
            Some((k, v)) => format!("{}={v}", k.rsplit('.').next().unwrap_or(k)),
            None => kv.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn display(m: Method) -> &'static str {
    match m {
        Method::SWIM => "SWIM",
        Method::U_SWIM => "U-SWIM",
        Method::A_SWIM => "A-SWIM",
        Method::ELM => "ELM",
        Method::ELM_UNSCALED => "ELM (authors' unscaled)",
        Method::ADAM => "Adam",
        other => other.as_str(),
    }
}

fn mean(v: impl Iterator<Item = f64>) -> f64 {
    let (mut s, mut n) = (0.0, 0usize);
    for x in v {
        s += x;
        n += 1;
    }
    s / n as f64
}

/// Paired bootstrap of a statistic of per-seed values of both cells.
fn paired(n: usize, stat: impl Fn(&[usize]) -> Option<f64>) -> Interval {
    let all: Vec<usize> = (0..n).collect();
    let reps = bootstrap(n, RESAMPLES, BOOTSTRAP_SEED, &stat);
    percentile_interval(stat(&all).unwrap_or(f64::NAN), &reps, 0.95)
}

/// `sampled` against `adam` (same experiment and setting; Adam cells carry curves).
pub fn compare(sampled: &SwimCell, adam: &SwimCell) -> Option<SwimComparison> {
    let seeds: Vec<u64> = sampled
        .seeds
        .keys()
        .filter(|s| adam.seeds.contains_key(s))
        .copied()
        .collect();
    if seeds.is_empty() {
        return None;
    }
    let higher = higher_is_better(&sampled.metric_name);
    let s_metric: Vec<f64> = seeds.iter().map(|s| sampled.seeds[s].metric).collect();
    let s_time: Vec<f64> = seeds.iter().map(|s| sampled.seeds[s].seconds).collect();
    let curves: Vec<Vec<(f64, f64)>> = seeds
        .iter()
        .map(|s| {
            let f = &adam.seeds[s];
            f.curve
                .clone()
                .unwrap_or_else(|| vec![(f.seconds, f.metric)])
        })
        .collect();
    let a_best: Vec<f64> = seeds.iter().map(|s| adam.seeds[s].metric).collect();
    let a_time: Vec<f64> = seeds.iter().map(|s| adam.seeds[s].seconds).collect();
    let to_best: Vec<f64> = curves
        .iter()
        .zip(&a_best)
        .map(|(c, &b)| time_to(c, b, higher).lo)
        .collect();
    let n = seeds.len();
    let pick = |v: &[f64], idx: &[usize]| mean(idx.iter().map(|&i| v[i]));
    let reach = |idx: &[usize]| -> Option<(Bounds, f64)> {
        let target = pick(&s_metric, idx);
        let times: Vec<Bounds> = idx
            .iter()
            .map(|&i| time_to(&curves[i], target, higher))
            .collect();
        let t = Bounds::weighted_sum(&vec![1.0 / idx.len() as f64; idx.len()], &times);
        let ts = pick(&s_time, idx);
        (ts > 0.0).then_some((t, ts))
    };
    let ratio = |(t, ts): (Bounds, f64)| t.scaled(1.0 / ts);
    let all: Vec<usize> = (0..n).collect();
    let (t_all, ts_all) = reach(&all)?;
    let (mut speed_reps, mut time_reps) = (Vec::new(), Vec::new());
    bootstrap(n, RESAMPLES, BOOTSTRAP_SEED, |idx| {
        let r = reach(idx);
        speed_reps.push(r.map(ratio));
        time_reps.push(r.map(|(t, _)| t));
        None
    });
    let target_all = pick(&s_metric, &all);
    let reached = curves
        .iter()
        .filter(|c| time_to(c, target_all, higher).is_exact())
        .count();
    let speedup = censored_interval(ratio((t_all, ts_all)), &speed_reps, 0.95);
    let is_sampled = matches!(
        sampled.method,
        Method::SWIM | Method::U_SWIM | Method::A_SWIM
    );
    Some(SwimComparison {
        experiment: sampled.experiment.clone(),
        setting: sampled.setting.clone(),
        method: sampled.method,
        metric_name: sampled.metric_name.clone(),
        seeds: n,
        target: paired(n, |idx| Some(pick(&s_metric, idx))),
        sampled_seconds: paired(n, |idx| Some(pick(&s_time, idx))),
        adam_to_target: censored_interval(t_all, &time_reps, 0.95),
        reached,
        adam_seconds: paired(n, |idx| Some(pick(&a_time, idx))),
        adam_epochs: mean(seeds.iter().map(|s| adam.seeds[s].epochs as f64)),
        adam_best: paired(n, |idx| Some(pick(&a_best, idx))),
        adam_to_best: paired(n, |idx| Some(pick(&to_best, idx))),
        speedup,
        speedup_to_best: paired(n, |idx| {
            let ts = pick(&s_time, idx);
            (ts > 0.0).then(|| pick(&to_best, idx) / ts)
        }),
        versus_best: paired(n, |idx| {
            let (s, a) = (pick(&s_metric, idx), pick(&a_best, idx));
            Some(if higher { s - a } else { s / a })
        }),
        claim: if is_sampled {
            Rule::AtLeast(CLAIMED_SPEEDUP).verdict(&speedup)
        } else {
            Verdict::Measured
        },
    })
}

/// Every sampled or random-feature cell against the Adam cell of its setting.
pub fn comparisons(cells: &[SwimCell]) -> Vec<SwimComparison> {
    cells
        .iter()
        .filter(|c| c.method != Method::ADAM)
        .filter_map(|s| {
            let adam = cells.iter().find(|c| {
                c.method == Method::ADAM && c.experiment == s.experiment && c.setting == s.setting
            })?;
            compare(s, adam)
        })
        .collect()
}

/// "≥ 100x faster at comparable accuracy": one claim row per sampled method and
/// setting (random features are compared, not claimed).
pub fn claims(comps: &[SwimComparison]) -> Vec<Claim> {
    comps
        .iter()
        .filter(|c| matches!(c.method, Method::SWIM | Method::U_SWIM | Method::A_SWIM))
        .map(|c| {
            let short = short_setting(&c.setting);
            let setting = if short.is_empty() {
                String::new()
            } else {
                format!(", {short}")
            };
            let reach = if c.reached == c.seeds {
                format!(
                    "Adam reached its {} of {:.3e} in {:.2} s (seed mean)",
                    c.metric_name, c.target.point_estimate, c.adam_to_target.point.lo
                )
            } else {
                format!(
                    "Adam reached its {} of {:.3e} in {} of {} seeds within its runs ({:.0} epochs, {:.1} s seed mean; its best {:.3e} after {:.1} s)",
                    c.metric_name,
                    c.target.point_estimate,
                    c.reached,
                    c.seeds,
                    c.adam_epochs,
                    c.adam_seconds.point_estimate,
                    c.adam_best.point_estimate,
                    c.adam_to_best.point_estimate
                )
            };
            Claim::external(
                format!("swim-100x-{}-{}{}", c.experiment, c.method, setting.replace(", ", "-")),
                "100x",
                "docs/methods.md §1 SWIM; §5 SWIM claim",
                format!(
                    "{} ≥ 100x faster than Adam at comparable accuracy ({}{setting})",
                    display(c.method),
                    c.experiment
                ),
                format!(
                    "{} fits in {:.3} s to {:.3e}; {reach}: {}",
                    display(c.method),
                    c.sampled_seconds.point_estimate,
                    c.target.point_estimate,
                    crate::analysis::claims::show_bounds(c.speedup.point, "x")
                ),
                c.speedup,
                "wall-clock seconds, 1 CPU process (see the rule)",
                c.claim,
                format!("{}; Adam trained to convergence (early stopping on a validation split, or its epoch budget); the speed-up is Adam's wall-clock time (1 CPU process, training and validation) to first reach the sampled network's seed-mean test metric (not reached: at least its whole run) over the sampled fit time", Rule::AtLeast(CLAIMED_SPEEDUP).text()),
                c.experiment.clone(),
            )
            .with_threshold(CLAIMED_SPEEDUP)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_to_accuracy_on_a_hand_made_learning_curve() {
        // Adam's error: 1.0 at 0 s, 0.5 at 2 s, 0.2 at 4 s, 0.1 at 10 s, 0.1 at 12 s.
        let curve = [(0.0, 1.0), (2.0, 0.5), (4.0, 0.2), (10.0, 0.1), (12.0, 0.1)];
        // 0.3 lies 2/3 of the way from 0.5 to 0.2: 2 + 2·(2/3).
        let t = time_to(&curve, 0.3, false);
        assert!(t.is_exact() && (t.lo - 10.0 / 3.0).abs() < 1e-12);
        // Its own best, 0.1, first at 10 s (not at the run's end).
        assert_eq!(time_to(&curve, 0.1, false), Bounds::exact(10.0));
        // A target it never reaches: at least its whole run.
        assert_eq!(time_to(&curve, 0.05, false), Bounds::at_least(12.0));
        // Accuracy climbs instead.
        let acc = [(0.0, 0.1), (1.0, 0.8), (3.0, 0.9)];
        // (0.85 is halfway from 0.8 to 0.9 only up to rounding.)
        let t = time_to(&acc, 0.85, true);
        assert!(t.is_exact() && (t.lo - 2.0).abs() < 1e-12, "{t:?}");
        assert!(time_to(&acc, 0.95, true) == Bounds::at_least(3.0));
    }

    /// (seed, metric, fit seconds, Adam's curve).
    type Fit = (u64, f64, f64, Option<Vec<(f64, f64)>>);

    fn cell(method: Method, fits: &[Fit]) -> SwimCell {
        SwimCell::from_fits(
            "e",
            "",
            method,
            "rel_l2_error",
            fits.iter()
                .map(|(s, m, t, c)| {
                    (
                        *s,
                        super::super::analysis::SwimFit {
                            metric: *m,
                            seconds: *t,
                            flops: 0,
                            grad_error: None,
                            energy_drift: None,
                            epochs: c.as_ref().map_or(1, |c| c.len() - 1),
                            curve: c.clone(),
                        },
                    )
                })
                .collect(),
        )
    }

    #[test]
    fn speedups_to_equal_accuracy_reached_and_not_reached() {
        let curve = vec![(0.0, 1.0), (2.0, 0.5), (4.0, 0.2), (10.0, 0.1), (12.0, 0.1)];
        let adam = cell(
            Method::ADAM,
            &[
                (0, 0.1, 12.0, Some(curve.clone())),
                (1, 0.1, 12.0, Some(curve.clone())),
            ],
        );
        // SWIM at 0.3 in 0.01 s: Adam needs 10/3 s, 333x — holds.
        let swim = cell(Method::SWIM, &[(0, 0.3, 0.01, None), (1, 0.3, 0.01, None)]);
        let c = compare(&swim, &adam).unwrap();
        assert!((c.speedup.point.lo - 1000.0 / 3.0).abs() < 1e-9 && c.speedup.point.is_exact());
        assert_eq!(c.reached, 2);
        assert_eq!(c.claim, Verdict::Holds);
        // Adam's best 0.1 after 10 s: 1000x SWIM's time; SWIM's error 3x Adam's best.
        assert!((c.speedup_to_best.point_estimate - 1000.0).abs() < 1e-9);
        assert!((c.versus_best.point_estimate - 3.0).abs() < 1e-12);
        // SWIM at 0.05 in 1 s: Adam never gets there; at least 12x — and as 12 < 100,
        // whether it holds depends on where the censored times lie.
        let better = cell(
            Method::A_SWIM,
            &[(0, 0.05, 1.0, None), (1, 0.05, 1.0, None)],
        );
        let c = compare(&better, &adam).unwrap();
        assert_eq!(c.speedup.point, Bounds::at_least(12.0));
        assert_eq!(c.reached, 0);
        assert_eq!(c.claim, Verdict::BoundedBySweep);
        // The same in 0.1 s: at least 120x, holds — as a bound (Adam never got there).
        let fast = cell(
            Method::U_SWIM,
            &[(0, 0.05, 0.1, None), (1, 0.05, 0.1, None)],
        );
        assert_eq!(compare(&fast, &adam).unwrap().claim, Verdict::HoldsAsBound);
        // SWIM at 0.5 in 1 s: Adam has it at 2 s: 2x, does not hold.
        let slow = cell(Method::SWIM, &[(0, 0.5, 1.0, None), (1, 0.5, 1.0, None)]);
        let c = compare(&slow, &adam).unwrap();
        assert_eq!(c.claim, Verdict::DoesNotHold);
        assert!((c.adam_to_target.point.lo - 2.0).abs() < 1e-12);
    }
}

#[cfg(test)]
mod short_tests {
    use super::short_setting;

    #[test]
    fn settings_read_by_their_short_names() {
        assert_eq!(
            short_setting("task.table.file=../../shared/data/uci-mfeat/mfeat-fou.csv"),
            "mfeat-fou"
        );
        assert_eq!(short_setting("task.regression.dim=10"), "dim=10");
        assert_eq!(short_setting("a.b=1;c.d=x.npy"), "b=1, x");
        assert_eq!(short_setting(""), "");
    }
}
