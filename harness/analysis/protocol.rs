//! The analysis protocol (docs/methods.md §7): per claim of the board, its
//! estimand, budget rule, threshold, designated evidence, readings, and the rate
//! and ceiling it reports; for the board, the multiplicity scheme, the coverage
//! below which a verdict abstains, and the replicate structure. The claims take
//! their thresholds and designated evidence from it and from nowhere else. This
//! module holds its types and knows no claim; `claims::protocol` builds the
//! committed file in, keeps the protocol verdicts are computed under, and holds
//! a protocol to the claims the harness knows (`Protocol::check`);
//! `experiment::protocol` reads a file with located errors.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Where the protocol lives in a checkout.
pub const PROTOCOL_FILE: &str = "experiments/protocol.yaml";

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
    pub(crate) fn name(self) -> String {
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
            sha256: sha256_hex(source.as_bytes()),
        })
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

/// SHA-256 of `bytes`, in lower-case hex: how protocol texts (and what a claim
/// depends on in them) are named.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
