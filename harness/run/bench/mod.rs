//! What each selector costs per iteration (docs/methods.md §5): on the quickstart
//! world and model (or, with `--width`/`--depth`, the scale ladder's towers),
//! beside the machine's own rates (OpenBLAS's sgemm and the FMA peak: `machine`),
//! for each super-batch size — b = 64 at f = 0.5, 0.8, 0.9 (B = 128, 320, 640) and
//! b = B/8 for larger B — the time of a training iteration of uniform, independent
//! and jest after warm-up (median, min, max), the FLOPs it executes (pair work
//! included) and the GFLOP/s that makes, its ratio to uniform beside the executed
//! FLOP ratio (the floor that ratio can reach), the share spent in the sampling
//! step, and the peak resident memory while it ran. Then the joint sampler alone
//! on a whole score matrix as B grows, against n_chunks·B + b·B.

use std::time::Instant;

mod machine;

pub use machine::{MachineRates, OpenBlas};

use super::device::{with_device, DeviceJob, DeviceKind};
use super::RunError;
use crate::backend::Backend;
use crate::data::{rng, Dataset};
use crate::experiment::{Experiment, Method, RunConfig, SelectorName};
use crate::flops::ModelCost;
use crate::model::Layout;
use crate::score::ScoreMatrix;
use crate::select::{Candidates, Jest, Selector};
use crate::train::iteration_cost;
use crate::train::{self, reference, EvalRecord, Observer, TrainError};

/// The quickstart world and model, one seed.
const BENCH: &str = include_str!("../../../experiments/quickstart.yaml");

/// What to measure and for how long.
#[derive(Clone, Debug)]
pub struct BenchOptions {
    pub device: DeviceKind,
    /// Timed iterations per configuration, after `warmup`.
    pub iters: usize,
    pub warmup: usize,
    /// Learning batch sizes, each timed at every filtering ratio (B = b / (1 − f)).
    pub batch_sizes: Vec<usize>,
    /// Filtering ratios.
    pub filter_ratios: Vec<f64>,
    /// Super-batch sizes beyond those (b = B/8 each).
    pub super_batches: Vec<usize>,
    /// The selectors timed (uniform is timed whenever another is, as their
    /// denominator).
    pub selectors: Vec<SelectorName>,
    /// Time the joint sampler alone on whole score matrices too.
    pub sampler: bool,
    /// Measure this machine's float32 rates (dfdx's CPU matmul, OpenBLAS's sgemm
    /// where the library loads, the kernels' multiply-add peak; every thread) for
    /// the rows' share of each.
    pub matmul_rate: bool,
    /// The towers timed: `depth` hidden layers of `width` units and an embedding
    /// of `width / 2` (the scale ladder's form); `None`: the quickstart model
    /// (hidden [128], embedding 64).
    pub width: Option<(usize, usize)>,
}

/// The widest towers `bench` times (the step holds a few b × width matrices per
/// layer and the weights' width² floats).
pub const MAX_WIDTH: usize = 4096;
/// The deepest towers `bench` times.
pub const MAX_DEPTH: usize = 8;

impl BenchOptions {
    /// The defaults of `jestbench bench`.
    pub fn new(device: DeviceKind) -> Self {
        BenchOptions {
            device,
            iters: 60,
            warmup: 15,
            batch_sizes: vec![64],
            filter_ratios: vec![0.5, 0.8, 0.9],
            super_batches: vec![2048, 8192],
            selectors: timed_selectors(),
            sampler: true,
            matmul_rate: true,
            width: None,
        }
    }
}

/// The selectors `bench` times: uniform (every ratio's denominator) and every
/// selector that scores its super-batch.
pub fn timed_selectors() -> Vec<SelectorName> {
    SelectorName::all()
        .filter(|s| *s == SelectorName::UNIFORM || s.scores())
        .collect()
}

/// The largest learning batch `bench` times: the host step holds three b×b
/// float matrices (768 MiB at 8,192).
pub const MAX_BATCH: usize = 8192;
/// The largest super-batch: the pool is made at least this big (B·(48 + 32)
/// floats) and scoring holds O(B·64).
pub const MAX_SUPER_BATCH: usize = 1 << 17;

/// One selector at one super-batch size.
#[derive(Clone, Debug, PartialEq)]
pub struct IterationTiming {
    pub filter_ratio: f64,
    pub super_batch: usize,
    pub batch: usize,
    /// The selector, by its results' name.
    pub method: Method,
    /// Milliseconds per iteration: median, min, max over the timed iterations.
    pub ms: f64,
    pub ms_min: f64,
    pub ms_max: f64,
    /// Its ratio to uniform's: the median of uniform's medians at the same b (its
    /// work does not depend on B, so every B's run measures it).
    pub vs_uniform: f64,
    /// FLOPs one iteration executes (towers and pair work).
    pub flops: u64,
    /// The executed FLOP ratio to a uniform iteration: the floor of `vs_uniform`.
    pub floor: f64,
    /// Share of the iteration spent scoring the super-batch (the learner's forward
    /// over B, gathering the reference's embeddings, A's diagonal).
    pub scoring_share: f64,
    /// Share of the iteration spent in the sampling step.
    pub sampling_share: f64,
    /// Peak resident memory while this configuration ran, MiB (where /proc tells).
    pub peak_mib: Option<f64>,
}

impl IterationTiming {
    /// How far above its FLOP floor the iteration runs.
    pub fn vs_floor(&self) -> f64 {
        self.vs_uniform / self.floor
    }

    /// Executed GFLOP/s at the median time.
    pub fn gflops(&self) -> f64 {
        self.flops as f64 / (self.ms * 1e6)
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
    pub iterations: Vec<IterationTiming>,
    /// The machine's rates, measured in the same run (`--no-matmul`: none).
    pub machine: Option<MachineRates>,
    pub sampler: Vec<SamplerTiming>,
    /// Threads the CPU work may use (rayon's pool).
    pub threads: usize,
    /// The towers timed, in words ("towers 48→[128]→64 and 32→[128]→64").
    pub model: String,
}

/// Records the run's timed seconds after each step (scoring, selection and the
/// step; not the diagnostics, which run untimed between them).
struct StepClock {
    ends: Vec<f64>,
}

impl Observer for StepClock {
    fn on_step(&mut self, _: usize, _: usize, train_seconds: f64) {
        self.ends.push(train_seconds);
    }
    fn on_eval(&mut self, _: &EvalRecord) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        Ok(())
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The configurations measured: (f, b, B).
fn configurations(opts: &BenchOptions) -> Vec<(f64, usize, usize)> {
    let mut out: Vec<(f64, usize, usize)> = opts
        .batch_sizes
        .iter()
        .flat_map(|&b| {
            opts.filter_ratios
                .iter()
                .map(move |&f| (f, b, (b as f64 / (1.0 - f)).round() as usize))
        })
        .collect();
    for &big_b in &opts.super_batches {
        let small_b = (big_b / 8).max(16) / 16 * 16;
        out.push((1.0 - small_b as f64 / big_b as f64, small_b, big_b));
    }
    out
}

/// Measures every configuration.
pub fn bench(opts: &BenchOptions) -> Result<BenchReport, RunError> {
    let exp = Experiment::parse(BENCH, std::path::Path::new("experiments/quickstart.yaml"))
        .expect("the embedded quickstart parses");
    let mut base = exp.cells[0].config.clone();
    base.train.steps = opts.warmup + opts.iters;
    base.train.warmup_steps = 0;
    base.eval.every = Some(base.train.steps);
    base.reference.steps = 200;
    if let Some(&f) = opts
        .filter_ratios
        .iter()
        .find(|&&f| !(0.0..0.99).contains(&f))
    {
        return Err(RunError::Unsupported(format!(
            "--filter-ratios {f}: give ratios in [0, 0.99)"
        )));
    }
    let chunks = base.train.n_chunks;
    if let Some(&b) = opts
        .batch_sizes
        .iter()
        .find(|&&b| b < chunks || b > MAX_BATCH || b % chunks != 0)
    {
        return Err(RunError::Unsupported(format!(
            "--batch-sizes {b}: give multiples of {chunks} (JEST's chunks) from {chunks} to {MAX_BATCH}"
        )));
    }
    // A super-batch B is timed with b = B/8, which must itself be a batch size
    // the bench times.
    let largest_super = 8 * MAX_BATCH;
    if let Some(&big) = opts
        .super_batches
        .iter()
        .find(|&&x| !(128..=largest_super).contains(&x))
    {
        return Err(RunError::Unsupported(format!(
            "--super-batches {big}: give sizes from 128 to {largest_super} (each is timed \
             with b = B/8, at most {MAX_BATCH})"
        )));
    }
    if let Some((width, depth)) = opts.width {
        if !(2..=MAX_WIDTH).contains(&width) || !(1..=MAX_DEPTH).contains(&depth) {
            return Err(RunError::Unsupported(format!(
                "--width {width} --depth {depth}: give a width from 2 to {MAX_WIDTH} and a depth \
                 from 1 to {MAX_DEPTH}"
            )));
        }
        (base.model.hidden, base.model.embed) = crate::model::ModelSpec::ladder(width, depth);
    }
    let configs = configurations(opts);
    if let Some(&(f, b, big_b)) = configs.iter().find(|c| c.2 > MAX_SUPER_BATCH) {
        return Err(RunError::Unsupported(format!(
            "b = {b} at f = {f} needs a super-batch of {big_b}; at most {MAX_SUPER_BATCH}"
        )));
    }
    // The pool holds every super-batch asked for.
    let largest = configs.iter().map(|c| c.2).max().unwrap_or(0);
    if let Some(s) = base.dataset.synthetic.as_mut() {
        s.pool = s.pool.max(largest);
    }
    let data = Dataset::build(&base.dataset, &exp.base_dir).map_err(|source| RunError::Data {
        experiment: exp.path.clone(),
        source,
    })?;
    let machine = opts.matmul_rate.then(|| MachineRates::measure(2048));
    let job = Iterations {
        base: &base,
        data: &data,
        opts,
        configs,
    };
    let iterations = with_device(opts.device, job)?.map_err(RunError::Reference)?;
    Ok(BenchReport {
        iterations,
        machine,
        sampler: if opts.sampler {
            sampler_scaling()
        } else {
            Vec::new()
        },
        threads: rayon::current_num_threads(),
        model: format!(
            "towers {}→{:?}→{e} and {}→{:?}→{e}",
            data.dim_a(),
            base.model.hidden,
            data.dim_b(),
            base.model.hidden,
            e = base.model.embed
        ),
    })
}

struct Iterations<'a> {
    base: &'a RunConfig,
    data: &'a Dataset,
    opts: &'a BenchOptions,
    configs: Vec<(f64, usize, usize)>,
}

impl DeviceJob for Iterations<'_> {
    type Output = Result<Vec<IterationTiming>, TrainError>;

    fn run<D: Backend>(self, dev: &D) -> Self::Output {
        let (base, data, opts) = (self.base, self.data, self.opts);
        let mut selectors = vec![SelectorName::UNIFORM];
        selectors.extend(
            timed_selectors()
                .into_iter()
                .filter(|s| *s != SelectorName::UNIFORM && opts.selectors.contains(s)),
        );
        let r = reference::train(dev, base, data)?;
        let model = ModelCost::of(&Layout::new(&base.model, data.dim_a(), data.dim_b()));
        let mut out = Vec::new();
        for (f, b, big_b) in self.configs {
            let mut uniform_flops = 0u64;
            for &sel in &selectors {
                let mut c = base.clone();
                c.train.batch_size = b;
                c.train.filter_ratio = None;
                c.train.super_batch = Some(big_b);
                c.train.selector = sel;
                let mut clock = StepClock { ends: Vec::new() };
                crate::system::reset_peak_rss();
                let reference = sel.scores().then_some(&r);
                // Where `run` trains: on the CPU, on a worker of the thread pool.
                let rec =
                    dev.run_pooled(|dev| train::run(dev, &c, 0, data, reference, &mut clock))?;
                let peak_mib = crate::system::peak_rss_mib();
                let times: Vec<f64> = clock
                    .ends
                    .windows(2)
                    .skip(opts.warmup.saturating_sub(1))
                    .map(|w| (w[1] - w[0]) * 1e3)
                    .collect();
                let ms = median(times.clone());
                let flops = iteration_cost(&model, &c.train).executed();
                if sel == SelectorName::UNIFORM {
                    uniform_flops = flops;
                }
                out.push(IterationTiming {
                    filter_ratio: f,
                    super_batch: big_b,
                    batch: b,
                    method: c.train.method(),
                    ms,
                    ms_min: times.iter().copied().fold(f64::INFINITY, f64::min),
                    ms_max: times.iter().copied().fold(0.0, f64::max),
                    vs_uniform: f64::NAN,
                    flops,
                    floor: flops as f64 / uniform_flops as f64,
                    scoring_share: (rec.select_seconds - rec.sample_seconds) / rec.train_seconds,
                    sampling_share: rec.sample_seconds / rec.train_seconds,
                    peak_mib,
                });
            }
        }
        for i in 0..out.len() {
            let uniform: Vec<f64> = out
                .iter()
                .filter(|t| t.method == Method::UNIFORM && t.batch == out[i].batch)
                .map(|t| t.ms)
                .collect();
            out[i].vs_uniform = out[i].ms / median(uniform);
        }
        Ok(out)
    }
}

/// The joint sampler alone on a whole score matrix (n_chunks = 16, b = B/8, gain
/// 100), median of 7.
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
                    let s = jest.select(Candidates::scored(&a), small_b, &mut r);
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
