//! Reads the analysis protocol file (`experiments/protocol.yaml`, docs/methods.md
//! §7) into `analysis::protocol::Protocol`, with the checks and located errors an
//! experiment file gets: unknown keys, values of the wrong kind and claims the
//! harness does not know are named with the file, line and key.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::{check_depth, check_tags, from_yaml, ExperimentError, KeyIndex};
use crate::analysis::protocol::{
    Budget, ClaimProtocol, Multiplicity, Protocol, ReadingName, Replicates, Threshold,
};

/// Where the protocol lives in a checkout.
pub const PROTOCOL_FILE: &str = "experiments/protocol.yaml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProtocol {
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

/// Parses `source` as the protocol file at `path`, checked against the claims the
/// harness knows; its SHA-256 is that of `source`.
pub fn parse(source: &str, path: &Path) -> Result<Protocol, ExperimentError> {
    use sha2::{Digest, Sha256};
    check_depth(source, path)?;
    let index = KeyIndex::build(source);
    check_tags(&index, path)?;
    let err = |key: &str, message: String| ExperimentError::at(path, &index, key, message);
    let raw: RawProtocol = from_yaml(source, path)?;
    let mut claims = BTreeMap::new();
    for (id, c) in raw.claims {
        let t = threshold(&c.threshold).map_err(|m| err(&format!("claims.{id}.threshold"), m))?;
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
    let p = Protocol {
        version: raw.protocol,
        multiplicity: raw.multiplicity,
        min_coverage: raw.min_coverage,
        replicates: raw.replicates,
        claims,
        sha256: Sha256::digest(source.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    };
    p.check().map_err(|(key, m)| err(&key, m))?;
    Ok(p)
}

/// Reads and parses the protocol file at `path`.
pub fn read(path: &Path) -> Result<Protocol, ExperimentError> {
    let source = super::read(path).map_err(|mut e| {
        e.message = e.message.replace("experiment file", "protocol file");
        e
    })?;
    parse(&source, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn committed() -> String {
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(PROTOCOL_FILE)).unwrap()
    }

    /// The committed protocol reads, covers every claim of the board, and sets the
    /// same thresholds the claims are judged against.
    #[test]
    fn the_committed_protocol_covers_every_claim_with_its_threshold() {
        let p = parse(&committed(), Path::new(PROTOCOL_FILE)).unwrap();
        assert_eq!(p.claims.len(), crate::analysis::claims::CLAIMS.len());
        for def in crate::analysis::claims::CLAIMS {
            assert_eq!(p.claims[def.id].threshold.rule(), def.rule, "{}", def.id);
        }
        assert_eq!(p.sha256.len(), 64);
        assert_eq!(p.lines().len(), p.claims.len());
    }

    /// A wrong value, an unknown claim, a claim left out, a threshold of the wrong
    /// kind and a budget rule a claim cannot take are named with their key and line.
    #[test]
    fn bad_protocols_are_named_by_key_and_line() {
        let text = committed();
        let path = Path::new("p.yaml");
        let e = |t: String| parse(&t, path).unwrap_err().to_string();
        for (from, to, want) in [
            (
                "threshold: 1.5\n",
                "threshold: fast\n",
                "claims.same-data-0.5.threshold",
            ),
            (
                "threshold: 1.5\n",
                "threshold: positive\n",
                "this claim is judged against a number",
            ),
            (
                "  same-data-0.5:\n",
                "  same-data-0.6:\n",
                "claims.same-data-0.6",
            ),
            ("min_coverage: 0.93", "min_coverage: 1.5", "min_coverage"),
            ("  worlds: 5\n", "  worlds: 0\n", "replicates"),
            (
                "budget: {rule: forward}\n    readings",
                "budget: {rule: final}\n    readings",
                "a horizon claim is read along the sweep",
            ),
            (
                "    rate: [0.5, 0.8, 0.9]\n    ceiling: true\n  same-data-0.8",
                "    rate: [0.5, 1.8, 0.9]\n    ceiling: true\n  same-data-0.8",
                "is not a fraction",
            ),
            (
                "protocol: 1\n",
                "protocol: 1\nextra: 2\n",
                "unknown field `extra`",
            ),
        ] {
            assert!(text.contains(from), "{from}");
            let msg = e(text.replacen(from, to, 1));
            assert!(msg.contains(want), "{to}: {msg}");
            assert!(msg.starts_with("p.yaml"), "{msg}");
        }
        // A claim left out.
        let start = text.find("  oracle-share:").unwrap();
        let msg = e(text[..start].to_string());
        assert!(msg.contains("claim `oracle-share`"), "{msg}");
        // A located error names its line.
        let msg = e(text.replacen("threshold: 1.5\n", "threshold: fast\n", 1));
        let line = text
            .lines()
            .position(|l| l.contains("threshold: 1.5"))
            .unwrap()
            + 1;
        assert!(msg.contains(&format!(":{line}:")), "{msg}");
    }
}
