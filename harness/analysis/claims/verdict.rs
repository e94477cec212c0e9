//! Verdicts and the rules that turn an interval into one (docs/methods.md §6).

use serde::Serialize;

use crate::stats::CensoredInterval;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Holds,
    DoesNotHold,
    Inconclusive,
    /// Decided although censored values enter it: the least favourable placement
    /// of every censored value still decides it (docs/methods.md §6).
    HoldsAsBound,
    FailsAsBound,
    /// Censored values leave it open: longer or shorter runs would settle it.
    BoundedBySweep,
    /// Holds under one listed definition and not under another.
    DefinitionSensitive,
    /// A factor that counts no iterations: uniform levels off below the method
    /// at every swept budget, so no horizon of uniform matches it (docs/methods.md
    /// §7). The row gives the rate and the ceiling gap instead.
    HigherCeiling,
    /// The estimator is not calibrated in the situation the verdict is taken in
    /// (its coverage there is below the protocol's `min_coverage`): no verdict.
    Undecided,
    /// A ratio whose denominator's interval includes 0.
    Undefined,
    NotMeasured,
    /// Measured, judged by no threshold (a diagnostic).
    Measured,
}

impl Verdict {
    pub fn text(self) -> &'static str {
        match self {
            Verdict::Holds => "holds at this scale",
            Verdict::DoesNotHold => "does not hold at this scale",
            Verdict::Inconclusive => "inconclusive",
            Verdict::HoldsAsBound => "holds as a bound",
            Verdict::FailsAsBound => "fails as a bound",
            Verdict::BoundedBySweep => "bounded by the sweep",
            Verdict::DefinitionSensitive => "definition-sensitive",
            Verdict::HigherCeiling => "a higher ceiling, not a faster rate",
            Verdict::Undecided => "undecided",
            Verdict::Undefined => "undefined",
            Verdict::NotMeasured => "not measured here",
            Verdict::Measured => "measured (no threshold)",
        }
    }

    /// Every verdict, in the order a glossary lists them.
    pub const ALL: [Verdict; 12] = [
        Verdict::Holds,
        Verdict::DoesNotHold,
        Verdict::Inconclusive,
        Verdict::HoldsAsBound,
        Verdict::FailsAsBound,
        Verdict::BoundedBySweep,
        Verdict::HigherCeiling,
        Verdict::DefinitionSensitive,
        Verdict::Undecided,
        Verdict::Undefined,
        Verdict::Measured,
        Verdict::NotMeasured,
    ];

    /// What the verdict's words mean, in one line (the glossary beside every
    /// answer table; docs/methods.md §6 gives the rules in full).
    pub fn meaning(self) -> &'static str {
        match self {
            Verdict::Holds => "the Holm-adjusted 95% interval lies on the claim's side of its threshold, under both speed-up definitions",
            Verdict::DoesNotHold => "the interval lies on the other side of the threshold",
            Verdict::Inconclusive => "the interval straddles the threshold: more runs could decide it",
            Verdict::HoldsAsBound => "censored runs (a target reached at once) leave only a lower bound, and that bound already clears the threshold",
            Verdict::FailsAsBound => "censored runs (a target never reached) leave only an upper bound, and it stays below the threshold",
            Verdict::BoundedBySweep => "censored runs leave the interval open across the threshold: a longer sweep could decide it",
            Verdict::HigherCeiling => "uniform levels off below the method, so no number of iterations matches it: the gain is a ceiling gap, not a speed-up",
            Verdict::DefinitionSensitive => "holds with uniform's trained steps as numerator but not with its first-reaching step (or the reverse)",
            Verdict::Undecided => "the calibration finds the interval does not cover in this situation, so no verdict is drawn",
            Verdict::Undefined => "a ratio over noise (its denominator within its own uncertainty): no number to judge",
            Verdict::Measured => "a diagnostic reported with its interval and judged by no threshold",
            Verdict::NotMeasured => "these results hold no runs that measure the claim",
        }
    }

    /// Holds, fails or neither (for combining definitions).
    fn side(self) -> i8 {
        match self {
            Verdict::Holds | Verdict::HoldsAsBound => 1,
            Verdict::DoesNotHold | Verdict::FailsAsBound => -1,
            _ => 0,
        }
    }

    fn bound(self) -> bool {
        matches!(
            self,
            Verdict::HoldsAsBound | Verdict::FailsAsBound | Verdict::BoundedBySweep
        )
    }

    /// One verdict from every definition's (docs/methods.md §6): holds only if it holds under
    /// each, fails only if it fails under each, otherwise definition-sensitive
    /// (undecided under all of them: inconclusive, or bounded by the sweep).
    pub fn combine(vs: &[Verdict]) -> Verdict {
        let Some(&first) = vs.first() else {
            return Verdict::NotMeasured;
        };
        if vs.iter().any(|v| v.side() != first.side()) {
            return Verdict::DefinitionSensitive;
        }
        let bound = vs.iter().any(|v| v.bound());
        match (first.side(), bound) {
            (1, true) => Verdict::HoldsAsBound,
            (1, false) => Verdict::Holds,
            (-1, true) => Verdict::FailsAsBound,
            (-1, false) => Verdict::DoesNotHold,
            (_, true) => Verdict::BoundedBySweep,
            _ => first,
        }
    }
}

/// How a statistic's interval becomes a verdict.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Holds if the interval lies at or above t, fails if it lies below.
    AtLeast(f64),
    /// Holds if the interval lies above 0, fails if it lies below.
    Positive,
    /// Holds if the interval lies at or below 0, fails if it lies above.
    NotPositive,
    /// No threshold.
    None,
}

impl Rule {
    /// The threshold, and whether "holds" is the side above it.
    pub fn threshold(self) -> Option<(f64, bool)> {
        match self {
            Rule::AtLeast(t) => Some((t, true)),
            Rule::Positive => Some((0.0, true)),
            Rule::NotPositive => Some((0.0, false)),
            Rule::None => None,
        }
    }

    pub fn verdict(self, ci: &CensoredInterval) -> Verdict {
        let (lo, hi) = (ci.lower_bound, ci.upper_bound);
        if self == Rule::None {
            return Verdict::Measured;
        }
        if lo.is_nan() || hi.is_nan() {
            return Verdict::Inconclusive;
        }
        let (holds, fails) = match self {
            Rule::AtLeast(t) => (lo >= t, hi < t),
            Rule::Positive => (lo > 0.0, hi < 0.0),
            Rule::NotPositive => (hi <= 0.0, lo > 0.0),
            Rule::None => unreachable!(),
        };
        // Censored values decide a verdict when the whole-sample value is itself
        // censored, or when enough resamples are censored to reach an end.
        let censored =
            ci.point.is_censored() || ci.censored_share >= (1.0 - ci.confidence_level) / 2.0;
        match (holds, fails, censored) {
            (true, _, false) => Verdict::Holds,
            (true, _, true) => Verdict::HoldsAsBound,
            (_, true, false) => Verdict::DoesNotHold,
            (_, true, true) => Verdict::FailsAsBound,
            (_, _, true) => Verdict::BoundedBySweep,
            _ => Verdict::Inconclusive,
        }
    }

    pub fn text(self) -> String {
        match self {
            Rule::AtLeast(t) => format!("holds if the 95% CI (Holm-adjusted over the report's claim rows) lies at or above {t}, does not hold if it lies below, else inconclusive"),
            Rule::Positive => "holds if the 95% CI (Holm-adjusted) lies above 0, does not hold if it lies below, else inconclusive".into(),
            Rule::NotPositive => "holds if the 95% CI (Holm-adjusted) lies at or below 0 (no improvement), does not hold if it lies above 0, else inconclusive".into(),
            Rule::None => "measured (no threshold): a diagnostic".into(),
        }
    }
}
