//! `jestbench bench`: prints what `run::bench` measures.

use super::DeviceArg;
use crate::run::bench::{self, BenchOptions};

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    #[arg(long, value_enum, default_value_t = DeviceArg::Cpu)]
    pub device: DeviceArg,
    /// Timed iterations per configuration (after warm-up).
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(5..=100000))]
    pub iters: u32,
    /// Warm-up iterations (dfdx compiles CUDA kernels on first use).
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u32).range(0..=100000))]
    pub warmup: u32,
    /// Filtering ratios to time at b = 64, comma-separated; `none` for none.
    #[arg(long, default_value = "0.5,0.8,0.9", value_parser = parse_ratios)]
    pub filter_ratios: Ratios,
    /// Larger super-batch sizes to time (b = B/8), comma-separated; `none` for none.
    #[arg(long, default_value = "2048,8192", value_parser = parse_sizes)]
    pub super_batches: Sizes,
    /// Skip the joint sampler's scaling on whole score matrices.
    #[arg(long)]
    pub no_sampler: bool,
}

#[derive(Clone, Debug)]
pub struct Sizes(pub Vec<usize>);

#[derive(Clone, Debug)]
pub struct Ratios(pub Vec<f64>);

fn parse_ratios(s: &str) -> Result<Ratios, String> {
    if s == "none" {
        return Ok(Ratios(Vec::new()));
    }
    s.split(',')
        .map(|x| {
            x.trim()
                .parse::<f64>()
                .map_err(|_| format!("`{x}` is not a filtering ratio"))
        })
        .collect::<Result<_, _>>()
        .map(Ratios)
}

fn parse_sizes(s: &str) -> Result<Sizes, String> {
    if s == "none" {
        return Ok(Sizes(Vec::new()));
    }
    s.split(',')
        .map(|x| {
            x.trim()
                .parse::<usize>()
                .map_err(|_| format!("`{x}` is not a super-batch size"))
        })
        .collect::<Result<_, _>>()
        .map(Sizes)
}

pub fn bench(args: BenchArgs) -> anyhow::Result<()> {
    let r = bench::bench(&BenchOptions {
        device: args.device.into(),
        iters: args.iters as usize,
        warmup: args.warmup as usize,
        filter_ratios: args.filter_ratios.0.clone(),
        super_batches: args.super_batches.0.clone(),
        sampler: !args.no_sampler,
    })?;
    println!(
        "per-iteration cost, quickstart model, {} timed iterations after {} warm-up, {} threads",
        args.iters, args.warmup, r.threads
    );
    println!(
        "{:>6} {:>5} {:>5} {:<12} {:>9} {:>17} {:>9} {:>10} {:>8} {:>8} {:>9} {:>8} {:>9} {:>9}",
        "f",
        "B",
        "b",
        "selector",
        "ms/iter",
        "[min, max]",
        "MFLOP",
        "GFLOP/s",
        "vs unif",
        "floor",
        "vs floor",
        "scoring",
        "sampling",
        "peak MiB"
    );
    for t in &r.iterations {
        println!(
            "{:>6.3} {:>5} {:>5} {:<12} {:>9.3} {:>17} {:>9.2} {:>10.2} {:>7.2}x {:>7.2}x {:>8.2}x {:>7.1}% {:>8.2}% {:>9}",
            t.filter_ratio,
            t.super_batch,
            t.batch,
            t.method.as_str(),
            t.ms,
            format!("[{:.3}, {:.3}]", t.ms_min, t.ms_max),
            t.flops as f64 / 1e6,
            t.gflops(),
            t.vs_uniform,
            t.floor,
            t.vs_floor(),
            100.0 * t.scoring_share,
            100.0 * t.sampling_share,
            t.peak_mib.map_or("—".into(), |m| format!("{m:.0}"))
        );
    }
    if !r.sampler.is_empty() {
        println!("\njoint sampler alone on a whole score matrix (n_chunks = 16, b = B/8, gain 100), median of 7:");
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
    }
    Ok(())
}
