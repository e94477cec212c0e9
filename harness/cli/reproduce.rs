//! `jestbench reproduce`: reruns runs of a results folder from their experiment file
//! and checks the rows are identical but for timing and provenance columns.

use std::path::PathBuf;

use super::progress::Bars;
use super::{DeviceArg, UsageError};
use crate::run::reproduce::{self, Which};
use crate::run::Options;

#[derive(clap::Args, Debug)]
pub struct ReproduceArgs {
    /// The results folder to check (holds results.csv and summary.csv).
    pub results: PathBuf,
    /// The experiment file that wrote it [default: experiments/<folder name>.yaml].
    #[arg(long)]
    pub experiment: Option<PathBuf>,
    /// How many runs to rerun (the cheapest, spread over methods), or `all`.
    #[arg(long, default_value = "3")]
    pub runs: String,
    /// Where the reruns write (must hold no results) [default: a temporary folder].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Where the runs train (cuda: a build with the `cuda` feature).
    #[arg(long, value_enum, default_value_t = DeviceArg::Cpu)]
    pub device: DeviceArg,
    /// Runs trained at once.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub jobs: u32,
}

pub fn reproduce(args: ReproduceArgs) -> anyhow::Result<()> {
    let which =
        match args.runs.as_str() {
            "all" => Which::All,
            n => Which::Cheapest(n.parse().map_err(|_| {
                UsageError(format!("--runs {n}: expected a number of runs or `all`"))
            })?),
        };
    let experiment = match &args.experiment {
        Some(p) => p.clone(),
        None => {
            let name = args
                .results
                .file_name()
                .and_then(|n| n.to_str())
                .ok_or_else(|| {
                    UsageError(format!("{}: not a results folder", args.results.display()))
                })?;
            PathBuf::from("experiments").join(format!("{name}.yaml"))
        }
    };
    let exp = crate::family::load(&experiment, crate::experiment::DEFAULT_MAX_RUNS)?;
    let scratch = match &args.out {
        Some(_) => None,
        None => Some(tempfile_dir()?),
    };
    let out = args
        .out
        .clone()
        .or_else(|| scratch.clone())
        .expect("one of the two");
    let mut opts = Options::new(out);
    opts.device = args.device.into();
    opts.jobs = args.jobs as usize;
    let bars = Bars::new(false, false);
    let r = reproduce::reproduce(&args.results, (&*exp, &experiment), &which, &opts, &bars);
    if let Some(s) = &scratch {
        std::fs::remove_dir_all(s).ok();
    }
    let r = r?;
    say!(
        "{}: reran {} runs from {} ({} rows compared, timing and provenance columns aside)",
        r.experiment,
        r.runs.len(),
        experiment.display(),
        r.rows_compared
    );
    if r.differences.is_empty() {
        say!(
            "identical: every compared row matches {}",
            args.results.display()
        );
        return Ok(());
    }
    for d in r.differences.iter().take(40) {
        say!("  {d}");
    }
    anyhow::bail!(
        "{} differences between the rerun and {}",
        r.differences.len(),
        args.results.display()
    )
}

/// A fresh folder under the system's temporary directory.
fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let base = std::env::temp_dir().join(format!("jestbench-reproduce-{}", std::process::id()));
    std::fs::create_dir_all(&base)?;
    Ok(base)
}
