//! `jestbench run`: the flags become run options; the library executes the sweep;
//! this prints progress, the per-cell summary and where the report went.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use super::progress::Bars;
use super::RunArgs;
use crate::log::{Common, Row};
use crate::run::{self, plan, Options, Outcome};
use crate::train::RunStatus;

pub fn run(args: RunArgs) -> anyhow::Result<()> {
    let exp = crate::family::load(&args.experiment, args.max_runs)?;
    let name = exp.name().to_string();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| plan::default_results_dir(&name, args.shard));
    let opts = Options {
        out: out.clone(),
        device: args.device.into(),
        jobs: args.jobs as usize,
        shard: args.shard,
        only: (!args.only.is_empty()).then(|| args.only.iter().cloned().collect()),
    };
    // A shard is part of a sweep: its report waits for the merge.
    let report_dir =
        (!args.no_report && (args.shard.is_none() || args.report.is_some())).then(|| {
            match (&args.report, &args.out) {
                (Some(r), _) => r.clone(),
                (None, Some(o)) => o.join("report"),
                (None, None) => PathBuf::from("reports").join(&name),
            }
        });
    // A report folder that cannot take the report is said before the training.
    if let Some(dir) = &report_dir {
        crate::report::check_out(dir)?;
    }
    if let Some(only) = &opts.only {
        let known: std::collections::BTreeSet<String> = exp.run_ids().into_iter().collect();
        let unknown: Vec<&String> = only.iter().filter(|id| !known.contains(*id)).collect();
        if !unknown.is_empty() {
            let mut example: Vec<String> = known.iter().take(3).cloned().collect();
            if known.len() > 3 {
                example.push("…".into());
            }
            return Err(super::UsageError(format!(
                "--only: no run of `{name}` has the id {} (its {} runs' ids look like {}; `jestbench validate` lists them)",
                unknown
                    .iter()
                    .map(|s| format!("{s:?}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                known.len(),
                example.join(", ")
            ))
            .into());
        }
    }
    let bars = Bars::new(!args.quiet && std::io::stderr().is_terminal(), true);
    let outcome = run::execute(&*exp, &opts, &bars);
    bars.finish();
    let outcome = outcome?;
    print_summary(&outcome)?;
    if let Some(dir) = report_dir {
        let analysis = super::report::write_report(&[out], &dir, false)?;
        super::report::print_answer(&analysis, &dir);
        say!("report: {}", dir.join("report.html").display());
    }
    Ok(())
}

/// Seed-mean final scores per sweep cell, from the summary file.
fn print_summary(outcome: &Outcome) -> anyhow::Result<()> {
    let rows = crate::log::read_folder(&outcome.out, &crate::family::schemas())?.summaries;
    let mut by_cell: BTreeMap<(String, String), Vec<&Common>> = BTreeMap::new();
    for r in rows
        .iter()
        .map(Row::common)
        .filter(|r| r.experiment == outcome.experiment)
    {
        by_cell
            .entry((r.sweep.clone(), r.method.as_str().to_string()))
            .or_default()
            .push(r);
    }
    say!(
        "{}: {} runs in {:.1}s → {}",
        outcome.experiment,
        rows.len(),
        outcome.seconds,
        outcome.out.display()
    );
    say!(
        "{:<48} {:>5} {:>22} {:>9}",
        "cell",
        "runs",
        "final score (±sd)",
        "diverged"
    );
    for ((sweep, method), rs) in &by_cell {
        // Diverged runs are counted apart, not averaged in.
        let scores: Vec<f64> = rs
            .iter()
            .filter(|r| r.status == RunStatus::Complete)
            .filter_map(|r| r.eval_score)
            .collect();
        let diverged = rs
            .iter()
            .filter(|r| r.status == RunStatus::Diverged)
            .count();
        let cell = if sweep.is_empty() { method } else { sweep };
        let score = if scores.is_empty() {
            format!("{:>22}", "—")
        } else {
            format!(
                "{:>14.4} ± {:<5.4}",
                crate::stats::mean(&scores),
                crate::stats::std_dev(&scores)
            )
        };
        say!("{cell:<48} {:>5} {score} {diverged:>9}", rs.len());
    }
    say!("results: {}", outcome.out.display());
    Ok(())
}
