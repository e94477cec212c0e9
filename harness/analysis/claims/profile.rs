//! The words of a horizon row (docs/methods.md §7): the budget profile, the rate
//! and ceiling beside it, intervals and settings as text, and abstention where
//! the estimator is not calibrated.

use super::{Ctx, Verdict};
use crate::analysis::cells::Axis;
use crate::analysis::compare::Target;
use crate::analysis::horizon::{HorizonComparison, HorizonPoint};

use super::{show_bounds, Claim};
use crate::analysis::situation::{self, Schedule, Situation};
use crate::stats::CensoredInterval;

pub(super) fn ci_text(ci: &CensoredInterval) -> String {
    let share = if ci.censored_share > 0.0 {
        format!("; {:.0}% of resamples censored", 100.0 * ci.censored_share)
    } else {
        String::new()
    };
    format!("{}{share}", show_bounds(ci.point, "x"))
}

pub(super) fn named(h: &HorizonComparison) -> String {
    if h.setting.is_empty() {
        h.experiment.clone()
    } else {
        format!("{}, {}", h.experiment, h.setting)
    }
}

/// The row, abstaining where the calibration finds the estimator not to cover
/// in its situation (the protocol's `min_coverage`; docs/methods.md §7).
pub(super) fn calibrated(row: Claim, sit: Situation, schedule: Schedule, seeds: usize) -> Claim {
    let min = crate::analysis::claims::protocol::active().min_coverage;
    match situation::committed().abstain(sit, schedule, seeds, min) {
        Some(why) => row.abstaining(why),
        None => row,
    }
}

/// How a claim's profile verdict is summarised: holds, fails or neither.
fn side(v: Verdict) -> i8 {
    match v {
        Verdict::Holds | Verdict::HoldsAsBound => 1,
        Verdict::DoesNotHold | Verdict::FailsAsBound => -1,
        _ => 0,
    }
}

pub(super) fn horizons_text(hs: &[f64]) -> String {
    hs.iter()
        .map(|h| format!("{h}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The budget profile in words (docs/methods.md §7), from each budget's verdict:
/// "holds at every budget", "holds from H = … on, not at H = …", "does not hold
/// at any budget", or "depends on the budget: …".
pub(super) fn profile_words(profile: &[(f64, Verdict)]) -> String {
    if profile.is_empty() {
        return "no budget measured".into();
    }
    let sides: Vec<i8> = profile.iter().map(|&(_, v)| side(v)).collect();
    let at = |want: i8| -> Vec<f64> {
        profile
            .iter()
            .zip(&sides)
            .filter(|(_, &s)| s == want)
            .map(|(&(h, _), _)| h)
            .collect()
    };
    if sides.iter().all(|&s| s == 1) {
        return format!(
            "holds at every budget (H = {} to {})",
            profile[0].0,
            profile[profile.len() - 1].0
        );
    }
    if sides.iter().all(|&s| s == -1) {
        return "does not hold at any budget".into();
    }
    let first_hold = sides.iter().position(|&s| s == 1);
    if let Some(k) = first_hold {
        if sides[k..].iter().all(|&s| s == 1) {
            let before: Vec<String> = profile[..k]
                .iter()
                .map(|(h, v)| format!("{h} ({})", v.text()))
                .collect();
            return format!(
                "holds from H = {} on, not at H = {}",
                profile[k].0,
                before.join(", ")
            );
        }
    }
    let mut parts = Vec::new();
    for (want, words) in [
        (1, "holds at"),
        (-1, "does not hold at"),
        (0, "undecided at"),
    ] {
        let hs = at(want);
        if !hs.is_empty() {
            parts.push(format!("{words} H = {}", horizons_text(&hs)));
        }
    }
    format!("depends on the budget: {}", parts.join("; "))
}

/// The rate at budget `horizon`: the selector's speed-up in iterations to reach
/// each of `fractions` of uniform's own gain over its initial score, in the runs
/// of that budget, as "a / b / c" with intervals.
pub(super) fn rate_text(
    ctx: &Ctx,
    h: &HorizonComparison,
    horizon: f64,
    fractions: &[f64],
) -> String {
    let Some(c) = ctx.comparisons.iter().find(|c| {
        let cell = &ctx.cells[c.method];
        cell.experiment == h.experiment
            && cell.method == h.method
            && cell.steps as f64 == horizon
            && cell.setting_without("train.steps") == h.setting
    }) else {
        return "not measured".into();
    };
    fractions
        .iter()
        .map(|&f| {
            let target = Target::Gain((f * 1000.0).round() as u16);
            c.speedups
                .iter()
                .find(|s| s.target == target && s.axis == Axis::Iterations)
                .and_then(|s| s.interval)
                .map_or("–".into(), |ci| ci_text(&ci))
        })
        .collect::<Vec<_>>()
        .join(" / ")
}

pub(super) fn fractions_text(fractions: &[f64]) -> String {
    fractions
        .iter()
        .map(|f| format!("{:.0}%", 100.0 * f))
        .collect::<Vec<_>>()
        .join(" / ")
}

pub(super) fn gap_text(p: &HorizonPoint) -> String {
    format!(
        "{:+.3} [{:+.3}, {:+.3}]",
        p.ceiling_gap.point.mid, p.ceiling_gap.lower_bound, p.ceiling_gap.upper_bound
    )
}

/// "5 worlds" where the runs drew worlds, else "10 seeds": the independent
/// replicates behind a horizon comparison's intervals, at the fewest.
pub(super) fn replicates_text(h: &HorizonComparison) -> String {
    let n = h.fewest_seeds;
    if h.worlds {
        format!("{n} world{}", if n == 1 { "" } else { "s" })
    } else {
        format!("{n} seeds")
    }
}

#[cfg(test)]
mod tests {
    use super::profile_words;
    use crate::analysis::claims::Verdict::*;

    #[test]
    fn the_budget_profile_in_words() {
        assert_eq!(
            profile_words(&[(500.0, Holds), (1000.0, HoldsAsBound)]),
            "holds at every budget (H = 500 to 1000)"
        );
        assert_eq!(
            profile_words(&[
                (250.0, BoundedBySweep),
                (1000.0, Inconclusive),
                (2000.0, Holds),
                (4000.0, Holds)
            ]),
            "holds from H = 2000 on, not at H = 250 (bounded by the sweep), 1000 (inconclusive)"
        );
        assert_eq!(
            profile_words(&[(500.0, DoesNotHold), (1000.0, FailsAsBound)]),
            "does not hold at any budget"
        );
        assert_eq!(
            profile_words(&[(500.0, Inconclusive), (1000.0, DoesNotHold), (2000.0, Holds), (4000.0, DefinitionSensitive)]),
            "depends on the budget: holds at H = 2000; does not hold at H = 1000; undecided at H = 500, 4000"
        );
        assert_eq!(profile_words(&[]), "no budget measured");
    }
}
