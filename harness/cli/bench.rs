//! `jestbench bench`: prints what `run::bench` measures.

use super::DeviceArg;
use crate::experiment::SelectorName;
use crate::run::bench::{self, BenchOptions};

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Where the timed steps run (cuda: a build with the `cuda` feature).
    #[arg(long, value_enum, default_value_t = DeviceArg::Cpu)]
    pub device: DeviceArg,
    /// Timed iterations per configuration (after warm-up).
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(5..=100000))]
    pub iters: u32,
    /// Warm-up iterations (dfdx compiles CUDA kernels on first use).
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u32).range(0..=100000))]
    pub warmup: u32,
    /// Learning batch sizes, comma-separated, each timed at every filtering ratio
    /// (B = b / (1 − f)); multiples of 16 up to 8192.
    #[arg(long, default_value = "64", value_parser = parse_batches)]
    pub batch_sizes: Sizes,
    /// Filtering ratios, comma-separated; `none` for none.
    #[arg(long, default_value = "0.5,0.8,0.9", value_parser = parse_ratios)]
    pub filter_ratios: Ratios,
    /// Larger super-batch sizes to time (b = B/8), comma-separated; `none` for none.
    #[arg(long, default_value = "2048,8192", value_parser = parse_sizes)]
    pub super_batches: Sizes,
    /// Selectors to time, comma-separated (uniform always runs: it is the
    /// denominator).
    #[arg(long, default_value = "uniform,independent_topk,jest", value_parser = parse_selectors)]
    pub selectors: Selectors,
    /// Skip the joint sampler's scaling on whole score matrices.
    #[arg(long)]
    pub no_sampler: bool,
    /// Skip measuring this machine's rates (the "of dfdx", "of OpenBLAS" and "of
    /// peak" columns): dfdx's matmul, OpenBLAS's sgemm (loaded at run time where
    /// installed, or from JESTBENCH_OPENBLAS) and the kernels' multiply-add peak.
    #[arg(long)]
    pub no_matmul: bool,
    /// Time towers of `--depth` hidden layers of this many units and an embedding
    /// of width / 2 (the scale ladder's `model.width`), instead of the quickstart
    /// model (hidden [128], embedding 64).
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..=bench::MAX_WIDTH as i64))]
    pub width: Option<u32>,
    /// Hidden layers per tower with `--width` (default 1).
    #[arg(long, requires = "width", value_parser = clap::value_parser!(u32).range(1..=bench::MAX_DEPTH as i64))]
    pub depth: Option<u32>,
}

#[derive(Clone, Debug)]
pub struct Selectors(pub Vec<SelectorName>);

/// `--selectors`: uniform and the scoring selectors, each by its selector name or
/// its first method's (the mode `bench` times: top-k).
fn parse_selectors(s: &str) -> Result<Selectors, String> {
    let timed = bench::timed_selectors();
    let first = |t: &SelectorName| t.registration().methods[0].0.as_str();
    s.split(',')
        .map(|x| {
            let x = x.trim();
            timed
                .iter()
                .find(|t| t.as_str() == x || first(t) == x)
                .copied()
                .ok_or_else(|| {
                    let names: Vec<&str> = timed.iter().map(first).collect();
                    format!("`{x}` is not a timed selector ({})", names.join(", "))
                })
        })
        .collect::<Result<_, _>>()
        .map(Selectors)
}

/// At least one size; which sizes the iteration takes is the library's check
/// (`run::bench`), made for every caller before anything is built.
fn parse_batches(s: &str) -> Result<Sizes, String> {
    let sizes = parse_sizes(s)?;
    if sizes.0.is_empty() {
        return Err("give at least one batch size".into());
    }
    Ok(sizes)
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
                .ok()
                .filter(|f: &f64| (0.0..0.99).contains(f))
                .ok_or_else(|| format!("`{x}` is not a filtering ratio in [0, 0.99)"))
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
        iters: args.iters as usize,
        warmup: args.warmup as usize,
        batch_sizes: args.batch_sizes.0.clone(),
        filter_ratios: args.filter_ratios.0.clone(),
        super_batches: args.super_batches.0.clone(),
        selectors: args.selectors.0.clone(),
        sampler: !args.no_sampler,
        matmul_rate: !args.no_matmul,
        width: args
            .width
            .map(|w| (w as usize, args.depth.unwrap_or(1) as usize)),
        ..BenchOptions::new(args.device.into())
    })?;
    say!(
        "per-iteration cost, {}, {} timed iterations after {} warm-up, {} threads, kernels {}",
        r.model,
        args.iters,
        args.warmup,
        r.threads,
        crate::kernels::simd_level()
    );
    if let Some(m) = &r.machine {
        say!(
            "this machine's float32 rates on {0} threads ({1}×{1} by {1}×{1}, best of 7): dfdx's matmul {2:.1} GFLOP/s; {3}; kernels' multiply-add peak {4:.1} GFLOP/s; the harness's products {5:.1} GFLOP/s{6}",
            r.threads,
            m.n,
            m.dfdx,
            match &m.openblas {
                Ok((g, name)) => format!("OpenBLAS sgemm {g:.1} GFLOP/s ({name})"),
                Err(why) => format!("no OpenBLAS column: {why}"),
            },
            m.peak,
            m.products,
            match &m.openblas {
                Ok((g, _)) => format!(" ({:.0}% of OpenBLAS's)", 100.0 * m.products / g),
                Err(_) => String::new(),
            }
        );
    }
    let rates = r.machine.as_ref();
    let share = |gflops: f64, of: Option<f64>| {
        of.map_or("—".to_string(), |m| format!("{:.1}%", 100.0 * gflops / m))
    };
    say!(
        "{:>6} {:>6} {:>5} {:<16} {:>9} {:>19} {:>9} {:>10} {:>8} {:>8} {:>9} {:>8} {:>9} {:>9} {:>9} {:>9} {:>8}",
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
        "peak MiB",
        "of dfdx",
        "of OpenBLAS",
        "of peak"
    );
    for t in &r.iterations {
        say!(
            "{:>6.3} {:>6} {:>5} {:<16} {:>9.3} {:>19} {:>9.2} {:>10.2} {:>7.2}x {:>7.2}x {:>8.2}x {:>7.1}% {:>8.2}% {:>9} {:>9} {:>11} {:>8}",
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
            t.peak_mib.map_or("—".into(), |m| format!("{m:.0}")),
            share(t.gflops(), rates.map(|m| m.dfdx)),
            share(
                t.gflops(),
                rates.and_then(|m| m.openblas.as_ref().ok().map(|o| o.0))
            ),
            share(t.gflops(), rates.map(|m| m.peak))
        );
    }
    if !r.sampler.is_empty() {
        say!("\njoint sampler alone on a whole score matrix (n_chunks = 16, b = B/8, gain 100), median of 7:");
        say!(
            "{:>6} {:>6} {:>10} {:>22}",
            "B",
            "b",
            "ms",
            "ns per (16·B + b·B)"
        );
        for s in &r.sampler {
            say!(
                "{:>6} {:>6} {:>10.3} {:>22.2}",
                s.super_batch,
                s.batch,
                s.ms,
                s.ns_per_unit
            );
        }
    }
    Ok(())
}
