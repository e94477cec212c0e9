//! Horizon sweeps (SPEC §5): with `train.steps` swept, each budget is trained with
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
use crate::experiment::Method;
use crate::stats::speedup::{horizon_reaching, horizon_speedup};
use crate::stats::{
    censored_interval, mean_interval, resample_indices, Bounds, CensoredInterval, Interval,
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
    pub speedup: CensoredInterval,
    pub factor: CensoredInterval,
    #[serde(skip)]
    pub speedup_replicates: Vec<Option<Bounds>>,
    #[serde(skip)]
    pub factor_replicates: Vec<Option<Bounds>>,
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
    /// The seeds every horizon of both cells ran.
    pub seeds: Vec<u64>,
    pub points: Vec<HorizonPoint>,
    /// The largest horizon factor over the horizons, bootstrapped as a whole.
    pub max_factor: CensoredInterval,
    #[serde(skip)]
    pub max_factor_replicates: Vec<Option<Bounds>>,
    /// The horizon factor in the paper's FLOP accounting: uniform's FLOPs at the
    /// horizon it needs over the selector's at H, its largest over the horizons.
    pub max_flop_factor: CensoredInterval,
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
pub fn comparisons(cells: &[Cell]) -> Vec<HorizonComparison> {
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
        if *method == Method::Uniform {
            continue;
        }
        let key = baseline_key(fam);
        let candidates: Vec<&Family> = families
            .iter()
            .filter(|((e, _, m), f)| e == exp && *m == Method::Uniform && baseline_key(f) == key)
            .map(|(_, f)| f)
            .collect();
        let full = |f: &&&Family| f.values().all(|c| c.full_resolution);
        let Some(base) = candidates.iter().find(full).or(candidates.first()).copied() else {
            continue;
        };
        if let Some(h) = compare(exp, setting, *method, base, fam) {
            out.push(h);
        }
    }
    out
}

fn compare(
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
    let seeds: Vec<u64> = fb[0]
        .keys()
        .filter(|s| fb.iter().chain(&fm).all(|m| m.contains_key(s)))
        .copied()
        .collect();
    if seeds.is_empty() {
        return None;
    }
    let table = |f: &[BTreeMap<u64, f64>]| -> Vec<Vec<f64>> {
        f.iter()
            .map(|m| seeds.iter().map(|s| m[s]).collect())
            .collect()
    };
    let (tb, tm) = (table(&fb), table(&fm));
    let hs: Vec<f64> = horizons.iter().map(|&h| h as f64).collect();
    let flop_ratio = {
        let u = paper_per_step(base[&horizons[0]]);
        let m = paper_per_step(meth[&horizons[0]]);
        u / m
    };
    // Per resample: both families' mean final score at every horizon.
    let stat = |idx: &[usize]| -> (Vec<Bounds>, Vec<Bounds>) {
        let mean = |t: &[Vec<f64>]| -> Vec<(f64, f64)> {
            t.iter()
                .zip(&hs)
                .map(|(v, &h)| (h, idx.iter().map(|&i| v[i]).sum::<f64>() / idx.len() as f64))
                .collect()
        };
        let (b, m) = (mean(&tb), mean(&tm));
        let speedups = b
            .iter()
            .map(|&(h, target)| horizon_speedup(h, horizon_reaching(&m, target)))
            .collect();
        let factors = m
            .iter()
            .map(|&(h, target)| {
                let hu = horizon_reaching(&b, target);
                Bounds {
                    lo: hu.lo / h,
                    hi: hu.hi / h,
                }
            })
            .collect();
        (speedups, factors)
    };
    let all: Vec<usize> = (0..seeds.len()).collect();
    let (point_s, point_f) = stat(&all);
    let reps: Vec<(Vec<Bounds>, Vec<Bounds>)> =
        resample_indices(seeds.len(), RESAMPLES, BOOTSTRAP_SEED)
            .iter()
            .map(|idx| stat(idx))
            .collect();
    let points = (0..hs.len())
        .map(|k| {
            let sr: Vec<Option<Bounds>> = reps.iter().map(|r| Some(r.0[k])).collect();
            let fr: Vec<Option<Bounds>> = reps.iter().map(|r| Some(r.1[k])).collect();
            HorizonPoint {
                horizon: hs[k],
                baseline_final: mean_interval(&tb[k]),
                method_final: mean_interval(&tm[k]),
                speedup: censored_interval(point_s[k], &sr, 0.95),
                factor: censored_interval(point_f[k], &fr, 0.95),
                speedup_replicates: sr,
                factor_replicates: fr,
            }
        })
        .collect();
    let max_reps: Vec<Option<Bounds>> = reps.iter().map(|r| Some(Bounds::max_of(&r.1))).collect();
    let scale = |b: Bounds| Bounds {
        lo: b.lo * flop_ratio,
        hi: b.hi * flop_ratio,
    };
    let flop_reps: Vec<Option<Bounds>> = max_reps.iter().map(|r| r.map(scale)).collect();
    let max_point = Bounds::max_of(&point_f);
    Some(HorizonComparison {
        experiment: exp.to_string(),
        method,
        setting: setting.to_string(),
        filter_ratio: meth[&horizons[0]].filter_ratio,
        cheap_scoring: meth[&horizons[0]].cheap_scoring,
        seeds,
        points,
        max_factor: censored_interval(max_point, &max_reps, 0.95),
        max_factor_replicates: max_reps,
        max_flop_factor: censored_interval(scale(max_point), &flop_reps, 0.95),
    })
}
