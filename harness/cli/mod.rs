/*!
The `jestbench` command line: arguments, printing, progress and exit codes, and
nothing else (ripgrep's `main.rs`: dispatch only). The work is the library's: `run`
executes sweeps, `report` writes reports, `score` and `select` choose batches.

Exit codes, one per kind of outcome (docs/guide/running.md, "Exit codes", lists them too):
- 0: success (a closed standard output ends the printing, not the work);
- 1: the work ran and found a failure: a run failed, a gate did not pass, a claim
  regressed under `compare --fail-on-regression`;
- 2: bad input: an experiment file, a data file, a results or report folder, a
  command-line flag; nothing was run;
- 3: busy: the output folder is held by another jestbench process (a run or a
  merge writing into it); try again when it ends;
- 4: the system refused: reading or writing a file failed (disk full, permissions),
  threads could not start.

Errors print once, as a chain, never as a panic.
*/

/// `println!` that a closed standard output cannot turn into a panic: where the
/// reader went away (`jestbench run … | head`) the work is done and its files
/// written, so the rest of the printing is dropped and the exit code is the
/// work's.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

mod bench;
mod calibrate;
mod cluster;
mod compare;
mod migrate;
mod plan;
mod progress;
mod protocol;
mod report;
mod reproduce;
mod run;
mod select;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::data::DataError;
use crate::experiment::ExperimentError;
use crate::run::{DeviceKind, RunError, Shard};

#[derive(Parser, Debug)]
#[command(
    name = "jestbench",
    version,
    about = "Reproducible benchmarks of data-efficient training claims (JEST, SWIM)",
    long_about = "Runs seeded experiments described in YAML, logs every evaluation to CSV, \
                  and compares selectors with honest FLOP accounting."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run every (sweep cell, seed) of an experiment and write results CSVs.
    #[command(after_help = "Example:\n  jestbench run experiments/quickstart.yaml --jobs 2")]
    Run(RunArgs),
    /// Parse and expand an experiment; print its runs and estimated cost without running.
    #[command(after_help = "Example:\n  jestbench validate experiments/horizon.yaml")]
    Validate(ValidateArgs),
    /// Run a selector on embeddings from files; print the chosen indices.
    #[command(
        after_help = "Example:\n  jestbench select --learner-a la.npy --learner-b lb.npy --reference-a ra.npy --reference-b rb.npy --b 64"
    )]
    Select(select::SelectArgs),
    /// Statistics, plots and claim verdicts from results CSVs (Markdown, HTML, SVG).
    #[command(after_help = "Example:\n  jestbench report results/horizon --out reports/horizon")]
    Report(report::ReportArgs),
    /// Exit non-zero when results fall below the thresholds of a gates file.
    #[command(
        after_help = "Example:\n  jestbench check results/smoke --gate experiments/smoke-gates.yaml"
    )]
    Check(report::CheckArgs),
    /// Write (and with --submit, submit) a Slurm job array running the sweep in shards.
    #[command(
        after_help = "Example:\n  jestbench slurm experiments/horizon.yaml --shards 8 --time 02:00:00"
    )]
    Slurm(cluster::SlurmArgs),
    /// Join shard folders into one results folder, checking every run is there once.
    #[command(
        after_help = "Example:\n  jestbench merge results/horizon/shard-*-of-8 --out results/horizon"
    )]
    Merge(cluster::MergeArgs),
    /// Time each selector's iteration against its FLOP floor; the sampler's scaling.
    #[command(after_help = "Example:\n  jestbench bench --iters 60")]
    Bench(bench::BenchArgs),
    /// Rerun runs of a results folder and check their rows are identical.
    #[command(after_help = "Example:\n  jestbench reproduce results/ablations --runs 3")]
    Reproduce(reproduce::ReproduceArgs),
    /// Write index.html and index.md linking every report in a folder, each with a
    /// one-line summary of its claims.
    #[command(after_help = "Example:\n  jestbench index reports --readme README.md")]
    Index(report::IndexArgs),
    /// Measure the verdict engine: coverage, bias and wrong verdicts on synthetic
    /// curves with a known speed-up, under each candidate estimator.
    #[command(after_help = "Example:\n  jestbench calibrate --replicates 200")]
    Calibrate(calibrate::CalibrateArgs),
    /// What changed between two results folders: per claim row, the change with a
    /// 95% interval (improved, regressed or no change) and verdict changes; with
    /// --markdown and --junit for CI.
    #[command(
        after_help = "Example:\n  jestbench compare reports/horizon results/horizon-new --fail-on-regression"
    )]
    Compare(compare::CompareArgs),
    /// Convert results folders of layout 1 (results.csv, summary.csv) to layout 2
    /// (runs.csv and evaluation tables), checking every row reads back the same.
    #[command(after_help = "Example:\n  jestbench migrate results/old-layout")]
    Migrate(migrate::MigrateArgs),
    /// Check the analysis protocol (experiments/protocol.yaml): its SHA-256 and, per
    /// claim, the threshold, evidence, budget rule, rate and ceiling it fixes.
    #[command(after_help = "Example:\n  jestbench protocol experiments/protocol.yaml")]
    Protocol(protocol::ProtocolArgs),
    /// From a pilot's results: per claim, the worlds and learners expected to
    /// decide it and their cost in core-hours on this machine.
    #[command(after_help = "Example:\n  jestbench plan results/horizon --learners 1,2,4")]
    Plan(plan::PlanArgs),
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The experiment file (YAML).
    pub experiment: PathBuf,
    /// Results folder [default: results/<experiment name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Where tensors live.
    #[arg(long, value_enum, default_value_t = DeviceArg::Cpu)]
    pub device: DeviceArg,
    /// Independent runs trained in parallel (CPU).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub jobs: u32,
    /// No progress bars (summary lines only).
    #[arg(long, short)]
    pub quiet: bool,
    /// Report folder [default: reports/<experiment name>, or <out>/report with --out].
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Do not write a report after the runs.
    #[arg(long, conflicts_with = "report")]
    pub no_report: bool,
    /// Run only shard I of N (0-based) of the sweep: a deterministic, cost-balanced
    /// share [default folder: results/<name>/shard-I-of-N].
    #[arg(long)]
    pub shard: Option<Shard>,
    /// Run only these runs (ids as in the results' `run_id` column, comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Refuse sweeps of more runs than this (counted before the sweep is expanded).
    #[arg(long, default_value_t = crate::experiment::DEFAULT_MAX_RUNS)]
    pub max_runs: usize,
}

#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    /// The experiment file (YAML).
    pub experiment: PathBuf,
    /// Refuse sweeps of more runs than this (counted before the sweep is expanded).
    #[arg(long, default_value_t = crate::experiment::DEFAULT_MAX_RUNS)]
    pub max_runs: usize,
    /// The runs trained at once, for the memory and time estimates.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub jobs: u32,
    /// Skip the wall-time estimate (it times a few of the harness's iterations on
    /// this machine first, a few seconds).
    #[arg(long)]
    pub no_estimate: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DeviceArg {
    Cpu,
    Cuda,
}

impl From<DeviceArg> for DeviceKind {
    fn from(d: DeviceArg) -> DeviceKind {
        match d {
            DeviceArg::Cpu => DeviceKind::Cpu,
            DeviceArg::Cuda => DeviceKind::Cuda,
        }
    }
}

/// A flag that cannot be honoured (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Parses arguments, runs, prints any error chain once, returns the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // Commands that only read and print end quietly when their reader goes away
    // (`jestbench validate FILE | head`), as a Unix filter does, instead of
    // panicking in `println!`. Commands that train or write results keep Rust's
    // default: a closed pipe is an error there, never a kill in mid-run.
    #[cfg(unix)]
    if !matches!(
        cli.command,
        Command::Run(_)
            | Command::Slurm(_)
            | Command::Merge(_)
            | Command::Calibrate(_)
            | Command::Reproduce(_)
            | Command::Migrate(_)
    ) {
        // SAFETY: restoring the default disposition of one signal at start-up,
        // before any thread is spawned.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Validate(args) => validate::validate(args),
        Command::Select(args) => select::select(args),
        Command::Report(args) => report::report(args),
        Command::Check(args) => report::check(args),
        Command::Slurm(args) => cluster::slurm(args),
        Command::Merge(args) => cluster::merge(args),
        Command::Bench(args) => bench::bench(args),
        Command::Reproduce(args) => reproduce::reproduce(args),
        Command::Index(args) => report::index(args),
        Command::Calibrate(args) => calibrate::calibrate(args),
        Command::Compare(args) => compare::compare(args),
        Command::Migrate(args) => migrate::migrate(args),
        Command::Protocol(args) => protocol::protocol(args),
        Command::Plan(args) => plan::plan(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Control characters from a file or a value (an escape sequence in a
            // setting) shown as escapes, never sent to the terminal; the
            // message's own line breaks kept.
            let text = message(&e);
            let shown: String = text
                .split('\n')
                .map(|l| crate::report::doc::clean(l).into_owned())
                .collect::<Vec<_>>()
                .join("\n");
            eprintln!("error: {shown}");
            ExitCode::from(exit_code(&e))
        }
    }
}

/// The error and its causes, each said once: a cause whose text the message
/// already holds (an error that prints its source, as most of ours do) is not
/// repeated.
pub fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !out.contains(&text) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&text);
        }
    }
    out
}

/// The exit code of an error (the module's list): 3 busy, 2 bad input anywhere in
/// the chain, 4 an I/O error, 1 otherwise.
fn exit_code(e: &anyhow::Error) -> u8 {
    let locked = |l: &crate::log::LogError| matches!(l, crate::log::LogError::Locked { .. });
    let busy = e.chain().any(|c| {
        c.downcast_ref::<crate::log::LogError>().is_some_and(locked)
            || match c.downcast_ref::<RunError>() {
                Some(RunError::Log(l)) | Some(RunError::Results { source: l, .. }) => locked(l),
                _ => false,
            }
    });
    if busy {
        return 3;
    }
    let bad_input = e.chain().any(|c| {
        c.is::<ExperimentError>()
            || c.is::<DataError>()
            || c.is::<UsageError>()
            || c.downcast_ref::<RunError>()
                .is_some_and(RunError::is_bad_input)
            || c.downcast_ref::<crate::report::ReportError>()
                .is_some_and(crate::report::ReportError::is_bad_input)
    });
    let system = e.chain().any(|c| {
        c.is::<std::io::Error>()
            || c.is::<rayon::ThreadPoolBuildError>()
            || matches!(
                c.downcast_ref::<crate::log::LogError>(),
                Some(crate::log::LogError::Io { .. })
            )
            || matches!(
                c.downcast_ref::<crate::report::ReportError>(),
                Some(crate::report::ReportError::Io { .. })
            )
            || matches!(c.downcast_ref::<RunError>(), Some(RunError::Io { .. }))
    });
    if bad_input {
        2
    } else if system {
        4
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// `--help` describes every flag and argument of every subcommand and ends
    /// with an example of it.
    #[test]
    fn every_flag_is_described_and_every_subcommand_has_an_example() {
        let cli = super::Cli::command();
        let mut missing = Vec::new();
        for sub in cli.get_subcommands() {
            if sub.get_after_help().is_none() {
                missing.push(format!("{}: no example", sub.get_name()));
            }
            for arg in sub.get_arguments() {
                let id = arg.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{} {id}: no description", sub.get_name()));
                }
            }
        }
        assert!(missing.is_empty(), "{missing:#?}");
    }
}
