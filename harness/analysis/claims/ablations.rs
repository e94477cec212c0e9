//! The ablation findings (a)–(e) and the oracle's share, each a statistic of several
//! comparisons whose bootstrap replicates are combined index by index (cells that
//! ran the same seeds were resampled alike).

use std::collections::BTreeMap;

use super::{show_bounds, Claim, ClaimDef, Ctx};
use crate::analysis::cells::Axis;
use crate::analysis::compare::{Comparison, Target};
use crate::experiment::Method;
use crate::stats::trend::fixed_effects_weights;
use crate::stats::{censored_interval, mean_replicates, Bounds};

const ITERATIONS: &str = "iterations (speed-up to uniform's final)";

/// A comparison's speed-up to uniform's final in iterations: point and replicates.
fn speedup(c: &Comparison) -> Option<(Bounds, &[Option<Bounds>])> {
    let s = c.speedup(Target::Final, Axis::Iterations);
    Some((s.interval?.point, &s.replicates))
}

/// Index-wise combination of replicates (undefined where any part is).
fn combine(parts: &[&[Option<Bounds>]], f: impl Fn(&[Bounds]) -> Bounds) -> Vec<Option<Bounds>> {
    let n = parts.iter().map(|p| p.len()).min().unwrap_or(0);
    (0..n)
        .map(|k| {
            let xs: Option<Vec<Bounds>> = parts.iter().map(|p| p[k]).collect();
            xs.map(|xs| f(&xs))
        })
        .collect()
}

fn mean(xs: &[Bounds]) -> Bounds {
    let w = vec![1.0 / xs.len() as f64; xs.len()];
    Bounds::weighted_sum(&w, xs)
}

/// Pooled slope (a fixed effect per combination of the other keys) of a method's
/// speed-up along `key`; for the filtering ratio, f > 0 only.
pub(super) fn trend(ctx: &Ctx, def: &ClaimDef, method: &str, key: &str) -> Vec<Claim> {
    let mut groups: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut pts: Vec<(f64, usize, Bounds, &[Option<Bounds>])> = Vec::new();
    // A setting whose every point repeats runs counted elsewhere (another
    // experiment's copy of the same cells) is left out: runs count once.
    let mut fresh: BTreeMap<(String, String), bool> = BTreeMap::new();
    for c in ctx.comparisons {
        let cell = &ctx.cells[c.method];
        if cell.method.as_str() == method && cell.numeric(key).is_some() {
            *fresh
                .entry((cell.experiment.clone(), cell.setting_without(key)))
                .or_default() |= !ctx.is_repeat(c);
        }
    }
    for c in ctx.comparisons {
        let cell = &ctx.cells[c.method];
        if cell.method.as_str() != method
            || !fresh
                .get(&(cell.experiment.clone(), cell.setting_without(key)))
                .copied()
                .unwrap_or(false)
        {
            continue;
        }
        let Some(x) = cell.numeric(key) else { continue };
        if key == "train.filter_ratio" && x <= 0.0 {
            continue;
        }
        let Some((point, reps)) = speedup(c) else {
            continue;
        };
        let next = groups.len();
        let g = *groups
            .entry((cell.experiment.clone(), cell.setting_without(key)))
            .or_insert(next);
        pts.push((x, g, point, reps));
    }
    let xs: Vec<f64> = pts.iter().map(|p| p.0).collect();
    let gs: Vec<usize> = pts.iter().map(|p| p.1).collect();
    let Some(w) = fixed_effects_weights(&xs, &gs) else {
        return vec![def.not_measured(
            &format!("no {method} cells along {key} with two levels in one setting"),
            ITERATIONS,
        )];
    };
    let point = Bounds::weighted_sum(&w, &pts.iter().map(|p| p.2).collect::<Vec<_>>());
    let parts: Vec<&[Option<Bounds>]> = pts.iter().map(|p| p.3).collect();
    let reps = combine(&parts, |ys| Bounds::weighted_sum(&w, ys));
    let ci = censored_interval(point, &reps, 0.95);
    // Per setting: its own slope and its points.
    let mut per_group = Vec::new();
    for ((exp, setting), &g) in &groups {
        let idx: Vec<usize> = (0..pts.len()).filter(|&i| pts[i].1 == g).collect();
        let shown: Vec<String> = idx
            .iter()
            .map(|&i| format!("{}: {}", pts[i].0, show_bounds(pts[i].2, "x")))
            .collect();
        let local = fixed_effects_weights(
            &idx.iter().map(|&i| pts[i].0).collect::<Vec<_>>(),
            &vec![0; idx.len()],
        )
        .map(|lw| Bounds::weighted_sum(&lw, &idx.iter().map(|&i| pts[i].2).collect::<Vec<_>>()));
        let name = if setting.is_empty() {
            exp.clone()
        } else {
            format!("{exp}, {setting}")
        };
        per_group.push(format!(
            "{name}: {}{}",
            shown.join(", "),
            local.map_or(String::new(), |s| format!(
                " (slope {})",
                show_bounds(s, "")
            ))
        ));
    }
    vec![def.row(
        format!(
            "pooled slope {} over {} settings as fixed effects; {}",
            show_bounds(point, ""),
            groups.len(),
            per_group.join("; ")
        ),
        Some(ci),
        ITERATIONS,
    )]
}

/// Mean over matched settings of JEST's minus independent prioritisation's speed-up.
pub(super) fn joint_minus_independent(ctx: &Ctx, def: &ClaimDef) -> Vec<Claim> {
    let mut parts: Vec<&[Option<Bounds>]> = Vec::new();
    let mut points = Vec::new();
    let mut shown = Vec::new();
    for j in ctx
        .comparisons
        .iter()
        .filter(|c| ctx.cells[c.method].method == Method::Jest)
    {
        let cj = &ctx.cells[j.method];
        for i in ctx.comparisons.iter().filter(|o| {
            let co = &ctx.cells[o.method];
            co.method.is_independent() && co.experiment == cj.experiment && co.setting == cj.setting
        }) {
            let (Some((pj, rj)), Some((pi, ri))) = (speedup(j), speedup(i)) else {
                continue;
            };
            parts.extend([rj, ri]);
            points.push(pj.minus(pi));
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
    if points.is_empty() {
        return vec![def.not_measured(
            "no JEST and independent cells in the same setting",
            ITERATIONS,
        )];
    }
    let reps = combine(&parts, |v| {
        mean(&v.chunks(2).map(|p| p[0].minus(p[1])).collect::<Vec<_>>())
    });
    let point = mean(&points);
    vec![def.row(
        format!(
            "mean difference {} over {} settings ({})",
            show_bounds(point, "x"),
            points.len(),
            shown.join("; ")
        ),
        Some(censored_interval(point, &reps, 0.95)),
        ITERATIONS,
    )]
}

/// JEST with learnability minus the better of hard-learner and easy-reference scoring.
pub(super) fn learnability_minus_others(ctx: &Ctx, def: &ClaimDef) -> Vec<Claim> {
    let mut by_group: BTreeMap<(String, String), BTreeMap<String, &Comparison>> = BTreeMap::new();
    for c in ctx
        .comparisons
        .iter()
        .filter(|c| ctx.cells[c.method].method == Method::Jest)
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
    let (mut parts, mut points, mut shown) = (Vec::new(), Vec::new(), Vec::new());
    for rules in by_group.values() {
        let get = |r: &str| rules.get(r).and_then(|c| speedup(c));
        let (Some(l), Some(h), Some(e)) = (
            get("learnability"),
            get("hard_learner"),
            get("easy_reference"),
        ) else {
            continue;
        };
        parts.extend([l.1, h.1, e.1]);
        points.push(diff(&[l.0, h.0, e.0]));
        shown.push(format!(
            "learnability {}, hard learner {}, easy reference {}",
            show_bounds(l.0, "x"),
            show_bounds(h.0, "x"),
            show_bounds(e.0, "x")
        ));
    }
    if points.is_empty() {
        return vec![def.not_measured(
            "no experiment sweeps train.scoring over all three rules",
            ITERATIONS,
        )];
    }
    let reps = combine(&parts, |v| mean(&v.chunks(3).map(diff).collect::<Vec<_>>()));
    let point = mean(&points);
    vec![def.row(
        format!(
            "{} (difference {})",
            shown.join("; "),
            show_bounds(point, "x")
        ),
        Some(censored_interval(point, &reps, 0.95)),
        ITERATIONS,
    )]
}

/// JEST's final score at the smallest b minus at the largest (same B, same steps).
pub(super) fn small_minus_large_batch(ctx: &Ctx, def: &ClaimDef) -> Vec<Claim> {
    let mut by_group: BTreeMap<(String, String), Vec<(f64, &Comparison)>> = BTreeMap::new();
    for c in ctx
        .comparisons
        .iter()
        .filter(|c| ctx.cells[c.method].method == Method::Jest)
    {
        let cell = &ctx.cells[c.method];
        if let Some(b) = cell.numeric("train.batch_size") {
            by_group
                .entry((
                    cell.experiment.clone(),
                    cell.setting_without("train.batch_size"),
                ))
                .or_default()
                .push((b, c));
        }
    }
    let (mut parts, mut points, mut shown) = (Vec::new(), Vec::new(), Vec::new());
    let to_bounds = |v: &[Option<f64>]| -> Vec<Option<Bounds>> {
        v.iter().map(|x| x.map(Bounds::exact)).collect()
    };
    let mut owned = Vec::new();
    for v in by_group.values_mut() {
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        if v.len() < 2 {
            continue;
        }
        let (small, large) = (v[0], v[v.len() - 1]);
        owned.push(to_bounds(&small.1.final_replicates));
        owned.push(to_bounds(&large.1.final_replicates));
        let (fs, fl) = (
            small.1.final_score.point_estimate,
            large.1.final_score.point_estimate,
        );
        points.push(Bounds::exact(fs - fl));
        shown.push(format!(
            "b = {}: {fs:.3}, b = {}: {fl:.3}",
            small.0, large.0
        ));
    }
    if points.is_empty() {
        return vec![def.not_measured(
            "no experiment sweeps train.batch_size for JEST",
            "final score at equal iterations",
        )];
    }
    parts.extend(owned.iter().map(|v| v.as_slice()));
    let reps = combine(&parts, |v| {
        mean(&v.chunks(2).map(|p| p[0].minus(p[1])).collect::<Vec<_>>())
    });
    let point = mean(&points);
    vec![def.row(
        format!("{} (difference {:+.3})", shown.join("; "), point.lo),
        Some(censored_interval(point, &reps, 0.95)),
        "final score at equal iterations",
    )]
}

/// (JEST − uniform) / (oracle − uniform) in final score, per setting with all three.
pub(super) fn oracle_share(ctx: &Ctx, def: &ClaimDef) -> Vec<Claim> {
    let mut rows = Vec::new();
    for o in ctx
        .comparisons
        .iter()
        .filter(|c| ctx.cells[c.method].method == Method::Oracle)
    {
        let co = &ctx.cells[o.method];
        let Some(j) = ctx.comparisons.iter().find(|c| {
            let cj = &ctx.cells[c.method];
            cj.method == Method::Jest && cj.experiment == co.experiment && cj.setting == co.setting
        }) else {
            continue;
        };
        let base = mean_replicates(&ctx.cells[o.baseline].final_scores());
        let share = |jv: f64, ov: f64, uv: f64| Bounds::exact((jv - uv) / (ov - uv));
        let reps: Vec<Option<Bounds>> = (0..base
            .len()
            .min(j.final_replicates.len())
            .min(o.final_replicates.len()))
            .map(
                |k| match (j.final_replicates[k], o.final_replicates[k], base[k]) {
                    (Some(jv), Some(ov), Some(uv)) if ov > uv => Some(share(jv, ov, uv)),
                    _ => None,
                },
            )
            .collect();
        let (jv, ov, uv) = (
            j.final_score.point_estimate,
            o.final_score.point_estimate,
            o.baseline_final_score.point_estimate,
        );
        if ov <= uv {
            rows.push(def.row(
                format!(
                    "{}: the oracle ({ov:.3}) does not beat uniform ({uv:.3}); no share to take",
                    co.label()
                ),
                None,
                "final score",
            ));
            continue;
        }
        let point = share(jv, ov, uv);
        rows.push(def.row(
            format!(
                "{}{}: JEST {jv:.3}, oracle {ov:.3}, uniform {uv:.3}: {:.0}% of the oracle's gain",
                co.experiment,
                if co.setting.is_empty() {
                    String::new()
                } else {
                    format!(", {}", co.setting)
                },
                100.0 * point.lo
            ),
            Some(censored_interval(point, &reps, 0.95)),
            "final score",
        ));
    }
    if rows.is_empty() {
        rows.push(def.not_measured("no oracle cells", "final score"));
    }
    rows
}
