//! The ablation findings (a)–(e) and the oracle's share, each a statistic of several
//! comparisons whose bootstrap replicates are combined index by index (cells that
//! ran the same seeds were resampled alike).

use std::collections::BTreeMap;

use super::readings::{
    both_text, combine, experiments_of, measures, per_reading, seeds_of, speedup, Replicates,
};
use super::{show_bounds, Claim, ClaimDef, Ctx, Measure, Verdict};
use crate::analysis::cells::Axis;
use crate::analysis::compare::{Comparison, Reading};
use crate::analysis::Knob;
use crate::method::Method;
use crate::stats::{mean_replicates_in, Bounds, Scale};

const ITERATIONS: &str = "iterations (speed-up to uniform's final)";

fn mean(xs: &[Bounds]) -> Bounds {
    let w = vec![1.0 / xs.len() as f64; xs.len()];
    Bounds::weighted_sum(&w, xs)
}

/// Mean over matched settings of JEST's minus independent prioritisation's speed-up.
pub(super) fn joint_minus_independent(ctx: &Ctx, def: &ClaimDef) -> Vec<Claim> {
    let mut cs: Vec<&Comparison> = Vec::new();
    let mut shown = Vec::new();
    for j in ctx
        .comparisons
        .iter()
        .filter(|c| ctx.cells[c.method].method == Method::JEST)
    {
        let cj = &ctx.cells[j.method];
        for i in ctx.comparisons.iter().filter(|o| {
            let co = &ctx.cells[o.method];
            co.method.is_independent() && co.experiment == cj.experiment && co.setting == cj.setting
        }) {
            let (Some((pj, _)), Some((pi, _))) =
                (speedup(j, Reading::Trained), speedup(i, Reading::Trained))
            else {
                continue;
            };
            if speedup(j, Reading::FirstReaching).is_none()
                || speedup(i, Reading::FirstReaching).is_none()
            {
                continue;
            }
            cs.extend([j, i]);
            shown.push(format!(
                "{}: {} vs {}",
                if cj.setting.is_empty() {
                    cj.experiment.clone()
                } else {
                    cj.setting.clone()
                },
                show_bounds(pj, "x"),
                show_bounds(pi, "x")
            ));
        }
    }
    if cs.is_empty() {
        return vec![def.not_measured(
            "no JEST and independent cells in the same setting",
            ITERATIONS,
        )];
    }
    let diff = |v: &[Bounds]| mean(&v.chunks(2).map(|p| p[0].minus(p[1])).collect::<Vec<_>>());
    let v = per_reading(&cs, diff).expect("checked above");
    let seeds = seeds_of(ctx, cs.iter().copied());
    vec![def.row(
        ctx,
        format!(
            "mean difference {} over {} {} (trained-steps reading: {})",
            both_text(&v, "x"),
            shown.len(),
            if shown.len() == 1 {
                "setting"
            } else {
                "settings"
            },
            shown.join("; ")
        ),
        measures(v, seeds),
        ITERATIONS,
        experiments_of(ctx, cs.iter().copied()),
    )]
}

/// JEST with learnability minus the better of hard-learner and easy-reference scoring.
pub(super) fn learnability_minus_others(ctx: &Ctx, def: &ClaimDef) -> Vec<Claim> {
    let mut by_group: BTreeMap<(String, String), BTreeMap<String, &Comparison>> = BTreeMap::new();
    for c in ctx
        .comparisons
        .iter()
        .filter(|c| ctx.cells[c.method].method == Method::JEST)
    {
        let cell = &ctx.cells[c.method];
        if let Some((_, rule)) = cell.sweep.iter().find(|(k, _)| k == "train.scoring") {
            by_group
                .entry((
                    cell.experiment.clone(),
                    cell.setting_without("train.scoring"),
                ))
                .or_default()
                .insert(rule.clone(), c);
        }
    }
    let diff = |v: &[Bounds]| v[0].minus(Bounds::max_of(&v[1..]));
    let (mut cs, mut shown): (Vec<&Comparison>, Vec<String>) = (Vec::new(), Vec::new());
    for rules in by_group.values() {
        let get = |r: &str| rules.get(r).copied();
        let (Some(l), Some(h), Some(e)) = (
            get("learnability"),
            get("hard_learner"),
            get("easy_reference"),
        ) else {
            continue;
        };
        let ok = [l, h, e]
            .iter()
            .all(|c| Reading::BOTH.iter().all(|&r| speedup(c, r).is_some()));
        if !ok {
            continue;
        }
        cs.extend([l, h, e]);
        let p = |c: &Comparison| show_bounds(speedup(c, Reading::Trained).expect("ok").0, "x");
        shown.push(format!(
            "learnability {}, hard learner {}, easy reference {}",
            p(l),
            p(h),
            p(e)
        ));
    }
    if cs.is_empty() {
        return vec![def.not_measured(
            "no experiment sweeps train.scoring over all three rules",
            ITERATIONS,
        )];
    }
    let v = per_reading(&cs, |v| mean(&v.chunks(3).map(diff).collect::<Vec<_>>()))
        .expect("checked above");
    let seeds = seeds_of(ctx, cs.iter().copied());
    vec![def.row(
        ctx,
        format!(
            "{} (trained-steps reading; difference {})",
            shown.join("; "),
            both_text(&v, "x")
        ),
        measures(v, seeds),
        ITERATIONS,
        experiments_of(ctx, cs.iter().copied()),
    )]
}

/// The seed-mean score of a cell's runs at iteration `step` (each run's curve
/// interpolated linearly), with its bootstrap replicates (the resamples every
/// `mean_replicates_in` draws over its worlds, so paired with the finals').
fn score_at(cell: &crate::analysis::Cell, step: f64) -> (f64, Vec<Option<f64>>) {
    let values: Vec<f64> = cell
        .complete()
        .iter()
        .map(|r| {
            let c = r.curve(Axis::Iterations);
            let k = c.x.iter().position(|&x| x >= step).unwrap_or(c.x.len() - 1);
            if k == 0 || c.x[k] <= step {
                c.y[k]
            } else {
                let t = (step - c.x[k - 1]) / (c.x[k] - c.x[k - 1]);
                c.y[k - 1] + t * (c.y[k] - c.y[k - 1])
            }
        })
        .collect();
    (
        crate::stats::mean(&values),
        mean_replicates_in(&values, &cell.groups()),
    )
}

/// JEST's final score at the smallest b minus at the largest (same B, same steps),
/// at equal iterations and at equal examples seen (the larger batch's score at the
/// step where it has trained on as many examples as the smaller's whole run).
pub(super) fn small_minus_large_batch(ctx: &Ctx, def: &ClaimDef) -> Vec<Claim> {
    let mut by_group: BTreeMap<(String, String), Vec<(f64, &Comparison)>> = BTreeMap::new();
    for c in ctx
        .comparisons
        .iter()
        .filter(|c| ctx.cells[c.method].method == Method::JEST)
    {
        let cell = &ctx.cells[c.method];
        if let Some(b) = cell.along(Knob::BatchSize) {
            by_group
                .entry((
                    cell.experiment.clone(),
                    cell.setting_without("train.batch_size"),
                ))
                .or_default()
                .push((b, c));
        }
    }
    let to_bounds = |v: &[Option<f64>]| -> Vec<Option<Bounds>> {
        v.iter().map(|x| x.map(Bounds::exact)).collect()
    };
    let (mut iters, mut examples): (Vec<Replicates>, Vec<Replicates>) = (Vec::new(), Vec::new());
    let (mut p_iter, mut p_ex, mut shown, mut used) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for v in by_group.values_mut() {
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        if v.len() < 2 {
            continue;
        }
        let (small, large) = (v[0], v[v.len() - 1]);
        let (ls, ll) = (&ctx.cells[small.1.method], &ctx.cells[large.1.method]);
        let equal_step = ls.steps as f64 * small.0 / large.0;
        let (at, at_reps) = score_at(ll, equal_step);
        iters.push(to_bounds(&small.1.final_replicates));
        iters.push(to_bounds(&large.1.final_replicates));
        examples.push(to_bounds(&small.1.final_replicates));
        examples.push(to_bounds(&at_reps));
        let (fs, fl) = (
            small.1.final_score.point_estimate,
            large.1.final_score.point_estimate,
        );
        p_iter.push(Bounds::exact(fs - fl));
        p_ex.push(Bounds::exact(fs - at));
        used.extend([small.1, large.1]);
        shown.push(format!(
            "b = {}: {fs:.3} after {} steps; b = {}: {fl:.3} after {} steps, {at:.3} at step {equal_step:.0} (as many examples as b = {})",
            small.0, ls.steps, large.0, ll.steps, small.0
        ));
    }
    if p_iter.is_empty() {
        return vec![def.not_measured(
            "no experiment sweeps train.batch_size for JEST",
            "final score",
        )];
    }
    let diff = |v: &[Bounds]| mean(&v.chunks(2).map(|p| p[0].minus(p[1])).collect::<Vec<_>>());
    let parts = |v: &[Vec<Option<Bounds>>]| {
        combine(&v.iter().map(|x| x.as_slice()).collect::<Vec<_>>(), diff)
    };
    let seeds = seeds_of(ctx, used.iter().copied());
    let (pi, pe) = (mean(&p_iter), mean(&p_ex));
    vec![def.row(
        ctx,
        format!(
            "{} (difference {:+.3} at equal iterations, {:+.3} at equal examples seen)",
            shown.join("; "),
            pi.mid,
            pe.mid
        ),
        vec![
            Measure {
                name: "equal iterations".into(),
                point: pi,
                replicates: parts(&iters),
                seeds,
            },
            Measure {
                name: "equal examples seen".into(),
                point: pe,
                replicates: parts(&examples),
                seeds,
            },
        ],
        "final score at equal iterations and at equal examples",
        experiments_of(ctx, used.iter().copied()),
    )]
}

/// (JEST − uniform) / (oracle − uniform) in final score, per setting with all
/// three; "undefined" where the oracle's gain over uniform is within its noise.
pub(super) fn oracle_share(ctx: &Ctx, def: &ClaimDef) -> Vec<Claim> {
    let mut rows = Vec::new();
    for o in ctx
        .comparisons
        .iter()
        .filter(|c| ctx.cells[c.method].method == Method::ORACLE)
    {
        let co = &ctx.cells[o.method];
        let Some(j) = ctx.comparisons.iter().find(|c| {
            let cj = &ctx.cells[c.method];
            cj.method == Method::JEST && cj.experiment == co.experiment && cj.setting == co.setting
        }) else {
            continue;
        };
        let b = &ctx.cells[o.baseline];
        let base = mean_replicates_in(&b.final_scores(), &b.groups());
        let n = base
            .len()
            .min(j.final_replicates.len())
            .min(o.final_replicates.len());
        let seeds = seeds_of(ctx, [o, j]);
        let (jv, ov, uv) = (
            j.final_score.point_estimate,
            o.final_score.point_estimate,
            o.baseline_final_score.point_estimate,
        );
        let name = format!(
            "{}{}",
            co.experiment,
            if co.setting.is_empty() {
                String::new()
            } else {
                format!(", {}", co.setting)
            }
        );
        // The denominator's interval first: a share of a gain within noise is no number.
        let gain_reps: Vec<Option<Bounds>> = (0..n)
            .map(|k| match (o.final_replicates[k], base[k]) {
                (Some(ov), Some(uv)) => Some(Bounds::exact(ov - uv)),
                _ => None,
            })
            .collect();
        let gain = ctx.est.interval(
            Bounds::exact(ov - uv),
            &gain_reps,
            seeds,
            Scale::Linear,
            0.95,
        );
        if gain.lower_bound.is_nan() || gain.lower_bound <= 0.0 {
            let mut row = def.without_estimate(
                Verdict::Undefined,
                format!(
                    "{name}: JEST {jv:.3}, oracle {ov:.3}, uniform {uv:.3}: the oracle's gain {:+.3} [{:+.3}, {:+.3}] is within its noise, so no share of it is defined",
                    ov - uv,
                    gain.lower_bound,
                    gain.upper_bound
                ),
                "final score",
                vec![co.experiment.clone()],
            );
            row.setting = co.setting.clone();
            rows.push(row);
            continue;
        }
        let share = |jv: f64, ov: f64, uv: f64| Bounds::exact((jv - uv) / (ov - uv));
        let reps: Vec<Option<Bounds>> = (0..n)
            .map(
                |k| match (j.final_replicates[k], o.final_replicates[k], base[k]) {
                    (Some(jv), Some(ov), Some(uv)) if ov > uv => Some(share(jv, ov, uv)),
                    _ => None,
                },
            )
            .collect();
        let point = share(jv, ov, uv);
        let mut row = def.row(
            ctx,
            format!(
                "{name}: JEST {jv:.3}, oracle {ov:.3}, uniform {uv:.3}: {:.0}% of the oracle's gain ({:+.3} [{:+.3}, {:+.3}])",
                100.0 * point.mid,
                ov - uv,
                gain.lower_bound,
                gain.upper_bound
            ),
            vec![Measure { name: "share of the oracle's gain".into(), point, replicates: reps, seeds }],
            "final score",
            vec![co.experiment.clone()],
        );
        row.setting = co.setting.clone();
        rows.push(row);
    }
    if rows.is_empty() {
        rows.push(def.not_measured("no oracle cells", "final score"));
    }
    rows
}
