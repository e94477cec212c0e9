//! Whether the verdicts are registered (docs/methods.md §7): the protocol they
//! are computed under must be committed before the runs it judges. From the
//! protocol file's history and the commits the results rows were made by, a
//! report says which of three holds, and prints it beside every verdict that is
//! not registered:
//!
//! - registered: the protocol in force (this text, committed) is an ancestor of
//!   every results commit;
//! - amended after results: the file existed when the rows were made, but the
//!   text in force was committed after them (each amendment named);
//! - results predate the protocol: the rows were made before the file existed,
//!   so the verdicts re-read old runs under it, which registers nothing.
//!
//! A verdict is registered claim by claim ([`check_claims`]): the file's history
//! is read as the history of what that claim's verdict depends on (its own entry
//! and the shared sections, as parsed values), so adding a claim, or editing a
//! comment, amends no other claim's verdict. The file-level finding stays in the
//! provenance.
//!
//! The history comes through [`History`] (git, in `cli`), so this module runs no
//! command.

use serde::Serialize;

use super::protocol::sha256_hex;

/// One commit of the protocol file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProtocolCommit {
    pub commit: String,
    pub date: String,
    pub subject: String,
    /// SHA-256 of the file's text at that commit.
    pub sha256: String,
    /// The text itself, where the history gave it (claims are then registered
    /// one by one; without it, as the whole file is).
    #[serde(skip)]
    pub text: Option<String>,
}

/// What a report needs of the repository's history.
pub trait History {
    /// The commits that changed `path`, oldest first (None: no history here).
    fn changes(&self, path: &str) -> Option<Vec<ProtocolCommit>>;
    /// Whether commit `a` is `b` or an ancestor of it (None: either unknown).
    fn is_ancestor(&self, a: &str, b: &str) -> Option<bool>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Registered,
    AmendedAfterResults,
    ResultsPredateProtocol,
    /// The protocol's text is no committed version of the file.
    Uncommitted,
    /// No history to check against (no git, or commits it does not know).
    Unchecked,
}

/// The registration of one report's verdicts.
#[derive(Clone, Debug, Serialize)]
pub struct Registration {
    pub protocol_sha256: String,
    pub status: Status,
    /// The commit that introduced the file, and the one whose text is in force.
    pub introduced: Option<ProtocolCommit>,
    pub in_force: Option<ProtocolCommit>,
    /// Changes to the file after the earliest results commit (amendments).
    pub amendments: Vec<ProtocolCommit>,
    /// The whole finding in words (the report's provenance prints it).
    pub words: String,
    /// What a verdict that is not registered carries beside it (empty when
    /// registered).
    pub beside_verdict: String,
}

fn short(c: &str) -> &str {
    &c[..c.len().min(7)]
}

/// The registration of verdicts computed under the protocol of SHA-256 `sha256`
/// (the file at `path`) on rows made by `results` commits.
pub fn check(sha256: &str, path: &str, results: &[String], h: &dyn History) -> Registration {
    judge(sha256, path, results, h.changes(path), h)
}

/// What a claim's verdict depends on in a protocol's text: the shared sections
/// (every top-level key but `claims`) and the claim's own entry, as parsed
/// values, hashed. None where the text does not parse or has no such claim.
pub fn claim_digest(text: &str, id: &str) -> Option<String> {
    let doc: serde_yaml::Mapping = serde_yaml::from_str(text).ok()?;
    let mut shared = serde_yaml::Mapping::new();
    for (k, v) in &doc {
        if k.as_str() != Some("claims") {
            shared.insert(k.clone(), v.clone());
        }
    }
    let entry = doc.get("claims")?.as_mapping()?.get(id)?.clone();
    shared.insert("claim".into(), entry);
    let text = serde_yaml::to_string(&shared).ok()?;
    Some(sha256_hex(text.as_bytes()))
}

/// Each claim's registration: the file's changes read as changes of what the
/// claim depends on ([`claim_digest`]; a commit that leaves it as it was is no
/// change of it), judged as [`check`] judges the file. `text` is the protocol in
/// force. Where the history has no texts, every claim gets the file's finding.
pub fn check_claims(
    ids: &[&str],
    text: &str,
    path: &str,
    results: &[String],
    h: &dyn History,
) -> Vec<(String, Registration)> {
    let changes = h.changes(path);
    ids.iter()
        .map(|&id| {
            // Every commit's text is needed to read its changes of the claim.
            let per = changes
                .as_ref()
                .filter(|cs| cs.iter().all(|c| c.text.is_some()))
                .map(|cs| {
                    let mut out: Vec<ProtocolCommit> = Vec::new();
                    for c in cs {
                        let Some(d) = c.text.as_deref().and_then(|t| claim_digest(t, id)) else {
                            continue;
                        };
                        if out.last().is_none_or(|l| l.sha256 != d) {
                            out.push(ProtocolCommit {
                                sha256: d,
                                ..c.clone()
                            });
                        }
                    }
                    out
                });
            let r = match (per, claim_digest(text, id)) {
                (Some(per), Some(now)) => judge(&now, path, results, Some(per), h),
                _ => judge(
                    &sha256_hex(text.as_bytes()),
                    path,
                    results,
                    changes.clone(),
                    h,
                ),
            };
            (id.to_string(), r)
        })
        .collect()
}

/// The finding for a text whose digest is `sha256`, given the changes of what
/// it covers (None: no history).
fn judge(
    sha256: &str,
    path: &str,
    results: &[String],
    changes: Option<Vec<ProtocolCommit>>,
    h: &dyn History,
) -> Registration {
    let mut r = Registration {
        protocol_sha256: sha256.to_string(),
        status: Status::Unchecked,
        introduced: None,
        in_force: None,
        amendments: Vec::new(),
        words: String::new(),
        beside_verdict: String::new(),
    };
    let tag = &sha256[..sha256.len().min(12)];
    let Some(changes) = changes.filter(|c| !c.is_empty()) else {
        r.words =
            format!("protocol sha256 {tag}: registration not checked (no history of {path} here)");
        r.beside_verdict = "registration not checked".into();
        return r;
    };
    r.introduced = changes.first().cloned();
    r.in_force = changes.iter().rev().find(|c| c.sha256 == sha256).cloned();
    let Some(in_force) = r.in_force.clone() else {
        r.status = Status::Uncommitted;
        r.words = format!("protocol sha256 {tag} is no committed version of {path}: verdicts under an uncommitted protocol register nothing");
        r.beside_verdict = "under an uncommitted protocol".into();
        return r;
    };
    let intro = r.introduced.clone().expect("changes is not empty");
    let mut commits: Vec<&str> = results
        .iter()
        .map(|c| c.trim_end_matches("-dirty"))
        .filter(|c| !c.is_empty() && *c != "unknown")
        .collect();
    commits.sort_unstable();
    commits.dedup();
    let mut predate = Vec::new();
    let mut amended = Vec::new();
    let mut unknown = Vec::new();
    for &c in &commits {
        match (
            h.is_ancestor(&intro.commit, c),
            h.is_ancestor(&in_force.commit, c),
        ) {
            (Some(false), _) => predate.push(c),
            (Some(true), Some(false)) => amended.push(c),
            (Some(true), Some(true)) => {}
            _ => unknown.push(c),
        }
    }
    // Changes to the file that the rows' commits do not contain.
    r.amendments = changes
        .iter()
        .filter(|ch| {
            commits
                .iter()
                .any(|&c| h.is_ancestor(&ch.commit, c) == Some(false))
        })
        .cloned()
        .collect();
    let list = |v: &[&str]| v.iter().map(|c| short(c)).collect::<Vec<_>>().join(", ");
    let amendments = r
        .amendments
        .iter()
        .map(|a| format!("{} on {} ({})", short(&a.commit), a.date, a.subject))
        .collect::<Vec<_>>()
        .join("; ");
    let head = format!(
        "protocol sha256 {tag} ({path} as committed in {} on {}; introduced in {} on {})",
        short(&in_force.commit),
        in_force.date,
        short(&intro.commit),
        intro.date
    );
    (r.status, r.words, r.beside_verdict) = if commits.is_empty()
        || !unknown.is_empty() && predate.is_empty() && amended.is_empty()
    {
        (
            Status::Unchecked,
            format!(
                "{head}; registration not checked: the rows' commits ({}) are not in this history",
                list(&unknown)
            ),
            "registration not checked".into(),
        )
    } else if !predate.is_empty() {
        (
            Status::ResultsPredateProtocol,
            format!("{head}; the results predate the protocol: rows from commits {} were made before it existed, so every verdict here re-reads them under it, which registers nothing (rerun them to register); changes since the rows: {amendments}", list(&predate)),
            "results predate the protocol: a re-reading, not a registered verdict".into(),
        )
    } else if !amended.is_empty() {
        (
            Status::AmendedAfterResults,
            format!("{head}; protocol amended after results: rows from commits {} were made under an earlier text; amendments since: {amendments}", list(&amended)),
            format!("protocol amended after results: {amendments}"),
        )
    } else {
        (
            Status::Registered,
            format!(
                "{head}; registered: it precedes every results commit ({})",
                list(&commits)
            ),
            String::new(),
        )
    };
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A linear history: commits named by their position, `a` an ancestor of `b`
    /// when it comes first.
    struct Line {
        order: Vec<&'static str>,
        file: Vec<(&'static str, &'static str)>,
    }

    impl History for Line {
        fn changes(&self, _: &str) -> Option<Vec<ProtocolCommit>> {
            Some(
                self.file
                    .iter()
                    .map(|(c, sha)| ProtocolCommit {
                        commit: c.to_string(),
                        date: format!("day {c}"),
                        subject: format!("change {c}"),
                        sha256: sha.to_string(),
                        text: None,
                    })
                    .collect(),
            )
        }
        fn is_ancestor(&self, a: &str, b: &str) -> Option<bool> {
            let pos = |x: &str| self.order.iter().position(|o| *o == x);
            Some(pos(a)? <= pos(b)?)
        }
    }

    /// A history with the file's texts: commit, text.
    struct Texts {
        order: Vec<&'static str>,
        file: Vec<(&'static str, &'static str)>,
    }

    impl History for Texts {
        fn changes(&self, _: &str) -> Option<Vec<ProtocolCommit>> {
            Some(
                self.file
                    .iter()
                    .map(|(c, t)| ProtocolCommit {
                        commit: c.to_string(),
                        date: format!("day {c}"),
                        subject: format!("change {c}"),
                        sha256: sha256_hex(t.as_bytes()),
                        text: Some(t.to_string()),
                    })
                    .collect(),
            )
        }
        fn is_ancestor(&self, a: &str, b: &str) -> Option<bool> {
            let pos = |x: &str| self.order.iter().position(|o| *o == x);
            Some(pos(a)? <= pos(b)?)
        }
    }

    /// Adding a claim, or a comment, after the rows amends no other claim; a
    /// change to a claim's own entry or to a shared section amends it.
    #[test]
    fn claims_are_registered_one_by_one() {
        let v1 = "min_coverage: 0.9\nclaims:\n  a: {threshold: 1}\n";
        let v2 =
            "# a comment\nmin_coverage: 0.9\nclaims:\n  a: {threshold: 1}\n  b: {threshold: 2}\n";
        let v3 = "min_coverage: 0.9\nclaims:\n  a: {threshold: 3}\n  b: {threshold: 2}\n";
        let v4 = "min_coverage: 0.8\nclaims:\n  a: {threshold: 3}\n  b: {threshold: 2}\n";
        let rows = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let texts = [v1, v2, v3, v4];
        let at = |n: usize| {
            let h = Texts {
                order: vec!["p1", "r1", "p2", "r2", "p3", "p4"],
                file: vec![("p1", v1), ("p2", v2), ("p3", v3), ("p4", v4)][..n].to_vec(),
            };
            (h, texts[n - 1])
        };
        // v2 in force: the whole file changed after r1, but claim a's entry and
        // the shared sections did not: a stays registered for r1's rows; b came
        // after them, so r1's rows predate it.
        let (h, now) = at(2);
        assert_eq!(
            check(&sha(now), "p.yaml", &rows(&["r1"]), &h).status,
            Status::AmendedAfterResults
        );
        let per = check_claims(&["a", "b"], now, "p.yaml", &rows(&["r1"]), &h);
        assert_eq!(per[0].1.status, Status::Registered, "{}", per[0].1.words);
        assert_eq!(per[1].1.status, Status::ResultsPredateProtocol);
        assert_eq!(
            check_claims(&["b"], now, "p.yaml", &rows(&["r2"]), &h)[0]
                .1
                .status,
            Status::Registered
        );
        // v3: a's own threshold changed after r2's rows; b did not.
        let (h, now) = at(3);
        let per = check_claims(&["a", "b"], now, "p.yaml", &rows(&["r2"]), &h);
        assert_eq!(per[0].1.status, Status::AmendedAfterResults);
        assert_eq!(per[0].1.amendments.len(), 1);
        assert_eq!(per[0].1.amendments[0].commit, "p3");
        assert_eq!(per[1].1.status, Status::Registered);
        // v4: a shared section changed: every claim is amended.
        let (h, now) = at(4);
        let per = check_claims(&["a", "b"], now, "p.yaml", &rows(&["r2"]), &h);
        assert!(per
            .iter()
            .all(|(_, r)| r.status == Status::AmendedAfterResults));
        // Without texts, a claim is registered as the file is.
        let line = Line {
            order: vec!["p1", "r1", "p2"],
            file: vec![("p1", "x"), ("p2", "y")],
        };
        let per = check_claims(&["a"], v1, "p.yaml", &rows(&["r1"]), &line);
        assert_eq!(
            per[0].1.status,
            check(&sha(v1), "p.yaml", &rows(&["r1"]), &line).status
        );
    }

    fn sha(t: &str) -> String {
        sha256_hex(t.as_bytes())
    }

    #[test]
    fn the_three_findings_and_the_unchecked_ones() {
        let h = Line {
            order: vec!["r0", "p1", "r1", "p2", "r2"],
            file: vec![("p1", "aaa"), ("p2", "bbb")],
        };
        let rows = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let r = check("bbb", "protocol.yaml", &rows(&["r2"]), &h);
        assert_eq!(r.status, Status::Registered);
        assert!(r.beside_verdict.is_empty());
        let r = check("bbb", "protocol.yaml", &rows(&["r1-dirty", "r2"]), &h);
        assert_eq!(r.status, Status::AmendedAfterResults);
        assert_eq!(r.amendments.len(), 1);
        assert!(
            r.beside_verdict.contains("change p2"),
            "{}",
            r.beside_verdict
        );
        let r = check("bbb", "protocol.yaml", &rows(&["r0", "r2"]), &h);
        assert_eq!(r.status, Status::ResultsPredateProtocol);
        assert_eq!(r.amendments.len(), 2);
        // An earlier text of the file, in force for rows made under it.
        let r = check("aaa", "protocol.yaml", &rows(&["r1"]), &h);
        assert_eq!(r.status, Status::Registered);
        let r = check("ccc", "protocol.yaml", &rows(&["r2"]), &h);
        assert_eq!(r.status, Status::Uncommitted);
        let r = check("bbb", "protocol.yaml", &rows(&["elsewhere"]), &h);
        assert_eq!(r.status, Status::Unchecked);
        let r = check("bbb", "protocol.yaml", &rows(&["unknown"]), &h);
        assert_eq!(r.status, Status::Unchecked);
    }
}
