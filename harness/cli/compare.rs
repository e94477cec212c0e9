//! `jestbench compare OLD NEW`: what changed between two results folders' claims.

use std::path::PathBuf;

use super::report::analyse_quiet;
use crate::analysis::change;
use crate::report::change as show;

#[derive(clap::Args, Debug)]
pub struct CompareArgs {
    /// The earlier results folder (or results.csv).
    pub old: PathBuf,
    /// The later results folder (or results.csv).
    pub new: PathBuf,
    /// Write the Markdown summary here (a CI job page, a review).
    #[arg(long)]
    pub markdown: Option<PathBuf>,
    /// Write JUnit XML here: one test case per claim row, a regression a failure.
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// Exit 1 when any claim row regressed (its change's interval lies on the
    /// claim's wrong side of no change).
    #[arg(long)]
    pub fail_on_regression: bool,
}

/// Claim rows regressed under `--fail-on-regression` (exit code 1).
#[derive(Debug, thiserror::Error)]
#[error("{0} claim rows regressed")]
pub struct Regressed(pub usize);

pub fn compare(args: CompareArgs) -> anyhow::Result<()> {
    let old = analyse_quiet(std::slice::from_ref(&args.old))?;
    let new = analyse_quiet(std::slice::from_ref(&args.new))?;
    let c = change::change(&old, &new);
    println!(
        "{:<44} {:>8}   {:<8} {:<30} {:<10} verdict",
        "claim", "OLD", "NEW", "change (95% CI)", "movement"
    );
    for l in show::lines(&c) {
        println!("{l}");
    }
    for x in &c.cells_only_old {
        println!("only in OLD: {x}");
    }
    for x in &c.cells_only_new {
        println!("only in NEW: {x}");
    }
    let (o, n) = (
        args.old.display().to_string(),
        args.new.display().to_string(),
    );
    let write = |p: &PathBuf, text: String| -> anyhow::Result<()> {
        std::fs::write(p, text).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))
    };
    if let Some(p) = &args.markdown {
        write(p, show::markdown(&c, &o, &n))?;
    }
    if let Some(p) = &args.junit {
        write(p, show::junit(&c))?;
    }
    let regressed = c.regressions();
    println!(
        "{} claim rows; {regressed} regressed; {} verdicts changed",
        c.rows.len(),
        c.rows.iter().filter(|r| r.verdict_changed()).count()
    );
    if args.fail_on_regression && regressed > 0 {
        return Err(Regressed(regressed).into());
    }
    Ok(())
}
