//! The same-data yardsticks (1.5x, 3x, 4.5x at f = 0.5, 0.8, 0.9).
//!
//! docs/methods.md §7: the horizon sweep is the designated evidence. A same-data row is
//! read at the budget the protocol fixes (its forward rule: the longest H up to
//! which, at every budget, uniform's final at 2H exceeds its final at H beyond
//! noise), under both readings of the speed-up; every budget is shown with its
//! own verdict, and the profile summarised in words. Single-schedule rows are
//! secondary evidence beside it. Every row abstains where the calibration finds
//! the estimator not to cover in its situation (`analysis::situation`).

use super::profile::{
    calibrated, ci_text, fractions_text, gap_text, horizons_text, named, profile_words, rate_text,
    replicates_text,
};
use super::{show_bounds, Claim, ClaimDef, Ctx, Measure, Verdict};
use crate::analysis::cells::Axis;
use crate::analysis::compare::{Reading, Target};
use crate::analysis::horizon::{HorizonComparison, HorizonPoint};
use crate::analysis::protocol::{BudgetRule, ReadingName};
use crate::analysis::situation::{self, Schedule};
use crate::method::Method;

pub(super) fn same_f(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

/// One horizon's two readings as measures.
fn readings(h: &HorizonComparison, p: &HorizonPoint, judged: &[Reading]) -> Vec<Measure> {
    judged
        .iter()
        .map(|&r| {
            let (point, replicates) = match r {
                Reading::Trained => (p.speedup.point, &p.speedup_replicates),
                Reading::FirstReaching => (p.speedup_first.point, &p.speedup_first_replicates),
            };
            Measure {
                name: r.name().into(),
                point,
                replicates: replicates.clone(),
                seeds: h.fewest_seeds,
            }
        })
        .collect()
}

/// The readings the protocol judges a same-data claim under (both, unless it
/// names fewer; docs/methods.md §6, §7).
pub(super) fn judged_readings(names: &[ReadingName]) -> Vec<Reading> {
    let r: Vec<Reading> = Reading::BOTH
        .into_iter()
        .filter(|r| {
            names.contains(&match r {
                Reading::Trained => ReadingName::TrainedSteps,
                Reading::FirstReaching => ReadingName::FirstReaching,
            })
        })
        .collect();
    if r.is_empty() {
        Reading::BOTH.to_vec()
    } else {
        r
    }
}

/// The budget a same-data claim is read at, as its protocol fixes it, with the
/// rule in words (None: the rule finds none among the swept budgets).
fn protocol_budget(def: &ClaimDef, h: &HorizonComparison) -> (Option<f64>, String) {
    let b = &def.protocol().budget;
    match b.rule {
        BudgetRule::Forward => (
            h.forward_budget(),
            "the protocol's forward rule: the longest H up to which, at every budget, uniform's final at 2H exceeds its final at H beyond noise".into(),
        ),
        BudgetRule::Declared => (
            h.points
                .iter()
                .map(|p| p.horizon)
                .rfind(|x| b.horizons.iter().any(|d| (d - x).abs() < 0.5)),
            format!(
                "the protocol's declared budgets ({}), the longest swept",
                horizons_text(&b.horizons)
            ),
        ),
        BudgetRule::Final | BudgetRule::Sweep => (
            h.points.last().map(|p| p.horizon),
            "the protocol's rule: the longest budget".into(),
        ),
    }
}

/// JEST's speed-up to uniform's final at filtering ratio f, per setting: read
/// at the budget the protocol fixes, with every budget shown and summarised.
pub(super) fn same_data(ctx: &Ctx, def: &ClaimDef, f: f64) -> Vec<Claim> {
    let mut rows = Vec::new();
    let mut covered = std::collections::BTreeSet::new();
    let proto = def.protocol();
    let rule = def.rule();
    let judged = judged_readings(&proto.readings);
    for h in ctx
        .horizons
        .iter()
        .filter(|h| h.method == Method::JEST && same_f(h.filter_ratio, f))
    {
        covered.insert((h.experiment.clone(), h.setting.clone()));
        // Each budget's verdict at 95% (unadjusted), under the judged readings.
        let profile: Vec<(f64, Verdict)> = h
            .points
            .iter()
            .map(|p| {
                let each: Vec<Verdict> = judged
                    .iter()
                    .map(|r| match r {
                        Reading::Trained => rule.verdict(&p.speedup),
                        Reading::FirstReaching => rule.verdict(&p.speedup_first),
                    })
                    .collect();
                (p.horizon, Verdict::combine(&each))
            })
            .collect();
        let by_horizon = h
            .points
            .iter()
            .zip(&profile)
            .map(|(p, (_, v))| {
                format!(
                    "{}: {} / {} ({})",
                    p.horizon,
                    show_bounds(p.speedup.point, "x"),
                    show_bounds(p.speedup_first.point, "x"),
                    v.text()
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let summary = profile_words(&profile);
        let (budget, rule_words) = protocol_budget(def, h);
        let Some(p) = budget.and_then(|b| h.points.iter().find(|p| p.horizon == b)) else {
            rows.push(def.not_measured(
                &format!(
                    "{}: {rule_words} finds no budget among the swept ones, so the protocol reads no verdict (budget profile, trained-steps / first-reaching speed-ups and each budget's 95% verdict: {by_horizon}; {summary}); budgets shorter than the first swept, where uniform may still improve, would settle it",
                    named(h)
                ),
                "iterations (horizon sweep)",
            ));
            continue;
        };
        let next = h
            .points
            .iter()
            .find(|q| q.improvement_from == Some(p.horizon));
        let longest = h.points.last().expect("a horizon comparison has points");
        // The rate and the ceiling gap, where the protocol asks for them.
        let rate = if proto.rate.is_empty() {
            String::new()
        } else {
            format!(
                "; rate at H (JEST's speed-up to {} of uniform's own gain): {}",
                fractions_text(&proto.rate),
                rate_text(ctx, h, p.horizon, &proto.rate)
            )
        };
        let ceiling = if proto.ceiling {
            format!(
                "; ceiling gap at H: {}, at the longest budget (H = {}): {}",
                gap_text(p),
                longest.horizon,
                gap_text(longest)
            )
        } else {
            String::new()
        };
        let mut row = def.row(
            ctx,
            format!(
                "{}: read at H = {} ({rule_words}; uniform's final {:.3} at H{}): {} with uniform's trained steps, {} with its first-reaching horizon{rate}{ceiling}; {} at the fewest. Budget profile (trained-steps / first-reaching speed-ups, each budget's verdict at 95%): {by_horizon}",
                named(h),
                p.horizon,
                p.baseline_final.point_estimate,
                next.map_or(String::new(), |q| format!(", {:.3} at {}", q.baseline_final.point_estimate, q.horizon)),
                ci_text(&p.speedup),
                ci_text(&p.speedup_first),
                replicates_text(h)
            ),
            readings(h, p, &judged),
            "iterations (horizon sweep)",
            vec![h.experiment.clone()],
        );
        row.setting = h.setting.clone();
        let row = row.with_note(format!(
            "at H = {}, the protocol's budget; across the budgets: {summary}",
            p.horizon
        ));
        rows.push(calibrated(
            row,
            situation::of_horizon(h, p.horizon),
            Schedule::Horizons,
            h.fewest_seeds,
        ));
    }
    for c in ctx.comparisons.iter().filter(|c| {
        let cell = &ctx.cells[c.method];
        cell.method == Method::JEST
            && same_f(cell.filter_ratio, f)
            && !covered.contains(&(cell.experiment.clone(), cell.setting_without("train.steps")))
            && !ctx.is_repeat(c)
    }) {
        let cell = &ctx.cells[c.method];
        let s = c.speedup(Target::Final, Axis::Iterations);
        let (Some(first), Some(trained)) = (s.interval, s.trained) else {
            continue;
        };
        let also = ctx.repeated_in(c);
        let seeds = cell.units().min(ctx.cells[c.baseline].units());
        let mut row = def.row(
            ctx,
            format!(
                "{}{}: {} with uniform's trained steps, {} with its first-reaching step, to uniform's final {:.3} (one schedule: JEST's un-annealed checkpoints against uniform's annealed end){}",
                cell.experiment,
                if cell.setting.is_empty() { String::new() } else { format!(", {}", cell.setting) },
                ci_text(&trained),
                ci_text(&first),
                s.target_score,
                if also.is_empty() { String::new() } else { format!("; the same runs as in {}", also.join(", ")) }
            ),
            judged
                .iter()
                .map(|&r| {
                    let (ci, reps) = s.reading(r);
                    Measure {
                        name: r.name().into(),
                        point: ci.expect("both readings defined").point,
                        replicates: reps.to_vec(),
                        seeds,
                    }
                })
                .collect(),
            "iterations (single schedule)",
            vec![cell.experiment.clone()],
        );
        row.setting = cell.setting.clone();
        rows.push(calibrated(
            row,
            situation::of_comparison(c, ctx.cells),
            Schedule::Single,
            seeds,
        ));
    }
    if rows.is_empty() {
        rows.push(def.not_measured(&format!("no JEST runs at f = {f}"), "iterations"));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::judged_readings;
    use crate::analysis::compare::Reading;
    use crate::analysis::protocol::ReadingName;

    /// A protocol that names one reading judges the same-data rows under it
    /// alone; one that names neither (or only the horizon factor) under both.
    #[test]
    fn the_protocol_names_the_readings_a_row_is_judged_under() {
        assert_eq!(
            judged_readings(&[ReadingName::TrainedSteps]),
            vec![Reading::Trained]
        );
        assert_eq!(
            judged_readings(&[ReadingName::FirstReaching, ReadingName::TrainedSteps]),
            Reading::BOTH.to_vec()
        );
        assert_eq!(
            judged_readings(&[ReadingName::HorizonFactor]),
            Reading::BOTH.to_vec()
        );
    }
}
