//! `jestbench bench`: what each selector costs per iteration against its FLOP floor.
//!
//! For the quickstart model (b = 64) at f ∈ {0.5, 0.8, 0.9}: the median time per
//! training iteration of uniform, independent and jest after warm-up; each one's
//! ratio to uniform next to the FLOP-predicted floor, (B + 3b)/(3b) as executed (a
//! fresh forward for the chosen b) and (B + 2b)/(3b) with the scoring forward reused;
//! and the share of an iteration spent in the sampling step alone. Then the joint
//! sampler's time as B grows, against n_chunks·B + b·B, and the peak resident memory.

use std::time::Instant;

use dfdx::prelude::*;

use super::{DeviceKind, UsageError};
use crate::data::{rng, Dataset};
use crate::score::ScoreMatrix;
use crate::select::{Jest, Selector};
use crate::spec::{Experiment, SelectorName};
use crate::train::{self, reference, EvalRecord, Observer};

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    #[arg(long, value_enum, default_value_t = DeviceKind::Cpu)]
    pub device: DeviceKind,
    /// Timed iterations per selector (after warm-up).
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(5..=100000))]
    pub iters: u32,
    /// Warm-up iterations (dfdx compiles CUDA kernels on first use).
    #[arg(long, default_value_t = 15)]
    pub warmup: u32,
}

/// The quickstart world and model, one seed.
const BENCH: &str = include_str!("../../experiments/quickstart.yaml");

/// Records when each step ends.
struct StepClock {
    ends: Vec<Instant>,
}

impl Observer for StepClock {
    fn on_step(&mut self, _: usize, _: usize) {
        self.ends.push(Instant::now());
    }
    fn on_eval(&mut self, _: &EvalRecord) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        Ok(())
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Peak resident memory of this process (VmHWM), in MiB, where /proc tells it.
fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = s
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

pub fn bench(args: BenchArgs) -> anyhow::Result<()> {
    match args.device {
        DeviceKind::Cpu => bench_on(&Cpu::default(), &args),
        DeviceKind::Cuda => bench_cuda(&args),
    }
}

#[cfg(feature = "cuda")]
fn bench_cuda(args: &BenchArgs) -> anyhow::Result<()> {
    bench_on(&Cuda::default(), args)
}

#[cfg(not(feature = "cuda"))]
fn bench_cuda(_: &BenchArgs) -> anyhow::Result<()> {
    Err(UsageError("--device cuda: this jestbench was built without CUDA; rebuild with `cargo build --release --features cuda`".into()).into())
}

fn bench_on<D: Device<f32>>(dev: &D, args: &BenchArgs) -> anyhow::Result<()> {
    let exp = Experiment::parse(BENCH, std::path::Path::new("experiments/quickstart.yaml"))?;
    let mut base = exp.cells[0].config.clone();
    base.train.steps = (args.warmup + args.iters) as usize;
    base.train.warmup_steps = 0;
    base.eval.every = base.train.steps;
    base.reference.steps = 200;
    let data = Dataset::build(&base.dataset, &exp.base_dir)?;
    let r = reference::train(dev, &base, &data)?;
    let b = base.train.batch_size as f64;
    println!("per-iteration cost, quickstart model, b = {b}, {} timed iterations after {} warm-up (median)", args.iters, args.warmup);
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
    for f in [0.5, 0.8, 0.9] {
        let mut uniform_ms = f64::NAN;
        for sel in [
            SelectorName::Uniform,
            SelectorName::Independent,
            SelectorName::Jest,
        ] {
            let mut c = base.clone();
            c.train.filter_ratio = Some(f);
            c.train.selector = sel;
            let big_b = c.train.super_batch() as f64;
            let mut clock = StepClock { ends: Vec::new() };
            let start = Instant::now();
            // Uniform gets no reference: its logged learnability would be measured
            // between steps and land in these intervals.
            let reference = sel.scores().then_some(&r);
            let rec = train::run(dev, &c, 0, &data, reference, &mut clock)?;
            let mut prev = start;
            let mut times = Vec::new();
            for (i, t) in clock.ends.iter().enumerate() {
                if i >= args.warmup as usize {
                    times.push(t.duration_since(prev).as_secs_f64() * 1e3);
                }
                prev = *t;
            }
            let ms = median(times);
            if sel == SelectorName::Uniform {
                uniform_ms = ms;
            }
            let (executed, paper) = if sel.scores() {
                ((big_b + 3.0 * b) / (3.0 * b), (big_b + 2.0 * b) / (3.0 * b))
            } else {
                (1.0, 1.0)
            };
            let ratio = ms / uniform_ms;
            println!(
                "{f:>5} {big_b:>5} {:<12} {ms:>10.3} {ratio:>8.2}x {executed:>14.2}x {paper:>13.2}x {:>10.2}x {:>8.2}%",
                sel.as_str(),
                ratio / executed,
                100.0 * rec.sample_seconds / rec.train_seconds
            );
        }
    }
    println!("\njoint sampler alone (n_chunks = 16, b = B/8, gain 100), median of 7:");
    println!(
        "{:>6} {:>6} {:>10} {:>22}",
        "B", "b", "ms", "ns per (16·B + b·B)"
    );
    for big_b in [512usize, 1024, 2048, 4096, 8192] {
        let small_b = big_b / 8;
        let mut g = rng::chacha(1, 0);
        let a = ScoreMatrix::new(
            big_b,
            (0..big_b * big_b)
                .map(|_| rng::normal(&mut g) as f32)
                .collect(),
        );
        let mut jest = Jest::new(16, 100.0);
        let times: Vec<f64> = (0..7)
            .map(|k| {
                let mut r = rng::chacha(k, 1);
                let t = Instant::now();
                let s = jest.select(Some(&a), big_b, small_b, &mut r);
                assert_eq!(s.chosen.len(), small_b);
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        let ms = median(times);
        let work = (16 * big_b + small_b * big_b) as f64;
        println!(
            "{big_b:>6} {small_b:>6} {ms:>10.3} {:>22.2}",
            ms * 1e6 / work
        );
    }
    if let Some(mib) = peak_rss_mib() {
        println!("\npeak resident memory: {mib:.0} MiB");
    }
    Ok(())
}
