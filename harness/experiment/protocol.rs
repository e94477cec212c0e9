//! Reads the analysis protocol file (`experiments/protocol.yaml`, docs/methods.md
//! §7) into `analysis::protocol::Protocol`, with the checks and located errors an
//! experiment file gets: unknown keys, values of the wrong kind and claims the
//! harness does not know are named with the file, line and key.

use std::path::Path;

use super::{check_depth, check_tags, from_yaml, ExperimentError, KeyIndex};
use crate::analysis::protocol::{Protocol, RawProtocol};

pub use crate::analysis::protocol::PROTOCOL_FILE;

/// Parses `source` as the protocol file at `path`, checked against the claims the
/// harness knows; its SHA-256 is that of `source`.
pub fn parse(source: &str, path: &Path) -> Result<Protocol, ExperimentError> {
    check_depth(source, path)?;
    let index = KeyIndex::build(source);
    check_tags(&index, path)?;
    let err = |(key, message): (String, String)| ExperimentError::at(path, &index, &key, message);
    let raw: RawProtocol = from_yaml(source, path)?;
    let p = Protocol::from_raw(raw, source).map_err(err)?;
    p.check().map_err(err)?;
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

    /// The committed protocol reads, covers every claim of the board, and is the
    /// one the claims are judged by (the built-in copy).
    #[test]
    fn the_committed_protocol_covers_every_claim_and_is_built_in() {
        let p = parse(&committed(), Path::new(PROTOCOL_FILE)).unwrap();
        assert_eq!(p.claims.len(), crate::analysis::claims::CLAIMS.len());
        assert_eq!(&p, crate::analysis::claims::protocol::builtin());
        for def in crate::analysis::claims::CLAIMS {
            assert_eq!(p.claims[def.id].threshold.rule(), def.rule(), "{}", def.id);
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
                "this claim is judged against a factor above 0",
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
