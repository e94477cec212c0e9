//! The claims table: the claims of SPEC §1 as data — an id, the SPEC section, the
//! statistic that measures it, and the rule that turns its bootstrap interval into a
//! verdict — and their evaluation on an analysis. Same-data runs are judged against
//! the paper's same-data figures (1.5x, 3x, 4.5x at f = 0.5, 0.8, 0.9); the 13x and
//! 10x headline figures compare JEST++ with a model trained on other data (SPEC §1),
//! so here they become horizon factors: how much longer uniform must train to match.

mod ablations;
mod samedata;

use serde::Serialize;

use super::cells::Cell;
use super::compare::Comparison;
use super::horizon::HorizonComparison;
use crate::stats::CensoredInterval;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Holds,
    DoesNotHold,
    Inconclusive,
    /// Where the censored resamples lie decides it.
    InconclusiveCensored,
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
            Verdict::InconclusiveCensored => "inconclusive (censoring decides)",
            Verdict::NotMeasured => "not measured in these results",
            Verdict::Measured => "measured (no threshold)",
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
    pub fn verdict(self, ci: &CensoredInterval) -> Verdict {
        let (lo, hi) = (ci.lower_bound, ci.upper_bound);
        if lo.is_nan() || hi.is_nan() {
            return Verdict::Inconclusive;
        }
        let (holds, fails) = match self {
            Rule::AtLeast(t) => (lo >= t, hi < t),
            Rule::Positive => (lo > 0.0, hi < 0.0),
            Rule::NotPositive => (hi <= 0.0, lo > 0.0),
            Rule::None => return Verdict::Measured,
        };
        if holds {
            Verdict::Holds
        } else if fails {
            Verdict::DoesNotHold
        } else if ci.censoring_matters() {
            Verdict::InconclusiveCensored
        } else {
            Verdict::Inconclusive
        }
    }

    pub fn text(self) -> String {
        match self {
            Rule::AtLeast(t) => format!("holds if the 95% CI lies at or above {t}, does not hold if it lies below, else inconclusive"),
            Rule::Positive => "holds if the 95% CI lies above 0, does not hold if it lies below, else inconclusive".into(),
            Rule::NotPositive => "holds if the 95% CI lies at or below 0 (no improvement), does not hold if it lies above 0, else inconclusive".into(),
            Rule::None => "a diagnostic, judged by no threshold".into(),
        }
    }
}

/// What a claim measures.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Statistic {
    /// JEST's speed-up to uniform's final score at filtering ratio f: the horizon
    /// speed-up at the longest horizon where a horizon sweep exists, else the
    /// single-schedule iso-accuracy point.
    SameData { f: f64 },
    /// The largest factor by which uniform's horizon must grow to match JEST's final
    /// score, over a horizon sweep with the best reference (iterations).
    HorizonFactor,
    /// The same in the paper's FLOP accounting, for cheap-scoring (Flexi-JEST) runs.
    FlopFactor,
    /// Pooled slope (fixed effects for the other keys) of a method's iteration
    /// speed-up to uniform's final along a swept key (f > 0 for the filtering ratio).
    Trend {
        method: &'static str,
        key: &'static str,
    },
    /// Mean over matched settings of JEST's minus independent's speed-up.
    JointMinusIndependent,
    /// JEST's speed-up with learnability minus the better of the other two rules.
    LearnabilityMinusOthers,
    /// JEST's final score at the smallest b minus at the largest, same B and steps.
    SmallMinusLargeBatch,
    /// The share of the oracle's final-score gain over uniform that JEST captures.
    OracleShare,
}

/// One claim as data.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ClaimDef {
    pub id: &'static str,
    /// A few words for one-line summaries (`jestbench index`).
    pub short: &'static str,
    pub spec: &'static str,
    pub claim: &'static str,
    pub statistic: Statistic,
    pub rule: Rule,
}

/// The table.
pub const CLAIMS: &[ClaimDef] = &[
    ClaimDef { id: "same-data-0.5", short: "1.5x at f = 0.5", spec: "§1 JEST; §5 Speed-ups", claim: "f = 0.5 reaches uniform's final score with 1.5x fewer iterations (paper, same data)", statistic: Statistic::SameData { f: 0.5 }, rule: Rule::AtLeast(1.5) },
    ClaimDef { id: "same-data-0.8", short: "3x at f = 0.8", spec: "§1 JEST; §5 Speed-ups", claim: "f = 0.8 reaches uniform's final score with 3x fewer iterations (paper, same data)", statistic: Statistic::SameData { f: 0.8 }, rule: Rule::AtLeast(3.0) },
    ClaimDef { id: "same-data-0.9", short: "4.5x at f = 0.9", spec: "§1 JEST; §5 Speed-ups", claim: "f = 0.9 reaches uniform's final score with 4.5x fewer iterations (paper, same data)", statistic: Statistic::SameData { f: 0.9 }, rule: Rule::AtLeast(4.5) },
    ClaimDef { id: "13x-iterations", short: "13x iterations", spec: "§1 JEST (headline); §5 Horizon sweep", claim: "Up to 13x fewer iterations: uniform must train 13x longer to match JEST (the paper's 13x compares JEST++ with SigLIP trained on other data)", statistic: Statistic::HorizonFactor, rule: Rule::AtLeast(13.0) },
    ClaimDef { id: "10x-flops", short: "10x FLOPs", spec: "§1 JEST (headline); §5 Flexi-JEST", claim: "Up to 10x fewer FLOPs with cheap scoring (Flexi-JEST; paper accounting)", statistic: Statistic::FlopFactor, rule: Rule::AtLeast(10.0) },
    ClaimDef { id: "a-grows-with-f", short: "(a)", spec: "§1 (a); §5 trends", claim: "(a) JEST's gains grow with the filtering ratio f", statistic: Statistic::Trend { method: "jest", key: "train.filter_ratio" }, rule: Rule::Positive },
    ClaimDef { id: "b-joint-beats-independent", short: "(b)", spec: "§1 (b)", claim: "(b) Joint selection beats independent prioritisation", statistic: Statistic::JointMinusIndependent, rule: Rule::Positive },
    ClaimDef { id: "b-independent-flat-topk", short: "(b') top-k", spec: "§1 (b); §5 trends", claim: "(b') Independent prioritisation (top-k) does not improve with f", statistic: Statistic::Trend { method: "independent_topk", key: "train.filter_ratio" }, rule: Rule::NotPositive },
    ClaimDef { id: "b-independent-flat-sample", short: "(b') sampled", spec: "§1 (b); §5 trends", claim: "(b') Independent prioritisation (sampled) does not improve with f", statistic: Statistic::Trend { method: "independent_sample", key: "train.filter_ratio" }, rule: Rule::NotPositive },
    ClaimDef { id: "c-learnability", short: "(c)", spec: "§1 (c)", claim: "(c) Learnability scoring beats hard-learner and easy-reference scoring", statistic: Statistic::LearnabilityMinusOthers, rule: Rule::Positive },
    ClaimDef { id: "d-reference-quality", short: "(d)", spec: "§1 (d); §5 trends", claim: "(d) A better-curated reference gives larger gains", statistic: Statistic::Trend { method: "jest", key: "reference.quality" }, rule: Rule::Positive },
    ClaimDef { id: "e-small-batch", short: "(e)", spec: "§1 (e)", claim: "(e) Shrinking the learning batch at a fixed super-batch costs little (within one accuracy point)", statistic: Statistic::SmallMinusLargeBatch, rule: Rule::AtLeast(-0.01) },
    ClaimDef { id: "oracle-share", short: "oracle share", spec: "§5 Selection diagnostics", claim: "Share of the oracle's gain over uniform that JEST captures (final score)", statistic: Statistic::OracleShare, rule: Rule::None },
];

/// One row of the claims table.
#[derive(Clone, Debug, Serialize)]
pub struct Claim {
    pub id: String,
    pub short: String,
    pub spec: String,
    pub claim: String,
    /// What was measured, in words (which cells, which statistic, what censoring).
    pub measured: String,
    pub estimate: Option<CensoredInterval>,
    pub accounting: String,
    pub verdict: Verdict,
    pub rule: String,
}

/// What the evaluators read.
pub struct Ctx<'a> {
    pub cells: &'a [Cell],
    pub comparisons: &'a [Comparison],
    pub horizons: &'a [HorizonComparison],
}

impl ClaimDef {
    fn row(&self, measured: String, estimate: Option<CensoredInterval>, accounting: &str) -> Claim {
        let verdict = match &estimate {
            Some(ci) => self.rule.verdict(ci),
            None => Verdict::NotMeasured,
        };
        Claim {
            id: self.id.into(),
            short: self.short.into(),
            spec: self.spec.into(),
            claim: self.claim.into(),
            measured,
            estimate,
            accounting: accounting.into(),
            verdict,
            rule: self.rule.text(),
        }
    }

    fn not_measured(&self, why: &str, accounting: &str) -> Claim {
        self.row(format!("— ({why})"), None, accounting)
    }
}

/// Every claim of the table, evaluated; a claim whose experiments are absent is
/// kept when `all` (a combined report), dropped otherwise.
pub fn claims(ctx: &Ctx, all: bool) -> Vec<Claim> {
    let mut out = Vec::new();
    for def in CLAIMS {
        let rows = match def.statistic {
            Statistic::SameData { f } => samedata::same_data(ctx, def, f),
            Statistic::HorizonFactor => samedata::horizon_factor(ctx, def, false),
            Statistic::FlopFactor => samedata::horizon_factor(ctx, def, true),
            Statistic::Trend { method, key } => ablations::trend(ctx, def, method, key),
            Statistic::JointMinusIndependent => ablations::joint_minus_independent(ctx, def),
            Statistic::LearnabilityMinusOthers => ablations::learnability_minus_others(ctx, def),
            Statistic::SmallMinusLargeBatch => ablations::small_minus_large_batch(ctx, def),
            Statistic::OracleShare => ablations::oracle_share(ctx, def),
        };
        // The headline claims are always shown; the others where measured (or all of
        // them, in a combined report).
        let headline = matches!(
            def.statistic,
            Statistic::HorizonFactor | Statistic::FlopFactor
        );
        out.extend(
            rows.into_iter()
                .filter(|c| all || headline || c.verdict != Verdict::NotMeasured),
        );
    }
    out
}

/// "1.23x", "≥ 4.00x", "< 0.50x (did not reach)".
pub fn show_bounds(b: crate::stats::Bounds, unit: &str) -> String {
    if b.is_exact() {
        format!("{:.2}{unit}", b.lo)
    } else if b.hi.is_infinite() {
        format!("≥ {:.2}{unit}", b.lo)
    } else if b.lo <= 0.0 {
        format!("< {:.2}{unit} (did not reach)", b.hi)
    } else {
        format!("{:.2}–{:.2}{unit}", b.lo, b.hi)
    }
}
