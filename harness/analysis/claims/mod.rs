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
use crate::stats::{Bounds, CensoredInterval, Estimator, Scale};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Holds,
    DoesNotHold,
    Inconclusive,
    /// Decided although censored values enter it: the least favourable placement
    /// of every censored value still decides it (SPEC §6).
    HoldsAsBound,
    FailsAsBound,
    /// Censored values leave it open: longer or shorter runs would settle it.
    BoundedBySweep,
    /// Holds under one listed definition and not under another.
    DefinitionSensitive,
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
            Verdict::Undefined => "undefined",
            Verdict::NotMeasured => "not measured here",
            Verdict::Measured => "measured (no threshold)",
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

    /// One verdict from every definition's (SPEC §6): holds only if it holds under
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
    /// The scale its sampling error is symmetric on.
    pub scale: Scale,
    /// The experiments whose rows decide the claim (SPEC §6 "one claim, one
    /// verdict"); rows from others are shown as secondary evidence.
    pub designated: &'static [&'static str],
    /// That evidence, in words.
    pub evidence: &'static str,
}

/// The table.
pub const CLAIMS: &[ClaimDef] = &[
    ClaimDef { id: "same-data-0.5", short: "1.5x at f = 0.5", spec: "§1 JEST; §5 Speed-ups", claim: "f = 0.5 reaches uniform's final score with 1.5x fewer iterations (paper, same data)", statistic: Statistic::SameData { f: 0.5 }, rule: Rule::AtLeast(1.5), scale: Scale::Log, designated: &["horizon"], evidence: "the horizon sweep (results/horizon) at budgets where uniform still improves" },
    ClaimDef { id: "same-data-0.8", short: "3x at f = 0.8", spec: "§1 JEST; §5 Speed-ups", claim: "f = 0.8 reaches uniform's final score with 3x fewer iterations (paper, same data)", statistic: Statistic::SameData { f: 0.8 }, rule: Rule::AtLeast(3.0), scale: Scale::Log, designated: &["horizon"], evidence: "the horizon sweep (results/horizon) at budgets where uniform still improves" },
    ClaimDef { id: "same-data-0.9", short: "4.5x at f = 0.9", spec: "§1 JEST; §5 Speed-ups", claim: "f = 0.9 reaches uniform's final score with 4.5x fewer iterations (paper, same data)", statistic: Statistic::SameData { f: 0.9 }, rule: Rule::AtLeast(4.5), scale: Scale::Log, designated: &["horizon"], evidence: "the horizon sweep (results/horizon) at budgets where uniform still improves" },
    ClaimDef { id: "13x-iterations", short: "13x iterations", spec: "§1 JEST (headline); §5 Horizon sweep", claim: "Up to 13x fewer iterations: uniform must train 13x longer to match JEST (the paper's 13x compares JEST++ with SigLIP trained on other data)", statistic: Statistic::HorizonFactor, rule: Rule::AtLeast(13.0), scale: Scale::Log, designated: &["horizon"], evidence: "the horizon sweep (results/horizon)" },
    ClaimDef { id: "10x-flops", short: "10x FLOPs", spec: "§1 JEST (headline); §5 Flexi-JEST", claim: "Up to 10x fewer FLOPs with cheap scoring (Flexi-JEST; paper accounting)", statistic: Statistic::FlopFactor, rule: Rule::AtLeast(10.0), scale: Scale::Log, designated: &["flexi"], evidence: "the cheap-scoring horizon sweep (results/flexi)" },
    ClaimDef { id: "a-grows-with-f", short: "(a)", spec: "§1 (a); §5 trends", claim: "(a) JEST's gains grow with the filtering ratio f", statistic: Statistic::Trend { method: "jest", key: "train.filter_ratio" }, rule: Rule::Positive, scale: Scale::Linear, designated: &["filter-ratio", "joint-vs-independent"], evidence: "the filter-ratio and joint-vs-independent ablations" },
    ClaimDef { id: "b-joint-beats-independent", short: "(b)", spec: "§1 (b)", claim: "(b) Joint selection beats independent prioritisation", statistic: Statistic::JointMinusIndependent, rule: Rule::Positive, scale: Scale::Linear, designated: &["joint-vs-independent"], evidence: "the joint-vs-independent ablation" },
    ClaimDef { id: "b-independent-flat-topk", short: "(b') top-k", spec: "§1 (b); §5 trends", claim: "(b') Independent prioritisation (top-k) does not improve with f", statistic: Statistic::Trend { method: "independent_topk", key: "train.filter_ratio" }, rule: Rule::NotPositive, scale: Scale::Linear, designated: &["joint-vs-independent"], evidence: "the joint-vs-independent ablation" },
    ClaimDef { id: "b-independent-flat-sample", short: "(b') sampled", spec: "§1 (b); §5 trends", claim: "(b') Independent prioritisation (sampled) does not improve with f", statistic: Statistic::Trend { method: "independent_sample", key: "train.filter_ratio" }, rule: Rule::NotPositive, scale: Scale::Linear, designated: &["joint-vs-independent"], evidence: "the joint-vs-independent ablation" },
    ClaimDef { id: "c-learnability", short: "(c)", spec: "§1 (c)", claim: "(c) Learnability scoring beats hard-learner and easy-reference scoring", statistic: Statistic::LearnabilityMinusOthers, rule: Rule::Positive, scale: Scale::Linear, designated: &["scoring"], evidence: "the scoring ablation" },
    ClaimDef { id: "d-reference-quality", short: "(d)", spec: "§1 (d); §5 trends", claim: "(d) A better-curated reference gives larger gains", statistic: Statistic::Trend { method: "jest", key: "reference.quality" }, rule: Rule::Positive, scale: Scale::Linear, designated: &["reference-quality"], evidence: "the reference-quality ablation" },
    ClaimDef { id: "e-small-batch", short: "(e)", spec: "§1 (e)", claim: "(e) Shrinking the learning batch at a fixed super-batch costs little (within one accuracy point)", statistic: Statistic::SmallMinusLargeBatch, rule: Rule::AtLeast(-0.01), scale: Scale::Linear, designated: &["batch-size"], evidence: "the batch-size ablation" },
    ClaimDef { id: "oracle-share", short: "oracle share", spec: "§5 Selection diagnostics", claim: "Share of the oracle's gain over uniform that JEST captures (final score)", statistic: Statistic::OracleShare, rule: Rule::None, scale: Scale::Linear, designated: &["horizon"], evidence: "the horizon sweep (results/horizon)" },
];

/// One definition of a row's statistic (SPEC §6: the paper's reading and the
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
    /// Whether those are the claim's designated evidence (else the row is
    /// secondary: shown, and judged, but not the claim's verdict).
    pub designated: bool,
    pub evidence: String,
    /// The Holm-adjusted confidence level the verdict used.
    pub adjusted_level: f64,
    /// The rule's threshold, where it has one.
    pub threshold: Option<f64>,
    /// Why a bound is a bound (e.g. uniform levels off), when the evaluator knows.
    #[serde(skip)]
    bound_reason: String,
    #[serde(skip)]
    rule_def: Rule,
    #[serde(skip)]
    scale: Scale,
}

/// What the evaluators read.
pub struct Ctx<'a> {
    pub cells: &'a [Cell],
    pub comparisons: &'a [Comparison],
    pub horizons: &'a [HorizonComparison],
    /// `cells::repeats`: the earlier cell each cell repeats.
    pub repeats: &'a [Option<usize>],
    pub est: &'a Estimator,
}

impl Ctx<'_> {
    fn canonical(&self, cell: usize) -> usize {
        self.repeats[cell].unwrap_or(cell)
    }

    /// Whether a comparison repeats an earlier one (both its cells repeat the
    /// earlier one's): its runs are counted there.
    pub fn is_repeat(&self, c: &Comparison) -> bool {
        let key = (self.canonical(c.method), self.canonical(c.baseline));
        self.comparisons
            .iter()
            .take_while(|d| !std::ptr::eq(*d, c))
            .any(|d| (self.canonical(d.method), self.canonical(d.baseline)) == key)
    }

    /// The experiments whose comparisons repeat `c` (for "the same runs as").
    pub fn repeated_in(&self, c: &Comparison) -> Vec<String> {
        let key = (self.canonical(c.method), self.canonical(c.baseline));
        self.comparisons
            .iter()
            .filter(|d| !std::ptr::eq(*d, c))
            .filter(|d| (self.canonical(d.method), self.canonical(d.baseline)) == key)
            .map(|d| {
                let cell = &self.cells[d.method];
                if cell.setting.is_empty() {
                    cell.experiment.clone()
                } else {
                    format!("{} ({})", cell.experiment, cell.setting)
                }
            })
            .collect()
    }
}

impl ClaimDef {
    /// A measured row: every definition's interval (the verdicts are set once the
    /// report's family is known, by `adjust`).
    fn row(
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
                    verdict: self.rule.verdict(&ci),
                    replicates: m.replicates,
                }
            })
            .collect();
        let mut experiments = experiments;
        experiments.sort();
        experiments.dedup();
        let designated = !experiments.is_empty()
            && experiments
                .iter()
                .all(|e| self.designated.contains(&e.as_str()));
        let mut c = Claim {
            id: self.id.into(),
            short: self.short.into(),
            spec: self.spec.into(),
            claim: self.claim.into(),
            measured,
            estimate: definitions.first().map(|d| d.estimate),
            adjusted: definitions.first().map(|d| d.adjusted),
            definitions,
            accounting: accounting.into(),
            verdict: Verdict::NotMeasured,
            verdict_text: String::new(),
            rule: self.rule.text(),
            experiments,
            designated,
            evidence: self.evidence.into(),
            adjusted_level: 0.95,
            threshold: None,
            bound_reason: String::new(),
            rule_def: self.rule,
            scale: self.scale,
        };
        c.settle();
        c
    }

    /// A row with no number: not measured here (naming the evidence it needs), or
    /// undefined (a ratio over noise).
    fn without_estimate(&self, verdict: Verdict, measured: String, accounting: &str) -> Claim {
        let mut c = Claim {
            id: self.id.into(),
            short: self.short.into(),
            spec: self.spec.into(),
            claim: self.claim.into(),
            measured,
            estimate: None,
            adjusted: None,
            definitions: Vec::new(),
            accounting: accounting.into(),
            verdict,
            verdict_text: String::new(),
            rule: self.rule.text(),
            experiments: Vec::new(),
            designated: false,
            evidence: self.evidence.into(),
            adjusted_level: 0.95,
            threshold: None,
            bound_reason: String::new(),
            rule_def: self.rule,
            scale: self.scale,
        };
        c.settle();
        c
    }

    fn not_measured(&self, why: &str, accounting: &str) -> Claim {
        self.without_estimate(
            Verdict::NotMeasured,
            format!("— ({why}; the claim is judged on {})", self.evidence),
            accounting,
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
        Claim {
            id,
            short: short.into(),
            spec: spec.into(),
            claim,
            measured,
            estimate: Some(estimate),
            adjusted: Some(estimate),
            definitions: Vec::new(),
            accounting: accounting.into(),
            verdict,
            verdict_text: verdict.text().into(),
            rule,
            experiments: vec![experiment.clone()],
            designated: true,
            evidence: format!("the {experiment} experiment"),
            adjusted_level: 0.95,
            threshold: None,
            bound_reason: String::new(),
            rule_def: Rule::None,
            scale: Scale::Log,
        }
    }

    /// Adds why a censored bound is a bound (shown with "holds as a bound").
    fn with_bound_reason(mut self, reason: String) -> Claim {
        self.bound_reason = reason;
        self.settle();
        self
    }

    /// The verdict from the definitions' adjusted intervals, and its words.
    fn settle(&mut self) {
        if !self.definitions.is_empty() {
            self.verdict = Verdict::combine(
                &self
                    .definitions
                    .iter()
                    .map(|d| d.verdict)
                    .collect::<Vec<_>>(),
            );
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
                    _ => format!(
                        "bounded by the sweep (between {lo:.2}{unit} and {}): censored values leave it open; longer runs (or earlier evaluations, for a lower end at the first evaluation) would settle it",
                        if hi.is_finite() { format!("{hi:.2}{unit}") } else { "unbounded".into() }
                    ),
                };
                if !self.bound_reason.is_empty() {
                    text = format!("{text}: {}", self.bound_reason);
                }
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
        if !self.designated && !matches!(self.verdict, Verdict::NotMeasured | Verdict::Measured) {
            text = format!(
                "secondary evidence ({text}); the claim is judged on {}",
                self.evidence
            );
        }
        self.verdict_text = text;
    }
}

/// Holm's step-down over a report's claim rows with a threshold (SPEC §6): rows
/// sorted by p-value (a row's is its least decided definition's, two-sided); the
/// i-th of m gets the level 1 − α/(m − i + 1) until the first that is not decided
/// at its level, and every later row that stopping level. Verdicts are read from
/// the adjusted intervals; the unadjusted ones stay beside them.
pub fn adjust(rows: &mut [Claim], est: &Estimator) {
    const ALPHA: f64 = 0.05;
    let family: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].rule_def.threshold().is_some() && !rows[i].definitions.is_empty())
        .collect();
    let m = family.len();
    if m == 0 {
        return;
    }
    let p_of = |c: &Claim| -> f64 {
        let (t, _) = c.rule_def.threshold().expect("in the family");
        c.definitions
            .iter()
            .map(|d| {
                let (below, above) =
                    crate::stats::interval::p_values(&d.estimate, &d.replicates, t);
                (2.0 * below.min(above)).min(1.0)
            })
            .fold(0.0, f64::max)
    };
    let mut order: Vec<(f64, usize)> = family.iter().map(|&i| (p_of(&rows[i]), i)).collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut stopped: Option<f64> = None;
    for (rank, &(p, i)) in order.iter().enumerate() {
        let own = ALPHA / (m - rank) as f64;
        let alpha = stopped.unwrap_or(own);
        if stopped.is_none() && p > own {
            stopped = Some(own);
        }
        let level = 1.0 - alpha;
        let c = &mut rows[i];
        let (rule, scale) = (c.rule_def, c.scale);
        for d in &mut c.definitions {
            let seeds = d.estimate.seeds;
            d.adjusted = est.interval(d.estimate.point, &d.replicates, seeds, scale, level);
            d.verdict = rule.verdict(&d.adjusted);
        }
        c.adjusted_level = level;
        c.settle();
    }
}

/// Every claim of the table, evaluated; a claim whose experiments are absent is
/// kept when `all` (a combined report), dropped otherwise. Verdicts are
/// Holm-adjusted over the rows kept.
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
    adjust(&mut out, ctx.est);
    out
}

/// "1.23x", "≥ 4.00x", "< 0.50x (did not reach)"; a difference of censored values
/// may be bounded on one side only ("≤ 0.20x (censored)") or on neither.
pub fn show_bounds(b: crate::stats::Bounds, unit: &str) -> String {
    if !b.is_censored() {
        format!("{:.2}{unit}", b.mid)
    } else if b.lo == f64::NEG_INFINITY && b.hi == f64::INFINITY {
        "unbounded (censoring on both sides)".to_string()
    } else if b.lo == f64::NEG_INFINITY {
        format!("≤ {:.2}{unit} (censored)", b.hi)
    } else if b.hi.is_infinite() {
        format!("≥ {:.2}{unit}", b.lo)
    } else if b.lo <= 0.0 {
        format!("< {:.2}{unit} (did not reach)", b.hi)
    } else {
        format!("{:.2}–{:.2}{unit}", b.lo, b.hi)
    }
}

#[cfg(test)]
mod tests {
    use super::show_bounds;
    use crate::stats::Bounds;

    #[test]
    fn censored_values_and_their_differences_read_as_bounds() {
        assert_eq!(show_bounds(Bounds::exact(1.234), "x"), "1.23x");
        assert_eq!(show_bounds(Bounds::at_least(4.0), "x"), "≥ 4.00x");
        assert_eq!(
            show_bounds(Bounds::at_most(0.5), "x"),
            "< 0.50x (did not reach)"
        );
        // Both censored upwards: their difference is bounded on neither side.
        let d = Bounds::at_least(1.7).minus(Bounds::at_least(1.6));
        assert_eq!(show_bounds(d, "x"), "unbounded (censoring on both sides)");
        let d = Bounds::exact(1.0).minus(Bounds::at_least(0.8));
        assert_eq!(show_bounds(d, "x"), "≤ 0.20x (censored)");
    }
}
