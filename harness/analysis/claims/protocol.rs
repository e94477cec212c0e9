//! The protocol the claims are judged under (docs/methods.md §7): the committed
//! `experiments/protocol.yaml`, built in, or the file a report was asked for
//! (`jestbench report --protocol FILE`); and the check of a protocol against the
//! claims this harness knows. The protocol's types and reading are
//! `analysis::protocol`'s, which knows no claim.

use std::sync::OnceLock;

use super::{Rule, Statistic, CLAIMS};
use crate::analysis::protocol::{BudgetRule, Protocol, RawProtocol, Threshold, PROTOCOL_FILE};

/// The committed protocol's text, built in.
const BUILTIN: &str = include_str!("../../../experiments/protocol.yaml");

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

/// The active protocol's text (the file's, as it reads now; the built-in one's).
pub fn active_text() -> String {
    match ACTIVE.get() {
        Some((_, path)) => std::fs::read_to_string(path).unwrap_or_default(),
        None => BUILTIN.to_string(),
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
            // The thresholds a statistic can be judged against: a factor against
            // a number above 0; a difference or slope by its sign or a number;
            // the oracle share against a number or nothing; a scale trend by its
            // sign, a number, or nothing (its direction reported).
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
                (Statistic::ScaleTrend { .. }, _) => true,
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
}
