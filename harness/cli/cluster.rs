//! `jestbench slurm` and `jestbench merge`: a sweep as a Slurm job array of shards
//! (`run::cluster` writes the script), and the shard folders joined back
//! (`run::merge` checks them).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;

use super::UsageError;
use crate::experiment::Experiment;
use crate::run::cluster::{sbatch_script, SlurmJob, MAX_GPUS};
use crate::run::merge;

#[derive(clap::Args, Debug)]
pub struct SlurmArgs {
    /// The experiment file (YAML).
    pub experiment: PathBuf,
    /// Number of array tasks (shards).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=10000))]
    pub shards: u32,
    /// Slurm partition [default: the cluster's default].
    #[arg(long)]
    pub partition: Option<String>,
    /// Time limit per task, HH:MM:SS or D-HH:MM:SS.
    #[arg(long, default_value = "01:00:00")]
    pub time: String,
    /// CPUs per task (also the task's --jobs).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub cpus_per_task: u32,
    /// GPUs per task (runs with --device cuda).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=MAX_GPUS as i64))]
    pub gpus: u32,
    /// Sweep folder: shards write DIR/shard-I, logs go to DIR/logs [default: results/<name>-slurm].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also submit the script with sbatch and print the job id.
    #[arg(long)]
    pub submit: bool,
    /// Refuse sweeps of more runs than this (counted before the sweep is expanded).
    #[arg(long, default_value_t = crate::experiment::DEFAULT_MAX_RUNS)]
    pub max_runs: usize,
}

fn absolute(p: &Path) -> anyhow::Result<PathBuf> {
    Ok(if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()?.join(p)
    })
}

pub fn slurm(args: SlurmArgs) -> anyhow::Result<()> {
    // A task with a GPU runs `--device cuda`, which only a CUDA build has.
    if args.gpus > 0 && !cfg!(feature = "cuda") {
        return Err(UsageError(format!(
            "--gpus {}: this jestbench is built without CUDA, so its tasks could not use a GPU (every task would fail); build with `--features cuda` (README's GPU section) or leave --gpus out",
            args.gpus
        ))
        .into());
    }
    let exp = Experiment::load_limited(&args.experiment, args.max_runs)?;
    let n = args.shards as usize;
    let runs = exp.runs().len();
    if n > runs {
        return Err(
            UsageError(format!("--shards {n}: the experiment has only {runs} runs")).into(),
        );
    }
    let out = absolute(
        &args
            .out
            .clone()
            .unwrap_or_else(|| PathBuf::from("results").join(format!("{}-slurm", exp.name))),
    )?;
    let job = SlurmJob {
        experiment_name: exp.name.clone(),
        exe: std::env::current_exe().context("cannot locate the jestbench binary")?,
        experiment: absolute(&args.experiment)?,
        out: out.clone(),
        workdir: std::env::current_dir()?,
        shards: n,
        partition: args.partition.clone(),
        time: args.time.clone(),
        cpus_per_task: args.cpus_per_task,
        gpus: args.gpus,
    };
    // Every value is checked before anything is created on disk.
    let text = sbatch_script(&job).map_err(|e| UsageError(e.to_string()))?;
    std::fs::create_dir_all(out.join("logs"))
        .with_context(|| format!("cannot create {}", out.display()))?;
    let script = out.join("job.sbatch");
    std::fs::write(&script, text).with_context(|| format!("cannot write {}", script.display()))?;
    say!("wrote {} ({n} array tasks)", script.display());
    if args.submit {
        let o = Command::new("sbatch")
            .arg("--parsable")
            .arg(&script)
            .output()
            .map_err(|e| {
                UsageError(format!(
                    "cannot run sbatch: {e} (is Slurm installed and SLURM_CONF set?)"
                ))
            })?;
        if !o.status.success() {
            anyhow::bail!(
                "sbatch failed: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            );
        }
        let id = String::from_utf8_lossy(&o.stdout)
            .trim()
            .split(';')
            .next()
            .unwrap_or("")
            .to_string();
        say!("submitted job {id}");
    }
    Ok(())
}

#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// Shard folders (each written by `run --shard`).
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// The merged results folder.
    #[arg(long)]
    pub out: PathBuf,
}

pub fn merge(args: MergeArgs) -> anyhow::Result<()> {
    let m = merge::merge(&args.shards, &args.out, &crate::family::schemas())?;
    say!(
        "merged {} shards of `{}` (sweep {}): {} runs, each exactly once, {} rows, one configuration per run → {}",
        m.shards,
        m.experiment,
        m.sweep_hash,
        m.runs,
        m.rows,
        args.out.display()
    );
    Ok(())
}
