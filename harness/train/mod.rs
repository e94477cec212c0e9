/*!
One run, top to bottom: build the learner, stream super-batches from the web pool,
score them when the selector asks, let it choose the learning batch, take an AdamW
step, and evaluate every `eval.every` steps. Each evaluation goes to an [`Observer`]
(the CLI's CSV writer and progress bar) as an [`EvalRecord`]; a non-finite loss ends
the run as `Diverged`.

The reference model is trained by the same loop ([`reference::train`]) on its own
data, once, and its per-example embeddings are cached.

Host↔device traffic per step: the super-batch's indices go to the device (B usizes),
the score matrix A comes back (B² floats) when the selector scores, the chosen
indices go back (b usizes), and the loss and gradient norm come back (two scalars).
*/

pub mod eval;
pub mod flops;
pub mod reference;

use std::time::Instant;

use dfdx::prelude::*;

use crate::data::{rng, Dataset, Pairs};
use crate::model::{loss, optim, scalar_value, to_device, Layout, Mat, TwoTower};
use crate::score::{self, CachedReference, ScoreMatrix};
use crate::select;
use crate::spec::{ModelSpec, RunConfig, Scoring, TrainSpec};

pub use eval::{EvalMetrics, EvalSet};
pub use flops::{FlopCounts, IterationCost};
pub use reference::{Reference, ReferenceCost};

/// Where a run stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunStatus {
    Running,
    Complete,
    /// The loss became NaN or infinite at this record's step.
    Diverged,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Complete => "complete",
            RunStatus::Diverged => "diverged",
        }
    }
}

/// The state of a run at an evaluation point.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalRecord {
    pub step: usize,
    pub examples_trained: u64,
    pub examples_scored: u64,
    pub flops: FlopCounts,
    /// Seconds spent training (scoring and selection included, evaluation excluded).
    pub train_seconds: f64,
    /// Of which: scoring the super-batch and choosing the batch.
    pub select_seconds: f64,
    /// Of which: the sampling step alone (the selector's call on the host).
    pub sample_seconds: f64,
    /// Seconds spent evaluating so far.
    pub eval_seconds: f64,
    /// Mean training loss since the previous record (NaN at step 0).
    pub train_loss: f64,
    pub metrics: EvalMetrics,
    /// Mean, over the iterations since the previous record, of the learning batch's
    /// learnability Σ_{i,j∈S} A_ij / b (NaN when nothing was scored).
    pub selected_learnability: f64,
    /// The same for a uniformly drawn batch of the super-batch (NaN when not scored).
    pub superbatch_learnability: f64,
    /// The reference model's held-out zero-shot accuracy (NaN without a reference).
    pub reference_score: f64,
    /// Seconds spent training and embedding the reference (shared by all its runs).
    pub reference_seconds: f64,
    pub status: RunStatus,
}

/// Receives a run's progress.
pub trait Observer {
    /// After every training step (cheap: called in the loop).
    fn on_step(&mut self, _step: usize, _total: usize) {}
    /// At every evaluation point; an error stops the run.
    fn on_eval(
        &mut self,
        record: &EvalRecord,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>>;
}

/// Ignores everything (the reference's own training).
pub struct Silent;

impl Observer for Silent {
    fn on_eval(&mut self, _: &EvalRecord) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        Ok(())
    }
}

/// Why a run could not finish (a divergence is not an error: it is a status).
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error("could not record results: {0}")]
    Observer(Box<dyn std::error::Error + Send + Sync>),
    #[error("selector `{0}` scores super-batches but no reference model was given")]
    NoReference(&'static str),
}

/// An endless stream of super-batches: a seeded permutation of the pool per epoch,
/// cut into consecutive blocks of B (an epoch's tail shorter than B is skipped).
pub struct SuperBatchStream {
    order: Vec<usize>,
    pos: usize,
    rng: rand_chacha::ChaCha8Rng,
}

impl SuperBatchStream {
    pub fn new(pool: usize, seed: u64) -> Self {
        let mut rng = rng::chacha(seed, rng::stream::ORDER);
        let order = rng::permutation(&mut rng, pool);
        SuperBatchStream { order, pos: 0, rng }
    }

    pub fn next_block(&mut self, size: usize) -> &[usize] {
        if self.pos + size > self.order.len() {
            self.order = rng::permutation(&mut self.rng, self.order.len());
            self.pos = 0;
        }
        self.pos += size;
        &self.order[self.pos - size..self.pos]
    }
}

/// Trains one (config, seed) run of the learner on `data`'s web pool.
pub fn run<D: Device<f32>>(
    dev: &D,
    config: &RunConfig,
    seed: u64,
    data: &Dataset,
    reference: Option<&Reference>,
    observer: &mut dyn Observer,
) -> Result<EvalRecord, TrainError> {
    let selector = select::build(&config.train);
    if selector.needs_scores() && reference.is_none() {
        return Err(TrainError::NoReference(selector.name()));
    }
    let eval_set = EvalSet::new(
        dev,
        &data.eval,
        &data.prototypes,
        data.n_classes,
        config.train.batch_size,
    );
    let fit = Fit {
        model: &config.model,
        train: &config.train,
        eval_every: config.eval.every,
        seed,
    };
    fit.train_model(
        dev, data, &data.pool, &eval_set, selector, reference, observer,
    )
    .map(|(_, record)| record)
}

/// What one call of the training loop needs besides the data.
pub(crate) struct Fit<'a> {
    pub model: &'a ModelSpec,
    pub train: &'a TrainSpec,
    pub eval_every: usize,
    pub seed: u64,
}

/// Learnability sums over the iterations since the last record.
#[derive(Default)]
struct Window {
    loss: (f64, usize),
    selected: (f64, usize),
    superbatch: (f64, usize),
}

fn mean((sum, n): (f64, usize)) -> f64 {
    if n == 0 {
        f64::NAN
    } else {
        sum / n as f64
    }
}

impl Fit<'_> {
    /// Trains a fresh model on `pool`; returns it with its last record.
    #[allow(clippy::too_many_arguments)]
    fn train_model<D: Device<f32>>(
        &self,
        dev: &D,
        data: &Dataset,
        pool: &Pairs,
        eval_set: &EvalSet<D>,
        mut selector: Box<dyn select::Selector>,
        reference: Option<&Reference>,
        observer: &mut dyn Observer,
    ) -> Result<(TwoTower<D>, EvalRecord), TrainError> {
        let t = self.train;
        let (b, super_b) = (t.batch_size, t.super_batch());

        // ---- setup: model, optimiser, data on the device ----
        let mut model = TwoTower::init(dev, self.model, data.dim_a(), data.dim_b(), self.seed);
        let mut opt = optim::AdamW::new(dev, &model.layout, t);
        let pool_a: Mat<D> = to_device(dev, &pool.a);
        let pool_b: Mat<D> = to_device(dev, &pool.b);
        let eye_b = loss::identity(dev, b);
        let eye_super = loss::identity(dev, super_b);
        let cached: Option<CachedReference<D>> = reference.map(|r| r.to_device(dev));
        let mut stream = SuperBatchStream::new(pool.len(), self.seed);
        let mut select_rng = rng::chacha(self.seed, rng::stream::SELECT);
        let scores = selector.needs_scores();
        let (needs_l, needs_r) = if scores {
            score::needs(t.scoring)
        } else {
            (false, false)
        };
        let cost = IterationCost::new(&model.layout, b, super_b, needs_l);
        let ref_layout = reference.map(|_| Layout::new(self.model, data.dim_a(), data.dim_b()));
        let charged = reference.filter(|_| needs_r);

        let mut record = EvalRecord {
            step: 0,
            examples_trained: 0,
            examples_scored: 0,
            // A reference's costs are charged only to runs that score with it (a
            // uniform run may use it for its logged learnability alone).
            flops: FlopCounts {
                reference_training: charged.map_or(0, |r| r.cost.train_flops),
                reference_embedding: charged.map_or(0, |r| r.cost.embed_flops),
                ..FlopCounts::default()
            },
            train_seconds: 0.0,
            select_seconds: 0.0,
            sample_seconds: 0.0,
            eval_seconds: 0.0,
            train_loss: f64::NAN,
            metrics: eval_set.evaluate(&model),
            selected_learnability: f64::NAN,
            superbatch_learnability: f64::NAN,
            reference_score: reference.map_or(f64::NAN, |r| r.metrics.zero_shot_accuracy),
            reference_seconds: reference
                .map_or(0.0, |r| r.cost.train_seconds + r.cost.embed_seconds),
            status: RunStatus::Running,
        };
        observer.on_eval(&record).map_err(TrainError::Observer)?;
        let mut window = Window::default();

        // ---- the loop ----
        for step in 0..t.steps {
            let started = Instant::now();
            let block = stream.next_block(super_b).to_vec();

            // Score the super-batch (device), choose on the host.
            let a = if scores {
                // Host → device: the B candidate indices.
                let idx = dev.tensor_from_vec(block.clone(), (super_b,));
                let l = needs_l.then(|| {
                    score::learner_matrix(
                        &model,
                        pool_a.clone().gather(idx.clone()),
                        pool_b.clone().gather(idx.clone()),
                        &eye_super,
                    )
                });
                let r = needs_r.then(|| {
                    score::reference_matrix(cached.as_ref().expect("checked"), &idx, &eye_super)
                });
                // Device → host: A, B² floats.
                Some(ScoreMatrix::new(
                    super_b,
                    score::combine(t.scoring, l, r).as_vec(),
                ))
            } else {
                None
            };
            let sampling = Instant::now();
            let selection = selector.select(a.as_ref(), super_b, b, &mut select_rng);
            record.sample_seconds += sampling.elapsed().as_secs_f64();
            let chosen: Vec<usize> = selection.chosen.iter().map(|&i| block[i]).collect();
            record.select_seconds += started.elapsed().as_secs_f64();
            if let Some(a) = &a {
                window.selected.0 += a.batch_learnability(&selection.chosen);
                window.selected.1 += 1;
                window.superbatch.0 += a.mean_learnability(b);
                window.superbatch.1 += 1;
            }

            // Host → device: the b chosen indices. A fresh forward with gradients.
            let idx = dev.tensor_from_vec(chosen, (b,));
            let xa: Mat<D> = pool_a.clone().gather(idx.clone());
            let xb: Mat<D> = pool_b.clone().gather(idx.clone());
            let theta = model.theta.leaky_trace();
            let emb = model.embed(&theta, xa.clone(), xb.clone());
            let batch_loss = loss::batch_loss(model.logits(&theta, emb), &eye_b);
            // Device → host: the loss, to detect divergence.
            let loss_value = scalar_value(&batch_loss) as f64;

            record.step = step + 1;
            record.examples_trained += b as u64;
            record.flops.train += cost.train;
            record.flops.learner_scoring += cost.learner_scoring;
            if scores {
                record.examples_scored += super_b as u64;
            }
            if let (true, Some(rl)) = (needs_r, &ref_layout) {
                record.flops.reference_scoring_cached += rl.similarity_flops(super_b);
                record.flops.reference_scoring_uncached += rl.forward_flops(super_b);
            }
            if !loss_value.is_finite() {
                record.train_seconds += started.elapsed().as_secs_f64();
                record.train_loss = loss_value;
                record.status = RunStatus::Diverged;
                // Nothing was evaluated at this step: its metrics are empty.
                record.metrics = EvalMetrics::undefined();
                record.selected_learnability = f64::NAN;
                record.superbatch_learnability = f64::NAN;
                observer.on_eval(&record).map_err(TrainError::Observer)?;
                return Ok((model, record));
            }
            let grads = batch_loss.backward();
            let grad = grads.get(&model.theta);
            let lr = optim::learning_rate(t.lr, t.warmup_steps, t.steps, step);
            opt.step(&mut model.theta, grad, lr);
            record.train_seconds += started.elapsed().as_secs_f64();
            window.loss.0 += loss_value;
            window.loss.1 += 1;

            // Uniform does not score; when a reference exists, measure its batch's
            // learnability on the b chosen pairs, outside the timed and counted work.
            if !scores {
                if let Some(c) = &cached {
                    let a = diagnostic_scores(&model, c, t.scoring, xa, xb, &idx, &eye_b);
                    window.selected.0 += a.batch_learnability(&(0..b).collect::<Vec<_>>());
                    window.selected.1 += 1;
                }
            }
            observer.on_step(step + 1, t.steps);

            let last = step + 1 == t.steps;
            if (step + 1) % self.eval_every == 0 || last {
                let eval_started = Instant::now();
                record.metrics = eval_set.evaluate(&model);
                record.eval_seconds += eval_started.elapsed().as_secs_f64();
                record.train_loss = mean(window.loss);
                record.selected_learnability = mean(window.selected);
                record.superbatch_learnability = mean(window.superbatch);
                window = Window::default();
                if last {
                    record.status = RunStatus::Complete;
                }
                observer.on_eval(&record).map_err(TrainError::Observer)?;
            }
        }
        Ok((model, record))
    }
}

/// A over a learning batch the selector did not score (uniform's diagnostic).
fn diagnostic_scores<D: Device<f32>>(
    model: &TwoTower<D>,
    reference: &CachedReference<D>,
    rule: Scoring,
    xa: Mat<D>,
    xb: Mat<D>,
    idx: &Tensor<(usize,), usize, D>,
    eye: &Mat<D>,
) -> ScoreMatrix {
    let (needs_l, needs_r) = score::needs(rule);
    let l = needs_l.then(|| score::learner_matrix(model, xa, xb, eye));
    let r = needs_r.then(|| score::reference_matrix(reference, idx, eye));
    ScoreMatrix::new(eye.shape().0, score::combine(rule, l, r).as_vec())
}
