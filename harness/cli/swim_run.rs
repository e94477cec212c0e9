//! `jestbench run` on a SWIM experiment: fit every (cell, seed), one row each, in
//! the same results schema (family `swim`), then the same report.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::Context;
use rayon::prelude::*;

use super::{DeviceKind, RunArgs, UsageError};
use crate::log::{ResultsWriter, Row, GIT_COMMIT, HARNESS_VERSION};
use crate::spec::swim::SwimConfig;
use crate::spec::{Run, SwimExperiment};
use crate::swim::{self, TaskData};

pub fn run(args: RunArgs, exp: SwimExperiment) -> anyhow::Result<()> {
    if args.device != DeviceKind::Cpu {
        return Err(UsageError(
            "SWIM experiments run on the CPU (the claim under test is about CPUs); drop --device"
                .into(),
        )
        .into());
    }
    if args.shard.is_some() {
        return Err(UsageError(
            "--shard applies to JEST sweeps; SWIM sweeps are short enough for one machine".into(),
        )
        .into());
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(&exp.name));
    let (writer, done) = ResultsWriter::open(&out)
        .map_err(|e| UsageError(format!("cannot use results folder {}: {e}", out.display())))?;
    let runs = exp.runs();
    let todo: Vec<&Run<SwimConfig>> = runs.iter().filter(|r| !done.contains(&r.id())).collect();
    if todo.len() < runs.len() {
        eprintln!(
            "{}: {} of {} runs already complete; running the other {}",
            exp.name,
            runs.len() - todo.len(),
            runs.len(),
            todo.len()
        );
    }
    // Each distinct task's data, built once.
    let mut tasks: BTreeMap<String, TaskData> = BTreeMap::new();
    for r in &todo {
        let key = serde_yaml::to_string(&r.cell.config.task).expect("specs serialise");
        if let std::collections::btree_map::Entry::Vacant(slot) = tasks.entry(key) {
            let data = swim::tasks::build(&r.cell.config.task, &exp.base_dir)
                .with_context(|| format!("cannot build the task of {}", exp.path.display()))?;
            slot.insert(data);
        }
    }
    let writer = Mutex::new(writer);
    let total = runs.len();
    let counter = Mutex::new(total - todo.len());
    let one = |r: &&Run<SwimConfig>| -> anyhow::Result<()> {
        let c = &r.cell.config;
        let data = &tasks[&serde_yaml::to_string(&c.task).expect("specs serialise")];
        let fit = swim::fit(c, r.seed, data).with_context(|| format!("run {} failed", r.id()))?;
        let row = Row {
            experiment: exp.name.clone(),
            run_id: r.id(),
            config_hash: r.cell.config_hash.clone(),
            seed: r.seed,
            family: "swim".into(),
            method: c.network.method.as_str().into(),
            batch_size: if c.network.method == crate::spec::swim::Method::Adam {
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
            status: "complete".into(),
            device: "cpu".into(),
            harness_version: HARNESS_VERSION.into(),
            git_commit: GIT_COMMIT.into(),
            ..Row::default()
        };
        {
            let mut w = writer.lock().expect("a writer thread panicked");
            w.eval_row(&row)?;
            w.summary_row(&row)?;
        }
        let mut k = counter.lock().expect("a counter thread panicked");
        *k += 1;
        if !args.quiet {
            eprintln!(
                "[{}/{total}] {} seed {}: {} {:.4} in {:.3}s ({} epochs)",
                *k,
                r.sweep_label(),
                r.seed,
                fit.metric_name,
                fit.metric,
                fit.fit_seconds,
                fit.epochs
            );
        }
        Ok(())
    };
    if args.jobs <= 1 {
        todo.iter().try_for_each(one)?;
    } else {
        eprintln!("note: --jobs {} fits runs side by side; their wall-clock times compete for the cores (use --jobs 1 for timings)", args.jobs);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(args.jobs as usize)
            .build()
            .context("cannot start worker threads")?;
        pool.install(|| todo.par_iter().try_for_each(one))?;
    }
    println!("{}: {} runs → {}", exp.name, total, out.display());
    if !args.no_report {
        let dir = match (&args.report, &args.out) {
            (Some(r), _) => r.clone(),
            (None, Some(o)) => o.join("report"),
            (None, None) => PathBuf::from("reports").join(&exp.name),
        };
        super::run::write_report(&out, &dir)?;
    }
    Ok(())
}
