//! `jestbench run`: expand, skip runs already done, train the rest, write CSVs.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Context;
use dfdx::prelude::*;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use super::{DeviceKind, RunArgs, UsageError};
use crate::data::Dataset;
use crate::log::{ResultsWriter, Row, RunIdentity, SUMMARY_FILE};
use crate::spec::{AnyExperiment, DatasetSpec, Experiment, Run, RunConfig};
use crate::train::{self, reference, EvalRecord, Observer, Reference, RunStatus};

pub fn run(args: RunArgs) -> anyhow::Result<()> {
    let exp = match AnyExperiment::load(&args.experiment)? {
        AnyExperiment::Jest(e) => e,
        AnyExperiment::Swim(e) => return super::swim_run::run(args, e),
    };
    let out = args.out.clone().unwrap_or_else(|| {
        let dir = PathBuf::from("results").join(&exp.name);
        match args.shard {
            Some(s) => dir.join(format!("shard-{}-of-{}", s.index, s.count)),
            None => dir,
        }
    });
    if args.device == DeviceKind::Cuda && !cfg!(feature = "cuda") {
        return Err(UsageError(
            "--device cuda: this jestbench was built without CUDA; rebuild with \
             `cargo build --release --features cuda` on a machine with the CUDA toolkit"
                .into(),
        )
        .into());
    }
    let (writer, done) = ResultsWriter::open(&out)
        .map_err(|e| UsageError(format!("cannot use results folder {}: {e}", out.display())))?;
    let runs = match args.shard {
        Some(shard) => {
            let (runs, manifest) = super::cluster::shard_runs(&exp, shard)?;
            super::cluster::write_manifest(&out, &manifest)?;
            runs
        }
        None => exp.runs(),
    };
    let todo: Vec<&Run> = runs.iter().filter(|r| !done.contains(&r.id())).collect();
    let skipped = runs.len() - todo.len();
    let datasets = build_datasets(&exp, &todo)?;
    let references = train_references(&exp, &todo, &datasets, args.device, args.jobs as usize)?;

    let interactive = !args.quiet && std::io::stderr().is_terminal();
    let progress = Progress::new(interactive, runs.len() as u64, skipped as u64);
    if skipped > 0 {
        progress.say(&format!(
            "{}: {skipped} of {} runs already complete in {}; running the other {}",
            exp.name,
            runs.len(),
            out.display(),
            todo.len()
        ));
    }
    let started = Instant::now();
    let writer = Mutex::new(writer);
    let ctx = RunContext {
        exp: &exp,
        device: args.device,
        writer: &writer,
        progress: &progress,
        datasets: &datasets,
        references: &references,
    };
    if args.jobs <= 1 || args.device == DeviceKind::Cuda {
        for run in &todo {
            ctx.one(run)?;
        }
    } else {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(args.jobs as usize)
            .build()
            .context("cannot start worker threads")?;
        pool.install(|| todo.par_iter().try_for_each(|run| ctx.one(run)))?;
    }
    progress.finish();
    print_summary(&exp, &out, started.elapsed().as_secs_f64())?;
    // A shard is part of a sweep: its report waits for the merge.
    if !args.no_report && (args.shard.is_none() || args.report.is_some()) {
        let dir = match (&args.report, &args.out) {
            (Some(r), _) => r.clone(),
            (None, Some(o)) => o.join("report"),
            (None, None) => PathBuf::from("reports").join(&exp.name),
        };
        write_report(&out, &dir)?;
    }
    Ok(())
}

/// The report of a results folder (its statistics need every run's rows).
pub(super) fn write_report(results: &Path, dir: &Path) -> anyhow::Result<()> {
    let (rows, sources) = super::report::load(&[results.to_path_buf()])?;
    let report =
        crate::report::Report::build(rows, sources, false).map_err(|e| anyhow::anyhow!("{e}"))?;
    report
        .write(dir)
        .map_err(anyhow::Error::msg)
        .context("cannot write the report")?;
    println!("report: {}", dir.join("report.html").display());
    Ok(())
}

/// Builds each distinct dataset of the runs to do, once.
fn build_datasets(
    exp: &Experiment,
    todo: &[&Run],
) -> anyhow::Result<BTreeMap<String, Arc<Dataset>>> {
    let mut out = BTreeMap::new();
    for run in todo {
        let key = dataset_key(&run.cell.config.dataset);
        if let std::collections::btree_map::Entry::Vacant(slot) = out.entry(key) {
            let ds = Dataset::build(&run.cell.config.dataset, &exp.base_dir)
                .with_context(|| format!("cannot build the dataset of {}", exp.path.display()))?;
            slot.insert(Arc::new(ds));
        }
    }
    Ok(out)
}

/// Trains each reference that a scoring run needs, once (in parallel with `jobs`).
fn train_references(
    exp: &Experiment,
    todo: &[&Run],
    datasets: &BTreeMap<String, Arc<Dataset>>,
    device: DeviceKind,
    jobs: usize,
) -> anyhow::Result<BTreeMap<String, Arc<Reference>>> {
    let mut needed: BTreeMap<String, &RunConfig> = BTreeMap::new();
    for run in todo
        .iter()
        .filter(|r| r.cell.config.train.selector.scores())
    {
        needed
            .entry(reference::key(&run.cell.config))
            .or_insert(&run.cell.config);
    }
    let train_one =
        |(key, config): (&String, &&RunConfig)| -> anyhow::Result<(String, Arc<Reference>)> {
            let data = &datasets[&dataset_key(&config.dataset)];
            eprintln!(
                "{}: training a reference model (quality {}, {} steps)",
                exp.name,
                config.reference.quality,
                reference::recipe(config).steps
            );
            let r = match device {
                DeviceKind::Cpu => reference::train(&Cpu::default(), config, data),
                DeviceKind::Cuda => reference_cuda(config, data),
            }
            .context("training the reference model failed")?;
            Ok((key.clone(), Arc::new(r)))
        };
    if jobs > 1 && device == DeviceKind::Cpu && needed.len() > 1 {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build()
            .context("cannot start worker threads")?;
        pool.install(|| needed.par_iter().map(train_one).collect())
    } else {
        needed.iter().map(train_one).collect()
    }
}

#[cfg(feature = "cuda")]
fn reference_cuda(config: &RunConfig, data: &Dataset) -> Result<Reference, train::TrainError> {
    reference::train(&Cuda::default(), config, data)
}

#[cfg(not(feature = "cuda"))]
fn reference_cuda(_: &RunConfig, _: &Dataset) -> Result<Reference, train::TrainError> {
    unreachable!("--device cuda is refused before any run starts on a build without CUDA")
}

fn dataset_key(spec: &DatasetSpec) -> String {
    serde_yaml::to_string(spec).expect("specs serialise")
}

struct RunContext<'a> {
    exp: &'a Experiment,
    device: DeviceKind,
    writer: &'a Mutex<ResultsWriter>,
    progress: &'a Progress,
    datasets: &'a BTreeMap<String, Arc<Dataset>>,
    references: &'a BTreeMap<String, Arc<Reference>>,
}

impl RunContext<'_> {
    fn one(&self, run: &Run) -> anyhow::Result<()> {
        let config = &run.cell.config;
        let data = &self.datasets[&dataset_key(&config.dataset)];
        let reference = self.references.get(&reference::key(config)).map(|r| &**r);
        let identity = RunIdentity {
            experiment: self.exp.name.clone(),
            run_id: run.id(),
            config_hash: run.cell.config_hash.clone(),
            seed: run.seed,
            family: "jest".into(),
            method: method_name(&config.train),
            scoring: if config.train.selector.scores() {
                config.train.scoring.as_str().into()
            } else {
                String::new()
            },
            filter_ratio: config.train.effective_filter_ratio(),
            batch_size: config.train.batch_size,
            super_batch: config.train.super_batch(),
            n_chunks: config.train.n_chunks,
            gain: config.train.gain,
            reference_quality: config.reference.quality,
            sweep: run.sweep_label(),
            device: self.device.as_str().into(),
        };
        let label = format!("{} seed {}", short_label(run), run.seed);
        let mut observer = RowObserver {
            identity,
            writer: self.writer,
            bar: self.progress.run_bar(&label, config.train.steps as u64),
        };
        let last = match self.device {
            DeviceKind::Cpu => train::run(
                &Cpu::default(),
                config,
                run.seed,
                data,
                reference,
                &mut observer,
            ),
            DeviceKind::Cuda => run_cuda(config, run.seed, data, reference, &mut observer),
        }
        .with_context(|| format!("run {} failed", run.id()))?;
        observer.bar.finish_and_clear();
        self.progress.run_done(&label, &last);
        Ok(())
    }
}

#[cfg(feature = "cuda")]
fn run_cuda(
    config: &crate::spec::RunConfig,
    seed: u64,
    data: &Dataset,
    reference: Option<&Reference>,
    observer: &mut dyn Observer,
) -> Result<EvalRecord, train::TrainError> {
    let dev = Cuda::default();
    train::run(&dev, config, seed, data, reference, observer)
}

#[cfg(not(feature = "cuda"))]
fn run_cuda(
    _: &crate::spec::RunConfig,
    _: u64,
    _: &Dataset,
    _: Option<&Reference>,
    _: &mut dyn Observer,
) -> Result<EvalRecord, train::TrainError> {
    unreachable!("--device cuda is refused before any run starts on a build without CUDA")
}

/// The selector, with independent prioritisation's mode (`independent_topk`).
fn method_name(t: &crate::spec::TrainSpec) -> String {
    match t.selector {
        crate::spec::SelectorName::Independent => match t.mode {
            crate::spec::IndependentMode::Topk => "independent_topk".into(),
            crate::spec::IndependentMode::Sample => "independent_sample".into(),
        },
        s => s.as_str().into(),
    }
}

fn short_label(run: &Run) -> String {
    if run.cell.swept.is_empty() {
        method_name(&run.cell.config.train)
    } else {
        run.sweep_label()
    }
}

/// Writes each eval record as a row, and the last as the run's summary.
struct RowObserver<'a> {
    identity: RunIdentity,
    writer: &'a Mutex<ResultsWriter>,
    bar: ProgressBar,
}

impl Observer for RowObserver<'_> {
    fn on_step(&mut self, step: usize, _total: usize) {
        self.bar.set_position(step as u64);
    }

    fn on_eval(
        &mut self,
        record: &EvalRecord,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let row = Row::from_record(&self.identity, record);
        let mut w = self.writer.lock().expect("a writer thread panicked");
        w.eval_row(&row)?;
        if record.status != RunStatus::Running {
            w.summary_row(&row)?;
        }
        Ok(())
    }
}

/// Progress bars on a terminal; one line per finished run otherwise.
struct Progress {
    multi: MultiProgress,
    overall: ProgressBar,
    interactive: bool,
}

impl Progress {
    fn new(interactive: bool, total: u64, done: u64) -> Progress {
        let target = if interactive {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let multi = MultiProgress::with_draw_target(target);
        let overall = multi.add(ProgressBar::new(total));
        overall.set_style(
            ProgressStyle::with_template(
                "runs {pos}/{len} [{elapsed_precise}] {wide_bar} ETA {eta}",
            )
            .expect("valid template"),
        );
        overall.set_position(done);
        Progress {
            multi,
            overall,
            interactive,
        }
    }

    fn run_bar(&self, label: &str, steps: u64) -> ProgressBar {
        let bar = self.multi.add(ProgressBar::new(steps));
        bar.set_style(
            ProgressStyle::with_template("  {msg}: step {pos}/{len} {bar:30} {per_sec} ETA {eta}")
                .expect("valid template"),
        );
        bar.set_message(label.to_string());
        bar
    }

    fn run_done(&self, label: &str, last: &EvalRecord) {
        self.overall.inc(1);
        if last.status == RunStatus::Diverged {
            self.say(&format!(
                "[{}/{}] {label}: diverged at step {} (loss {}), {:.1}s",
                self.overall.position(),
                self.overall.length().unwrap_or(0),
                last.step,
                last.train_loss,
                last.train_seconds
            ));
            return;
        }
        let line = format!(
            "[{}/{}] {label}: {} at step {}, zero-shot {:.3}, recall@1 A→B {:.3}, {:.1}s",
            self.overall.position(),
            self.overall.length().unwrap_or(0),
            last.status.as_str(),
            last.step,
            last.metrics.zero_shot_accuracy,
            last.metrics.recall_at1_a2b,
            last.train_seconds
        );
        self.say(&line);
    }

    fn say(&self, line: &str) {
        if self.interactive {
            self.multi.println(line).ok();
        } else {
            eprintln!("{line}");
        }
    }

    fn finish(&self) {
        self.overall.finish_and_clear();
    }
}

/// Seed-mean final scores per sweep cell, from the summary file.
fn print_summary(exp: &Experiment, out: &Path, seconds: f64) -> anyhow::Result<()> {
    let rows = crate::log::read_rows(&out.join(SUMMARY_FILE))?.kept;
    let mut by_cell: BTreeMap<(String, String), Vec<&Row>> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.experiment == exp.name) {
        by_cell
            .entry((r.sweep.clone(), r.method.clone()))
            .or_default()
            .push(r);
    }
    println!(
        "{}: {} runs in {:.1}s → {}",
        exp.name,
        rows.len(),
        seconds,
        out.display()
    );
    println!(
        "{:<48} {:>5} {:>22} {:>9}",
        "cell", "runs", "final zero-shot (±sd)", "diverged"
    );
    for ((sweep, method), rs) in &by_cell {
        // Diverged runs are counted apart, not averaged in (stats does the sums).
        let scores: Vec<f64> = rs
            .iter()
            .filter(|r| r.status == "complete")
            .filter_map(|r| r.eval_score)
            .collect();
        let diverged = rs.iter().filter(|r| r.status == "diverged").count();
        let cell = if sweep.is_empty() {
            method.clone()
        } else {
            sweep.clone()
        };
        let score = if scores.is_empty() {
            format!("{:>22}", "—")
        } else {
            format!(
                "{:>14.4} ± {:<5.4}",
                crate::stats::mean(&scores),
                crate::stats::std_dev(&scores)
            )
        };
        println!("{cell:<48} {:>5} {score} {diverged:>9}", rs.len());
    }
    println!("results: {}", out.join(crate::log::RESULTS_FILE).display());
    Ok(())
}
