//! `jestbench plan`: from a pilot's results, per claim row, the worlds and
//! learners expected to decide it and their cost in core-hours on the machine
//! that ran the pilot (docs/methods.md §7).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::UsageError;
use crate::analysis::plan::{self, Cost};
use crate::train::JestRow;

#[derive(clap::Args, Debug)]
pub struct PlanArgs {
    /// A pilot's results folders (one experiment, or several).
    #[arg(required = true)]
    pub results: Vec<PathBuf>,
    /// The power wanted at the pilot's estimate (the chance the interval leaves
    /// out the threshold if the estimate is the truth).
    #[arg(long, default_value_t = 0.8)]
    pub power: f64,
    /// Learners per world to consider.
    #[arg(long, value_delimiter = ',', default_value = "1,2,4")]
    pub learners: Vec<usize>,
    /// The most worlds considered.
    #[arg(long, default_value_t = 200)]
    pub max_worlds: usize,
}

pub fn plan(args: PlanArgs) -> anyhow::Result<()> {
    if !(0.5..1.0).contains(&args.power) {
        return Err(UsageError(format!(
            "--power {}: give a power in [0.5, 1), e.g. 0.8",
            args.power
        ))
        .into());
    }
    if args.learners.is_empty() || args.learners.iter().any(|&l| l == 0 || l > 1000) {
        return Err(UsageError(format!(
            "--learners {:?}: give learners per world from 1 to 1000, e.g. 1,2,4",
            args.learners
        ))
        .into());
    }
    if !(2..=100_000).contains(&args.max_worlds) {
        return Err(UsageError(format!(
            "--max-worlds {}: give 2 to 100000",
            args.max_worlds
        ))
        .into());
    }
    let (rows, _, _) = super::report::load(&args.results)?;
    let costs = costs(&rows);
    let analysis = super::report::analyse_quiet(&args.results)?;
    let plans = plan::plan(
        &analysis.claims,
        &costs,
        &args.learners,
        args.power,
        args.max_worlds,
    );
    say!(
        "Worlds needed for every definition's interval, at the row's Holm-adjusted level, to leave out the threshold with power {} at the pilot's estimate (docs/methods.md §7), and core-hours at the pilot's measured seconds:",
        args.power
    );
    for (e, c) in &costs {
        say!(
            "  {e}: pilot {} worlds × {} learners, {:.2} core-hours of runs and {:.2} of references (training and evaluation as logged; building each world's data is not counted)",
            c.worlds,
            c.learners,
            c.run_seconds / 3600.0,
            c.reference_seconds / 3600.0
        );
    }
    for p in &plans {
        let clean = crate::report::doc::clean;
        say!("- {}", clean(&p.claim));
        say!(
            "  pilot {} worlds × {} learners, estimate {}, verdict: {}{}",
            p.pilot_worlds,
            p.pilot_learners,
            p.measured,
            clean(&p.verdict),
            match (p.worlds_varied, p.world_share) {
                (true, Some(s)) => format!("; world share of one run's variance {s:.2}"),
                _ => "; one-world pilot: world variance unknown, so these counts are lower bounds"
                    .into(),
            }
        );
        if !p.note.is_empty() {
            say!("  {}", p.note);
        }
        for d in &p.designs {
            match (d.worlds, d.core_hours) {
                (Some(w), Some(h)) => say!(
                    "  {} learner{} per world: {w} worlds ({} runs per cell), {h:.2} core-hours",
                    d.learners,
                    if d.learners == 1 { "" } else { "s" },
                    w * d.learners
                ),
                _ => say!(
                    "  {} learner{} per world: more than {} worlds",
                    d.learners,
                    if d.learners == 1 { "" } else { "s" },
                    args.max_worlds
                ),
            }
        }
    }
    Ok(())
}

/// Per experiment: its runs' and references' seconds and its design.
fn costs(rows: &[crate::log::Row]) -> BTreeMap<String, Cost> {
    // The last row of each run: cumulative seconds.
    let mut last: BTreeMap<(&str, &str), &crate::log::Row> = BTreeMap::new();
    for r in rows {
        let c = r.common();
        let key = (c.experiment.as_str(), c.run_id.as_str());
        if last.get(&key).is_none_or(|l| l.common().step <= c.step) {
            last.insert(key, r);
        }
    }
    let mut out: BTreeMap<String, Cost> = BTreeMap::new();
    let mut refs: BTreeMap<&str, BTreeSet<u64>> = BTreeMap::new();
    let mut design: BTreeMap<&str, (BTreeSet<Option<u64>>, BTreeSet<u64>)> = BTreeMap::new();
    for ((exp, _), r) in &last {
        let c = r.common();
        let cost = out.entry(exp.to_string()).or_default();
        cost.run_seconds += c.train_seconds + c.eval_seconds;
        let d = design.entry(exp).or_default();
        d.1.insert(c.seed);
        if let Some(j) = r.get::<JestRow>() {
            d.0.insert(j.world);
            // A reference is logged by every run that used it: counted once.
            if j.reference_seconds > 0.0
                && refs
                    .entry(exp)
                    .or_default()
                    .insert(j.reference_seconds.to_bits())
            {
                cost.reference_seconds += j.reference_seconds;
            }
        }
    }
    for (exp, (worlds, seeds)) in design {
        let cost = out.get_mut(exp).expect("costed above");
        let drew = worlds.iter().any(Option::is_some);
        if drew {
            cost.worlds = worlds.len();
            cost.learners = (seeds.len() / worlds.len().max(1)).max(1);
        } else {
            cost.worlds = seeds.len();
            cost.learners = 1;
        }
    }
    out
}
