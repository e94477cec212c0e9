//! Executes a JEST experiment world by world (one world where the file draws
//! none): a world's datasets once, its shared references once, then each of its
//! planned (cell, seed) on the device, each evaluation appended as a row.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use crate::backend::Backend;

use super::device::{with_device, DeviceJob};
use super::plan::{self, CellCost, Costs, Overview};
use super::{for_each, limits, todo, Options, Progress, RunError, Sweep, Ticker};
use crate::data::Dataset;
use crate::experiment::{DatasetSpec, Experiment, Run, RunConfig};
use crate::log::{ResultsWriter, Row};
use crate::train::{self, reference, EvalRecord, Observer, Reference, RunStatus, TrainError};
use crate::train::{JestRow, RunIdentity};

impl Sweep for Experiment {
    fn name(&self) -> &str {
        &self.name
    }

    fn schema(&self) -> &'static dyn crate::log::Schema {
        &train::schema::SCHEMA
    }

    fn run_ids(&self) -> Vec<String> {
        Experiment::run_ids(self)
    }

    fn check(&self, jobs: usize) -> Result<(), RunError> {
        limits::check_jest(self, jobs)
    }

    fn overview(&self, jobs: usize) -> Result<Overview, RunError> {
        overview(self, jobs)
    }

    fn execute(
        &self,
        opts: &Options,
        writer: ResultsWriter,
        done: &BTreeSet<String>,
        progress: &dyn Progress,
    ) -> Result<(usize, usize), RunError> {
        execute(self, opts, writer, done, progress)
    }
}

/// The overview of a JEST sweep with `jobs` runs side by side.
fn overview(exp: &Experiment, jobs: usize) -> Result<Overview, RunError> {
    let mut widths = plan::Widths::default();
    let mut costs = Costs {
        cells: Vec::with_capacity(exp.cells.len()),
        total_steps: 0,
        total_flops: 0,
        peak_memory: 0.0,
    };
    for (i, cell) in exp.cells.iter().enumerate() {
        let c = &cell.config;
        let flops = plan::run_flops(exp, cell, &mut widths)? as u64;
        let (shared, run) = limits::jest_cell(exp, c, &mut widths)?;
        costs.peak_memory = costs
            .peak_memory
            .max(shared.total() + jobs as f64 * run.total());
        // Saturating: a count too large to hold reads as the largest, never as a
        // small number that wrapped around.
        let seeds = exp.seeds_of(i) as u64;
        costs.total_steps = costs
            .total_steps
            .saturating_add((c.train.steps as u64).saturating_mul(seeds));
        costs.total_flops = costs
            .total_flops
            .saturating_add(flops.saturating_mul(seeds));
        costs.cells.push(CellCost {
            steps: c.train.steps,
            batch_size: c.train.batch_size,
            super_batch: c.train.super_batch(),
            flops,
            memory: shared.total() + run.total(),
        });
    }
    Ok(Overview {
        costs: Some(costs),
        ..Overview::of(exp)
    })
}

/// Runs the plan; returns (runs planned, runs already done).
fn execute(
    exp: &Experiment,
    opts: &Options,
    writer: ResultsWriter,
    done: &BTreeSet<String>,
    progress: &dyn Progress,
) -> Result<(usize, usize), RunError> {
    let runs = match opts.shard {
        Some(shard) => {
            let (runs, manifest) = plan::shard_runs(exp, shard)?;
            plan::write_manifest(&opts.out, &manifest)?;
            runs
        }
        None => exp.runs(),
    };
    let (todo, skipped) = todo(&runs, |r| r.id(), opts.only.as_ref(), done);
    let total = todo.len() + skipped;
    if skipped > 0 {
        progress.note(&format!(
            "{}: {skipped} of {total} runs already complete in {}; running the other {}",
            exp.name,
            opts.out.display(),
            todo.len()
        ));
    }
    progress.planned(total, skipped);
    let writer = Mutex::new(writer);
    // World by world (one group where the file draws none): a world's data and
    // references are built, its runs done, and all of it dropped before the next.
    let mut worlds: BTreeMap<Option<u64>, Vec<(&Run, RunConfig)>> = BTreeMap::new();
    for run in todo {
        let config = exp.config_of(run);
        worlds
            .entry(run.world.map(|w| w.index))
            .or_default()
            .push((run, config));
    }
    let n_worlds = worlds.len();
    for (world, runs) in worlds {
        if let (Some(w), true) = (world, n_worlds > 1) {
            progress.note(&format!("{}: world {w}, {} runs", exp.name, runs.len()));
        }
        let datasets = build_datasets(exp, &runs)?;
        let references = train_references(exp, &runs, &datasets, opts, progress)?;
        let ctx = Context {
            exp,
            opts,
            writer: &writer,
            progress,
            datasets: &datasets,
            references: &references,
        };
        for_each(&runs, opts.jobs, opts.device, |(run, config)| {
            ctx.one(run, config)
        })?;
    }
    Ok((total, skipped))
}

fn dataset_key(spec: &DatasetSpec) -> String {
    serde_yaml::to_string(spec).expect("specs serialise")
}

/// Builds each distinct dataset of the runs to do, once.
fn build_datasets(
    exp: &Experiment,
    todo: &[(&Run, RunConfig)],
) -> Result<BTreeMap<String, Arc<Dataset>>, RunError> {
    let mut out = BTreeMap::new();
    for (_, config) in todo {
        let key = dataset_key(&config.dataset);
        if let std::collections::btree_map::Entry::Vacant(slot) = out.entry(key) {
            let ds = Dataset::build(&config.dataset, &exp.base_dir).map_err(|source| {
                RunError::Data {
                    experiment: exp.path.clone(),
                    source,
                }
            })?;
            slot.insert(Arc::new(ds));
        }
    }
    Ok(out)
}

struct TrainReference<'a> {
    config: &'a RunConfig,
    data: &'a Dataset,
}

impl DeviceJob for TrainReference<'_> {
    type Output = Result<Reference, TrainError>;
    fn run<D: Backend>(self, dev: &D) -> Self::Output {
        reference::train(dev, self.config, self.data)
    }
}

/// Trains each reference that a run to do uses, once. A run uses a reference when
/// some run of the experiment scores with it (uniform runs then log their batches'
/// learnability against it), so a resumed or sharded sweep trains what an
/// uninterrupted one would.
fn train_references<'a>(
    exp: &Experiment,
    todo: &'a [(&Run, RunConfig)],
    datasets: &BTreeMap<String, Arc<Dataset>>,
    opts: &Options,
    progress: &dyn Progress,
) -> Result<BTreeMap<String, Arc<Reference>>, RunError> {
    // Which cells' references some cell scores with (the same in every world).
    let scored: BTreeSet<String> = exp
        .cells
        .iter()
        .filter(|c| c.config.train.selector.scores())
        .map(|c| reference::key(&c.config))
        .collect();
    let mut needed: BTreeMap<String, &'a RunConfig> = BTreeMap::new();
    for (run, config) in todo {
        if scored.contains(&reference::key(&run.cell.config)) {
            needed.entry(reference::key(config)).or_insert(config);
        }
    }
    let needed: Vec<(String, &RunConfig)> = needed.into_iter().collect();
    let trained = Mutex::new(BTreeMap::new());
    for_each(&needed, opts.jobs, opts.device, |(key, config)| {
        progress.note(&format!(
            "{}: training a reference model (quality {}, {} steps)",
            exp.name,
            config.reference.quality,
            reference::recipe(config).steps
        ));
        let data = &datasets[&dataset_key(&config.dataset)];
        let r = with_device(opts.device, TrainReference { config, data })?
            .map_err(RunError::Reference)?;
        if config.reference.validation_fraction > 0.0 {
            progress.note(&format!(
                "{}: reference checkpoint at step {} of {} (lowest loss on its held-out {:.0}%); held-out zero-shot {:.4}",
                exp.name,
                r.step,
                reference::recipe(config).steps,
                100.0 * config.reference.validation_fraction,
                r.metrics.zero_shot_accuracy
            ));
        }
        trained
            .lock()
            .expect("a reference thread panicked")
            .insert(key.clone(), Arc::new(r));
        Ok(())
    })?;
    Ok(trained.into_inner().expect("a reference thread panicked"))
}

struct TrainRun<'a> {
    config: &'a RunConfig,
    seed: u64,
    data: &'a Dataset,
    reference: Option<&'a Reference>,
    observer: &'a mut dyn Observer,
}

impl DeviceJob for TrainRun<'_> {
    type Output = Result<EvalRecord, TrainError>;
    fn run<D: Backend>(self, dev: &D) -> Self::Output {
        train::run(
            dev,
            self.config,
            self.seed,
            self.data,
            self.reference,
            self.observer,
        )
    }
}

struct Context<'a> {
    exp: &'a Experiment,
    opts: &'a Options,
    writer: &'a Mutex<ResultsWriter>,
    progress: &'a dyn Progress,
    datasets: &'a BTreeMap<String, Arc<Dataset>>,
    references: &'a BTreeMap<String, Arc<Reference>>,
}

impl Context<'_> {
    fn one(&self, run: &Run, config: &RunConfig) -> Result<(), RunError> {
        let data = &self.datasets[&dataset_key(&config.dataset)];
        let reference = self.references.get(&reference::key(config)).map(|r| &**r);
        let label = format!("{} seed {}", short_label(run), run.seed);
        let mut observer = RowSink {
            identity: identity(self.exp, run, config, self.opts),
            writer: self.writer,
            ticker: self.progress.started(&label, config.train.steps),
        };
        let job = TrainRun {
            config,
            seed: run.seed,
            data,
            reference,
            observer: &mut observer,
        };
        let last = with_device(self.opts.device, job)?.map_err(|source| RunError::Train {
            run_id: run.id(),
            source,
        })?;
        observer.ticker.done();
        self.progress.finished(&label, &how(&last));
        Ok(())
    }
}

/// The identity columns of a run's rows.
fn identity(exp: &Experiment, run: &Run, config: &RunConfig, opts: &Options) -> RunIdentity {
    let t = &config.train;
    RunIdentity {
        experiment: exp.name.clone(),
        run_id: run.id(),
        config_hash: run.cell.config_hash.clone(),
        seed: run.seed,
        method: t.method(),
        scoring: if t.selector.scores() {
            t.scoring.as_str().into()
        } else {
            String::new()
        },
        filter_ratio: t.effective_filter_ratio(),
        batch_size: t.batch_size,
        super_batch: t.super_batch(),
        n_chunks: t.n_chunks,
        gain: t.gain,
        reference_quality: config.reference.quality,
        score_resolution: t.flexi.score_resolution(),
        low_resolution: t.flexi.resolution,
        low_res_share: if t.flexi.low_res_items(t.batch_size) > 0 {
            t.flexi.low_res_share
        } else {
            0.0
        },
        sweep: run.sweep_label(),
        device: opts.device.as_str().into(),
        world: run.world.map(|w| w.index),
        dataset_seed: config.dataset.seed,
        reference_seed: config.reference.seed,
    }
}

/// How a run ended, for a progress line.
fn how(last: &EvalRecord) -> String {
    if last.status == RunStatus::Diverged {
        return format!(
            "diverged at step {} (loss {}), {:.1}s",
            last.step, last.train_loss, last.train_seconds
        );
    }
    format!(
        "{} at step {}, zero-shot {:.3}, recall@1 A→B {:.3}, {:.1}s",
        last.status.as_str(),
        last.step,
        last.metrics.zero_shot_accuracy,
        last.metrics.recall_at1_a2b,
        last.train_seconds
    )
}

fn short_label(run: &Run) -> String {
    if run.cell.swept.is_empty() {
        run.cell.config.train.method().as_str().into()
    } else {
        run.sweep_label()
    }
}

/// Writes each eval record as a row, and the last as the run's summary.
struct RowSink<'a> {
    identity: RunIdentity,
    writer: &'a Mutex<ResultsWriter>,
    ticker: Box<dyn Ticker>,
}

impl Observer for RowSink<'_> {
    fn on_step(&mut self, step: usize, _total: usize, _: f64) {
        self.ticker.step(step);
    }

    fn on_eval(
        &mut self,
        record: &EvalRecord,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let row = Row::new(JestRow::from_record(&self.identity, record));
        let mut w = self.writer.lock().expect("a writer thread panicked");
        w.eval_row(&row)?;
        if record.status != RunStatus::Running {
            w.summary_row(&row)?;
        }
        Ok(())
    }
}
