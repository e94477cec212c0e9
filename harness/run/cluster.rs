//! A sweep as a Slurm job array: the sbatch script whose task I runs shard I of N
//! (`run --shard I/N`) into its own folder, for `merge` to join.

use std::path::{Path, PathBuf};

/// What the script runs and where.
#[derive(Clone, Debug)]
pub struct SlurmJob {
    pub experiment_name: String,
    /// Absolute paths: the binary, the experiment file, the sweep folder, the
    /// working directory of every task.
    pub exe: PathBuf,
    pub experiment: PathBuf,
    pub out: PathBuf,
    pub workdir: PathBuf,
    pub shards: usize,
    pub partition: Option<String>,
    /// HH:MM:SS.
    pub time: String,
    pub cpus_per_task: u32,
    pub gpus: u32,
}

/// Whether `t` reads HH:MM:SS (hours of any length).
pub fn valid_time(t: &str) -> bool {
    let parts: Vec<&str> = t.split(':').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        && parts[1].len() == 2
        && parts[2].len() == 2
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

/// The sbatch script of `job`.
pub fn sbatch_script(job: &SlurmJob) -> String {
    let (n, out) = (job.shards, &job.out);
    let mut s = String::from("#!/bin/bash\n");
    s += &format!(
        "# A job array of {n} shards of {} (written by jestbench slurm).\n",
        job.experiment_name
    );
    s += &format!(
        "# Merge when done:  {} merge {}/shard-* --out {}/merged\n",
        job.exe.display(),
        out.display(),
        out.display()
    );
    s += &format!("#SBATCH --job-name=jestbench-{}\n", job.experiment_name);
    s += &format!("#SBATCH --array=0-{}\n", n - 1);
    s += &format!("#SBATCH --output={}/logs/%A_%a.out\n", out.display());
    s += &format!("#SBATCH --error={}/logs/%A_%a.err\n", out.display());
    s += &format!("#SBATCH --chdir={}\n", job.workdir.display());
    s += &format!("#SBATCH --cpus-per-task={}\n", job.cpus_per_task);
    s += &format!("#SBATCH --time={}\n", job.time);
    if let Some(p) = &job.partition {
        s += &format!("#SBATCH --partition={p}\n");
    }
    let device = if job.gpus > 0 {
        s += &format!("#SBATCH --gpus={}\n", job.gpus);
        " --device cuda"
    } else {
        ""
    };
    s += "set -euo pipefail\n";
    s += &format!(
        "exec {} run {} --shard \"${{SLURM_ARRAY_TASK_ID}}/{n}\" --out \"{}/shard-${{SLURM_ARRAY_TASK_ID}}\" --jobs {} --quiet{device}\n",
        quoted(&job.exe),
        quoted(&job.experiment),
        in_double_quotes(out),
        job.cpus_per_task
    );
    s
}
