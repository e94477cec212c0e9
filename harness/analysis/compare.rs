//! Each selector's cell against the uniform cell of the same experiment and setting
//! (docs/methods.md §5 "Speed-ups"): the iso-accuracy speed-up curve — for each level along
//! uniform's seed-mean curve (its value at every evaluation point up to its best,
//! and its final), uniform's x over the selector's x to first reach it — on
//! iterations and paper FLOPs; the two named points (to uniform's final and best)
//! on every axis; final scores with Welch's test (Holm-corrected across the
//! analysis) and Hedges' g. Speed-ups are censored bounds with bootstrap intervals
//! over seeds (paired when the cells share their seeds), never a 0.

use serde::Serialize;

use super::cells::{Axis, Cell, RunSeries};
use crate::method::Method;
use crate::stats::speedup::{speedups_to, Numerator};
use crate::stats::{
    self, mean_interval_in, nested_indices, unit_means, Bounds, CensoredInterval, Curve, Estimator,
    Interval, Scale, BOOTSTRAP_SEED, RESAMPLES,
};

/// Which level of the baseline's seed-mean curve is the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Its final score (the paper's target).
    Final,
    /// Its best score along the curve (harder when the baseline peaks and declines).
    Best,
    /// Its score at evaluation point k (a point of the iso-accuracy curve).
    Step(usize),
    /// The level a share of its own gain above its initial score (per mille: 500
    /// is halfway from its first evaluation to its final): a rate that stays
    /// defined when the two curves level off at different ceilings.
    Gain(u16),
}

/// The shares of the baseline's gain a rate is read at (docs/methods.md §7).
pub const RATE_TARGETS: [Target; 3] = [Target::Gain(500), Target::Gain(800), Target::Gain(900)];

impl Target {
    pub fn name(self) -> String {
        match self {
            Target::Final => "final".into(),
            Target::Best => "best".into(),
            Target::Step(k) => format!("step{k}"),
            Target::Gain(p) => format!("gain{}", p / 10),
        }
    }

    /// The target level on a (resampled) baseline curve.
    pub fn of(self, c: &Curve) -> f64 {
        match self {
            Target::Final => c.last(),
            Target::Best => c.max(),
            Target::Step(k) => c.y.get(k).copied().unwrap_or(f64::NAN),
            Target::Gain(p) => match c.y.first() {
                Some(&y0) => y0 + f64::from(p) / 1000.0 * (c.last() - y0),
                None => f64::NAN,
            },
        }
    }

    /// The x of the evaluation point whose level is the target: the paper's
    /// numerator (for the final, the baseline's trained steps).
    pub fn trained_x(self, c: &Curve) -> f64 {
        // A share of the gain has no evaluation point of its own: the baseline's
        // first reaching of it (both readings agree).
        if let Target::Gain(_) = self {
            return match c.first_reaching(self.of(c)) {
                stats::Reached::At(x) => x,
                stats::Reached::Never => f64::NAN,
            };
        }
        let k = match self {
            Target::Final => c.x.len().saturating_sub(1),
            Target::Best => (0..c.y.len())
                .max_by(|&a, &b| c.y[a].total_cmp(&c.y[b]).then(b.cmp(&a)))
                .unwrap_or(0),
            Target::Step(k) => k,
            Target::Gain(_) => unreachable!("returned above"),
        };
        c.x.get(k).copied().unwrap_or(f64::NAN)
    }
}

/// A speed-up of one method over its baseline, on one axis, to one target.
#[derive(Clone, Debug, Serialize)]
pub struct Speedup {
    pub target: Target,
    pub axis: Axis,
    /// The target level on the whole sample's baseline curve.
    pub target_score: f64,
    /// The baseline's x there (where the whole-sample curve first reaches it).
    pub baseline_x: f64,
    /// baseline / method with its bootstrap interval (the iso-accuracy reading:
    /// the baseline's first-reaching x over the method's); `None` when the baseline
    /// itself does not define the target (it has the level from its first point).
    pub interval: Option<CensoredInterval>,
    #[serde(skip)]
    pub replicates: Vec<Option<Bounds>>,
    /// The paper's reading: the baseline's x at the evaluation point that sets the
    /// target (its trained steps, for its final) over the method's first-reaching x.
    pub trained_x: f64,
    pub trained: Option<CensoredInterval>,
    #[serde(skip)]
    pub trained_replicates: Vec<Option<Bounds>>,
    /// False when a run did not log this axis (FLOPs or seconds all zero, as in
    /// results from another tool without those columns): no speed-up on it.
    pub logged: bool,
}

impl Speedup {
    /// The interval under one reading of the speed-up, with its replicates.
    pub fn reading(&self, r: Reading) -> (Option<CensoredInterval>, &[Option<Bounds>]) {
        match r {
            Reading::Trained => (self.trained, &self.trained_replicates),
            Reading::FirstReaching => (self.interval, &self.replicates),
        }
    }
}

/// The two readings of a speed-up to a level of the baseline (docs/methods.md §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reading {
    /// Uniform's trained steps over the selector's first-reaching step (the paper's).
    Trained,
    /// Uniform's first-reaching step over the selector's (iso-accuracy).
    FirstReaching,
}

impl Reading {
    pub const BOTH: [Reading; 2] = [Reading::Trained, Reading::FirstReaching];

    pub fn name(self) -> &'static str {
        match self {
            Reading::Trained => "uniform's trained steps",
            Reading::FirstReaching => "uniform's first-reaching step",
        }
    }
}

/// A method's cell against its uniform baseline.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// Positions of the method's and the baseline's cells in the analysis.
    pub method: usize,
    pub baseline: usize,
    /// To the final and best score on every axis.
    pub speedups: Vec<Speedup>,
    /// The iso-accuracy curves, on `ISO_AXES`, targets in curve order. Drawn in
    /// the report's iso-accuracy figures and left out of analysis.json: 28
    /// readings a comparison made world's file 4 MB; `jestbench report`
    /// recomputes them from the results.
    #[serde(skip)]
    pub iso: Vec<Speedup>,
    pub final_score: Interval,
    pub baseline_final_score: Interval,
    pub welch: Option<stats::WelchTest>,
    /// Holm-adjusted p-value across every comparison of the analysis.
    pub holm_p: f64,
    pub hedges_g: Option<f64>,
    /// Bootstrap replicates of the method's seed-mean final score.
    #[serde(skip)]
    pub final_replicates: Vec<Option<f64>>,
}

/// The axes iso-accuracy curves are drawn on.
pub const ISO_AXES: [Axis; 2] = [Axis::Iterations, Axis::FlopsPaper];

impl Comparison {
    pub fn speedup(&self, target: Target, axis: Axis) -> &Speedup {
        self.speedups
            .iter()
            .find(|s| s.target == target && s.axis == axis)
            .expect("every named target and axis is computed")
    }

    /// The iso-accuracy curve on `axis`.
    pub fn iso_curve(&self, axis: Axis) -> impl Iterator<Item = &Speedup> {
        self.iso.iter().filter(move |s| s.axis == axis)
    }
}

/// The uniform cell in the same experiment and setting (Flexi-JEST's keys aside),
/// at full resolution when there is one.
fn baseline_of(cells: &[Cell], i: usize) -> Option<usize> {
    let c = &cells[i];
    let key = c.baseline_setting(None);
    let candidates: Vec<usize> = (0..cells.len())
        .filter(|&j| {
            let u = &cells[j];
            u.method == Method::UNIFORM
                && u.experiment == c.experiment
                && u.baseline_setting(None) == key
        })
        .collect();
    candidates
        .iter()
        .copied()
        .find(|&j| cells[j].full_resolution)
        .or(candidates.first().copied())
}

/// The seed-mean curve of the runs at `idx` (a bootstrap resample).
fn mean_of(runs: &[&RunSeries], idx: &[usize], axis: Axis) -> Curve {
    let xs: Vec<&[f64]> = idx.iter().map(|&i| &runs[i].x[&axis][..]).collect();
    let ys: Vec<&[f64]> = idx.iter().map(|&i| &runs[i].score[..]).collect();
    stats::mean_of_slices(&xs, &ys)
}

/// Bootstrap resamples of two cells' seeds, nested over their worlds: the same
/// indices for both when they ran the same seeds (paired), independent draws
/// otherwise.
fn resamples(method: &[&RunSeries], base: &[&RunSeries]) -> Vec<(Vec<usize>, Vec<usize>)> {
    let paired = method
        .iter()
        .map(|r| r.seed)
        .eq(base.iter().map(|r| r.seed));
    let groups =
        |runs: &[&RunSeries]| -> Vec<Option<u64>> { runs.iter().map(|r| r.world).collect() };
    let m = nested_indices(&groups(method), RESAMPLES, BOOTSTRAP_SEED);
    let b = if paired {
        m.clone()
    } else {
        nested_indices(&groups(base), RESAMPLES, BOOTSTRAP_SEED ^ 1)
    };
    m.into_iter().zip(b).collect()
}

/// Speed-ups to each of `targets` on `axis`, with their intervals.
fn speedups_on(
    est: &Estimator,
    axis: Axis,
    targets: &[Target],
    m_runs: &[&RunSeries],
    b_runs: &[&RunSeries],
    draws: &[(Vec<usize>, Vec<usize>)],
) -> Vec<Speedup> {
    let all_m: Vec<usize> = (0..m_runs.len()).collect();
    let all_b: Vec<usize> = (0..b_runs.len()).collect();
    let (base, meth) = (mean_of(b_runs, &all_b, axis), mean_of(m_runs, &all_m, axis));
    let units =
        |runs: &[&RunSeries]| stats::units(&runs.iter().map(|r| r.world).collect::<Vec<_>>());
    let seeds = units(m_runs).min(units(b_runs));
    let both = |b: &Curve, m: &Curve, t: Target| -> (Option<Bounds>, Option<Bounds>) {
        let goal = t.of(b);
        let [first, trained] = speedups_to(
            est,
            b,
            m,
            goal,
            [Numerator::FirstReaching, Numerator::At(t.trained_x(b))],
        );
        (first, trained)
    };
    // Per resample: both mean curves once, every target on them.
    let reps: Vec<Vec<(Option<Bounds>, Option<Bounds>)>> = draws
        .iter()
        .map(|(im, ib)| {
            let (b, m) = (mean_of(b_runs, ib, axis), mean_of(m_runs, im, axis));
            targets.iter().map(|&t| both(&b, &m, t)).collect()
        })
        .collect();
    targets
        .iter()
        .enumerate()
        .map(|(k, &t)| {
            let goal = t.of(&base);
            let replicates: Vec<Option<Bounds>> = reps.iter().map(|r| r[k].0).collect();
            let trained_replicates: Vec<Option<Bounds>> = reps.iter().map(|r| r[k].1).collect();
            let (first, trained) = both(&base, &meth, t);
            let ci = |p: Bounds, r: &[Option<Bounds>]| est.interval(p, r, seeds, Scale::Log, 0.95);
            Speedup {
                target: t,
                axis,
                target_score: goal,
                baseline_x: match base.first_reaching(goal) {
                    stats::Reached::At(x) => x,
                    stats::Reached::Never => f64::NAN,
                },
                interval: first.map(|p| ci(p, &replicates)),
                replicates,
                trained_x: t.trained_x(&base),
                trained: trained.map(|p| ci(p, &trained_replicates)),
                trained_replicates,
                logged: true,
            }
        })
        .collect()
}

/// The iso-accuracy targets of a baseline curve: every evaluation point after the
/// first up to its best, then the final and the best.
fn iso_targets(base: &Curve) -> Vec<Target> {
    let best = (0..base.y.len())
        .max_by(|&a, &b| base.y[a].total_cmp(&base.y[b]).then(b.cmp(&a)))
        .unwrap_or(0);
    let mut t: Vec<Target> = (1..=best).map(Target::Step).collect();
    t.extend([Target::Final, Target::Best]);
    t
}

/// Every method cell against its baseline.
pub fn comparisons(cells: &[Cell], est: &Estimator) -> Vec<Comparison> {
    let mut out = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        if cell.method == Method::UNIFORM {
            continue;
        }
        let Some(j) = baseline_of(cells, i) else {
            continue;
        };
        let (m_runs, b_runs) = (cell.complete(), cells[j].complete());
        if m_runs.is_empty() || b_runs.is_empty() {
            continue;
        }
        let draws = resamples(&m_runs, &b_runs);
        let named = [Target::Final, Target::Best];
        // An axis a run did not log (FLOPs or seconds all zero, as in results
        // from another tool without those columns) has no speed-up to report.
        let logged = |axis: Axis| {
            axis == Axis::Iterations
                || m_runs
                    .iter()
                    .chain(&b_runs)
                    .all(|r| r.x[&axis].iter().any(|&x| x > 0.0))
        };
        let unlogged = |mut s: Speedup| {
            s.interval = None;
            s.trained = None;
            s.replicates.clear();
            s.trained_replicates.clear();
            s.logged = false;
            s
        };
        let on = |axis: Axis, targets: &[Target]| -> Vec<Speedup> {
            let s = speedups_on(est, axis, targets, &m_runs, &b_runs, &draws);
            if logged(axis) {
                s
            } else {
                s.into_iter().map(unlogged).collect()
            }
        };
        // Rates (shares of uniform's gain) in iterations.
        let speedups: Vec<Speedup> = Axis::ALL
            .iter()
            .flat_map(|&axis| {
                let mut t = named.to_vec();
                if axis == Axis::Iterations {
                    t.extend(RATE_TARGETS);
                }
                on(axis, &t)
            })
            .collect();
        let iso: Vec<Speedup> = ISO_AXES
            .iter()
            .flat_map(|&axis| on(axis, &iso_targets(&cells[j].mean_curve(axis))))
            .collect();
        let (fm, fb) = (cell.final_scores(), cells[j].final_scores());
        let (gm, gb) = (cell.groups(), cells[j].groups());
        // The method's resamples, drawn once for its interval and its replicates.
        let draws = stats::mean_draws(&gm);
        out.push(Comparison {
            method: i,
            baseline: j,
            speedups,
            iso,
            final_score: stats::mean_interval_over(&fm, &draws),
            baseline_final_score: mean_interval_in(&fb, &gb),
            // Tests over independent replicates: a world's learners are one.
            welch: stats::welch_t_test(&unit_means(&fm, &gm), &unit_means(&fb, &gb)),
            holm_p: f64::NAN,
            hedges_g: stats::hedges_g(&unit_means(&fm, &gm), &unit_means(&fb, &gb)),
            final_replicates: stats::mean_replicates_over(&fm, &draws),
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

#[cfg(test)]
mod gain_tests {
    use super::*;

    /// A share of the gain is read between the first evaluation and the final,
    /// and its "trained" numerator is the baseline's own first reaching of it.
    #[test]
    fn a_share_of_the_gain_is_a_level_between_the_first_score_and_the_final() {
        let c = Curve {
            x: vec![0.0, 100.0, 200.0, 400.0],
            y: vec![0.2, 0.5, 0.6, 0.6],
        };
        assert!((Target::Gain(500).of(&c) - 0.4).abs() < 1e-12);
        assert!((Target::Gain(900).of(&c) - 0.56).abs() < 1e-12);
        let x = Target::Gain(500).trained_x(&c);
        assert!(x > 0.0 && x < 100.0, "{x}");
        assert_eq!(Target::Gain(800).name(), "gain80");
    }
}
