//! `jestbench bench`: prints what `run::bench` measures.

use super::DeviceArg;
use crate::run::bench::{self, BenchOptions};

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    #[arg(long, value_enum, default_value_t = DeviceArg::Cpu)]
    pub device: DeviceArg,
    /// Timed iterations per selector (after warm-up).
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(5..=100000))]
    pub iters: u32,
    /// Warm-up iterations (dfdx compiles CUDA kernels on first use).
    #[arg(long, default_value_t = 15)]
    pub warmup: u32,
}

pub fn bench(args: BenchArgs) -> anyhow::Result<()> {
    let r = bench::bench(&BenchOptions {
        device: args.device.into(),
        iters: args.iters as usize,
        warmup: args.warmup as usize,
    })?;
    println!(
        "per-iteration cost, quickstart model, b = {}, {} timed iterations after {} warm-up (median)",
        r.batch, args.iters, args.warmup
    );
    println!(
        "{:>5} {:>5} {:<12} {:>10} {:>9} {:>15} {:>14} {:>11} {:>9}",
        "f",
        "B",
        "selector",
        "ms/iter",
        "vs unif.",
        "floor executed",
        "floor paper",
        "vs floor",
        "sampling"
    );
    for t in &r.iterations {
        println!(
            "{:>5} {:>5} {:<12} {:>10.3} {:>8.2}x {:>14.2}x {:>13.2}x {:>10.2}x {:>8.2}%",
            t.filter_ratio,
            t.super_batch,
            t.selector.as_str(),
            t.ms,
            t.vs_uniform,
            t.floor_executed,
            t.floor_paper,
            t.vs_floor(),
            100.0 * t.sampling_share
        );
    }
    println!("\njoint sampler alone (n_chunks = 16, b = B/8, gain 100), median of 7:");
    println!(
        "{:>6} {:>6} {:>10} {:>22}",
        "B", "b", "ms", "ns per (16·B + b·B)"
    );
    for s in &r.sampler {
        println!(
            "{:>6} {:>6} {:>10.3} {:>22.2}",
            s.super_batch, s.batch, s.ms, s.ns_per_unit
        );
    }
    if let Some(mib) = r.peak_rss_mib {
        println!("\npeak resident memory: {mib:.0} MiB");
    }
    Ok(())
}
