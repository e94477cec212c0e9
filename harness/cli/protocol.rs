//! `jestbench protocol [FILE]`: checks the analysis protocol (docs/methods.md §7)
//! and prints its SHA-256 and what it fixes for each claim.

use std::path::PathBuf;

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
