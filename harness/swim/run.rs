//! Executes a SWIM experiment: every (cell, seed) fitted on the CPU, in the same
//! results schema (family `swim`): one row for a sampled or random network; for
//! Adam one row per logged epoch (epoch 0 first), the last being the summary, as
//! JEST runs log their evaluations.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use super::{FitResult, SwimConfig, SwimExperiment, SwimMethod, SwimRow, TaskData};
use crate::experiment::{Experiment, Run};
use crate::log::{Common, ResultsWriter, Row, RunStatus, GIT_COMMIT, HARNESS_VERSION};
use crate::run::limits::{Estimate, F32, F64};
use crate::run::plan::Overview;
use crate::run::{for_each, limits, todo, DeviceKind, Options, Progress, RunError, Sweep};
use crate::swim;

impl Sweep for SwimExperiment {
    fn name(&self) -> &str {
        &self.name
    }

    fn schema(&self) -> &'static dyn crate::log::Schema {
        &super::row::SCHEMA
    }

    fn run_ids(&self) -> Vec<String> {
        Experiment::run_ids(self)
    }

    fn check(&self, jobs: usize) -> Result<(), RunError> {
        check(self, jobs)
    }

    fn overview(&self, _jobs: usize) -> Result<Overview, RunError> {
        Ok(Overview {
            what: Some("sampled networks vs iterative training"),
            ..Overview::of(self)
        })
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

/// Runs the plan; returns (runs planned, runs already done).
fn execute(
    exp: &SwimExperiment,
    opts: &Options,
    writer: ResultsWriter,
    done: &BTreeSet<String>,
    progress: &dyn Progress,
) -> Result<(usize, usize), RunError> {
    if opts.device != DeviceKind::Cpu {
        return Err(RunError::Unsupported(
            "SWIM experiments run on the CPU (the claim under test is about CPUs); drop --device"
                .into(),
        ));
    }
    if opts.shard.is_some() {
        return Err(RunError::Unsupported(
            "--shard applies to JEST sweeps; SWIM sweeps are short enough for one machine".into(),
        ));
    }
    let runs = exp.runs();
    let (todo, skipped) = todo(&runs, |r| r.id(), opts.only.as_ref(), done);
    let total = todo.len() + skipped;
    if skipped > 0 {
        progress.note(&format!(
            "{}: {skipped} of {total} runs already complete; running the other {}",
            exp.name,
            todo.len()
        ));
    }
    progress.planned(total, skipped);
    if opts.jobs > 1 {
        progress.note(&format!("note: --jobs {} fits runs side by side; their wall-clock times compete for the cores (use --jobs 1 for timings)", opts.jobs));
    }
    // Each distinct task's data, built once.
    let key = |c: &SwimConfig| serde_yaml::to_string(&c.task).expect("specs serialise");
    let mut tasks: BTreeMap<String, TaskData> = BTreeMap::new();
    for r in &todo {
        if let std::collections::btree_map::Entry::Vacant(slot) = tasks.entry(key(&r.cell.config)) {
            let data =
                swim::tasks::build(&r.cell.config.task, &exp.base_dir).map_err(|source| {
                    RunError::Data {
                        experiment: exp.path.clone(),
                        source,
                    }
                })?;
            slot.insert(data);
        }
    }
    let writer = Mutex::new(writer);
    for_each(&todo, opts.jobs, opts.device, |r| {
        let c = &r.cell.config;
        let fit = swim::fit(c, r.seed, &tasks[&key(c)]).map_err(|source| RunError::Fit {
            run_id: r.id(),
            source: Box::new(source),
        })?;
        let rows = rows(exp, r, &fit);
        {
            let mut w = writer.lock().expect("a writer thread panicked");
            for row in &rows {
                w.eval_row(row)?;
            }
            w.summary_row(rows.last().expect("at least one row"))?;
        }
        progress.finished(
            &format!("{} seed {}", r.sweep_label(), r.seed),
            &format!(
                "{} {:.4} in {:.3}s ({} epochs)",
                fit.metric_name, fit.metric, fit.fit_seconds, fit.epochs
            ),
        );
        Ok(())
    })?;
    Ok((total, skipped))
}

/// The rows of one fit: the summary alone, or Adam's curve ending in it.
fn rows(exp: &SwimExperiment, r: &Run<SwimConfig>, fit: &FitResult) -> Vec<Row> {
    let summary = row(exp, r, fit);
    let Some(last) = fit.curve.len().checked_sub(1) else {
        return vec![Row::new(summary)];
    };
    fit.curve
        .iter()
        .enumerate()
        .map(|(k, e)| {
            if k == last {
                return Row::new(summary.clone());
            }
            Row::new(SwimRow {
                common: Common {
                    step: e.epoch,
                    examples_trained: e.examples,
                    flops_train: e.flops,
                    train_seconds: e.seconds,
                    eval_seconds: e.eval_seconds,
                    train_loss: e.train_loss,
                    eval_loss: Some(e.test.mse),
                    eval_score: Some(e.test.score),
                    ..summary.common.clone()
                },
                val_loss: Some(e.val_loss).filter(|v| v.is_finite()),
                grad_error: e.test.grad_error,
                energy_drift: None,
            })
        })
        .collect()
}

fn row(exp: &SwimExperiment, r: &Run<SwimConfig>, fit: &FitResult) -> SwimRow {
    let c = &r.cell.config;
    let last = fit.curve.last();
    SwimRow {
        common: Common {
            experiment: exp.name.clone(),
            run_id: r.id(),
            config_hash: r.cell.config_hash.clone(),
            seed: r.seed,
            method: c.network.method.method(),
            batch_size: if c.network.method == SwimMethod::Adam {
                c.fit.batch_size
            } else {
                0
            },
            sweep: r.sweep_label(),
            step: fit.epochs,
            examples_trained: fit.examples,
            flops_train: fit.flops,
            train_seconds: fit.fit_seconds,
            eval_seconds: fit.eval_seconds,
            train_loss: last.and_then(|e| e.train_loss),
            eval_loss: Some(fit.test_mse),
            eval_score: Some(fit.metric),
            eval_metric: fit.metric_name.into(),
            status: RunStatus::Complete,
            device: "cpu".into(),
            harness_version: HARNESS_VERSION.into(),
            git_commit: GIT_COMMIT.into(),
        },
        val_loss: last.map(|e| e.val_loss).filter(|v| v.is_finite()),
        grad_error: fit.grad_error,
        energy_drift: fit.energy_drift,
    }
}

/// The memory one SWIM fit needs.
fn swim_cell(c: &SwimConfig) -> Estimate {
    let t = &c.task;
    let (train, test, dim) = if let Some(r) = &t.regression {
        (r.train, r.test, r.dim)
    } else if let Some(s) = t.pendulum.as_ref().or(t.henon_heiles.as_ref()) {
        (s.train, s.test, 4)
    } else {
        // Tables: the file's own size bounds them; count its rows as they come.
        (0, 0, 0)
    };
    let (n, m, d) = (train as f64, test as f64, dim as f64);
    let w = c.network.width as f64;
    let depth = c.network.depth as f64;
    let mut est = Estimate::default();
    est.add("task (points)", (n + m) * (d + 4.0) * F64);
    est.add(
        "network.width, network.depth (features)",
        (n + m) * w * (depth + 1.0) * F64,
    );
    est.add(
        "network.width (least-squares solve)",
        3.0 * n * (w + 1.0) * F64 + 2.0 * (w + 1.0) * (w + 1.0) * F64,
    );
    est.add(
        "network.width, network.candidate_pairs (pairs)",
        (c.network.candidate_pairs as f64).max(4.0 * w) * 24.0,
    );
    est.add(
        "network.width, network.depth (the Adam baseline's parameters)",
        8.0 * (d * w + depth * w * w + 4.0 * w) * F32,
    );
    est
}

/// Refuses a SWIM experiment whose fits would not fit in memory with `jobs` at once.
fn check(exp: &SwimExperiment, jobs: usize) -> Result<(), RunError> {
    let worst = exp
        .cells
        .iter()
        .map(|c| swim_cell(&c.config))
        .max_by(|a, b| a.total().total_cmp(&b.total()))
        .unwrap_or_default();
    let need = jobs as f64 * worst.total();
    limits::check(&exp.path.display().to_string(), worst, need)
}
