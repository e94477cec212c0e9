//! `jestbench validate`: parse, expand, and estimate cost without running.

use super::ValidateArgs;
use crate::experiment::AnyExperiment;
use crate::run::limits;
use crate::run::plan::{run_flops, Widths};

pub fn validate(args: ValidateArgs) -> anyhow::Result<()> {
    let jobs = args.jobs as usize;
    let exp = match AnyExperiment::load_limited(&args.experiment, args.max_runs)? {
        AnyExperiment::Jest(e) => {
            limits::check_jest(&e, jobs)?;
            e
        }
        AnyExperiment::Swim(e) => {
            limits::check_swim(&e, jobs)?;
            println!(
                "{}: {} sweep cells × {} seeds = {} runs (sampled networks vs iterative training)",
                e.name,
                e.cells.len(),
                e.seeds.len(),
                e.runs().len()
            );
            for c in &e.cells {
                let label: Vec<String> = c.swept.iter().map(|(k, v)| format!("{k}={v}")).collect();
                println!(
                    "  {}",
                    if label.is_empty() {
                        "(no sweep)".into()
                    } else {
                        label.join(" ")
                    }
                );
            }
            return Ok(());
        }
    };
    let runs = exp.runs();
    println!(
        "{}: {} sweep cells × {} seeds{} = {} runs",
        exp.name,
        exp.cells.len(),
        exp.seeds.len(),
        if exp.extra_seeds.is_empty() {
            String::new()
        } else {
            format!(
                " (+ {} extra seeds in {} cells)",
                exp.extra_seeds.len(),
                exp.extra_cells.iter().filter(|&&x| x).count()
            )
        },
        runs.len()
    );
    let mut total_steps = 0u64;
    let mut total_flops = 0u64;
    let mut widths = Widths::default();
    let mut peak_memory = 0.0f64;
    println!(
        "{:<56} {:>6} {:>5} {:>5} {:>12} {:>12}",
        "cell", "steps", "b", "B", "FLOPs/run", "memory/run"
    );
    const SHOWN: usize = 200;
    for (i, cell) in exp.cells.iter().enumerate() {
        let c = &cell.config;
        let b = c.train.batch_size;
        let super_b = c.train.super_batch();
        let per_run = run_flops(&exp, cell, &mut widths)? as u64;
        let (shared, run) = limits::jest_cell(&exp, c, &mut widths)?;
        let memory = shared.total() + run.total();
        peak_memory = peak_memory.max(shared.total() + jobs as f64 * run.total());
        total_steps += (c.train.steps * exp.seeds_of(i)) as u64;
        total_flops += per_run * exp.seeds_of(i) as u64;
        if i >= SHOWN {
            continue;
        }
        let label = if cell.swept.is_empty() {
            "(no sweep)".to_string()
        } else {
            cell.swept
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        println!(
            "{label:<56} {:>6} {b:>5} {super_b:>5} {:>12.3e} {:>12}",
            c.train.steps,
            per_run as f64,
            limits::human(memory)
        );
    }
    if exp.cells.len() > SHOWN {
        println!("... and {} more cells", exp.cells.len() - SHOWN);
    }
    println!(
        "total: {total_steps} training steps, {:.3e} executed FLOPs (learner towers and pair \
         work; evaluation and the reference aside); peak memory about {} with --jobs {jobs}",
        total_flops as f64,
        limits::human(peak_memory)
    );
    if !args.no_estimate {
        estimate(total_flops as f64, jobs)?;
    }
    Ok(())
}

/// Prints the training compute's wall time at this machine's rate on the harness's
/// own iteration, timed now (`bench`'s quickstart shapes, f = 0.8, every selector).
fn estimate(flops: f64, jobs: usize) -> anyhow::Result<()> {
    let r = crate::run::bench::bench(&crate::run::bench::BenchOptions {
        iters: 6,
        warmup: 2,
        filter_ratios: vec![0.8],
        super_batches: Vec::new(),
        sampler: false,
        matmul_rate: false,
        ..crate::run::bench::BenchOptions::new(crate::run::DeviceKind::Cpu)
    })?;
    let mut rates: Vec<f64> = r.iterations.iter().map(|t| t.gflops()).collect();
    rates.sort_by(f64::total_cmp);
    let Some(&rate) = rates.get(rates.len() / 2) else {
        return Ok(());
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let seconds = flops / (rate * 1e9) / jobs.min(cores) as f64;
    let shown = if seconds < 90.0 {
        format!("{seconds:.0} s")
    } else if seconds < 5400.0 {
        format!("{:.0} min", seconds / 60.0)
    } else {
        format!("{:.1} h", seconds / 3600.0)
    };
    println!(
        "estimate: about {shown} of training compute with --jobs {jobs} on {cores} cores, at the \
         {rate:.0} GFLOP/s this machine ran the harness's iteration at just now (quickstart \
         shapes); data generation, reference training and evaluation come on top"
    );
    Ok(())
}
