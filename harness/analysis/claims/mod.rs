//! The claims table: the claims of docs/methods.md §1 as data — an id, the section of docs/methods.md, the
//! statistic that measures it, and the rule that turns its bootstrap interval into a
//! verdict — and their evaluation on an analysis. Same-data runs are judged against
//! the paper's same-data figures (1.5x, 3x, 4.5x at f = 0.5, 0.8, 0.9); the 13x and
//! 10x headline figures compare JEST++ with a model trained on other data (docs/methods.md §1),
//! so here they become horizon factors: how much longer uniform must train to match.

mod ablations;
mod headline;
mod profile;
pub mod protocol;
mod readings;
mod row;
mod samedata;
mod trend;
mod variance;
mod verdict;

pub use row::{adjust, Claim, Definition, Measure};
pub use verdict::{Rule, Verdict};

use serde::Serialize;

use super::cells::Cell;
use super::compare::Comparison;
use super::horizon::HorizonComparison;
use super::Knob;
use crate::method::Method;
use crate::stats::{Estimator, Scale};

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
    /// speed-up to uniform's final along a swept knob (f > 0 for the filtering ratio).
    Trend {
        method: Method,
        #[serde(rename = "key")]
        knob: Knob,
    },
    /// Pooled slope of JEST's log2 iteration speed-up to uniform's final per
    /// doubling of a size (a scale-ladder axis), from the designated experiments.
    ScaleTrend {
        #[serde(rename = "key")]
        knob: Knob,
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
    /// The scale its sampling error is symmetric on.
    pub scale: Scale,
    /// Its designated evidence, in words.
    pub evidence: &'static str,
}

impl ClaimDef {
    /// Its threshold, as the protocol fixes it (`protocol::active`: the committed
    /// `experiments/protocol.yaml` unless a report was asked for another, the one
    /// place the paper's figures live).
    pub fn rule(&self) -> Rule {
        self.protocol().threshold.rule()
    }

    /// What the active protocol fixes for this claim.
    pub fn protocol(&self) -> &'static crate::analysis::protocol::ClaimProtocol {
        &protocol::active().claims[self.id]
    }

    /// The experiments whose rows decide the claim (docs/methods.md §6 "one claim,
    /// one verdict"; the protocol's `evidence`); rows from others are shown as
    /// secondary evidence.
    pub fn designated(&self) -> &'static [String] {
        &self.protocol().evidence
    }
}

/// The table.
pub const CLAIMS: &[ClaimDef] = &[
    ClaimDef { id: "same-data-0.5", short: "1.5x at f = 0.5", spec: "docs/methods.md §1 JEST; §5 Speed-ups", claim: "f = 0.5 reaches uniform's final score with 1.5x fewer iterations (paper, same data)", statistic: Statistic::SameData { f: 0.5 }, scale: Scale::Log, evidence: "the horizon sweep (results/horizon) at the protocol's forward budget" },
    ClaimDef { id: "same-data-0.8", short: "3x at f = 0.8", spec: "docs/methods.md §1 JEST; §5 Speed-ups", claim: "f = 0.8 reaches uniform's final score with 3x fewer iterations (paper, same data)", statistic: Statistic::SameData { f: 0.8 }, scale: Scale::Log, evidence: "the horizon sweep (results/horizon) at the protocol's forward budget" },
    ClaimDef { id: "same-data-0.9", short: "4.5x at f = 0.9", spec: "docs/methods.md §1 JEST; §5 Speed-ups", claim: "f = 0.9 reaches uniform's final score with 4.5x fewer iterations (paper, same data)", statistic: Statistic::SameData { f: 0.9 }, scale: Scale::Log, evidence: "the horizon sweep (results/horizon) at the protocol's forward budget" },
    ClaimDef { id: "13x-iterations", short: "13x iterations", spec: "docs/methods.md §1 JEST (headline); §5 Horizon sweep", claim: "Up to 13x fewer iterations: uniform must train 13x longer to match JEST (the paper's 13x compares JEST++ with SigLIP trained on other data)", statistic: Statistic::HorizonFactor, scale: Scale::Log, evidence: "the horizon sweep (results/horizon)" },
    ClaimDef { id: "10x-flops", short: "10x FLOPs", spec: "docs/methods.md §1 JEST (headline); §5 Flexi-JEST", claim: "Up to 10x fewer FLOPs with cheap scoring (Flexi-JEST; paper accounting)", statistic: Statistic::FlopFactor, scale: Scale::Log, evidence: "the cheap-scoring horizon sweep (results/flexi)" },
    ClaimDef { id: "a-grows-with-f", short: "(a)", spec: "docs/methods.md §1 (a); §5 trends", claim: "(a) JEST's gains grow with the filtering ratio f", statistic: Statistic::Trend { method: Method::JEST, knob: Knob::FilterRatio }, scale: Scale::Linear, evidence: "the filter-ratio and joint-vs-independent ablations" },
    ClaimDef { id: "b-joint-beats-independent", short: "(b)", spec: "docs/methods.md §1 (b)", claim: "(b) Joint selection beats independent prioritisation", statistic: Statistic::JointMinusIndependent, scale: Scale::Linear, evidence: "the joint-vs-independent ablation" },
    ClaimDef { id: "b-independent-flat-topk", short: "(b') top-k", spec: "docs/methods.md §1 (b); §5 trends", claim: "(b') Independent prioritisation (top-k) does not improve with f", statistic: Statistic::Trend { method: Method::INDEPENDENT_TOPK, knob: Knob::FilterRatio }, scale: Scale::Linear, evidence: "the joint-vs-independent ablation" },
    ClaimDef { id: "b-independent-flat-sample", short: "(b') sampled", spec: "docs/methods.md §1 (b); §5 trends", claim: "(b') Independent prioritisation (sampled) does not improve with f", statistic: Statistic::Trend { method: Method::INDEPENDENT_SAMPLE, knob: Knob::FilterRatio }, scale: Scale::Linear, evidence: "the joint-vs-independent ablation" },
    ClaimDef { id: "c-learnability", short: "(c)", spec: "docs/methods.md §1 (c)", claim: "(c) Learnability scoring beats hard-learner and easy-reference scoring", statistic: Statistic::LearnabilityMinusOthers, scale: Scale::Linear, evidence: "the scoring ablation" },
    ClaimDef { id: "d-reference-quality", short: "(d)", spec: "docs/methods.md §1 (d); §5 trends", claim: "(d) A better-curated reference gives larger gains", statistic: Statistic::Trend { method: Method::JEST, knob: Knob::ReferenceQuality }, scale: Scale::Linear, evidence: "the reference-quality ablation" },
    ClaimDef { id: "e-small-batch", short: "(e)", spec: "docs/methods.md §1 (e)", claim: "(e) Shrinking the learning batch at a fixed super-batch costs little (within one accuracy point)", statistic: Statistic::SmallMinusLargeBatch, scale: Scale::Linear, evidence: "the batch-size ablation" },
    ClaimDef { id: "scale-width", short: "trend with width", spec: "docs/methods.md §5 Scale trends", claim: "How JEST's speed-up moves as the towers widen (128 → 1,024 units; no paper figure: does a verdict at our size carry to larger models?)", statistic: Statistic::ScaleTrend { knob: Knob::Width }, scale: Scale::Linear, evidence: "the scale ladder's width rungs (results/scale-width)" },
    ClaimDef { id: "scale-depth", short: "trend with depth", spec: "docs/methods.md §5 Scale trends", claim: "How JEST's speed-up moves as the towers deepen (1 → 2 hidden layers)", statistic: Statistic::ScaleTrend { knob: Knob::Depth }, scale: Scale::Linear, evidence: "the scale ladder's depth rungs (results/scale-depth)" },
    ClaimDef { id: "scale-batch", short: "trend with batch", spec: "docs/methods.md §5 Scale trends", claim: "How JEST's speed-up moves as the learning batch grows at a fixed filtering ratio (b = 64 → 1,024)", statistic: Statistic::ScaleTrend { knob: Knob::BatchSize }, scale: Scale::Linear, evidence: "the scale ladder's batch rungs (results/scale-batch)" },
    ClaimDef { id: "scale-pool", short: "trend with pool", spec: "docs/methods.md §5 Scale trends", claim: "How JEST's speed-up moves as the pool grows at a fixed number of examples seen (cycled many times → never repeated)", statistic: Statistic::ScaleTrend { knob: Knob::Pool }, scale: Scale::Linear, evidence: "the scale ladder's pool rungs (results/scale-pool)" },
    ClaimDef { id: "real-not-cycled", short: "real pool, not cycled", spec: "docs/methods.md §5 Scale trends; §3 Text pairs", claim: "On real text pairs (WordNet), JEST's speed-up is larger on a pool that is never repeated than on one cycled as often as the small real sets are", statistic: Statistic::ScaleTrend { knob: Knob::Pool }, scale: Scale::Linear, evidence: "the WordNet experiment (results/wordnet)" },
    ClaimDef { id: "oracle-share", short: "oracle share", spec: "docs/methods.md §5 Selection diagnostics", claim: "Share of the oracle's gain over uniform that JEST captures (final score)", statistic: Statistic::OracleShare, scale: Scale::Linear, evidence: "the horizon sweep (results/horizon)" },
];

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

/// Every claim of the table, evaluated; a claim whose experiments are absent is
/// kept when `all` (a combined report), dropped otherwise. Verdicts are
/// Holm-adjusted over the rows kept.
pub fn claims(ctx: &Ctx, all: bool) -> Vec<Claim> {
    let mut out = Vec::new();
    for def in CLAIMS {
        let rows = match def.statistic {
            Statistic::SameData { f } => samedata::same_data(ctx, def, f),
            Statistic::HorizonFactor => headline::horizon_factor(ctx, def, false),
            Statistic::FlopFactor => headline::horizon_factor(ctx, def, true),
            Statistic::Trend { method, knob } => trend::trend(ctx, def, method, knob),
            Statistic::ScaleTrend { knob } => {
                trend::trend_along(ctx, def, Method::JEST, knob, trend::Along::Log2)
            }
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
    for row in &mut out {
        if row.verdict == Verdict::NotMeasured {
            continue;
        }
        row.variance = variance::of_row(ctx, row);
        row.measured = format!(
            "{} {}",
            row.measured,
            variance::words(row.variance.as_ref())
        );
    }
    adjust(&mut out, ctx.est);
    for row in &mut out {
        trend::direction(row);
    }
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

/// The paper's figure for a claim row, in a few words (the answer tables' "paper"
/// column); "—" for a diagnostic.
pub fn paper_figure(id: &str) -> &'static str {
    match id {
        "same-data-0.5" => "1.5x fewer iterations",
        "same-data-0.8" => "3x fewer iterations",
        "same-data-0.9" => "4.5x fewer iterations",
        "13x-iterations" => "up to 13x fewer iterations",
        "10x-flops" => "up to 10x fewer FLOPs",
        "a-grows-with-f" => "gains grow with f",
        "b-joint-beats-independent" => "joint beats independent",
        "b-independent-flat-topk" | "b-independent-flat-sample" => "no gain with f",
        "c-learnability" => "learnability scoring wins",
        "d-reference-quality" => "better reference, larger gains",
        "e-small-batch" => "costs under 1 accuracy point",
        id if id.starts_with("swim-") => "≥ 100x faster than Adam",
        _ => "—",
    }
}

/// The paper's same-data speed-up at filtering ratio f, if it gives one: the
/// threshold of the same-data claim at f in the protocol (the figures live there
/// only; plots draw them from here).
pub fn paper_speedup(f: f64) -> Option<f64> {
    CLAIMS.iter().find_map(|c| match (c.statistic, c.rule()) {
        (Statistic::SameData { f: pf }, Rule::AtLeast(t)) if (pf - f).abs() < 1e-6 => Some(t),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::show_bounds;
    use crate::stats::Bounds;

    /// The plots' yardsticks are the same-data claims' thresholds.
    #[test]
    fn the_papers_same_data_figures_come_from_the_claims() {
        let got: Vec<Option<f64>> = [0.5, 0.8, 0.9, 0.7]
            .iter()
            .map(|f| super::paper_speedup(*f))
            .collect();
        assert_eq!(got, [Some(1.5), Some(3.0), Some(4.5), None]);
    }

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
