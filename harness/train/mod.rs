/*!
One run, top to bottom: build the learner, stream super-batches from the web pool,
let the selector choose each learning batch, take an AdamW step, and evaluate every
`eval.every` steps. Each evaluation is handed to an [`Observer`] (the CLI's CSV writer
and progress bar) as an [`EvalRecord`]; a non-finite loss ends the run as `Diverged`.

Host↔device traffic per step: the chosen indices go to the device (b usizes) and
the loss and gradient norm come back (two scalars). Data stays on the device.
*/

pub mod eval;
pub mod flops;

use std::time::Instant;

use dfdx::prelude::*;

use crate::data::{rng, Dataset};
use crate::model::{loss, optim, scalar_value, to_device, Mat, TwoTower};
use crate::select;
use crate::spec::RunConfig;

pub use eval::{EvalMetrics, EvalSet};
pub use flops::{FlopCounts, IterationCost};

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
    /// Seconds spent training (selection included, evaluation excluded).
    pub train_seconds: f64,
    /// Of which: choosing the batch (scoring and sampling).
    pub select_seconds: f64,
    /// Seconds spent evaluating so far.
    pub eval_seconds: f64,
    /// Mean training loss since the previous record (NaN at step 0).
    pub train_loss: f64,
    pub metrics: EvalMetrics,
    /// Mean over iterations of the chosen batch's learnability (NaN if not scored).
    pub selected_learnability: f64,
    /// Mean over iterations of the super-batch's learnability (NaN if not scored).
    pub superbatch_learnability: f64,
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

/// Why a run could not finish (a divergence is not an error: it is a status).
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error("could not record results: {0}")]
    Observer(Box<dyn std::error::Error + Send + Sync>),
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

/// Trains one (config, seed) run on `data`, reporting to `observer`.
pub fn run<D: Device<f32>>(
    dev: &D,
    config: &RunConfig,
    seed: u64,
    data: &Dataset,
    observer: &mut dyn Observer,
) -> Result<EvalRecord, TrainError> {
    let t = &config.train;
    let (b, super_b) = (t.batch_size, t.super_batch());

    // ---- setup: model, optimiser, data on the device ----
    let mut model = TwoTower::init(dev, &config.model, data.dim_a(), data.dim_b(), seed);
    let mut opt = optim::AdamW::new(dev, &model.layout, t);
    let pool_a: Mat<D> = to_device(dev, &data.pool.a);
    let pool_b: Mat<D> = to_device(dev, &data.pool.b);
    let eval_set = EvalSet::new(dev, &data.eval, &data.prototypes, data.n_classes, b);
    let eye = loss::identity(dev, b);
    let mut stream = SuperBatchStream::new(data.pool.len(), seed);
    let mut select_rng = rng::chacha(seed, rng::stream::SELECT);
    let mut selector = select::build(t.selector);
    let cost = IterationCost::new(&model.layout, b, super_b, selector.needs_scores());

    let mut record = EvalRecord {
        step: 0,
        examples_trained: 0,
        examples_scored: 0,
        flops: FlopCounts::default(),
        train_seconds: 0.0,
        select_seconds: 0.0,
        eval_seconds: 0.0,
        train_loss: f64::NAN,
        metrics: eval_set.evaluate(&model),
        selected_learnability: f64::NAN,
        superbatch_learnability: f64::NAN,
        status: RunStatus::Running,
    };
    observer.on_eval(&record).map_err(TrainError::Observer)?;
    let (mut loss_sum, mut loss_count) = (0.0f64, 0usize);

    // ---- the loop ----
    for step in 0..t.steps {
        let started = Instant::now();
        let block = stream.next_block(super_b);
        let selection = selector.select(super_b, b, &mut select_rng);
        let chosen: Vec<usize> = selection.chosen.iter().map(|&i| block[i]).collect();
        record.select_seconds += started.elapsed().as_secs_f64();

        // Host → device: the b chosen indices.
        let idx = dev.tensor_from_vec(chosen, (b,));
        let xa: Mat<D> = pool_a.clone().gather(idx.clone());
        let xb: Mat<D> = pool_b.clone().gather(idx);
        let theta = model.theta.leaky_trace();
        let emb = model.embed(&theta, xa, xb);
        let batch_loss = loss::batch_loss(model.logits(&theta, emb), &eye);
        // Device → host: the loss, to detect divergence.
        let loss_value = scalar_value(&batch_loss) as f64;

        record.step = step + 1;
        record.examples_trained += b as u64;
        record.flops.train += cost.train;
        record.flops.learner_scoring += cost.learner_scoring;
        if cost.learner_scoring > 0 {
            record.examples_scored += super_b as u64;
        }
        if !loss_value.is_finite() {
            record.train_seconds += started.elapsed().as_secs_f64();
            record.train_loss = loss_value;
            record.status = RunStatus::Diverged;
            observer.on_eval(&record).map_err(TrainError::Observer)?;
            return Ok(record);
        }
        let grads = batch_loss.backward();
        let grad = grads.get(&model.theta);
        let lr = optim::learning_rate(t.lr, t.warmup_steps, t.steps, step);
        opt.step(&mut model.theta, grad, lr);
        record.train_seconds += started.elapsed().as_secs_f64();
        loss_sum += loss_value;
        loss_count += 1;
        observer.on_step(step + 1, t.steps);

        let last = step + 1 == t.steps;
        if (step + 1) % config.eval.every == 0 || last {
            let eval_started = Instant::now();
            record.metrics = eval_set.evaluate(&model);
            record.eval_seconds += eval_started.elapsed().as_secs_f64();
            record.train_loss = loss_sum / loss_count.max(1) as f64;
            (loss_sum, loss_count) = (0.0, 0);
            if last {
                record.status = RunStatus::Complete;
            }
            observer.on_eval(&record).map_err(TrainError::Observer)?;
        }
    }
    Ok(record)
}
