//! A sweep as a Slurm job array: the sbatch script whose task I runs shard I of N
//! (`run --shard I/N`) into its own folder, for `merge` to join.
//!
//! The script is built from a fixed template: every value is checked before it is
//! written, so none can leave its place. The experiment's name must be an
//! identifier ([`crate::names`]); the partition, the time limit and the counts must
//! read as Slurm reads them; no value may hold a control character (a newline would
//! start a new line, and so a new command); the folders in `#SBATCH` directives
//! (`--output`, `--error`, `--chdir`) may not hold whitespace, quotes, `\` or `%`
//! (sbatch splits directives on whitespace and expands `%` patterns); the shell
//! lines quote every path.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::names;

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
    /// [D-]HH:MM:SS.
    pub time: String,
    pub cpus_per_task: u32,
    pub gpus: u32,
}

/// The most array tasks, CPUs and GPUs per task a script may ask for.
pub const MAX_SHARDS: usize = 10_000;
pub const MAX_CPUS_PER_TASK: u32 = 1024;
pub const MAX_GPUS: u32 = 64;

/// A value the script cannot hold: which field (as the command line names it),
/// and why.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct SlurmError {
    pub field: &'static str,
    pub message: String,
}

impl fmt::Display for SlurmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

fn fail(field: &'static str, message: String) -> SlurmError {
    SlurmError { field, message }
}

/// Whether `t` reads [D-]HH:MM:SS (hours of any length, minutes and seconds
/// below 60), as sbatch's `--time` takes it, and is not zero (which Slurm reads as
/// "no time limit").
pub fn valid_time(t: &str) -> bool {
    well_formed_time(t) && t.chars().any(|c| matches!(c, '1'..='9'))
}

fn well_formed_time(t: &str) -> bool {
    let clock = match t.split_once('-') {
        Some((days, rest)) => {
            if days.is_empty() || days.len() > 4 || !days.chars().all(|c| c.is_ascii_digit()) {
                return false;
            }
            rest
        }
        None => t,
    };
    let parts: Vec<&str> = clock.split(':').collect();
    let digits = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
    parts.len() == 3
        && parts.iter().all(|p| digits(p))
        && parts[0].len() <= 6
        && parts[1].len() == 2
        && parts[2].len() == 2
        && parts[1] < "60"
        && parts[2] < "60"
}

/// Whether `p` names a partition (or a comma-separated list of them) as Slurm
/// names partitions: letters, digits, `_`, `-` and `.`.
pub fn valid_partition(p: &str) -> bool {
    !p.is_empty()
        && p.len() <= 256
        && p.split(',').all(|one| {
            !one.is_empty()
                && !one.starts_with('-')
                && one
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        })
}

/// A path's text, refused unless it is UTF-8 without control characters.
fn text_of(field: &'static str, p: &Path) -> Result<String, SlurmError> {
    let s = p
        .to_str()
        .ok_or_else(|| fail(field, format!("{}: not valid UTF-8", p.display())))?;
    names::no_control(s).map_err(|m| fail(field, m))?;
    Ok(s.to_string())
}

/// A path that goes into an `#SBATCH` directive: also free of what sbatch would
/// split on, unquote or expand.
fn directive_path(field: &'static str, p: &Path) -> Result<String, SlurmError> {
    let s = text_of(field, p)?;
    if let Some(c) = s
        .chars()
        .find(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '\\' | '%'))
    {
        return Err(fail(
            field,
            format!(
                "{}: sbatch cannot take {c:?} in a directive's path (whitespace, quotes, `\\` and `%` are refused); choose a folder without it",
                names::shown(&s)
            ),
        ));
    }
    if !p.is_absolute() {
        return Err(fail(
            field,
            format!("{}: must be absolute", names::shown(&s)),
        ));
    }
    Ok(s)
}

/// A path as one single-quoted shell word.
fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// A path's text escaped for use inside double quotes (where `$VAR` still expands).
fn in_double_quotes(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if matches!(c, '"' | '$' | '`' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The values of a job, each checked.
struct Checked {
    name: String,
    exe: String,
    experiment: String,
    out: String,
    workdir: String,
}

impl SlurmJob {
    /// Every field checked against what its place in the script allows.
    fn check(&self) -> Result<Checked, SlurmError> {
        names::identifier(&self.experiment_name).map_err(|m| fail("name", m))?;
        if !(1..=MAX_SHARDS).contains(&self.shards) {
            return Err(fail(
                "--shards",
                format!("must be 1 to {MAX_SHARDS}, found {}", self.shards),
            ));
        }
        if !(1..=MAX_CPUS_PER_TASK).contains(&self.cpus_per_task) {
            return Err(fail(
                "--cpus-per-task",
                format!(
                    "must be 1 to {MAX_CPUS_PER_TASK}, found {}",
                    self.cpus_per_task
                ),
            ));
        }
        if self.gpus > MAX_GPUS {
            return Err(fail(
                "--gpus",
                format!("must be 0 to {MAX_GPUS}, found {}", self.gpus),
            ));
        }
        if !valid_time(&self.time) {
            return Err(fail(
                "--time",
                if well_formed_time(&self.time) {
                    format!(
                        "found {}: a time limit of zero is Slurm's \"no limit\"; give the longest a task may run",
                        names::shown(&self.time)
                    )
                } else {
                    format!(
                        "expected HH:MM:SS or D-HH:MM:SS (minutes and seconds below 60), found {}",
                        names::shown(&self.time)
                    )
                },
            ));
        }
        if let Some(p) = &self.partition {
            if !valid_partition(p) {
                return Err(fail(
                    "--partition",
                    format!(
                        "expected a partition name (letters, digits, `_`, `-`, `.`; several separated by commas), found {}",
                        names::shown(p)
                    ),
                ));
            }
        }
        Ok(Checked {
            name: self.experiment_name.clone(),
            exe: text_of("jestbench binary", &self.exe)?,
            experiment: text_of("experiment file", &self.experiment)?,
            out: directive_path("--out", &self.out)?,
            workdir: directive_path("working directory", &self.workdir)?,
        })
    }
}

/// The sbatch script of `job`, or the first value it cannot hold.
pub fn sbatch_script(job: &SlurmJob) -> Result<String, SlurmError> {
    let c = job.check()?;
    let (n, out) = (job.shards, &c.out);
    let mut s = String::from("#!/bin/bash\n");
    s += &format!(
        "# A job array of {n} shards of {} (written by jestbench slurm).\n",
        c.name
    );
    s += &format!(
        "# Merge when done:  {} merge {}/shard-* --out {}\n",
        quoted(&c.exe),
        quoted(out),
        quoted(&format!("{out}/merged"))
    );
    s += &format!("#SBATCH --job-name=jestbench-{}\n", c.name);
    s += &format!("#SBATCH --array=0-{}\n", n - 1);
    s += &format!("#SBATCH --output={out}/logs/%A_%a.out\n");
    s += &format!("#SBATCH --error={out}/logs/%A_%a.err\n");
    s += &format!("#SBATCH --chdir={}\n", c.workdir);
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
        quoted(&c.exe),
        quoted(&c.experiment),
        in_double_quotes(out),
        job.cpus_per_task
    );
    Ok(s)
}
