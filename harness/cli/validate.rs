//! `jestbench validate`: parse, expand, and estimate cost without running.

use super::ValidateArgs;
use crate::run::limits;
use crate::run::plan::Costs;

pub fn validate(args: ValidateArgs) -> anyhow::Result<()> {
    let jobs = args.jobs as usize;
    let exp = crate::family::load(&args.experiment, args.max_runs)?;
    exp.check(jobs)?;
    let o = exp.overview(jobs)?;
    say!(
        "{}: {} sweep cells × {} seeds{} = {} runs{}",
        o.name,
        o.cells,
        o.seeds,
        match o.extra {
            None => String::new(),
            Some((seeds, cells)) => format!(" (+ {seeds} extra seeds in {cells} cells)"),
        },
        o.runs,
        o.what.map(|w| format!(" ({w})")).unwrap_or_default()
    );
    if let Some(r) = &o.replicates {
        say!("  seeds: {r}");
    }
    let labels: Vec<String> = o.labels.iter().map(|l| label(l)).collect();
    let Some(costs) = o.costs else {
        for l in &labels {
            say!("  {l}");
        }
        return Ok(());
    };
    print_costs(&costs, &labels, jobs);
    if !args.no_estimate {
        estimate(costs.total_flops as f64, jobs)?;
    }
    Ok(())
}

/// `key=value` of a cell's swept keys, or `(no sweep)`.
fn label(swept: &[(String, String)]) -> String {
    if swept.is_empty() {
        return "(no sweep)".into();
    }
    swept
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The per-cell table (the first 200 cells) and the totals.
fn print_costs(costs: &Costs, labels: &[String], jobs: usize) {
    say!(
        "{:<56} {:>6} {:>5} {:>5} {:>12} {:>12}",
        "cell",
        "steps",
        "b",
        "B",
        "FLOPs/run",
        "memory/run"
    );
    const SHOWN: usize = 200;
    for (c, label) in costs.cells.iter().zip(labels).take(SHOWN) {
        say!(
            "{label:<56} {:>6} {:>5} {:>5} {:>12.3e} {:>12}",
            c.steps,
            c.batch_size,
            c.super_batch,
            c.flops as f64,
            limits::human(c.memory)
        );
    }
    if costs.cells.len() > SHOWN {
        say!("... and {} more cells", costs.cells.len() - SHOWN);
    }
    say!(
        "total: {} training steps, {:.3e} executed FLOPs (learner towers and pair \
         work; evaluation and the reference aside); peak memory about {} with --jobs {jobs}",
        costs.total_steps,
        costs.total_flops as f64,
        limits::human(costs.peak_memory)
    );
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
    say!(
        "estimate: about {shown} of training compute with --jobs {jobs} on {cores} cores, at the \
         {rate:.0} GFLOP/s this machine ran the harness's iteration at just now (quickstart \
         shapes); data generation, reference training and evaluation come on top"
    );
    Ok(())
}
