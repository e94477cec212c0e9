//! Claims (a), (b') and (d): a method's speed-up along a swept key, as a pooled
//! slope with a fixed effect per combination of the other keys, under both
//! readings of the speed-up.

use std::collections::BTreeMap;

use super::readings::{both_text, experiments_of, measures, per_reading, seeds_of, speedup};
use super::{show_bounds, Claim, ClaimDef, Ctx};
use crate::analysis::compare::{Comparison, Reading};
use crate::analysis::Knob;
use crate::method::Method;
use crate::stats::trend::fixed_effects_weights;
use crate::stats::Bounds;

const ITERATIONS: &str = "iterations (speed-up to uniform's final)";

/// Pooled slope (a fixed effect per combination of the other keys) of a method's
/// speed-up along `key`; for the filtering ratio, f > 0 only.
pub(super) fn trend(ctx: &Ctx, def: &ClaimDef, method: Method, knob: Knob) -> Vec<Claim> {
    let key = knob.key();
    let mut groups: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut pts: Vec<(f64, usize, &Comparison)> = Vec::new();
    // A setting whose every point repeats runs counted elsewhere (another
    // experiment's copy of the same cells) is left out: runs count once.
    let mut fresh: BTreeMap<(String, String), bool> = BTreeMap::new();
    for c in ctx.comparisons {
        let cell = &ctx.cells[c.method];
        if cell.method == method && cell.along(knob).is_some() {
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
    let Some(v) = per_reading(&cs, |ys| Bounds::weighted_sum(&w, ys)) else {
        return vec![def.not_measured("a speed-up is undefined", ITERATIONS)];
    };
    // Per setting: its own slope and its points (trained-steps reading).
    let mut per_group = Vec::new();
    for ((exp, setting), &g) in &groups {
        let idx: Vec<usize> = (0..pts.len()).filter(|&i| pts[i].1 == g).collect();
        let point = |i: usize| speedup(pts[i].2, Reading::Trained).expect("kept").0;
        let shown: Vec<String> = idx
            .iter()
            .map(|&i| format!("{}: {}", pts[i].0, show_bounds(point(i), "x")))
            .collect();
        let local = fixed_effects_weights(
            &idx.iter().map(|&i| pts[i].0).collect::<Vec<_>>(),
            &vec![0; idx.len()],
        )
        .map(|lw| Bounds::weighted_sum(&lw, &idx.iter().map(|&i| point(i)).collect::<Vec<_>>()));
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
    let seeds = seeds_of(ctx, cs.iter().copied());
    vec![def.row(
        ctx,
        format!(
            "pooled slope {} over {} {} as fixed effects; by setting (trained-steps reading): {}",
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
