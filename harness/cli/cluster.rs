//! Sweeps beyond one machine: `run --shard I/N` runs a deterministic, cost-balanced
//! share of an experiment and records it in `shard.yaml`; `slurm` writes (and with
//! `--submit` submits) an sbatch job array of N such shards; `merge` checks that the
//! shard folders hold every expected run exactly once and joins them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::UsageError;
use crate::data::files;
use crate::log::{self, Row, RESULTS_FILE, SUMMARY_FILE};
use crate::model::Layout;
use crate::spec::shard::{partition, Shard};
use crate::spec::{Cell, Experiment, Run};
use crate::train::IterationCost;

/// The manifest a shard folder carries.
pub const MANIFEST: &str = "shard.yaml";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardManifest {
    pub experiment: String,
    /// Identifies the whole run set (all shards of one sweep share it).
    pub sweep_hash: String,
    pub shard: usize,
    pub shards: usize,
    /// Every run of the sweep, and this shard's.
    pub total_runs: usize,
    pub runs: Vec<String>,
}

/// Learner FLOPs of one run of `cell` (training + scoring), for cost estimates.
pub fn run_flops(
    exp: &Experiment,
    cell: &Cell,
    dims: &mut BTreeMap<String, (usize, usize)>,
) -> anyhow::Result<f64> {
    let c = &cell.config;
    let key = serde_yaml::to_string(&c.dataset).expect("specs serialise");
    let (dim_a, dim_b) = match dims.get(&key) {
        Some(d) => *d,
        None => {
            let d = match (&c.dataset.synthetic, &c.dataset.files) {
                (Some(s), _) => (s.dim_a, s.dim_b),
                (None, Some(f)) => {
                    let (pairs, _) = files::load_pairs(f, &exp.base_dir)
                        .with_context(|| format!("dataset of {}", exp.path.display()))?;
                    (pairs.a.cols, pairs.b.cols)
                }
                (None, None) => unreachable!("validated: one source"),
            };
            dims.insert(key, d);
            d
        }
    };
    let layout = Layout::new(&c.model, dim_a, dim_b);
    let scores = c.train.selector.scores() && crate::score::needs(c.train.scoring).0;
    let cost = IterationCost::new(&layout, c.train.batch_size, c.train.super_batch(), scores);
    Ok(((cost.train + cost.learner_scoring) * c.train.steps as u64) as f64)
}

/// Hash of the sorted run ids: the identity of a sweep's run set.
fn sweep_hash(runs: &[Run]) -> String {
    let ids: BTreeSet<String> = runs.iter().map(|r| r.id()).collect();
    let d = Sha256::digest(ids.into_iter().collect::<Vec<_>>().join("\n").as_bytes());
    d[..6].iter().map(|b| format!("{b:02x}")).collect()
}

/// The runs of `shard`, and its manifest.
pub fn shard_runs<'a>(
    exp: &'a Experiment,
    shard: Shard,
) -> anyhow::Result<(Vec<Run<'a>>, ShardManifest)> {
    let runs = exp.runs();
    let mut dims = BTreeMap::new();
    let costed: Vec<(String, f64)> = runs
        .iter()
        .map(|r| Ok((r.id(), run_flops(exp, r.cell, &mut dims)?)))
        .collect::<anyhow::Result<_>>()?;
    let parts = partition(&costed, shard.count);
    let mine: Vec<Run> = parts[shard.index]
        .iter()
        .map(|&i| runs[i].clone())
        .collect();
    let manifest = ShardManifest {
        experiment: exp.name.clone(),
        sweep_hash: sweep_hash(&runs),
        shard: shard.index,
        shards: shard.count,
        total_runs: runs.len(),
        runs: mine.iter().map(|r| r.id()).collect(),
    };
    Ok((mine, manifest))
}

/// Writes the manifest into a shard folder, refusing a folder of another shard.
pub fn write_manifest(dir: &Path, m: &ShardManifest) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(MANIFEST);
    if let Ok(text) = std::fs::read_to_string(&path) {
        let old: ShardManifest = serde_yaml::from_str(&text)
            .map_err(|e| UsageError(format!("{}: {e}", path.display())))?;
        if old != *m {
            return Err(UsageError(format!(
                "{}: this folder holds shard {}/{} of `{}` (sweep {}), not shard {}/{} of `{}` (sweep {}); pass another --out",
                dir.display(), old.shard, old.shards, old.experiment, old.sweep_hash, m.shard, m.shards, m.experiment, m.sweep_hash
            ))
            .into());
        }
    }
    std::fs::write(
        &path,
        serde_yaml::to_string(m).expect("manifests serialise"),
    )
    .with_context(|| format!("cannot write {}", path.display()))
}

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
    /// Time limit per task, HH:MM:SS.
    #[arg(long, default_value = "01:00:00")]
    pub time: String,
    /// CPUs per task (also the task's --jobs).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub cpus_per_task: u32,
    /// GPUs per task (runs with --device cuda).
    #[arg(long, default_value_t = 0)]
    pub gpus: u32,
    /// Sweep folder: shards write DIR/shard-I, logs go to DIR/logs [default: results/<name>-slurm].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also submit the script with sbatch and print the job id.
    #[arg(long)]
    pub submit: bool,
}

fn absolute(p: &Path) -> anyhow::Result<PathBuf> {
    Ok(if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()?.join(p)
    })
}

/// A path as one single-quoted shell word.
fn quoted(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "'\\''"))
}

/// A path's text escaped for use inside double quotes (where `$VAR` still expands).
fn in_double_quotes(p: &Path) -> String {
    let mut out = String::new();
    for c in p.display().to_string().chars() {
        if matches!(c, '"' | '$' | '`' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn valid_time(t: &str) -> bool {
    let parts: Vec<&str> = t.split(':').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        && parts[1].len() == 2
        && parts[2].len() == 2
}

pub fn slurm(args: SlurmArgs) -> anyhow::Result<()> {
    let exp = Experiment::load(&args.experiment)?;
    if !valid_time(&args.time) {
        return Err(UsageError(format!("--time {}: expected HH:MM:SS", args.time)).into());
    }
    let n = args.shards as usize;
    if n > exp.runs().len() {
        return Err(UsageError(format!(
            "--shards {n}: the experiment has only {} runs",
            exp.runs().len()
        ))
        .into());
    }
    let out = absolute(
        &args
            .out
            .clone()
            .unwrap_or_else(|| PathBuf::from("results").join(format!("{}-slurm", exp.name))),
    )?;
    std::fs::create_dir_all(out.join("logs"))
        .with_context(|| format!("cannot create {}", out.display()))?;
    let exe = std::env::current_exe().context("cannot locate the jestbench binary")?;
    let exp_path = absolute(&args.experiment)?;
    let cwd = std::env::current_dir()?;
    let mut s = String::from("#!/bin/bash\n");
    s += &format!(
        "# A job array of {n} shards of {} (written by jestbench slurm).\n",
        exp.name
    );
    s += &format!(
        "# Merge when done:  {} merge {}/shard-* --out {}/merged\n",
        exe.display(),
        out.display(),
        out.display()
    );
    s += &format!("#SBATCH --job-name=jestbench-{}\n", exp.name);
    s += &format!("#SBATCH --array=0-{}\n", n - 1);
    s += &format!("#SBATCH --output={}/logs/%A_%a.out\n", out.display());
    s += &format!("#SBATCH --error={}/logs/%A_%a.err\n", out.display());
    s += &format!("#SBATCH --chdir={}\n", cwd.display());
    s += &format!("#SBATCH --cpus-per-task={}\n", args.cpus_per_task);
    s += &format!("#SBATCH --time={}\n", args.time);
    if let Some(p) = &args.partition {
        s += &format!("#SBATCH --partition={p}\n");
    }
    let device = if args.gpus > 0 {
        s += &format!("#SBATCH --gpus={}\n", args.gpus);
        " --device cuda"
    } else {
        ""
    };
    s += "set -euo pipefail\n";
    s += &format!(
        "exec {} run {} --shard \"${{SLURM_ARRAY_TASK_ID}}/{n}\" --out \"{}/shard-${{SLURM_ARRAY_TASK_ID}}\" --jobs {} --quiet{device}\n",
        quoted(&exe),
        quoted(&exp_path),
        in_double_quotes(&out),
        args.cpus_per_task
    );
    let script = out.join("job.sbatch");
    std::fs::write(&script, s).with_context(|| format!("cannot write {}", script.display()))?;
    println!("wrote {} ({n} array tasks)", script.display());
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
        println!("submitted job {id}");
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

/// Merge problems, each listing what is wrong.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct MergeError(pub String);

pub fn merge(args: MergeArgs) -> anyhow::Result<()> {
    let mut manifests = Vec::new();
    for d in &args.shards {
        let p = d.join(MANIFEST);
        let text = std::fs::read_to_string(&p).map_err(|e| {
            UsageError(format!(
                "{}: not a shard folder ({}: {e})",
                d.display(),
                MANIFEST
            ))
        })?;
        let m: ShardManifest =
            serde_yaml::from_str(&text).map_err(|e| UsageError(format!("{}: {e}", p.display())))?;
        manifests.push((d.clone(), m));
    }
    let first = manifests[0].1.clone();
    let mut problems = Vec::new();
    for (d, m) in &manifests {
        if (m.experiment.as_str(), m.sweep_hash.as_str(), m.shards)
            != (
                first.experiment.as_str(),
                first.sweep_hash.as_str(),
                first.shards,
            )
        {
            problems.push(format!(
                "{} is shard {}/{} of `{}` (sweep {}), but {} is of `{}` (sweep {}, {} shards)",
                d.display(),
                m.shard,
                m.shards,
                m.experiment,
                m.sweep_hash,
                manifests[0].0.display(),
                first.experiment,
                first.sweep_hash,
                first.shards
            ));
        }
    }
    let mut seen: BTreeMap<usize, &PathBuf> = BTreeMap::new();
    for (d, m) in &manifests {
        if let Some(prev) = seen.insert(m.shard, d) {
            problems.push(format!(
                "shard {} is given twice: {} and {}",
                m.shard,
                prev.display(),
                d.display()
            ));
        }
    }
    let missing_shards: Vec<String> = (0..first.shards)
        .filter(|i| !seen.contains_key(i))
        .map(|i| i.to_string())
        .collect();
    if !missing_shards.is_empty() {
        problems.push(format!(
            "missing shards: {} (of {})",
            missing_shards.join(", "),
            first.shards
        ));
    }
    // Every expected run present exactly once, complete.
    let mut rows: Vec<Row> = Vec::new();
    let mut summaries: Vec<Row> = Vec::new();
    let mut owner: BTreeMap<String, PathBuf> = BTreeMap::new();
    let (mut missing, mut duplicated) = (Vec::new(), Vec::new());
    for (d, m) in &manifests {
        let summary = log::read_rows(&d.join(SUMMARY_FILE))?.kept;
        let results = log::read_rows(&d.join(RESULTS_FILE))?.kept;
        let done: BTreeSet<&str> = summary.iter().map(|r| r.run_id.as_str()).collect();
        for id in &m.runs {
            if !done.contains(id.as_str()) {
                missing.push(format!("{id} (shard {}, {})", m.shard, d.display()));
            }
        }
        for s in &summary {
            if let Some(prev) = owner.insert(s.run_id.clone(), d.clone()) {
                duplicated.push(format!(
                    "{} (in {} and {})",
                    s.run_id,
                    prev.display(),
                    d.display()
                ));
            }
            if !m.runs.contains(&s.run_id) {
                problems.push(format!(
                    "{}: run {} does not belong to shard {}",
                    d.display(),
                    s.run_id,
                    m.shard
                ));
            }
        }
        rows.extend(
            results
                .into_iter()
                .filter(|r| done.contains(r.run_id.as_str())),
        );
        summaries.extend(summary);
    }
    if !missing.is_empty() {
        problems.push(format!(
            "{} expected runs are missing or incomplete: {}",
            missing.len(),
            missing.join(", ")
        ));
    }
    if !duplicated.is_empty() {
        problems.push(format!(
            "{} runs appear in two shards: {}",
            duplicated.len(),
            duplicated.join(", ")
        ));
    }
    if summaries.len() != first.total_runs && problems.is_empty() {
        problems.push(format!(
            "the shards hold {} runs, the sweep has {}",
            summaries.len(),
            first.total_runs
        ));
    }
    // One configuration per run id, one row per (run, step).
    let mut hash: BTreeMap<&str, &str> = BTreeMap::new();
    let mut steps = BTreeSet::new();
    for r in &rows {
        if *hash.entry(&r.run_id).or_insert(&r.config_hash) != r.config_hash {
            problems.push(format!("run {} has rows of two configurations", r.run_id));
        }
        if !steps.insert((r.run_id.clone(), r.step)) {
            problems.push(format!("run {} has two rows for step {}", r.run_id, r.step));
        }
    }
    if !problems.is_empty() {
        return Err(MergeError(format!("cannot merge:\n  - {}", problems.join("\n  - "))).into());
    }
    rows.sort_by(|a, b| (&a.run_id, a.step).cmp(&(&b.run_id, b.step)));
    summaries.sort_by(|a, b| a.run_id.cmp(&b.run_id));
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    for (name, set) in [(RESULTS_FILE, &rows), (SUMMARY_FILE, &summaries)] {
        let p = args.out.join(name);
        if p.exists() {
            return Err(UsageError(format!(
                "{}: already exists; merge into an empty folder",
                p.display()
            ))
            .into());
        }
        let mut text = log::header_line();
        for r in set.iter() {
            text.push_str(&r.to_line());
        }
        std::fs::write(&p, text).with_context(|| format!("cannot write {}", p.display()))?;
    }
    println!(
        "merged {} shards of `{}` (sweep {}): {} runs, each exactly once, {} rows, one configuration per run → {}",
        first.shards,
        first.experiment,
        first.sweep_hash,
        summaries.len(),
        rows.len(),
        args.out.display()
    );
    Ok(())
}
