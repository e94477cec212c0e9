//! The analysis protocol (docs/methods.md §7): per claim of the board, its
//! estimand, budget rule, threshold, designated evidence, readings, and the rate
//! and ceiling it reports; for the board, the multiplicity scheme, the coverage
//! below which a verdict abstains, and the replicate structure. `experiment::protocol`
//! reads the committed file (`experiments/protocol.yaml`) into these types and
//! checks it against the claims the harness knows ([`Protocol::check`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::claims::{Rule, CLAIMS};

/// Where a claim is read along the budgets of its evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetRule {
    /// The experiment's own budget (its last evaluation).
    Final,
    /// Every swept horizon shown; judged at the longest H at which uniform's
    /// final at 2H still exceeds its final at H beyond noise.
    Forward,
    /// The horizons listed in `horizons`, fixed in advance.
    Declared,
    /// The largest value over the swept horizons.
    Sweep,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    pub rule: BudgetRule,
    /// The declared horizons (rule `declared` only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub horizons: Vec<f64>,
}

/// A claim's threshold: a number the interval must reach, or the side of 0.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Threshold {
    AtLeast(f64),
    Positive,
    NotPositive,
    None,
}

impl Threshold {
    /// The verdict rule it sets.
    pub fn rule(self) -> Rule {
        match self {
            Threshold::AtLeast(t) => Rule::AtLeast(t),
            Threshold::Positive => Rule::Positive,
            Threshold::NotPositive => Rule::NotPositive,
            Threshold::None => Rule::None,
        }
    }

    fn name(self) -> String {
        match self {
            Threshold::AtLeast(t) => format!("at least {t}"),
            Threshold::Positive => "positive".into(),
            Threshold::NotPositive => "not positive".into(),
            Threshold::None => "none (reported, not judged)".into(),
        }
    }
}

/// The readings a speed-up is shown in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadingName {
    TrainedSteps,
    FirstReaching,
    HorizonFactor,
}

/// What the protocol fixes for one claim.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimProtocol {
    pub estimand: String,
    pub threshold: Threshold,
    /// The experiments whose runs decide it.
    pub evidence: Vec<String>,
    pub budget: Budget,
    pub readings: Vec<ReadingName>,
    /// Fractions of uniform's own gain the rate is read at (empty: no rate).
    pub rate: Vec<f64>,
    /// Whether the ceiling gap (final-score difference at the longest budget) is
    /// reported.
    pub ceiling: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    Holm,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Every row of the claims board together.
    Board,
    /// The rows of each report apart.
    Report,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BestOf {
    MaxStatisticBootstrap,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Multiplicity {
    pub scheme: Scheme,
    pub family: Scope,
    pub best_of_settings: BestOf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    World,
    Learner,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replicates {
    pub levels: Vec<Level>,
    pub worlds: usize,
    pub learners_per_world: usize,
}

/// The whole protocol, and the SHA-256 of the file it was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct Protocol {
    pub version: u32,
    pub multiplicity: Multiplicity,
    pub min_coverage: f64,
    pub replicates: Replicates,
    pub claims: BTreeMap<String, ClaimProtocol>,
    pub sha256: String,
}

impl Protocol {
    /// What is wrong with it against the claims the harness knows, as (key of the
    /// file, message): a claim it leaves out or does not know, a threshold of the
    /// wrong kind for its claim, a budget rule its claim cannot be read at,
    /// fractions or counts out of range.
    pub fn check(&self) -> Result<(), (String, String)> {
        if self.version != 1 {
            return Err((
                "protocol".into(),
                format!("version {} is not one this harness reads (1)", self.version),
            ));
        }
        if !(self.min_coverage > 0.5 && self.min_coverage < 1.0) {
            return Err((
                "min_coverage".into(),
                format!("{} is not a coverage in (0.5, 1)", self.min_coverage),
            ));
        }
        let r = &self.replicates;
        if r.levels.is_empty() || r.worlds == 0 || r.learners_per_world == 0 {
            return Err((
                "replicates".into(),
                "needs at least one level, one world and one learner per world".into(),
            ));
        }
        if r.worlds * r.learners_per_world < 3 || r.worlds * r.learners_per_world > 1000 {
            return Err((
                "replicates".into(),
                format!(
                    "{} replicates: a verdict needs 3 to 1000",
                    r.worlds * r.learners_per_world
                ),
            ));
        }
        for (id, c) in &self.claims {
            let key = |k: &str| format!("claims.{id}.{k}");
            let Some(def) = CLAIMS.iter().find(|d| d.id == id) else {
                let known: Vec<&str> = CLAIMS.iter().map(|d| d.id).collect();
                return Err((
                    format!("claims.{id}"),
                    format!("no claim `{id}` (claims: {})", known.join(", ")),
                ));
            };
            let kind = |r: Rule| std::mem::discriminant(&r);
            if kind(c.threshold.rule()) != kind(def.rule) {
                return Err((
                    key("threshold"),
                    format!(
                        "{}: this claim is judged {}",
                        c.threshold.name(),
                        match def.rule {
                            Rule::AtLeast(_) => "against a number",
                            Rule::Positive => "positive",
                            Rule::NotPositive => "not positive",
                            Rule::None => "against nothing (threshold: none)",
                        }
                    ),
                ));
            }
            if let Threshold::AtLeast(t) = c.threshold {
                if !t.is_finite() {
                    return Err((key("threshold"), format!("{t} is not a finite number")));
                }
            }
            if c.evidence.is_empty() {
                return Err((key("evidence"), "names no experiment".into()));
            }
            for e in &c.evidence {
                crate::names::identifier(e).map_err(|m| (key("evidence"), m))?;
            }
            let horizons = matches!(
                def.statistic,
                super::claims::Statistic::SameData { .. }
                    | super::claims::Statistic::HorizonFactor
                    | super::claims::Statistic::FlopFactor
            );
            let rule = c.budget.rule;
            if !horizons && rule != BudgetRule::Final {
                return Err((
                    key("budget.rule"),
                    format!("{rule:?}: this claim is read at its experiment's own budget (final)")
                        .to_lowercase(),
                ));
            }
            if horizons && rule == BudgetRule::Final {
                return Err((
                    key("budget.rule"),
                    "final: a horizon claim is read along the sweep (forward, declared or sweep)"
                        .into(),
                ));
            }
            if (rule == BudgetRule::Declared) == c.budget.horizons.is_empty() {
                return Err((
                    key("budget.horizons"),
                    "a declared budget lists its horizons, and only a declared budget does".into(),
                ));
            }
            if let Some(h) = c
                .budget
                .horizons
                .iter()
                .find(|h| !(h.is_finite() && **h >= 1.0))
            {
                return Err((key("budget.horizons"), format!("{h} is not a horizon")));
            }
            if let Some(f) = c.rate.iter().find(|f| !(**f > 0.0 && **f < 1.0)) {
                return Err((key("rate"), format!("{f} is not a fraction in (0, 1)")));
            }
            if !horizons && (!c.rate.is_empty() || c.ceiling) {
                return Err((
                    key("rate"),
                    "rate and ceiling are read along a horizon sweep; this claim has none".into(),
                ));
            }
        }
        for def in CLAIMS {
            if !self.claims.contains_key(def.id) {
                return Err((
                    "claims".into(),
                    format!("claim `{}` ({}) has no entry", def.id, def.short),
                ));
            }
        }
        Ok(())
    }

    /// One line per claim: what it is read as (what `jestbench protocol` prints).
    pub fn lines(&self) -> Vec<String> {
        self.claims
            .iter()
            .map(|(id, c)| {
                let budget = match c.budget.rule {
                    BudgetRule::Final => "at its experiment's budget".to_string(),
                    BudgetRule::Forward => "every horizon shown, judged at the longest H whose 2H still improves on H (forward)".into(),
                    BudgetRule::Declared => format!("at H = {}", c.budget.horizons.iter().map(|h| h.to_string()).collect::<Vec<_>>().join(", ")),
                    BudgetRule::Sweep => "the largest over the swept horizons".into(),
                };
                let mut s = format!(
                    "{id}: threshold {}; evidence {}; {budget}",
                    c.threshold.name(),
                    c.evidence.join(", ")
                );
                if !c.rate.is_empty() {
                    let fr: Vec<String> = c.rate.iter().map(|f| format!("{:.0}%", 100.0 * f)).collect();
                    s += &format!("; rate at {} of uniform's gain", fr.join(", "));
                }
                if c.ceiling {
                    s += "; ceiling gap at the longest budget";
                }
                s
            })
            .collect()
    }
}
