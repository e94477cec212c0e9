//! What each selector costs per iteration against its FLOP floor (SPEC §5): for the
//! quickstart model at b = 64 and f ∈ {0.5, 0.8, 0.9}, the median time of a
//! training iteration of uniform, independent and jest after warm-up, each one's
//! ratio to uniform beside the executed FLOP ratio (the floor), and the share of
//! an iteration spent in the sampling step. Then the joint sampler alone as B
//! grows, against n_chunks·B + b·B.

use std::time::Instant;

use dfdx::prelude::*;

use super::device::{with_device, DeviceJob, DeviceKind};
use super::RunError;
use crate::data::{rng, Dataset};
use crate::experiment::{Experiment, RunConfig, SelectorName};
use crate::flops::{IterationCost, ModelCost};
use crate::model::Layout;
use crate::score::{self, ScoreMatrix};
use crate::select::{Jest, Selector};
use crate::train::{self, reference, EvalRecord, Observer, TrainError};

/// The quickstart world and model, one seed.
const BENCH: &str = include_str!("../../experiments/quickstart.yaml");

/// How long to measure.
#[derive(Clone, Copy, Debug)]
pub struct BenchOptions {
    pub device: DeviceKind,
    /// Timed iterations per configuration, after `warmup`.
    pub iters: usize,
    pub warmup: usize,
}

/// One selector at one filtering ratio.
#[derive(Clone, Debug, PartialEq)]
pub struct IterationTiming {
    pub filter_ratio: f64,
    pub super_batch: usize,
    pub batch: usize,
    pub selector: SelectorName,
    /// Median milliseconds per iteration.
    pub ms: f64,
    /// Its ratio to uniform's at the same f.
    pub vs_uniform: f64,
    /// The executed FLOP ratio to a uniform iteration: the floor of `vs_uniform`.
    pub floor_executed: f64,
    /// The same in the paper's accounting.
    pub floor_paper: f64,
    /// Share of the iteration spent in the sampling step.
    pub sampling_share: f64,
}

impl IterationTiming {
    /// How far above its FLOP floor the iteration runs.
    pub fn vs_floor(&self) -> f64 {
        self.vs_uniform / self.floor_executed
    }
}

/// The joint sampler alone on a random B×B score matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct SamplerTiming {
    pub super_batch: usize,
    pub batch: usize,
    pub ms: f64,
    /// Nanoseconds per unit of n_chunks·B + b·B.
    pub ns_per_unit: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BenchReport {
    pub batch: usize,
    pub iterations: Vec<IterationTiming>,
    pub sampler: Vec<SamplerTiming>,
    /// Peak resident memory of this process, MiB (where /proc tells it).
    pub peak_rss_mib: Option<f64>,
}

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
pub fn peak_rss_mib() -> Option<f64> {
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

/// Measures every configuration.
pub fn bench(opts: &BenchOptions) -> Result<BenchReport, RunError> {
    let exp = Experiment::parse(BENCH, std::path::Path::new("experiments/quickstart.yaml"))
        .expect("the embedded quickstart parses");
    let mut base = exp.cells[0].config.clone();
    base.train.steps = opts.warmup + opts.iters;
    base.train.warmup_steps = 0;
    base.eval.every = base.train.steps;
    base.reference.steps = 200;
    let data = Dataset::build(&base.dataset, &exp.base_dir).map_err(|source| RunError::Data {
        experiment: exp.path.clone(),
        source,
    })?;
    let job = Iterations {
        base: &base,
        data: &data,
        opts,
    };
    let iterations = with_device(opts.device, job)?.map_err(RunError::Reference)?;
    Ok(BenchReport {
        batch: base.train.batch_size,
        iterations,
        sampler: sampler_scaling(),
        peak_rss_mib: peak_rss_mib(),
    })
}

struct Iterations<'a> {
    base: &'a RunConfig,
    data: &'a Dataset,
    opts: &'a BenchOptions,
}

impl DeviceJob for Iterations<'_> {
    type Output = Result<Vec<IterationTiming>, TrainError>;

    fn run<D: Device<f32>>(self, dev: &D) -> Self::Output {
        let (base, data) = (self.base, self.data);
        let r = reference::train(dev, base, data)?;
        let model = ModelCost::of(&Layout::new(&base.model, data.dim_a(), data.dim_b()));
        let b = base.train.batch_size;
        let mut out = Vec::new();
        for f in [0.5, 0.8, 0.9] {
            let mut uniform = (f64::NAN, 0u64);
            for sel in [
                SelectorName::Uniform,
                SelectorName::Independent,
                SelectorName::Jest,
            ] {
                let mut c = base.clone();
                c.train.filter_ratio = Some(f);
                c.train.selector = sel;
                let big_b = c.train.super_batch();
                let mut clock = StepClock { ends: Vec::new() };
                let start = Instant::now();
                // Uniform gets no reference: its logged learnability would be
                // measured between steps and land in these intervals.
                let reference = sel.scores().then_some(&r);
                let rec = train::run(dev, &c, 0, data, reference, &mut clock)?;
                let mut prev = start;
                let mut times = Vec::new();
                for (i, t) in clock.ends.iter().enumerate() {
                    if i >= self.opts.warmup {
                        times.push(t.duration_since(prev).as_secs_f64() * 1e3);
                    }
                    prev = *t;
                }
                let ms = median(times);
                let (learner, refs) = if sel.scores() {
                    score::needs(c.train.scoring)
                } else {
                    (false, false)
                };
                let cost = IterationCost::new(&model, b, big_b, learner, refs);
                if sel == SelectorName::Uniform {
                    uniform = (ms, cost.executed());
                }
                let uniform_cost = IterationCost::new(&model, b, big_b, false, false);
                out.push(IterationTiming {
                    filter_ratio: f,
                    super_batch: big_b,
                    batch: b,
                    selector: sel,
                    ms,
                    vs_uniform: ms / uniform.0,
                    floor_executed: cost.executed() as f64 / uniform.1 as f64,
                    floor_paper: cost.paper() / uniform_cost.paper(),
                    sampling_share: rec.sample_seconds / rec.train_seconds,
                });
            }
        }
        Ok(out)
    }
}

/// The joint sampler alone (n_chunks = 16, b = B/8, gain 100), median of 7.
fn sampler_scaling() -> Vec<SamplerTiming> {
    [512usize, 1024, 2048, 4096, 8192]
        .into_iter()
        .map(|big_b| {
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
            SamplerTiming {
                super_batch: big_b,
                batch: small_b,
                ms,
                ns_per_unit: ms * 1e6 / work,
            }
        })
        .collect()
}
