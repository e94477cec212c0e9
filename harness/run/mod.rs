/*!
The run pipeline as a library: a sweep runs from one call, [`execute`], with no
binary involved.

- `plan`: which runs — all of an experiment, a cost-balanced shard (with the
  manifest its folder carries), or a chosen few by id — less those a results folder
  already holds; cost estimates for sharding.
- [`Sweep`]: what the pipeline asks of a parsed experiment of any family (its
  runs, its limits, its overview, its execution); `jest` implements it for JEST
  experiments, each other family in its own module (SWIM: `swim::run`)
  for their experiments. Each builds every distinct dataset once (JEST also trains
  each shared reference once), runs the (cell, seed) pairs on a pool of threads, and
  sends every evaluation to a row sink that appends it to the results folder.
- `merge`: shard folders back into one, with completeness checks.
- `device`: the one place that knows about CUDA.
- `reproduce`: reruns runs of a committed results folder and compares the rows.
- `bench`: per-iteration costs of each selector against the FLOP floor.

What a user sees (progress bars, summaries, exit codes) is the caller's: the
pipeline reports through a [`Progress`] it is given.
*/

pub mod bench;
pub mod cluster;
pub mod device;
mod jest;
pub mod limits;
pub mod merge;
pub mod plan;
pub mod reproduce;
pub mod shard;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Instant;

pub use device::{with_device, DeviceError, DeviceJob, DeviceKind};
pub use shard::Shard;

use crate::data::DataError;
use crate::log::{LogError, ResultsWriter};
use crate::train::TrainError;

/// How to execute an experiment.
#[derive(Clone, Debug)]
pub struct Options {
    /// The results folder (created; a rerun into it resumes).
    pub out: PathBuf,
    pub device: DeviceKind,
    /// Runs trained side by side (CPU).
    pub jobs: usize,
    /// Only this shard of the sweep (JEST experiments).
    pub shard: Option<Shard>,
    /// Only the runs with these ids.
    pub only: Option<BTreeSet<String>>,
}

impl Options {
    pub fn new(out: PathBuf) -> Options {
        Options {
            out,
            device: DeviceKind::Cpu,
            jobs: 1,
            shard: None,
            only: None,
        }
    }
}

/// A parsed experiment of any family, as the pipeline runs it.
pub trait Sweep: Sync {
    /// The experiment's name (its results and report folders).
    fn name(&self) -> &str;
    /// How its runs' rows are laid out (its family's schema).
    fn schema(&self) -> &'static dyn crate::log::Schema;
    /// Every run's id, in the order the plan runs them.
    fn run_ids(&self) -> Vec<String>;
    /// Refuses runs that would not fit in memory with `jobs` at once, before
    /// anything is built.
    fn check(&self, jobs: usize) -> Result<(), RunError>;
    /// What `validate` shows: the runs and, where the family estimates them, what
    /// they cost.
    fn overview(&self, jobs: usize) -> Result<plan::Overview, RunError>;
    /// Runs the planned runs (`opts`' shard and ids) that `done` lacks into
    /// `writer`; returns (runs planned, runs already done).
    fn execute(
        &self,
        opts: &Options,
        writer: ResultsWriter,
        done: &BTreeSet<String>,
        progress: &dyn Progress,
    ) -> Result<(usize, usize), RunError>;
}

/// Receives the pipeline's progress; called from worker threads.
pub trait Progress: Sync {
    /// A line for the user (a reference being trained, runs skipped).
    fn note(&self, _line: &str) {}
    /// The plan: `total` runs, of which `done` were already complete.
    fn planned(&self, _total: usize, _done: usize) {}
    /// A run of `steps` steps starts; the ticker sees each step.
    fn started(&self, _label: &str, _steps: usize) -> Box<dyn Ticker> {
        Box::new(NoTicks)
    }
    /// A run ended (completed or diverged); `how` says how, and what it reached.
    fn finished(&self, _label: &str, _how: &str) {}
}

/// A running run's steps.
pub trait Ticker: Send {
    fn step(&mut self, _step: usize) {}
    fn done(&mut self) {}
}

struct NoTicks;
impl Ticker for NoTicks {}

/// Reports nothing.
pub struct Quiet;
impl Progress for Quiet {}

/// What an execution did.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub experiment: String,
    pub out: PathBuf,
    /// Runs in the plan, and of those already complete before this call.
    pub runs: usize,
    pub skipped: usize,
    pub seconds: f64,
}

/// Why a sweep could not run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot use results folder {}: {source}", dir.display())]
    Results { dir: PathBuf, source: LogError },
    #[error(transparent)]
    Log(#[from] LogError),
    #[error("cannot build the dataset of {}: {source}", experiment.display())]
    Data {
        experiment: PathBuf,
        source: DataError,
    },
    #[error("training the reference model failed: {0}")]
    Reference(TrainError),
    #[error("run {run_id} failed: {source}")]
    Train { run_id: String, source: TrainError },
    /// A family's run that its own code refused (SWIM: a fit that cannot be
    /// solved as configured).
    #[error("run {run_id} failed: {source}")]
    Fit {
        run_id: String,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error(transparent)]
    Device(#[from] DeviceError),
    #[error("{0}")]
    Folder(String),
    #[error("{0}")]
    Merge(String),
    #[error("{0}")]
    Unsupported(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot start worker threads: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
}

impl RunError {
    /// Whether the input (experiment, data, folders, flags) is at fault, not the run.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            RunError::Results { .. }
                | RunError::Data { .. }
                | RunError::Fit { .. }
                | RunError::Device(_)
                | RunError::Folder(_)
                | RunError::Merge(_)
                | RunError::Unsupported(_)
                | RunError::TooLarge(_)
        )
    }
}

/// Runs the planned runs of `exp` into `opts.out`, skipping those already there.
pub fn execute(
    exp: &dyn Sweep,
    opts: &Options,
    progress: &dyn Progress,
) -> Result<Outcome, RunError> {
    device::check(opts.device)?;
    exp.check(opts.jobs)?;
    let (writer, done) =
        ResultsWriter::open(&opts.out, &[exp.schema()]).map_err(|source| RunError::Results {
            dir: opts.out.clone(),
            source,
        })?;
    let started = Instant::now();
    let (runs, skipped) = exp.execute(opts, writer, &done, progress)?;
    // Large evaluations tables stored packed, under the folder's lock again (a
    // run that took the folder in between packs it when it ends).
    match crate::log::lock(&opts.out) {
        Ok(_lock) => crate::log::pack(&opts.out).map_err(|source| RunError::Results {
            dir: opts.out.clone(),
            source,
        })?,
        Err(crate::log::LogError::Locked { .. }) => {}
        Err(source) => {
            return Err(RunError::Results {
                dir: opts.out.clone(),
                source,
            })
        }
    }
    Ok(Outcome {
        experiment: exp.name().to_string(),
        out: opts.out.clone(),
        runs,
        skipped,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Runs `one` over `items`, on `jobs` threads when asked (CPU only), stopping at
/// the first error.
pub fn for_each<T: Sync>(
    items: &[T],
    jobs: usize,
    device: DeviceKind,
    one: impl Fn(&T) -> Result<(), RunError> + Sync + Send,
) -> Result<(), RunError> {
    use rayon::prelude::*;
    if device == DeviceKind::Cuda {
        return items.iter().try_for_each(one);
    }
    if jobs <= 1 || items.len() <= 1 {
        return crate::backend::on_pool(|| items.iter().try_for_each(one));
    }
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build()?;
    pool.install(|| items.par_iter().try_for_each(one))
}

/// The runs of `all` still to do: those `only` names (all without it), less `done`.
pub fn todo<'a, R>(
    all: &'a [R],
    id: impl Fn(&R) -> String,
    only: Option<&BTreeSet<String>>,
    done: &BTreeSet<String>,
) -> (Vec<&'a R>, usize) {
    let wanted: Vec<&R> = all
        .iter()
        .filter(|r| only.is_none_or(|o| o.contains(&id(r))))
        .collect();
    let total = wanted.len();
    let left: Vec<&R> = wanted
        .into_iter()
        .filter(|r| !done.contains(&id(r)))
        .collect();
    let skipped = total - left.len();
    (left, skipped)
}
