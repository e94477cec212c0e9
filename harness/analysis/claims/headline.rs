//! The headline factors (13x iterations, 10x FLOPs) as horizon factors
//! (docs/methods.md §6, §7): how much longer uniform must train to match JEST's
//! final score, per setting and for the best of the settings; where uniform levels
//! off below JEST the factor counts no iterations, and the verdict says so with
//! the rate and the ceiling gap.

use super::profile::{
    calibrated, ci_text, fractions_text, gap_text, horizons_text, named, rate_text,
};
use super::{Claim, ClaimDef, Ctx, Measure};
use crate::analysis::horizon::HorizonComparison;
use crate::analysis::situation::{self, Schedule};
use crate::method::Method;
use crate::stats::CensoredInterval;

/// Uniform's best seed-mean final score over a horizon sweep, and its horizon.
fn uniform_best(h: &HorizonComparison) -> (f64, f64) {
    h.points
        .iter()
        .map(|p| (p.horizon, p.baseline_final.point_estimate))
        .fold(
            (f64::NAN, f64::NEG_INFINITY),
            |a, b| if b.1 > a.1 { b } else { a },
        )
}

/// Why a horizon factor counts no iterations, when uniform levels off below the
/// selector (its best final over every budget stays below the selector's final
/// from some budget on): the verdict reads "a higher ceiling, not a faster rate"
/// and gives the rate and the ceiling gap instead.
fn ceiling_reason(ctx: &Ctx, def: &ClaimDef, h: &HorizonComparison) -> Option<String> {
    let (best_h, best) = uniform_best(h);
    let above = h
        .points
        .iter()
        .find(|p| p.method_final.point_estimate > best)?;
    let longest = h.points.last()?;
    let rate = &def.protocol().rate;
    let limit = match h.forward_budget() {
        Some(b) => format!(
            "uniform improves from H to 2H beyond noise only up to H = {b}, where the same-data rows read the rate"
        ),
        None => format!(
            "uniform improves from H to 2H beyond noise between no two swept budgets, so only budgets shorter than H = {}, not longer runs, could measure a factor in the claim's own terms",
            h.points[0].horizon
        ),
    };
    Some(format!(
        "uniform's best final over all budgets, {best:.3} (H = {best_h}), stays below JEST's final from H = {} on ({:.3}), so no swept budget of uniform matches JEST and the factor, set by the sweep's longest budget (H = {}), counts no iterations; the ceiling gap at H = {}: {}; the rate there (JEST's speed-up to {} of uniform's own gain): {}; {limit}",
        above.horizon,
        above.method_final.point_estimate,
        longest.horizon,
        longest.horizon,
        gap_text(longest),
        fractions_text(rate),
        rate_text(ctx, h, longest.horizon, rate),
    ))
}

/// The largest factor by which uniform's horizon must grow to match JEST's final
/// score (in iterations, or for cheap-scoring runs in the paper's FLOPs), per
/// setting, and for an experiment with several settings the best of them with a
/// max-statistic band over the settings (the protocol's correction for keeping the
/// best; docs/methods.md §7). Only a horizon sweep measures it: without one the
/// row is "not measured here".
pub(super) fn horizon_factor(ctx: &Ctx, def: &ClaimDef, flops: bool) -> Vec<Claim> {
    let mut rows = Vec::new();
    let accounting = if flops {
        "FLOPs (paper: learner only), horizon sweep"
    } else {
        "iterations, horizon sweep"
    };
    let chosen: Vec<&HorizonComparison> = ctx
        .horizons
        .iter()
        .filter(|h| h.method == Method::JEST && (!flops || h.cheap_scoring))
        .collect();
    let factor = |h: &HorizonComparison| -> (CensoredInterval, Vec<Option<crate::stats::Bounds>>) {
        if flops {
            (h.max_flop_factor, h.max_flop_factor_replicates.clone())
        } else {
            (h.max_factor, h.max_factor_replicates.clone())
        }
    };
    let mut by_experiment: std::collections::BTreeMap<
        &str,
        Vec<(&HorizonComparison, Option<String>)>,
    > = std::collections::BTreeMap::new();
    for &h in &chosen {
        let (ci, reps) = factor(h);
        let ceiling = ceiling_reason(ctx, def, h);
        by_experiment
            .entry(h.experiment.as_str())
            .or_default()
            .push((h, ceiling.clone()));
        let mut row = def.row(
            ctx,
            format!(
                "{}: {} (largest over budgets {}; {} at the fewest)",
                named(h),
                ci_text(&ci),
                horizons_text(&h.points.iter().map(|p| p.horizon).collect::<Vec<_>>()),
                super::profile::replicates_text(h),
            ),
            vec![Measure {
                name: "largest horizon factor".into(),
                point: ci.point,
                replicates: reps,
                seeds: h.fewest_seeds,
            }],
            accounting,
            vec![h.experiment.clone()],
        );
        row.setting = h.setting.clone();
        let row = match ceiling {
            Some(why) => row.with_ceiling(why),
            None => row,
        };
        rows.push(calibrated(
            row,
            situation::of_horizon(h, f64::INFINITY),
            Schedule::Horizons,
            h.fewest_seeds,
        ));
    }
    for (exp, settings) in by_experiment.iter().filter(|(_, s)| s.len() > 1) {
        let facts: Vec<(CensoredInterval, Vec<Option<crate::stats::Bounds>>)> =
            settings.iter().map(|(h, _)| factor(h)).collect();
        let points: Vec<crate::stats::Bounds> = facts.iter().map(|f| f.0.point).collect();
        let reps: Vec<&[Option<crate::stats::Bounds>]> =
            facts.iter().map(|f| f.1.as_slice()).collect();
        let seeds = settings
            .iter()
            .map(|(h, _)| h.fewest_seeds)
            .min()
            .unwrap_or(0);
        let best = crate::stats::BestOf::new(&points, &reps, crate::stats::Scale::Log, seeds);
        let (pick, ceiling) = &settings[best.chosen];
        let mut row = def.best_of_row(
            format!(
                "{exp}: the best of {} settings ({}), {} reaching highest; {} (max-statistic band over the settings, from the settings' shared resamples of seeds)",
                settings.len(),
                settings.iter().map(|(h, _)| h.setting.as_str()).collect::<Vec<_>>().join("; "),
                pick.setting,
                ci_text(&best.interval(0.95)),
            ),
            "largest horizon factor, best of the settings",
            best,
            accounting,
            vec![exp.to_string()],
        );
        row.setting = format!("best of {} settings: {}", settings.len(), pick.setting);
        let all_level = settings.iter().all(|(_, c)| c.is_some());
        let sit = situation::of_horizon(pick, f64::INFINITY);
        let row = match ceiling {
            Some(why) if all_level => row.with_ceiling(format!(
                "in every setting uniform levels off below JEST; in the one reaching highest ({}), {why}",
                pick.setting
            )),
            Some(why) => row.with_ceiling(format!("in {}: {why}", pick.setting)),
            None => row,
        };
        rows.push(calibrated(row, sit, Schedule::Horizons, seeds));
    }
    if !rows.is_empty() {
        return rows;
    }
    vec![def.not_measured(
        if flops {
            "needs a horizon sweep (`train.steps` swept) of cheap-scoring (Flexi-JEST) runs, `train.flexi`"
        } else {
            "needs a horizon sweep: `train.steps` swept, each budget with its own schedule; one schedule's speed-up is a same-data figure, not the headline's comparison"
        },
        accounting,
    )]
}
