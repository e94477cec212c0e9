//! `jestbench validate`: parse, expand, and estimate cost without running.

use super::ValidateArgs;
use crate::experiment::AnyExperiment;
use crate::run::plan::{run_flops, Widths};

pub fn validate(args: ValidateArgs) -> anyhow::Result<()> {
    let exp = match AnyExperiment::load(&args.experiment)? {
        AnyExperiment::Jest(e) => e,
        AnyExperiment::Swim(e) => {
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
        "{}: {} sweep cells × {} seeds = {} runs",
        exp.name,
        exp.cells.len(),
        exp.seeds.len(),
        runs.len()
    );
    let mut total_steps = 0u64;
    let mut total_flops = 0u64;
    let mut widths = Widths::default();
    println!(
        "{:<56} {:>6} {:>5} {:>5} {:>12}",
        "cell", "steps", "b", "B", "FLOPs/run"
    );
    for cell in &exp.cells {
        let c = &cell.config;
        let b = c.train.batch_size;
        let super_b = c.train.super_batch();
        let per_run = run_flops(&exp, cell, &mut widths)? as u64;
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
            "{label:<56} {:>6} {b:>5} {super_b:>5} {:>12.3e}",
            c.train.steps, per_run as f64
        );
        total_steps += (c.train.steps * exp.seeds.len()) as u64;
        total_flops += per_run * exp.seeds.len() as u64;
    }
    println!(
        "total: {total_steps} training steps, {:.3e} learner FLOPs (training + scoring; \
         evaluation and reference training not included)",
        total_flops as f64
    );
    Ok(())
}
