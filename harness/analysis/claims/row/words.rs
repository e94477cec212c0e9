//! A row's verdict from its definitions, and the words for it: bounds, a
//! higher ceiling, abstention, the budget profile's note, and secondary evidence.

use super::{Claim, Definition};
use crate::analysis::claims::Verdict;
use crate::stats::Scale;

impl Claim {
    /// The verdict from the definitions' adjusted intervals, and its words.
    pub(super) fn settle(&mut self) {
        if !self.definitions.is_empty() {
            self.verdict = Verdict::combine(
                &self
                    .definitions
                    .iter()
                    .map(|d| d.verdict)
                    .collect::<Vec<_>>(),
            );
        }
        let measured = self.verdict;
        if !self.ceiling.is_empty()
            && matches!(
                self.verdict,
                Verdict::HoldsAsBound | Verdict::BoundedBySweep | Verdict::FailsAsBound
            )
        {
            self.verdict = Verdict::HigherCeiling;
        }
        if !self.abstain.is_empty()
            && matches!(
                self.verdict,
                Verdict::Holds
                    | Verdict::DoesNotHold
                    | Verdict::HoldsAsBound
                    | Verdict::FailsAsBound
                    | Verdict::DefinitionSensitive
            )
        {
            self.verdict = Verdict::Undecided;
        }
        self.estimate = self.definitions.first().map(|d| d.estimate);
        self.adjusted = self.definitions.first().map(|d| d.adjusted);
        self.threshold = self.rule_def.threshold().map(|t| t.0);
        let unit = if self.scale == Scale::Log { "x" } else { "" };
        let ends = |d: &Definition| (d.adjusted.lower_bound, d.adjusted.upper_bound);
        let mut text = self.verdict.text().to_string();
        match self.verdict {
            Verdict::HoldsAsBound | Verdict::FailsAsBound | Verdict::BoundedBySweep => {
                let lo = self
                    .definitions
                    .iter()
                    .map(|d| ends(d).0)
                    .fold(f64::INFINITY, f64::min);
                let hi = self
                    .definitions
                    .iter()
                    .map(|d| ends(d).1)
                    .fold(f64::NEG_INFINITY, f64::max);
                text = match self.verdict {
                    Verdict::HoldsAsBound => format!("holds as a bound (at least {lo:.2}{unit})"),
                    Verdict::FailsAsBound => format!("fails as a bound (at most {hi:.2}{unit})"),
                    _ => {
                        let end = |v: f64| {
                            if v.is_finite() {
                                format!("{v:.2}{unit}")
                            } else {
                                "unbounded".to_string()
                            }
                        };
                        format!(
                            "bounded by the sweep (from {} to {}): censored values leave it open; longer runs (or earlier evaluations, for a lower end at the first evaluation) would settle it",
                            end(lo),
                            end(hi)
                        )
                    }
                };
            }
            Verdict::HigherCeiling => {
                text = format!("{text}: {}", self.ceiling);
            }
            Verdict::Undecided => {
                text = format!(
                    "undecided: {} (the interval alone would read \"{}\")",
                    self.abstain,
                    measured.text()
                );
            }
            Verdict::DefinitionSensitive => {
                let each: Vec<String> = self
                    .definitions
                    .iter()
                    .map(|d| format!("{}: {}", d.name, d.verdict.text()))
                    .collect();
                text = format!("definition-sensitive ({})", each.join("; "));
            }
            _ => {}
        }
        if !self.note.is_empty() {
            text = format!("{text}; {}", self.note);
        }
        if !self.designated && !matches!(self.verdict, Verdict::NotMeasured | Verdict::Measured) {
            text = format!(
                "secondary evidence ({text}); the claim is judged on {}",
                self.evidence
            );
        }
        self.verdict_text = text;
    }
}
