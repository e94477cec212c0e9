//! Horizon sweeps (docs/methods.md §5): with `train.steps` swept, each budget is trained with
//! its own schedule, as the paper trains them. For a selector against uniform in
//! the same setting, at each horizon H:
//!
//! - the horizon speed-up: H over the (log-interpolated) shortest selector horizon
//!   whose final score reaches uniform's final at H;
//! - the horizon factor: the horizon uniform needs to reach the selector's final
//!   score at H, over H (the paper's "13x": how much longer the baseline must train
//!   to match).
//!
//! Both are censored where the swept horizons cannot say (reached at the first, or
//! never), and bootstrapped over seeds (paired: the same seeds at every horizon).

use std::collections::BTreeMap;

use serde::Serialize;

use super::cells::Cell;
use crate::method::Method;
use crate::stats::speedup::{horizon_reaching, horizon_speedup};
use crate::stats::{
    mean_interval_in, nested_indices, Bounds, CensoredInterval, Estimator, Interval, Scale,
    BOOTSTRAP_SEED, RESAMPLES,
};

const STEPS_KEY: &str = "train.steps";

/// One horizon of a comparison.
#[derive(Clone, Debug, Serialize)]
pub struct HorizonPoint {
    pub horizon: f64,
    /// Seed-mean final scores at this horizon, with intervals.
    pub baseline_final: Interval,
    pub method_final: Interval,
    /// H (uniform's trained steps) over the selector's horizon reaching uniform's
    /// final at H: the paper's reading.
    pub speedup: CensoredInterval,
    /// Uniform's own (log-interpolated) horizon reaching its final at H over the
    /// selector's: the iso-accuracy reading, lower where uniform has levelled off.
    pub speedup_first: CensoredInterval,
    pub factor: CensoredInterval,
    /// Uniform's final at H minus its final at H/2 (or at the next shorter swept
    /// horizon): a budget where uniform "still improves" has this interval above 0
    /// (docs/methods.md §6).
    pub improvement: Option<CensoredInterval>,
    /// The horizon that gain is measured from (H/2, or the next shorter).
    pub improvement_from: Option<f64>,
    /// The ceiling gap: the selector's final minus uniform's at this horizon
    /// (paired over seeds), with its interval.
    pub ceiling_gap: CensoredInterval,
    #[serde(skip)]
    pub speedup_replicates: Vec<Option<Bounds>>,
    #[serde(skip)]
    pub speedup_first_replicates: Vec<Option<Bounds>>,
    #[serde(skip)]
    pub factor_replicates: Vec<Option<Bounds>>,
}

impl HorizonComparison {
    /// The budget the protocol's forward rule reads a same-data claim at
    /// (docs/methods.md §7): the longest swept H up to which uniform's final at 2H
    /// (or the next longer horizon) exceeds its final at H beyond noise at every
    /// budget. A rise after a plateau does not count: uniform has levelled off
    /// once, and a factor read beyond that measures its ceiling.
    pub fn forward_budget(&self) -> Option<f64> {
        let improves_after = |h: f64| {
            self.points
                .iter()
                .find(|p| p.improvement_from == Some(h))
                .map(HorizonPoint::uniform_improves)
        };
        self.points
            .iter()
            .map(|p| p.horizon)
            .take_while(|&h| improves_after(h) == Some(true))
            .last()
    }

    /// The budget §6's rule reads it at: the last of the opening run of horizons
    /// at which uniform improves over H/2.
    pub fn backward_budget(&self) -> Option<f64> {
        self.points
            .iter()
            .skip_while(|p| p.improvement.is_none())
            .take_while(|p| p.uniform_improves())
            .last()
            .map(|p| p.horizon)
    }
}

impl HorizonPoint {
    /// Whether uniform still improves at this horizon (its gain over H/2 is above
    /// the interval of that gain's noise).
    pub fn uniform_improves(&self) -> bool {
        self.improvement.is_some_and(|i| i.lower_bound > 0.0)
    }
}

/// A selector against uniform over a horizon sweep, in one setting.
#[derive(Clone, Debug, Serialize)]
pub struct HorizonComparison {
    pub experiment: String,
    pub method: Method,
    /// The setting without the horizon.
    pub setting: String,
    pub filter_ratio: f64,
    /// The selector scores at a low resolution (Flexi-JEST).
    pub cheap_scoring: bool,
    /// The seeds some horizon of both families ran, and the fewest independent
    /// replicates any horizon ran (worlds where the runs drew them, else seeds).
    pub seeds: Vec<u64>,
    pub fewest_seeds: usize,
    /// Whether the runs drew worlds (an experiment's `replicates`).
    pub worlds: bool,
    pub points: Vec<HorizonPoint>,
    /// The largest horizon factor over the horizons, bootstrapped as a whole.
    pub max_factor: CensoredInterval,
    #[serde(skip)]
    pub max_factor_replicates: Vec<Option<Bounds>>,
    /// The horizon factor in the paper's FLOP accounting: uniform's FLOPs at the
    /// horizon it needs over the selector's at H, its largest over the horizons.
    pub max_flop_factor: CensoredInterval,
    #[serde(skip)]
    pub max_flop_factor_replicates: Vec<Option<Bounds>>,
}

/// Per horizon, per seed: final scores of one cell family.
type Family<'a> = BTreeMap<usize, &'a Cell>;

/// Paper FLOPs per step of a cell (its last row's cumulative FLOPs over its steps).
fn paper_per_step(cell: &Cell) -> f64 {
    let runs = cell.complete();
    let Some(r) = runs.first() else {
        return f64::NAN;
    };
    let x = &r.x[&super::cells::Axis::FlopsPaper];
    x[x.len() - 1] / cell.steps.max(1) as f64
}

/// Every selector's horizon family against uniform's in the same setting.
pub fn comparisons(cells: &[Cell], est: &Estimator) -> Vec<HorizonComparison> {
    // (experiment, setting without steps, method) → horizon → cell.
    let mut families: BTreeMap<(String, String, Method), Family> = BTreeMap::new();
    for c in cells
        .iter()
        .filter(|c| c.sweep.iter().any(|(k, _)| k == STEPS_KEY))
    {
        families
            .entry((c.experiment.clone(), c.setting_without(STEPS_KEY), c.method))
            .or_default()
            .insert(c.steps, c);
    }
    // The uniform family of a setting (Flexi-JEST's keys aside), at full resolution
    // when there is one.
    let baseline_key = |fam: &Family| {
        fam.values()
            .next()
            .map(|c| c.baseline_setting(Some(STEPS_KEY)))
    };
    let mut out = Vec::new();
    for ((exp, setting, method), fam) in &families {
        if *method == Method::UNIFORM {
            continue;
        }
        let key = baseline_key(fam);
        let candidates: Vec<&Family> = families
            .iter()
            .filter(|((e, _, m), f)| e == exp && *m == Method::UNIFORM && baseline_key(f) == key)
            .map(|(_, f)| f)
            .collect();
        let full = |f: &&&Family| f.values().all(|c| c.full_resolution);
        let Some(base) = candidates.iter().find(full).or(candidates.first()).copied() else {
            continue;
        };
        if let Some(h) = compare(est, exp, setting, *method, base, fam) {
            out.push(h);
        }
    }
    // Settings in numeric order, as the cells.
    out.sort_by(|a: &HorizonComparison, b: &HorizonComparison| {
        a.experiment
            .cmp(&b.experiment)
            .then_with(|| crate::names::natural_cmp(&a.setting, &b.setting))
            .then_with(|| a.method.cmp(&b.method))
    });
    out
}

fn compare(
    est: &Estimator,
    exp: &str,
    setting: &str,
    method: Method,
    base: &Family,
    meth: &Family,
) -> Option<HorizonComparison> {
    let horizons: Vec<usize> = base
        .keys()
        .filter(|h| meth.contains_key(h))
        .copied()
        .collect();
    if horizons.len() < 2 {
        return None;
    }
    // Final score per horizon, per seed, for the seeds every cell completed.
    let finals = |fam: &Family| -> Vec<BTreeMap<u64, f64>> {
        horizons
            .iter()
            .map(|h| {
                fam[h]
                    .complete()
                    .iter()
                    .map(|r| (r.seed, r.final_score()))
                    .collect()
            })
            .collect()
    };
    let (fb, fm) = (finals(base), finals(meth));
    // Every seed that ran some horizon of both families; a horizon's mean is over
    // the seeds it ran (longer horizons may have run fewer seeds), resampled alike.
    let seeds: Vec<u64> = fb
        .iter()
        .chain(&fm)
        .flat_map(|m| m.keys().copied())
        .collect::<std::collections::BTreeSet<u64>>()
        .into_iter()
        .collect();
    // Each seed's world (an experiment's replicates), for the nested resample.
    let world: BTreeMap<u64, Option<u64>> = base
        .values()
        .chain(meth.values())
        .flat_map(|c| c.complete().into_iter().map(|r| (r.seed, r.world)))
        .collect();
    let groups: Vec<Option<u64>> = seeds.iter().map(|s| world[s]).collect();
    let units_of = |m: &BTreeMap<u64, f64>| -> usize {
        crate::stats::units(&m.keys().map(|s| world[s]).collect::<Vec<_>>())
    };
    let fewest = fb.iter().chain(&fm).map(units_of).min().unwrap_or(0);
    if fewest == 0 {
        return None;
    }
    let table = |f: &[BTreeMap<u64, f64>]| -> Vec<Vec<Option<f64>>> {
        f.iter()
            .map(|m| seeds.iter().map(|s| m.get(s).copied()).collect())
            .collect()
    };
    let (tb, tm) = (table(&fb), table(&fm));
    let present =
        |t: &[Vec<Option<f64>>], k: usize| -> Vec<f64> { t[k].iter().flatten().copied().collect() };
    let present_groups = |t: &[Vec<Option<f64>>], k: usize| -> Vec<Option<u64>> {
        t[k].iter()
            .zip(&groups)
            .filter(|(v, _)| v.is_some())
            .map(|(_, g)| *g)
            .collect()
    };
    let hs: Vec<f64> = horizons.iter().map(|&h| h as f64).collect();
    let flop_ratio = {
        let u = paper_per_step(base[&horizons[0]]);
        let m = paper_per_step(meth[&horizons[0]]);
        u / m
    };
    // The budget each horizon's gain is measured over: H/2 when swept (horizons
    // doubling), else the next shorter horizon.
    let half: Vec<Option<usize>> = (0..hs.len())
        .map(|k| {
            hs.iter()
                .position(|&g| (2.0 * g - hs[k]).abs() < 0.5)
                .or(k.checked_sub(1))
        })
        .collect();
    // Per resample: both families' mean final score at every horizon (None when a
    // resample drew no seed that ran some horizon).
    type Stat = (Vec<Bounds>, Vec<Bounds>, Vec<Bounds>, Vec<f64>, Vec<f64>);
    let stat = |idx: &[usize]| -> Option<Stat> {
        let mean = |t: &[Vec<Option<f64>>]| -> Option<Vec<(f64, f64)>> {
            t.iter()
                .zip(&hs)
                .map(|(v, &h)| {
                    let got: Vec<f64> = idx.iter().filter_map(|&i| v[i]).collect();
                    (!got.is_empty()).then(|| (h, got.iter().sum::<f64>() / got.len() as f64))
                })
                .collect()
        };
        let (b, m) = (mean(&tb)?, mean(&tm)?);
        let speedups = b
            .iter()
            .map(|&(h, target)| {
                horizon_speedup(Bounds::exact(h), horizon_reaching(est, &m, target))
            })
            .collect();
        let first = b
            .iter()
            .map(|&(_, target)| {
                let own = horizon_reaching(est, &b, target);
                horizon_speedup(own, horizon_reaching(est, &m, target))
            })
            .collect();
        let factors = m
            .iter()
            .map(|&(h, target)| horizon_reaching(est, &b, target).scaled(1.0 / h))
            .collect();
        let gains = (0..hs.len())
            .map(|k| half[k].map_or(f64::NAN, |j| b[k].1 - b[j].1))
            .collect();
        let gaps = m.iter().zip(&b).map(|(m, b)| m.1 - b.1).collect();
        Some((speedups, first, factors, gains, gaps))
    };
    let all: Vec<usize> = (0..seeds.len()).collect();
    let (point_s, point_i, point_f, point_g, point_c) = stat(&all)?;
    let reps: Vec<Option<Stat>> = nested_indices(&groups, RESAMPLES, BOOTSTRAP_SEED)
        .iter()
        .map(|idx| stat(idx))
        .collect();
    let col = |pick: &dyn Fn(&Stat) -> Bounds| -> Vec<Option<Bounds>> {
        reps.iter().map(|r| r.as_ref().map(pick)).collect()
    };
    let ci =
        |p: Bounds, r: &[Option<Bounds>], scale: Scale| est.interval(p, r, fewest, scale, 0.95);
    let points = (0..hs.len())
        .map(|k| {
            let sr = col(&|r: &Stat| r.0[k]);
            let ir = col(&|r: &Stat| r.1[k]);
            let fr = col(&|r: &Stat| r.2[k]);
            let gr = col(&|r: &Stat| Bounds::exact(r.3[k]));
            let cr = col(&|r: &Stat| Bounds::exact(r.4[k]));
            HorizonPoint {
                horizon: hs[k],
                baseline_final: mean_interval_in(&present(&tb, k), &present_groups(&tb, k)),
                method_final: mean_interval_in(&present(&tm, k), &present_groups(&tm, k)),
                speedup: ci(point_s[k], &sr, Scale::Log),
                speedup_first: ci(point_i[k], &ir, Scale::Log),
                factor: ci(point_f[k], &fr, Scale::Log),
                improvement: half[k].map(|_| ci(Bounds::exact(point_g[k]), &gr, Scale::Linear)),
                improvement_from: half[k].map(|j| hs[j]),
                ceiling_gap: ci(Bounds::exact(point_c[k]), &cr, Scale::Linear),
                speedup_replicates: sr,
                speedup_first_replicates: ir,
                factor_replicates: fr,
            }
        })
        .collect();
    let max_reps: Vec<Option<Bounds>> = col(&|r: &Stat| Bounds::max_of(&r.2));
    let flop_reps: Vec<Option<Bounds>> = max_reps
        .iter()
        .map(|r| r.map(|b| b.scaled(flop_ratio)))
        .collect();
    let max_point = Bounds::max_of(&point_f);
    Some(HorizonComparison {
        experiment: exp.to_string(),
        method,
        setting: setting.to_string(),
        filter_ratio: meth[&horizons[0]].filter_ratio,
        cheap_scoring: meth[&horizons[0]].cheap_scoring,
        seeds,
        fewest_seeds: fewest,
        worlds: groups.iter().any(Option::is_some),
        points,
        max_factor: ci(max_point, &max_reps, Scale::Log),
        max_factor_replicates: max_reps,
        max_flop_factor: ci(max_point.scaled(flop_ratio), &flop_reps, Scale::Log),
        max_flop_factor_replicates: flop_reps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ci(lo: f64, hi: f64) -> CensoredInterval {
        CensoredInterval::from(Interval {
            point_estimate: (lo + hi) / 2.0,
            lower_bound: lo,
            upper_bound: hi,
            confidence_level: 0.95,
            undefined_share: 0.0,
        })
    }

    /// Uniform's finals by horizon; each gain over H/2 known to ±0.005.
    fn sweep(finals: &[(f64, f64)]) -> HorizonComparison {
        let points = finals
            .iter()
            .enumerate()
            .map(|(k, &(h, y))| {
                let gain = k.checked_sub(1).map(|j| y - finals[j].1);
                HorizonPoint {
                    horizon: h,
                    baseline_final: Interval {
                        point_estimate: y,
                        lower_bound: y,
                        upper_bound: y,
                        confidence_level: 0.95,
                        undefined_share: 0.0,
                    },
                    method_final: Interval {
                        point_estimate: y + 0.1,
                        lower_bound: y + 0.1,
                        upper_bound: y + 0.1,
                        confidence_level: 0.95,
                        undefined_share: 0.0,
                    },
                    speedup: ci(1.0, 1.0),
                    speedup_first: ci(1.0, 1.0),
                    factor: ci(1.0, 1.0),
                    improvement: gain.map(|g| ci(g - 0.005, g + 0.005)),
                    improvement_from: k.checked_sub(1).map(|j| finals[j].0),
                    ceiling_gap: ci(0.1, 0.1),
                    speedup_replicates: Vec::new(),
                    speedup_first_replicates: Vec::new(),
                    factor_replicates: Vec::new(),
                }
            })
            .collect();
        HorizonComparison {
            experiment: "e".into(),
            method: Method::JEST,
            setting: String::new(),
            filter_ratio: 0.5,
            cheap_scoring: false,
            seeds: vec![0, 1, 2],
            fewest_seeds: 3,
            worlds: false,
            points,
            max_factor: ci(1.0, 1.0),
            max_factor_replicates: Vec::new(),
            max_flop_factor: ci(1.0, 1.0),
            max_flop_factor_replicates: Vec::new(),
        }
    }

    /// §6's backward rule lands on the first budget where uniform has levelled off;
    /// the protocol's forward rule on the last budget before it, and a rise after
    /// a plateau does not move either.
    #[test]
    fn the_forward_rule_reads_before_the_plateau_and_ignores_a_late_rise() {
        // Rising to 2,000, flat to 8,000, a late rise at 16,000.
        let h = sweep(&[
            (500.0, 0.60),
            (1000.0, 0.64),
            (2000.0, 0.67),
            (4000.0, 0.668),
            (8000.0, 0.659),
            (16000.0, 0.672),
        ]);
        assert_eq!(h.backward_budget(), Some(2000.0));
        assert_eq!(h.forward_budget(), Some(1000.0));
        // Still rising at the longest horizon: the forward rule stops one short
        // (nothing is known beyond it), the backward rule takes it.
        let h = sweep(&[(500.0, 0.5), (1000.0, 0.6), (2000.0, 0.7)]);
        assert_eq!(h.backward_budget(), Some(2000.0));
        assert_eq!(h.forward_budget(), Some(1000.0));
        // Flat from the start: neither rule has a budget.
        let h = sweep(&[(500.0, 0.6), (1000.0, 0.601), (2000.0, 0.6)]);
        assert_eq!((h.backward_budget(), h.forward_budget()), (None, None));
    }
}
