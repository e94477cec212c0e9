//! The analysis protocol (docs/methods.md §7): per claim of the board, its
//! estimand, budget rule, threshold, designated evidence, readings, and the rate
//! and ceiling it reports; for the board, the multiplicity scheme, the coverage
//! below which a verdict abstains, and the replicate structure. The claims take
//! their thresholds and designated evidence from it and from nowhere else: the
//! committed file (`experiments/protocol.yaml`) is built in ([`builtin`]);
//! `experiment::protocol` reads a file with located errors. [`Protocol::check`]
//! holds a protocol to the claims the harness knows.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::claims::{Rule, Statistic, CLAIMS};

/// Where the protocol lives in a checkout.
pub const PROTOCOL_FILE: &str = "experiments/protocol.yaml";

/// The committed protocol's text, built in.
const BUILTIN: &str = include_str!("../../experiments/protocol.yaml");

/// The committed protocol, parsed once (a test holds it valid).
pub fn builtin() -> &'static Protocol {
    static P: OnceLock<Protocol> = OnceLock::new();
    P.get_or_init(|| {
        let raw: RawProtocol =
            serde_yaml::from_str(BUILTIN).expect("the committed protocol parses");
        let p = Protocol::from_raw(raw, BUILTIN).expect("the committed protocol reads");
        p.check().expect("the committed protocol holds");
        p
    })
}

/// The protocol the verdicts are computed under: the one [`set_active`] set
/// (`jestbench report --protocol FILE`), else the built-in one.
pub fn active() -> &'static Protocol {
    ACTIVE.get().map_or_else(builtin, |(p, _)| p)
}

/// The active protocol's SHA-256 and the file it was read from.
pub fn active_source() -> (String, String) {
    match ACTIVE.get() {
        Some((p, path)) => (p.sha256.clone(), path.clone()),
        None => (builtin().sha256.clone(), PROTOCOL_FILE.to_string()),
    }
}

static ACTIVE: OnceLock<(Protocol, String)> = OnceLock::new();

/// Makes `p` (read from `path`) the protocol of every verdict this process
/// computes; once only (a second call is refused and gives `p` back).
pub fn set_active(p: Protocol, path: &std::path::Path) -> Result<(), Protocol> {
    ACTIVE
        .set((p, path.display().to_string()))
        .map_err(|(p, _)| p)
}

/// The file as written (`experiment::protocol` reads it with located errors).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProtocol {
    protocol: u32,
    multiplicity: Multiplicity,
    min_coverage: f64,
    replicates: Replicates,
    claims: BTreeMap<String, RawClaim>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClaim {
    estimand: String,
    threshold: serde_yaml::Value,
    evidence: Vec<String>,
    budget: Budget,
    #[serde(default)]
    readings: Vec<ReadingName>,
    #[serde(default)]
    rate: Vec<f64>,
    #[serde(default)]
    ceiling: bool,
}

fn threshold(v: &serde_yaml::Value) -> Result<Threshold, String> {
    match v {
        serde_yaml::Value::Number(n) => n
            .as_f64()
            .filter(|t| t.is_finite())
            .map(Threshold::AtLeast)
            .ok_or_else(|| format!("{n:?} is not a finite number")),
        serde_yaml::Value::String(s) => match s.as_str() {
            "positive" => Ok(Threshold::Positive),
            "not_positive" => Ok(Threshold::NotPositive),
            "none" => Ok(Threshold::None),
            other => Err(format!(
                "`{other}`: expected a number, positive, not_positive or none"
            )),
        },
        other => Err(format!(
            "{other:?}: expected a number, positive, not_positive or none"
        )),
    }
}

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
    /// The protocol of a file's text as written (`source`: its SHA-256); errors as
    /// (key, message).
    pub fn from_raw(raw: RawProtocol, source: &str) -> Result<Protocol, (String, String)> {
        use sha2::{Digest, Sha256};
        let mut claims = BTreeMap::new();
        for (id, c) in raw.claims {
            let t = threshold(&c.threshold).map_err(|m| (format!("claims.{id}.threshold"), m))?;
            claims.insert(
                id,
                ClaimProtocol {
                    estimand: c.estimand,
                    threshold: t,
                    evidence: c.evidence,
                    budget: c.budget,
                    readings: c.readings,
                    rate: c.rate,
                    ceiling: c.ceiling,
                },
            );
        }
        Ok(Protocol {
            version: raw.protocol,
            multiplicity: raw.multiplicity,
            min_coverage: raw.min_coverage,
            replicates: raw.replicates,
            claims,
            sha256: Sha256::digest(source.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        })
    }

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
            // The thresholds a statistic can be judged against: a factor against
            // a number above 0; a difference or slope by its sign or a number;
            // the oracle share against a number or nothing.
            let fits = match (def.statistic, c.threshold) {
                (
                    Statistic::SameData { .. } | Statistic::HorizonFactor | Statistic::FlopFactor,
                    Threshold::AtLeast(t),
                ) => t > 0.0,
                (
                    Statistic::SameData { .. } | Statistic::HorizonFactor | Statistic::FlopFactor,
                    _,
                ) => false,
                (Statistic::OracleShare, Threshold::AtLeast(_) | Threshold::None) => true,
                (Statistic::OracleShare, _) => false,
                (_, Threshold::None) => false,
                _ => true,
            };
            if !fits {
                return Err((
                    key("threshold"),
                    format!(
                        "{}: this claim is judged {}",
                        c.threshold.name(),
                        match def.statistic {
                            Statistic::SameData { .. }
                            | Statistic::HorizonFactor
                            | Statistic::FlopFactor => "against a factor above 0",
                            Statistic::OracleShare => "against a number or nothing (none)",
                            _ => "positive, not positive or against a number",
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
                Statistic::SameData { .. } | Statistic::HorizonFactor | Statistic::FlopFactor
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
