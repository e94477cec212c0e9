//! `jestbench protocol [FILE]`: checks the analysis protocol (docs/methods.md §7)
//! and prints its SHA-256 and what it fixes for each claim.

use std::path::PathBuf;

use crate::analysis::registration::{History, ProtocolCommit};
use crate::experiment::protocol::{self, PROTOCOL_FILE};

#[derive(clap::Args, Debug)]
pub struct ProtocolArgs {
    /// The protocol file [default: experiments/protocol.yaml].
    pub file: Option<PathBuf>,
}

pub fn protocol(args: ProtocolArgs) -> anyhow::Result<()> {
    let path = args.file.unwrap_or_else(|| PathBuf::from(PROTOCOL_FILE));
    let p = protocol::read(&path)?;
    say!(
        "{}: protocol {}, sha256 {}; {} claims; multiplicity: {} over the {}; abstains below coverage {}; replicates: {} worlds x {} learners",
        path.display(),
        p.version,
        p.sha256,
        p.claims.len(),
        format!("{:?}", p.multiplicity.scheme).to_lowercase(),
        format!("{:?}", p.multiplicity.family).to_lowercase(),
        p.min_coverage,
        p.replicates.worlds,
        p.replicates.learners_per_world
    );
    for l in p.lines() {
        say!("  {l}");
    }
    Ok(())
}

/// The repository's history, asked through git (in the current folder; none
/// where git or the repository is absent).
pub struct Git;

fn git(args: &[&str]) -> Option<std::process::Output> {
    std::process::Command::new("git")
        .args(args)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
}

impl History for Git {
    fn changes(&self, path: &str) -> Option<Vec<ProtocolCommit>> {
        let out = git(&["log", "--reverse", "--format=%H%x09%cs%x09%s", "--", path])?;
        if !out.status.success() {
            return None;
        }
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let mut changes = Vec::new();
        for line in text.lines() {
            let mut f = line.splitn(3, '\t');
            let (Some(commit), Some(date), Some(subject)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            // The file's text at that commit (none where the commit removed it).
            let Some(shown) = git(&["show", &format!("{commit}:{path}")]) else {
                continue;
            };
            if !shown.status.success() {
                continue;
            }
            let subject = if subject.chars().count() > 60 {
                format!(
                    "{}…",
                    subject.chars().take(60).collect::<String>().trim_end()
                )
            } else {
                subject.to_string()
            };
            changes.push(ProtocolCommit {
                commit: commit.into(),
                date: date.into(),
                subject,
                sha256: crate::analysis::protocol::sha256_hex(&shown.stdout),
                text: Some(String::from_utf8_lossy(&shown.stdout).into_owned()),
            });
        }
        Some(changes)
    }

    fn is_ancestor(&self, a: &str, b: &str) -> Option<bool> {
        let out = git(&["merge-base", "--is-ancestor", a, b])?;
        match out.status.code() {
            Some(0) => Some(true),
            Some(1) => Some(false),
            _ => None,
        }
    }
}
