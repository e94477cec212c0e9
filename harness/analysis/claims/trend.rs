//! Claims (a), (b') and (d): a method's speed-up along a swept key, as a pooled
//! slope with a fixed effect per combination of the other keys, under both
//! readings of the speed-up. The scale trends (docs/methods.md §5 "Scale
//! trends") are the same fit on log2 scales: the change of log2 speed-up per
//! doubling of a size, from the designated ladder experiments only.

use std::collections::BTreeMap;

use super::readings::{both_text, experiments_of, measures, per_reading, seeds_of, speedup};
use super::{show_bounds, Claim, ClaimDef, Ctx, Statistic};
use crate::analysis::compare::{Comparison, Reading};
use crate::analysis::Knob;
use crate::method::Method;
use crate::stats::trend::fixed_effects_weights;
use crate::stats::Bounds;

const ITERATIONS: &str = "iterations (speed-up to uniform's final)";

/// How a trend reads its axis and its speed-ups.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Along {
    /// The speed-up against the knob's value, from every experiment.
    Linear,
    /// log2 speed-up against log2 of the knob's value (per doubling), from the
    /// claim's designated experiments only.
    Log2,
}

/// log2 of a positive censored value, side by side (a lower side at 0 is −∞).
fn log2(b: Bounds) -> Bounds {
    let l = |v: f64| if v > 0.0 { v.log2() } else { f64::NEG_INFINITY };
    Bounds {
        lo: l(b.lo),
        hi: l(b.hi),
        mid: if b.mid > 0.0 { b.mid.log2() } else { f64::NAN },
    }
}

/// Pooled slope (a fixed effect per combination of the other keys) of a method's
/// speed-up along `key`; for the filtering ratio, f > 0 only.
pub(super) fn trend(ctx: &Ctx, def: &ClaimDef, method: Method, knob: Knob) -> Vec<Claim> {
    trend_along(ctx, def, method, knob, Along::Linear)
}

pub(super) fn trend_along(
    ctx: &Ctx,
    def: &ClaimDef,
    method: Method,
    knob: Knob,
    along: Along,
) -> Vec<Claim> {
    let key = knob.key();
    let counted = |cell: &crate::analysis::Cell| {
        along == Along::Linear || def.designated().contains(&cell.experiment)
    };
    let mut groups: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut pts: Vec<(f64, usize, &Comparison)> = Vec::new();
    // A setting whose every point repeats runs counted elsewhere (another
    // experiment's copy of the same cells) is left out: runs count once.
    let mut fresh: BTreeMap<(String, String), bool> = BTreeMap::new();
    for c in ctx.comparisons {
        let cell = &ctx.cells[c.method];
        if cell.method == method && cell.along(knob).is_some() && counted(cell) {
            *fresh
                .entry((cell.experiment.clone(), cell.setting_without(key)))
                .or_default() |= !ctx.is_repeat(c);
        }
    }
    for c in ctx.comparisons {
        let cell = &ctx.cells[c.method];
        if cell.method != method
            || !fresh
                .get(&(cell.experiment.clone(), cell.setting_without(key)))
                .copied()
                .unwrap_or(false)
        {
            continue;
        }
        let Some(x) = cell.along(knob) else { continue };
        if knob == Knob::FilterRatio && x <= 0.0 {
            continue;
        }
        if along == Along::Log2 && x <= 0.0 {
            continue;
        }
        let x = match along {
            Along::Linear => x,
            Along::Log2 => x.log2(),
        };
        if Reading::BOTH.iter().any(|&r| speedup(c, r).is_none()) {
            continue;
        }
        let next = groups.len();
        let g = *groups
            .entry((cell.experiment.clone(), cell.setting_without(key)))
            .or_insert(next);
        pts.push((x, g, c));
    }
    let xs: Vec<f64> = pts.iter().map(|p| p.0).collect();
    let gs: Vec<usize> = pts.iter().map(|p| p.1).collect();
    let Some(w) = fixed_effects_weights(&xs, &gs) else {
        return vec![def.not_measured(
            &format!("no {method} cells along {key} with two levels in one setting"),
            ITERATIONS,
        )];
    };
    let cs: Vec<&Comparison> = pts.iter().map(|p| p.2).collect();
    let y = |b: Bounds| match along {
        Along::Linear => b,
        Along::Log2 => log2(b),
    };
    let Some(v) = per_reading(&cs, |ys| {
        Bounds::weighted_sum(&w, &ys.iter().map(|&b| y(b)).collect::<Vec<_>>())
    }) else {
        return vec![def.not_measured("a speed-up is undefined", ITERATIONS)];
    };
    // Per setting: its own slope and its points (trained-steps reading).
    let mut per_group = Vec::new();
    for ((exp, setting), &g) in &groups {
        let idx: Vec<usize> = (0..pts.len()).filter(|&i| pts[i].1 == g).collect();
        let point = |i: usize| speedup(pts[i].2, Reading::Trained).expect("kept").0;
        let shown: Vec<String> = idx
            .iter()
            .map(|&i| {
                let x = match along {
                    Along::Linear => pts[i].0,
                    Along::Log2 => pts[i].0.exp2().round(),
                };
                format!("{x}: {}", show_bounds(point(i), "x"))
            })
            .collect();
        let local = fixed_effects_weights(
            &idx.iter().map(|&i| pts[i].0).collect::<Vec<_>>(),
            &vec![0; idx.len()],
        )
        .map(|lw| Bounds::weighted_sum(&lw, &idx.iter().map(|&i| y(point(i))).collect::<Vec<_>>()));
        let name = if setting.is_empty() {
            exp.clone()
        } else {
            format!("{exp}, {setting}")
        };
        // A size axis shows the ceiling apart from the rate (docs/methods.md §7):
        // JEST's final score minus uniform's at each rung.
        let ceiling = if along == Along::Log2 {
            let gaps: Vec<String> = idx
                .iter()
                .map(|&i| {
                    let c = pts[i].2;
                    format!(
                        "{}: {:+.3}",
                        pts[i].0.exp2().round(),
                        c.final_score.point_estimate - c.baseline_final_score.point_estimate
                    )
                })
                .collect();
            format!(
                "; ceiling gap (final score minus uniform's) {}",
                gaps.join(", ")
            )
        } else {
            String::new()
        };
        per_group.push(format!(
            "{name}: {}{}{ceiling}",
            shown.join(", "),
            local.map_or(String::new(), |s| format!(
                " (slope {})",
                show_bounds(s, "")
            ))
        ));
    }
    let seeds = seeds_of(ctx, cs.iter().copied());
    let what = match along {
        Along::Linear => "pooled slope".to_string(),
        Along::Log2 => format!(
            "pooled slope of log2 speed-up per doubling of the {}",
            knob.words()
        ),
    };
    vec![def.row(
        ctx,
        format!(
            "{what} {} over {} {} as fixed effects; by setting (trained-steps reading): {}",
            both_text(&v, ""),
            groups.len(),
            if groups.len() == 1 {
                "setting"
            } else {
                "settings"
            },
            per_group.join("; ")
        ),
        measures(v, seeds),
        ITERATIONS,
        experiments_of(ctx, cs.iter().copied()),
    )]
}

/// A scale trend judged by no threshold says which way it goes: "grows with
/// tower width" where its adjusted interval lies above 0, "shrinks with …" below,
/// "no trend detected" where it holds 0.
pub(super) fn direction(row: &mut Claim) {
    let Some(def) = super::CLAIMS.iter().find(|d| d.id == row.id) else {
        return;
    };
    let Statistic::ScaleTrend { knob } = def.statistic else {
        return;
    };
    if row.verdict != super::Verdict::Measured {
        return;
    }
    let way = |ci: &crate::stats::CensoredInterval| {
        if ci.lower_bound > 0.0 {
            format!("grows with {}", knob.words())
        } else if ci.upper_bound < 0.0 {
            format!("shrinks with {}", knob.words())
        } else {
            "no trend detected".to_string()
        }
    };
    let ways: Vec<(String, String)> = row
        .definitions
        .iter()
        .map(|d| (d.name.clone(), way(&d.adjusted)))
        .collect();
    let words = match ways.as_slice() {
        [] => match &row.adjusted {
            Some(ci) => way(ci),
            None => return,
        },
        [(_, w), rest @ ..] if rest.iter().all(|(_, o)| o == w) => w.clone(),
        _ => format!(
            "depends on the reading: {}",
            ways.iter()
                .map(|(n, w)| format!("{w} ({n})"))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    };
    row.verdict_text = format!("{}: {words}", row.verdict_text);
}
