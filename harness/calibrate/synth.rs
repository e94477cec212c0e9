//! Synthetic learning curves with a known speed-up k (docs/methods.md §6): uniform follows
//! g(step), the selector g(k · step), plus run-level and point-level noise, as
//! results rows in the schema real runs write.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::log::{Common, Row};
use crate::method::Method;
use crate::train::JestRow;
use crate::train::RunStatus;

/// The curve's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// 0.3 + 0.4 (1 − e^(−s/τ)), τ = horizon / 3: concave, still rising at the end.
    Concave,
    /// 0.3 + 0.4 / (1 + e^(−(s − H/4)/(H/12))): slow start, fast middle, plateau.
    Sigmoid,
    /// Two phases: 0.3 + 0.25 (1 − e^(−s/(H/6))) + 0.15 σ((s − 0.6 H)/(H/20)): a
    /// rise, a plateau, and a late second rise (the selector's, k times sooner,
    /// is finer than a coarse evaluation grid).
    TwoPhase,
}

impl Shape {
    /// The noise-free score after `s` steps of a run whose reference horizon is `h`.
    pub fn g(self, s: f64, h: f64) -> f64 {
        match self {
            Shape::Concave => 0.3 + 0.4 * (1.0 - libm::exp(-s / (h / 3.0))),
            Shape::Sigmoid => {
                let z = |s: f64| 1.0 / (1.0 + libm::exp(-(s - h / 4.0) / (h / 12.0)));
                // Shifted so that g(0) is the floor.
                0.3 + 0.4 * (z(s) - z(0.0)) / (1.0 - z(0.0))
            }
            Shape::TwoPhase => {
                let z = |s: f64| 1.0 / (1.0 + libm::exp(-(s - 0.6 * h) / (h / 20.0)));
                0.3 + 0.25 * (1.0 - libm::exp(-s / (h / 6.0)))
                    + 0.15 * (z(s) - z(0.0)) / (1.0 - z(0.0))
            }
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Shape::Concave => "concave",
            Shape::Sigmoid => "sigmoid",
            Shape::TwoPhase => "two-phase",
        }
    }
}

/// Where runs evaluate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Grid {
    /// Every 100 of 1,000 steps (and step 0): the committed ablations' grid.
    Every100,
    /// 12 log-spaced points from step 10 to 1,000 (and step 0): `eval.log_points: 12`.
    Log12,
    /// 24 log-spaced points.
    Log24,
    /// A horizon sweep: 250 … 16,000 by doubling, each its own run with one final
    /// score; the speed-up is read at H = 4,000.
    Horizons,
}

impl Grid {
    pub fn name(self) -> &'static str {
        match self {
            Grid::Every100 => "every 100",
            Grid::Log12 => "12 log-spaced",
            Grid::Log24 => "24 log-spaced",
            Grid::Horizons => "horizon sweep",
        }
    }

    /// Evaluation steps of a 1,000-step run (step 0 first).
    pub fn steps(self) -> Vec<usize> {
        let spec = crate::train::EvalSpec {
            every: (self == Grid::Every100).then_some(100),
            at: None,
            log_points: match self {
                Grid::Log12 => Some(12),
                Grid::Log24 => Some(24),
                _ => None,
            },
        };
        let mut s = vec![0];
        s.extend(spec.steps(CURVE_STEPS));
        s
    }
}

pub const CURVE_STEPS: usize = 1000;
pub const HORIZONS: [usize; 7] = [250, 500, 1000, 2000, 4000, 8000, 16000];
/// The horizon of a sweep whose speed-up the calibration reads.
pub const READ_AT: f64 = 4000.0;
/// The reference horizon of the sweep's final-score curve: uniform's finals still
/// rise at 4,000 and level off towards 16,000.
const SWEEP_SCALE: f64 = 9000.0;

/// One synthetic experiment's design.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Design {
    pub shape: Shape,
    pub k: f64,
    /// Run-level (a per-run scale of the gain) and point-level noise sds.
    pub run_sd: f64,
    pub point_sd: f64,
    pub seeds: usize,
    pub grid: Grid,
    /// The selector's gain over the floor is this many times uniform's at the same
    /// progress (1: the same ceiling; above 1: a higher ceiling, the rate still k).
    pub ceiling: f64,
    /// A horizon sweep read where the protocol's forward rule says (docs/methods.md
    /// §7) instead of at `READ_AT`.
    pub forward: bool,
    /// Two-level noise (docs/methods.md §7): the seeds are `worlds` worlds of
    /// seeds / worlds learners each (0: every seed its own world, no world noise).
    /// A world scales each method's gain by its own draw of sd `world_sd` (in
    /// score units) and both by a shared one, so the speed-up varies by world; the
    /// expected curves, and so the truth, are those without it.
    pub worlds: usize,
    pub world_sd: f64,
    /// Whether the rows say which world a seed drew (false: the analysis sees
    /// independent seeds, as a flat bootstrap would).
    pub log_worlds: bool,
}

/// The x in [lo, hi] where increasing `f` crosses `target` (bisection).
fn solve(f: &dyn Fn(f64) -> f64, target: f64, mut lo: f64, mut hi: f64) -> f64 {
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

impl Design {
    /// The true speed-up to uniform's final score (the paper's reading) when read
    /// at budget `read_at` (a horizon sweep) or at the end of the one schedule: k
    /// when both ceilings agree; with a higher ceiling, uniform's steps over the
    /// selector's steps to uniform's level, found on the noise-free curves.
    pub fn truth(&self, read_at: f64) -> f64 {
        if self.ceiling == 1.0 {
            return self.k;
        }
        let (h, scale) = match self.grid {
            Grid::Horizons => (read_at, SWEEP_SCALE),
            _ => (CURVE_STEPS as f64, CURVE_STEPS as f64),
        };
        let gain = |s: f64| self.shape.g(s, scale) - 0.3;
        let target = gain(h);
        let s = solve(&|s| self.ceiling * gain(self.k * s), target, 0.0, h);
        h / s
    }

    /// The world of `seed`, where the design draws worlds.
    fn world_of(&self, seed: u64) -> Option<u64> {
        (self.worlds > 0).then(|| seed / (self.seeds / self.worlds).max(1) as u64)
    }

    /// The rows of one replicate (its own noise stream).
    pub fn rows(&self, replicate: u64) -> Vec<Row> {
        let mut rng = ChaCha8Rng::seed_from_u64(0xca11b ^ replicate.wrapping_mul(0x9e37_79b9));
        let mut normal = move || {
            // Box–Muller on the seeded stream.
            let (u1, u2): (f64, f64) = (rng.gen_range(f64::EPSILON..1.0), rng.gen());
            libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(std::f64::consts::TAU * u2)
        };
        // Per world: a shared gain factor and one per method (none without worlds,
        // so that those designs keep their streams).
        let effects: Vec<[f64; 3]> = (0..self.worlds)
            .map(|_| [normal(), normal(), normal()])
            .collect();
        let mut rows = Vec::new();
        for (mi, (method, k, c)) in [
            (Method::UNIFORM, 1.0, 1.0),
            (Method::JEST, self.k, self.ceiling),
        ]
        .into_iter()
        .enumerate()
        {
            for seed in 0..self.seeds as u64 {
                let world = self.world_of(seed);
                let shift = world.map_or(0.0, |w| {
                    let e = effects[w as usize];
                    self.world_sd * (e[0] + e[1 + mi]) / std::f64::consts::SQRT_2
                });
                let logged = world.filter(|_| self.log_worlds);
                let row = |method, seed, h, step, score, sweep: &str| {
                    let mut r = row(method, seed, h, step, score, sweep);
                    if let Some(j) = r.get_mut::<JestRow>() {
                        j.world = logged;
                    }
                    r
                };
                if self.grid == Grid::Horizons {
                    let run = self.run_sd * normal() + shift;
                    for &h in &HORIZONS {
                        let gain = c * (self.shape.g(k * h as f64, SWEEP_SCALE) - 0.3);
                        let y = 0.3 + gain * (1.0 + run / 0.4) + self.point_sd * normal();
                        let sweep = format!("train.selector={method};train.steps={h}");
                        for (step, score) in [(0, 0.3 + self.point_sd * normal()), (h, y)] {
                            rows.push(row(method, seed, h, step, score, &sweep));
                        }
                    }
                } else {
                    let run = self.run_sd * normal() + shift;
                    let sweep = format!("train.selector={method}");
                    for step in self.grid.steps() {
                        let gain = c * (self.shape.g(k * step as f64, CURVE_STEPS as f64) - 0.3);
                        let y = 0.3 + gain * (1.0 + run / 0.4) + self.point_sd * normal();
                        rows.push(row(method, seed, CURVE_STEPS, step, y, &sweep));
                    }
                }
            }
        }
        rows
    }
}

/// A results row of the synthetic experiment `calibration`.
fn row(method: Method, seed: u64, horizon: usize, step: usize, score: f64, sweep: &str) -> Row {
    let hash = format!("{method}-{horizon}");
    // FLOPs: a uniform step costs 3 units, a selector's 4 (any fixed ratio will do).
    let per_step: u64 = if method == Method::UNIFORM { 3 } else { 4 };
    Row::new(JestRow {
        common: Common {
            experiment: "calibration".into(),
            run_id: format!("{hash}-s{seed}"),
            config_hash: hash,
            seed,
            method,
            batch_size: 64,
            sweep: sweep.into(),
            step,
            examples_trained: 64 * step as u64,
            flops_train: per_step * step as u64,
            train_seconds: step as f64 * 1e-3,
            eval_score: Some(score),
            status: RunStatus::Complete,
            device: "synthetic".into(),
            ..Common::default()
        },
        scoring: "learnability".into(),
        filter_ratio: if method == Method::UNIFORM { 0.0 } else { 0.8 },
        super_batch: 320,
        n_chunks: 16,
        gain: 100.0,
        reference_quality: 1.0,
        score_resolution: 1,
        low_resolution: 1,
        low_res_share: 0.0,
        examples_scored: 320 * step as u64,
        flops_paper: per_step * step as u64,
        ..JestRow::default()
    })
}
