//! The same-data yardsticks (1.5x, 3x, 4.5x at f = 0.5, 0.8, 0.9) and the headline
//! factors (13x iterations, 10x FLOPs) as horizon factors.

use super::{show_bounds, Claim, ClaimDef, Ctx};
use crate::analysis::cells::Axis;
use crate::analysis::compare::Target;
use crate::experiment::Method;
use crate::stats::CensoredInterval;

fn same_f(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

fn ci_text(ci: &CensoredInterval) -> String {
    let share = if ci.censored_share > 0.0 {
        format!("; {:.0}% of resamples censored", 100.0 * ci.censored_share)
    } else {
        String::new()
    };
    format!("{}{share}", show_bounds(ci.point, "x"))
}

/// JEST's speed-up to uniform's final at filtering ratio f, per setting.
pub(super) fn same_data(ctx: &Ctx, def: &ClaimDef, f: f64) -> Vec<Claim> {
    let mut rows = Vec::new();
    let mut covered = std::collections::BTreeSet::new();
    for h in ctx
        .horizons
        .iter()
        .filter(|h| h.method == Method::Jest && same_f(h.filter_ratio, f))
    {
        let last = h.points.last().expect("at least two horizons");
        covered.insert((h.experiment.clone(), h.setting.clone()));
        let by_horizon = h
            .points
            .iter()
            .map(|p| format!("{}: {}", p.horizon, show_bounds(p.speedup.point, "x")))
            .collect::<Vec<_>>()
            .join(", ");
        let (best_h, best) = uniform_best(h);
        rows.push(def.row(
            format!(
                "{}{}: horizon speed-up at H = {}: {} (uniform's final {:.3} at H; JEST's own schedule per horizon; {} seeds); by horizon {by_horizon}; uniform's best final over the sweep {best:.3} (H = {best_h})",
                h.experiment,
                if h.setting.is_empty() { String::new() } else { format!(", {}", h.setting) },
                last.horizon,
                ci_text(&last.speedup),
                last.baseline_final.point_estimate,
                h.seeds.len()
            ),
            Some(last.speedup),
            "iterations (horizon sweep)",
        ));
    }
    for c in ctx.comparisons.iter().filter(|c| {
        let cell = &ctx.cells[c.method];
        cell.method == Method::Jest
            && same_f(cell.filter_ratio, f)
            && !covered.contains(&(cell.experiment.clone(), cell.setting_without("train.steps")))
            && !ctx.is_repeat(c)
    }) {
        let cell = &ctx.cells[c.method];
        let s = c.speedup(Target::Final, Axis::Iterations);
        let Some(ci) = s.interval else { continue };
        let also = ctx.repeated_in(c);
        rows.push(def.row(
            format!(
                "{}{}: {} to uniform's final {:.3} (one schedule: JEST's un-annealed checkpoints against uniform's annealed end){}",
                cell.experiment,
                if cell.setting.is_empty() { String::new() } else { format!(", {}", cell.setting) },
                ci_text(&ci),
                s.target_score,
                if also.is_empty() { String::new() } else { format!("; the same runs as in {}", also.join(", ")) }
            ),
            Some(ci),
            "iterations (single schedule)",
        ));
    }
    if rows.is_empty() {
        rows.push(def.not_measured(&format!("no JEST runs at f = {f}"), "iterations"));
    }
    rows
}

/// Uniform's best seed-mean final score over a horizon sweep, and its horizon.
fn uniform_best(h: &crate::analysis::HorizonComparison) -> (f64, f64) {
    h.points
        .iter()
        .map(|p| (p.horizon, p.baseline_final.point_estimate))
        .fold(
            (f64::NAN, f64::NEG_INFINITY),
            |a, b| if b.1 > a.1 { b } else { a },
        )
}

/// The largest factor by which uniform's horizon must grow to match JEST's final
/// score (in iterations, or for cheap-scoring runs in the paper's FLOPs).
pub(super) fn horizon_factor(ctx: &Ctx, def: &ClaimDef, flops: bool) -> Vec<Claim> {
    let mut rows = Vec::new();
    let accounting = if flops {
        "FLOPs (paper: learner only), horizon sweep"
    } else {
        "iterations, horizon sweep"
    };
    for h in ctx
        .horizons
        .iter()
        .filter(|h| h.method == Method::Jest && (!flops || h.cheap_scoring))
    {
        let ci = if flops {
            h.max_flop_factor
        } else {
            h.max_factor
        };
        // When uniform's finals level off below JEST's, no horizon of uniform matches
        // JEST and the factor is bounded by the sweep, not by the data: say so.
        let (best_h, best) = uniform_best(h);
        let plateau = h
            .points
            .iter()
            .find(|p| p.method_final.point_estimate > best)
            .map(|p| format!("; uniform's best final over all horizons, {best:.3} (H = {best_h}), is below JEST's from H = {} on ({:.3}): uniform levels off lower, so the factor is bounded by the sweep's longest horizon, not by the data", p.horizon, p.method_final.point_estimate))
            .unwrap_or_default();
        rows.push(def.row(
            format!(
                "{}{}: {} (largest over horizons {}){plateau}",
                h.experiment,
                if h.setting.is_empty() { String::new() } else { format!(", {}", h.setting) },
                ci_text(&ci),
                h.points.iter().map(|p| p.horizon.to_string()).collect::<Vec<_>>().join(", ")
            ),
            Some(ci),
            accounting,
        ));
    }
    if !rows.is_empty() {
        return rows;
    }
    if flops {
        return vec![def.not_measured(
            "needs a horizon sweep of cheap-scoring (Flexi-JEST) runs, `train.flexi`",
            accounting,
        )];
    }
    // No horizon sweep: what one schedule can say, the largest speed-up to uniform's
    // final over the JEST cells.
    let best = ctx
        .comparisons
        .iter()
        .filter(|c| ctx.cells[c.method].method == Method::Jest)
        .filter_map(|c| Some((c.speedup(Target::Final, Axis::Iterations).interval?, c)))
        .max_by(|a, b| a.0.point.lo.total_cmp(&b.0.point.lo));
    match best {
        Some((ci, c)) => vec![def.row(
            format!(
                "{}: {} to uniform's final (one schedule, no horizon sweep: a same-data speed-up, not the headline's comparison)",
                ctx.cells[c.method].label(),
                ci_text(&ci)
            ),
            Some(ci),
            "iterations (single schedule)",
        )],
        None => vec![def.not_measured("no JEST runs", accounting)],
    }
}
