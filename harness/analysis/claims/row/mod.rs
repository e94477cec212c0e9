//! One row of the claims table: its definitions' intervals, its verdict and the
//! words for it, and Holm's step-down over a report's rows (docs/methods.md §6).

mod holm;
mod words;

pub use holm::adjust;

use serde::Serialize;

use super::{ClaimDef, Ctx, Rule, Verdict};
use crate::stats::{BestOf, Bounds, CensoredInterval, Estimator, Scale};

/// One definition of a row's statistic (docs/methods.md §6: the paper's reading and the
/// iso-accuracy one, equal iterations and equal examples), with its intervals.
#[derive(Clone, Debug, Serialize)]
pub struct Definition {
    pub name: String,
    /// The 95% interval, unadjusted.
    pub estimate: CensoredInterval,
    /// The interval at the row's Holm-adjusted level (the verdict's).
    pub adjusted: CensoredInterval,
    pub verdict: Verdict,
    #[serde(skip)]
    replicates: Vec<Option<Bounds>>,
    /// The best of several settings (an "up to" claim): its intervals are the
    /// max-statistic bands, at any level.
    #[serde(skip)]
    best_of: Option<Box<BestOf>>,
}

impl Definition {
    /// Its interval at `level`.
    fn at(&self, est: &Estimator, scale: Scale, level: f64) -> CensoredInterval {
        match &self.best_of {
            Some(b) => b.interval(level),
            None => est.interval(
                self.estimate.point,
                &self.replicates,
                self.estimate.seeds,
                scale,
                level,
            ),
        }
    }

    /// Its two-sided p-value against `t` (Holm's step-down orders rows by it).
    fn p_value(&self, t: f64) -> f64 {
        match &self.best_of {
            Some(b) => b.p_value(t),
            None => {
                let (below, above) =
                    crate::stats::interval::p_values(&self.estimate, &self.replicates, t);
                (2.0 * below.min(above)).min(1.0)
            }
        }
    }
}

/// What an evaluator measured under one definition: the whole-sample value, its
/// bootstrap replicates, and the seeds behind them.
pub struct Measure {
    pub name: String,
    pub point: Bounds,
    pub replicates: Vec<Option<Bounds>>,
    pub seeds: usize,
}

/// One row of the claims table.
#[derive(Clone, Debug, Serialize)]
pub struct Claim {
    pub id: String,
    pub short: String,
    pub spec: String,
    pub claim: String,
    /// What was measured, in words (which cells, which statistic, what censoring).
    pub measured: String,
    /// The first definition's unadjusted and Holm-adjusted intervals.
    pub estimate: Option<CensoredInterval>,
    pub adjusted: Option<CensoredInterval>,
    pub definitions: Vec<Definition>,
    pub accounting: String,
    pub verdict: Verdict,
    /// The verdict with its bound, reason or evidence, in words.
    pub verdict_text: String,
    pub rule: String,
    /// The experiments the row's cells come from.
    pub experiments: Vec<String>,
    /// The sweep setting of the row's cells (`key=value;…`, the selector aside),
    /// when the row measures one setting; empty for pooled rows.
    pub setting: String,
    /// Whether those are the claim's designated evidence (else the row is
    /// secondary: shown, and judged, but not the claim's verdict).
    pub designated: bool,
    pub evidence: String,
    /// The Holm-adjusted confidence level the verdict used.
    pub adjusted_level: f64,
    /// The row's two-sided p-value against its threshold, unadjusted (its least
    /// decided definition's): what Holm's step-down over the board orders by.
    pub p_value: Option<f64>,
    /// The rule's threshold, where it has one.
    pub threshold: Option<f64>,
    /// Where its uncertainty lives: the world and learner components of its
    /// comparisons' per-run effect (None: one world, or nothing to decompose).
    pub variance: Option<crate::stats::components::Components>,
    /// Why the factor counts no iterations (uniform levels off below the method):
    /// a censored verdict reads "a higher ceiling, not a faster rate" with it.
    #[serde(skip)]
    ceiling: String,
    /// Why the estimator cannot be trusted here (its calibrated coverage in this
    /// situation is below the protocol's): a decided verdict reads "undecided".
    #[serde(skip)]
    abstain: String,
    /// What the verdict words carry after them (the budget profile in words).
    #[serde(skip)]
    note: String,
    #[serde(skip)]
    rule_def: Rule,
    #[serde(skip)]
    scale: Scale,
}

/// What a claim row says of itself: which claim, its rule and evidence.
struct Head {
    id: String,
    short: String,
    spec: String,
    claim: String,
    rule: Rule,
    rule_text: String,
    scale: Scale,
    evidence: String,
    designated: bool,
}

/// What was measured for a row.
struct Body {
    measured: String,
    accounting: String,
    experiments: Vec<String>,
    definitions: Vec<Definition>,
    verdict: Verdict,
}

impl ClaimDef {
    /// A measured row: every definition's interval (the verdicts are set once the
    /// report's family is known, by `adjust`).
    pub(super) fn row(
        &self,
        ctx: &Ctx,
        measured: String,
        measures: Vec<Measure>,
        accounting: &str,
        experiments: Vec<String>,
    ) -> Claim {
        let definitions: Vec<Definition> = measures
            .into_iter()
            .map(|m| {
                let ci = ctx
                    .est
                    .interval(m.point, &m.replicates, m.seeds, self.scale, 0.95);
                Definition {
                    name: m.name,
                    estimate: ci,
                    adjusted: ci,
                    verdict: self.rule().verdict(&ci),
                    replicates: m.replicates,
                    best_of: None,
                }
            })
            .collect();
        let mut experiments = experiments;
        experiments.sort();
        experiments.dedup();
        self.claim(
            measured,
            accounting,
            experiments,
            definitions,
            Verdict::NotMeasured,
        )
    }

    /// A row of the best of several settings: one definition, whose intervals are
    /// the max-statistic bands of `best`.
    pub(super) fn best_of_row(
        &self,
        measured: String,
        name: &str,
        best: BestOf,
        accounting: &str,
        experiments: Vec<String>,
    ) -> Claim {
        let ci = best.interval(0.95);
        let definitions = vec![Definition {
            name: name.into(),
            estimate: ci,
            adjusted: ci,
            verdict: self.rule().verdict(&ci),
            replicates: Vec::new(),
            best_of: Some(Box::new(best)),
        }];
        self.claim(
            measured,
            accounting,
            experiments,
            definitions,
            Verdict::NotMeasured,
        )
    }

    fn claim(
        &self,
        measured: String,
        accounting: &str,
        experiments: Vec<String>,
        definitions: Vec<Definition>,
        verdict: Verdict,
    ) -> Claim {
        Claim::new(
            self.head(&experiments),
            Body {
                measured,
                accounting: accounting.into(),
                experiments,
                definitions,
                verdict,
            },
        )
    }

    /// What a row of this claim says of itself, for these experiments.
    fn head(&self, experiments: &[String]) -> Head {
        Head {
            id: self.id.into(),
            short: self.short.into(),
            spec: self.spec.into(),
            claim: self.claim.into(),
            rule: self.rule(),
            rule_text: self.rule().text(),
            scale: self.scale,
            evidence: self.evidence.into(),
            designated: !experiments.is_empty()
                && experiments.iter().all(|e| self.designated().contains(e)),
        }
    }

    /// A row with no number: not measured here (naming the evidence it needs), or
    /// undefined (a ratio over noise).
    pub(super) fn without_estimate(
        &self,
        verdict: Verdict,
        measured: String,
        accounting: &str,
        experiments: Vec<String>,
    ) -> Claim {
        self.claim(measured, accounting, experiments, Vec::new(), verdict)
    }

    pub(super) fn not_measured(&self, why: &str, accounting: &str) -> Claim {
        self.without_estimate(
            Verdict::NotMeasured,
            format!("— ({why}; the claim is judged on {})", self.evidence),
            accounting,
            Vec::new(),
        )
    }
}

impl Claim {
    /// A row judged outside this table (the sampled networks' 100x claim, one row
    /// per experiment and method): designated evidence of its own experiment.
    #[allow(clippy::too_many_arguments)]
    pub fn external(
        id: String,
        short: &str,
        spec: &str,
        claim: String,
        measured: String,
        estimate: CensoredInterval,
        accounting: &str,
        verdict: Verdict,
        rule: String,
        experiment: String,
    ) -> Claim {
        let head = Head {
            id,
            short: short.into(),
            spec: spec.into(),
            claim,
            rule: Rule::None,
            rule_text: rule,
            scale: Scale::Log,
            evidence: format!("the {experiment} experiment"),
            designated: true,
        };
        let mut c = Claim::new(
            head,
            Body {
                measured,
                accounting: accounting.into(),
                experiments: vec![experiment],
                definitions: Vec::new(),
                verdict,
            },
        );
        // Judged outside the table: its interval and verdict as given.
        c.estimate = Some(estimate);
        c.adjusted = Some(estimate);
        c.verdict_text = verdict.text().into();
        c
    }

    /// The one constructor: a row from what it says of itself and what was
    /// measured, every other field at its start (95% level, no threshold, no
    /// setting), its verdict settled from its definitions.
    fn new(head: Head, body: Body) -> Claim {
        let mut c = Claim {
            id: head.id,
            short: head.short,
            spec: head.spec,
            claim: head.claim,
            measured: body.measured,
            // Both set by `settle`, from the first definition.
            estimate: None,
            adjusted: None,
            definitions: body.definitions,
            accounting: body.accounting,
            verdict: body.verdict,
            verdict_text: String::new(),
            rule: head.rule_text,
            experiments: body.experiments,
            setting: String::new(),
            designated: head.designated,
            evidence: head.evidence,
            adjusted_level: 0.95,
            p_value: None,
            threshold: None,
            variance: None,
            ceiling: String::new(),
            abstain: String::new(),
            note: String::new(),
            rule_def: head.rule,
            scale: head.scale,
        };
        c.settle();
        c
    }

    /// Sets the threshold an external row is judged against (for the board).
    pub fn with_threshold(mut self, t: f64) -> Claim {
        self.threshold = Some(t);
        self
    }

    /// Marks the row's factor as a ceiling gap: a censored verdict becomes "a
    /// higher ceiling, not a faster rate", followed by `why`.
    pub(super) fn with_ceiling(mut self, why: String) -> Claim {
        self.ceiling = why;
        self.settle();
        self
    }

    /// Makes a decided verdict "undecided", for `why` (the estimator's calibrated
    /// coverage in the row's situation is below the protocol's).
    pub(super) fn abstaining(mut self, why: String) -> Claim {
        self.abstain = why;
        self.settle();
        self
    }

    /// Words the verdict carries after it (e.g. the budget profile).
    pub(super) fn with_note(mut self, note: String) -> Claim {
        self.note = note;
        self.settle();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::claims::CLAIMS;

    #[test]
    fn censored_rows_hold_or_fail_only_as_bounds() {
        let est = Estimator::CHOSEN;
        let ctx = Ctx {
            cells: &[],
            comparisons: &[],
            horizons: &[],
            repeats: &[],
            est: &est,
        };
        let def = &CLAIMS[3]; // 13x
        let at_least = |v: f64| Measure {
            name: "largest horizon factor".into(),
            point: Bounds::at_least(v),
            replicates: vec![Some(Bounds::at_least(v)); 2000],
            seeds: 5,
        };
        let c = def.row(
            &ctx,
            "m".into(),
            vec![at_least(32.0)],
            "it",
            vec!["horizon".into()],
        );
        assert_eq!(c.verdict, Verdict::HoldsAsBound);
        assert!(
            c.verdict_text
                .starts_with("holds as a bound (at least 32.00x)"),
            "{}",
            c.verdict_text
        );
        let c = def
            .row(
                &ctx,
                "m".into(),
                vec![at_least(4.0)],
                "it",
                vec!["horizon".into()],
            )
            .with_ceiling("uniform levels off".into());
        assert_eq!(c.verdict, Verdict::HigherCeiling);
        assert_eq!(
            c.verdict_text,
            "a higher ceiling, not a faster rate: uniform levels off"
        );
        // A decided row abstains where the estimator is not calibrated.
        let c = def
            .row(
                &ctx,
                "m".into(),
                vec![at_least(32.0)],
                "it",
                vec!["horizon".into()],
            )
            .abstaining("coverage 0.57 on two-phase curves".into());
        assert_eq!(c.verdict, Verdict::Undecided);
        assert!(
            c.verdict_text.starts_with("undecided: coverage 0.57")
                && c.verdict_text.ends_with("\"holds as a bound\")"),
            "{}",
            c.verdict_text
        );
        let below = Measure {
            name: "x".into(),
            point: Bounds::at_most(2.0),
            replicates: vec![Some(Bounds::at_most(2.0)); 2000],
            seeds: 5,
        };
        let c = def.row(&ctx, "m".into(), vec![below], "it", vec!["horizon".into()]);
        assert_eq!(c.verdict, Verdict::FailsAsBound);
        // Another experiment's row is secondary evidence, and says where the claim
        // is judged.
        let c = def.row(
            &ctx,
            "m".into(),
            vec![at_least(32.0)],
            "it",
            vec!["mine".into()],
        );
        assert!(
            !c.designated
                && c.verdict_text
                    .starts_with("secondary evidence (holds as a bound")
        );
    }

    #[test]
    fn definitions_combine_into_one_verdict() {
        use Verdict::*;
        assert_eq!(Verdict::combine(&[Holds, HoldsAsBound]), HoldsAsBound);
        assert_eq!(Verdict::combine(&[Holds, Holds]), Holds);
        assert_eq!(Verdict::combine(&[DoesNotHold, DoesNotHold]), DoesNotHold);
        assert_eq!(
            Verdict::combine(&[Holds, Inconclusive]),
            DefinitionSensitive
        );
        assert_eq!(Verdict::combine(&[Holds, DoesNotHold]), DefinitionSensitive);
        assert_eq!(
            Verdict::combine(&[Inconclusive, BoundedBySweep]),
            BoundedBySweep
        );
        assert_eq!(
            Verdict::combine(&[Inconclusive, Inconclusive]),
            Inconclusive
        );
    }
}
