//! Executes a SWIM experiment: every (cell, seed) fitted on the CPU, one row each,
//! in the same results schema (family `swim`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use super::{for_each, todo, DeviceKind, Finished, Options, Progress, RunError};
use crate::experiment::swim::{SwimConfig, SwimMethod};
use crate::experiment::{Family, Run, SwimExperiment};
use crate::log::{ResultsWriter, Row, GIT_COMMIT, HARNESS_VERSION};
use crate::swim::{self, FitResult, TaskData};
use crate::train::RunStatus;

/// Runs the plan; returns (runs planned, runs already done).
pub(super) fn execute(
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
        let fit = swim::fit(c, r.seed, &tasks[&key(c)]).map_err(|source| RunError::Swim {
            run_id: r.id(),
            source,
        })?;
        let row = row(exp, r, &fit);
        {
            let mut w = writer.lock().expect("a writer thread panicked");
            w.eval_row(&row)?;
            w.summary_row(&row)?;
        }
        progress.finished(
            &format!("{} seed {}", r.sweep_label(), r.seed),
            Finished::Swim(&fit),
        );
        Ok(())
    })?;
    Ok((total, skipped))
}

fn row(exp: &SwimExperiment, r: &Run<SwimConfig>, fit: &FitResult) -> Row {
    let c = &r.cell.config;
    Row {
        experiment: exp.name.clone(),
        run_id: r.id(),
        config_hash: r.cell.config_hash.clone(),
        seed: r.seed,
        family: Family::Swim,
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
        eval_loss: Some(fit.test_mse),
        eval_score: Some(fit.metric),
        eval_metric: fit.metric_name.into(),
        status: RunStatus::Complete,
        device: "cpu".into(),
        harness_version: HARNESS_VERSION.into(),
        git_commit: GIT_COMMIT.into(),
        ..Row::default()
    }
}
