//! Each selector's cell against the uniform cell of the same experiment and setting:
//! speed-ups to reach the baseline's final (and best) seed-mean score on every
//! axis, with bootstrap CIs over seeds; final scores with Welch's test
//! (Holm-corrected across the analysis) and Hedges' g.

use serde::Serialize;

use super::cells::{Axis, Cell, RunSeries, Target};
use crate::experiment::Method;
use crate::stats::{
    self, bootstrap, mean_interval, mean_replicates, percentile_interval, Curve, Interval, Reached,
    BOOTSTRAP_SEED, RESAMPLES,
};

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
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// Positions of the method's and the baseline's cells in the analysis.
    pub method: usize,
    pub baseline: usize,
    pub speedups: Vec<Speedup>,
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
        u.method == Method::Uniform && u.experiment == c.experiment && u.setting == c.setting
    })
}

/// The seed-mean curve of the runs at `idx` (a bootstrap resample).
fn mean_of(runs: &[&RunSeries], idx: &[usize], axis: Axis) -> Curve {
    let curves: Vec<Curve> = idx.iter().map(|&i| runs[i].curve(axis)).collect();
    stats::mean_curve(&curves.iter().collect::<Vec<_>>())
}

/// Every method cell against its baseline.
pub fn comparisons(cells: &[Cell]) -> Vec<Comparison> {
    let mut out = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        if cell.method == Method::Uniform {
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
        out.push(Comparison {
            method: i,
            baseline: j,
            speedups,
            final_score: mean_interval(&fm),
            baseline_final_score: mean_interval(&fb),
            welch: stats::welch_t_test(&fm, &fb),
            holm_p: f64::NAN,
            hedges_g: stats::hedges_g(&fm, &fb),
            final_replicates: mean_replicates(&fm),
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
