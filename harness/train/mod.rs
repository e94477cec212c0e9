/*!
One run, top to bottom (open_clip's `train_one_epoch`, big_vision's `update_fn`):
each iteration draws a super-batch from the web pool and goes through four named
steps over one [`Learner`] state —

1. [`Learner::score_super_batch`]: the score matrix A, when the selector asks;
2. [`Learner::select`]: the selector picks the learning batch;
3. [`Learner::train_step`]: one AdamW step on it (a non-finite loss ends the run
   as `Diverged`);
4. [`Learner::diagnostics`]: what the batch was worth, outside the timed work;

and at every evaluation point [`Learner::evaluate`] hands an [`EvalRecord`] to the
[`Observer`] (the run pipeline's CSV writer and progress bar).

The reference model is trained by the same loop ([`reference::train`]) on its own
data, once, and its per-example embeddings are cached.

Host↔device traffic per step: the super-batch's indices go to the device (B usizes),
the score matrix A comes back (B² floats) when the selector scores, the chosen
indices go back (b usizes), and the loss comes back (one scalar).
*/

pub mod eval;
pub mod reference;
mod stream;

use std::time::Instant;

use dfdx::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::{rng, Dataset, Pairs};
use crate::experiment::{ModelSpec, RunConfig, TrainSpec};
use crate::flops::{FlopCounts, IterationCost, ModelCost};
use crate::model::{loss, optim, scalar_value, to_device, Indices, Mat, TwoTower};
use crate::score::{self, CachedReference, ScoreMatrix};
use crate::select::{self, Selector};

pub use eval::{EvalMetrics, EvalSet};
pub use reference::{Reference, ReferenceCost};
pub use stream::SuperBatchStream;

/// Where a run stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    #[default]
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
    let recipe = Recipe {
        model: &config.model,
        train: &config.train,
        eval_every: config.eval.every,
        seed,
    };
    let learner = Learner::new(dev, &recipe, data, &data.pool, selector, reference);
    learner
        .fit(&recipe, &eval_set, observer)
        .map(|(_, record)| record)
}

/// What one call of the training loop trains: the model, the recipe, the seed.
pub(crate) struct Recipe<'a> {
    pub model: &'a ModelSpec,
    pub train: &'a TrainSpec,
    pub eval_every: usize,
    pub seed: u64,
}

impl Recipe<'_> {
    fn is_eval_point(&self, step: usize) -> bool {
        step.is_multiple_of(self.eval_every) || step == self.train.steps
    }
}

/// Sums over the iterations since the last record.
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

/// Which matrices score the super-batch (none for a selector that does not score).
#[derive(Clone, Copy)]
struct ScoredBy {
    learner: bool,
    reference: bool,
}

/// One run's state: the model and optimiser, the pool on the device, the stream,
/// the selector and its random stream, and what has been recorded so far.
pub(crate) struct Learner<'a, D: Device<f32>> {
    dev: D,
    train: &'a TrainSpec,
    model: TwoTower<D>,
    opt: optim::AdamW<D>,
    pool_a: Mat<D>,
    pool_b: Mat<D>,
    eye_b: Mat<D>,
    eye_super: Mat<D>,
    cached: Option<CachedReference<D>>,
    stream: SuperBatchStream,
    select_rng: rand_chacha::ChaCha8Rng,
    selector: Box<dyn Selector>,
    scoring: ScoredBy,
    cost: IterationCost,
    record: EvalRecord,
    window: Window,
}

/// The outcome of one optimiser step.
enum Step {
    Taken,
    Diverged,
}

impl<'a, D: Device<f32>> Learner<'a, D> {
    /// A fresh model on `pool`, scored (when the selector asks) against `reference`.
    pub(crate) fn new(
        dev: &D,
        recipe: &Recipe<'a>,
        data: &Dataset,
        pool: &Pairs,
        selector: Box<dyn Selector>,
        reference: Option<&Reference>,
    ) -> Self {
        let t = recipe.train;
        let (b, super_b) = (t.batch_size, t.super_batch());
        let model = TwoTower::init(dev, recipe.model, data.dim_a(), data.dim_b(), recipe.seed);
        let opt = optim::AdamW::new(dev, &model.layout, t);
        let (learner, reference_scores) = if selector.needs_scores() {
            score::needs(t.scoring)
        } else {
            (false, false)
        };
        let cost = IterationCost::new(
            &ModelCost::of(&model.layout),
            b,
            super_b,
            learner,
            reference_scores,
        );
        // A reference's costs are charged only to runs that score with it (a
        // uniform run may use it for its logged learnability alone).
        let charged = reference.filter(|_| reference_scores);
        let record = EvalRecord {
            step: 0,
            examples_trained: 0,
            examples_scored: 0,
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
            metrics: EvalMetrics::undefined(),
            selected_learnability: f64::NAN,
            superbatch_learnability: f64::NAN,
            reference_score: reference.map_or(f64::NAN, |r| r.metrics.zero_shot_accuracy),
            reference_seconds: reference
                .map_or(0.0, |r| r.cost.train_seconds + r.cost.embed_seconds),
            status: RunStatus::Running,
        };
        Learner {
            dev: dev.clone(),
            train: t,
            opt,
            pool_a: to_device(dev, &pool.a),
            pool_b: to_device(dev, &pool.b),
            eye_b: loss::identity(dev, b),
            eye_super: loss::identity(dev, super_b),
            cached: reference.map(|r| r.to_device(dev)),
            stream: SuperBatchStream::new(pool.len(), recipe.seed),
            select_rng: rng::chacha(recipe.seed, rng::stream::SELECT),
            selector,
            scoring: ScoredBy {
                learner,
                reference: reference_scores,
            },
            cost,
            record,
            window: Window::default(),
            model,
        }
    }

    /// The whole loop; returns the trained model and its last record.
    pub(crate) fn fit(
        mut self,
        recipe: &Recipe,
        eval_set: &EvalSet<D>,
        observer: &mut dyn Observer,
    ) -> Result<(TwoTower<D>, EvalRecord), TrainError> {
        self.record.metrics = eval_set.evaluate(&self.model);
        observer
            .on_eval(&self.record)
            .map_err(TrainError::Observer)?;
        let steps = self.train.steps;
        for step in 0..steps {
            let started = Instant::now();
            let block = self.stream.next_block(self.train.super_batch()).to_vec();
            let scores = self.score_super_batch(&block);
            let chosen = self.select(scores.as_ref(), &block);
            self.record.select_seconds += started.elapsed().as_secs_f64();
            let (xa, xb, idx) = self.gather(&chosen);
            let outcome = self.train_step(step, xa.clone(), xb.clone());
            self.record.train_seconds += started.elapsed().as_secs_f64();
            if let Step::Diverged = outcome {
                observer
                    .on_eval(&self.record)
                    .map_err(TrainError::Observer)?;
                return Ok((self.model, self.record));
            }
            self.diagnostics(xa, xb, &idx);
            observer.on_step(step + 1, steps);
            if recipe.is_eval_point(step + 1) {
                self.evaluate(eval_set);
                observer
                    .on_eval(&self.record)
                    .map_err(TrainError::Observer)?;
            }
        }
        Ok((self.model, self.record))
    }

    /// Step 1: A over the super-batch `block`, when the selector scores (device work;
    /// A crosses to the host once, B² floats).
    fn score_super_batch(&self, block: &[usize]) -> Option<ScoreMatrix> {
        let ScoredBy { learner, reference } = self.scoring;
        if !(learner || reference) {
            return None;
        }
        let n = block.len();
        let idx = self.dev.tensor_from_vec(block.to_vec(), (n,));
        let l = learner.then(|| {
            score::learner_matrix(
                &self.model,
                self.pool_a.clone().gather(idx.clone()),
                self.pool_b.clone().gather(idx.clone()),
                &self.eye_super,
            )
        });
        let r = reference.then(|| {
            let cached = self
                .cached
                .as_ref()
                .expect("checked: a scoring run has a reference");
            score::reference_matrix(cached, &idx, &self.eye_super)
        });
        Some(ScoreMatrix::new(
            n,
            score::combine(self.train.scoring, l, r).as_vec(),
        ))
    }

    /// Step 2: the selector's choice, as pool indices; logs the batch's learnability
    /// and that of a uniform draw from the same super-batch.
    fn select(&mut self, scores: Option<&ScoreMatrix>, block: &[usize]) -> Vec<usize> {
        let b = self.train.batch_size;
        let sampling = Instant::now();
        let selection = self
            .selector
            .select(scores, block.len(), b, &mut self.select_rng);
        self.record.sample_seconds += sampling.elapsed().as_secs_f64();
        if let Some(a) = scores {
            self.window.selected.0 += a.batch_learnability(&selection.chosen);
            self.window.selected.1 += 1;
            self.window.superbatch.0 += a.mean_learnability(b);
            self.window.superbatch.1 += 1;
        }
        selection.chosen.iter().map(|&i| block[i]).collect()
    }

    /// The chosen pairs' inputs on the device (host → device: b indices).
    fn gather(&self, chosen: &[usize]) -> (Mat<D>, Mat<D>, Indices<D>) {
        let idx = self.dev.tensor_from_vec(chosen.to_vec(), (chosen.len(),));
        let xa: Mat<D> = self.pool_a.clone().gather(idx.clone());
        let xb: Mat<D> = self.pool_b.clone().gather(idx.clone());
        (xa, xb, idx)
    }

    /// Step 3: a fresh forward with gradients on the chosen batch, then AdamW; the
    /// iteration's costs are counted. A non-finite loss marks the run diverged.
    fn train_step(&mut self, step: usize, xa: Mat<D>, xb: Mat<D>) -> Step {
        let t = self.train;
        let theta = self.model.theta.leaky_trace();
        let emb = self.model.embed(&theta, xa, xb);
        let batch_loss = loss::batch_loss(self.model.logits(&theta, emb), &self.eye_b);
        // Device → host: the loss, to detect divergence.
        let loss_value = scalar_value(&batch_loss) as f64;
        let r = &mut self.record;
        r.step = step + 1;
        r.examples_trained += t.batch_size as u64;
        if self.scoring.learner || self.scoring.reference {
            r.examples_scored += t.super_batch() as u64;
        }
        r.flops.add(&self.cost);
        if !loss_value.is_finite() {
            r.train_loss = loss_value;
            r.status = RunStatus::Diverged;
            // Nothing was evaluated at this step: its metrics are empty.
            r.metrics = EvalMetrics::undefined();
            r.selected_learnability = f64::NAN;
            r.superbatch_learnability = f64::NAN;
            return Step::Diverged;
        }
        let grads = batch_loss.backward();
        let grad = grads.get(&self.model.theta);
        let lr = optim::learning_rate(t.lr, t.warmup_steps, t.steps, step);
        self.opt.step(&mut self.model.theta, grad, lr);
        self.window.loss.0 += loss_value;
        self.window.loss.1 += 1;
        Step::Taken
    }

    /// Step 4: a selector that does not score logs its batch's learnability too,
    /// when a reference exists, outside the timed and counted work.
    fn diagnostics(&mut self, xa: Mat<D>, xb: Mat<D>, idx: &Indices<D>) {
        let scored = self.scoring.learner || self.scoring.reference;
        let (Some(cached), false) = (&self.cached, scored) else {
            return;
        };
        let rule = self.train.scoring;
        let (needs_l, needs_r) = score::needs(rule);
        let l = needs_l.then(|| score::learner_matrix(&self.model, xa, xb, &self.eye_b));
        let r = needs_r.then(|| score::reference_matrix(cached, idx, &self.eye_b));
        let b = self.train.batch_size;
        let a = ScoreMatrix::new(b, score::combine(rule, l, r).as_vec());
        self.window.selected.0 += a.batch_learnability(&(0..b).collect::<Vec<_>>());
        self.window.selected.1 += 1;
    }

    /// At an evaluation point: held-out metrics and the window's means.
    fn evaluate(&mut self, eval_set: &EvalSet<D>) {
        let started = Instant::now();
        let r = &mut self.record;
        r.metrics = eval_set.evaluate(&self.model);
        r.eval_seconds += started.elapsed().as_secs_f64();
        r.train_loss = mean(self.window.loss);
        r.selected_learnability = mean(self.window.selected);
        r.superbatch_learnability = mean(self.window.superbatch);
        self.window = Window::default();
        if r.step == self.train.steps {
            r.status = RunStatus::Complete;
        }
    }
}
