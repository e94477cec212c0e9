//! One run's state and the named steps of an iteration over it.

use std::time::Instant;

use super::diagnostics::{mean, same_label_share, shares, Window};
use super::SuperBatchStream;
use super::TrainSpec;
use super::{EvalMetrics, EvalRecord, EvalSet, Observer, Recipe, Reference, RunStatus, TrainError};
use crate::backend::{Backend, Batch, LowRes};
use crate::data::{rng, Bucket, PairKind, Pairs};
use crate::flops::{FlopCounts, IterationCost, ModelCost};
use crate::model::{optim, to_device, Mat, TwoTower};
use crate::score::Scoring;
use crate::score::{self, PairModel, ScoreInput, Scores};
use crate::select::{sample_without_replacement, Candidates, Selector};

/// The data a learner trains on.
pub(crate) struct Pool<'a> {
    pub pairs: &'a Pairs,
    /// What the benchmark did to each pair, when known.
    pub kinds: Option<&'a [PairKind]>,
    /// Each pair's concept frequency bucket, when the pool has labels.
    pub buckets: Option<&'a [Bucket]>,
    /// View widths (A, B).
    pub dims: (usize, usize),
}

/// One run's state: the model and optimiser, the pool on the device, the stream,
/// the selector and its random streams, and what has been recorded so far.
pub(crate) struct Learner<'a, D: Backend> {
    dev: D,
    train: &'a TrainSpec,
    model: TwoTower<D>,
    opt: D::Optimizer,
    pairs: &'a Pairs,
    pool_a: Mat<D>,
    pool_b: Mat<D>,
    kinds: Option<&'a [PairKind]>,
    buckets: Option<&'a [Bucket]>,
    reference: Option<&'a Reference>,
    stream: SuperBatchStream,
    select_rng: rand_chacha::ChaCha8Rng,
    diagnostic_rng: rand_chacha::ChaCha8Rng,
    flexi_rng: rand_chacha::ChaCha8Rng,
    selector: Box<dyn Selector>,
    cost: IterationCost,
    record: EvalRecord,
    window: Window,
    /// When set: the checkpoint with the lowest evaluation loss so far, and its step.
    best: Option<Best<D>>,
}

/// Checkpoint selection by evaluation loss (the reference's early stopping).
struct Best<D: Backend> {
    loss: f64,
    step: usize,
    model: Option<TwoTower<D>>,
}

/// The outcome of one optimiser step.
enum Step {
    Taken,
    Diverged,
}

impl<'a, D: Backend> Learner<'a, D> {
    /// A fresh model on `pool`; `reference` scores super-batches (when the selector
    /// asks) and measures the batches of every selector.
    pub(crate) fn new(
        dev: &D,
        recipe: &Recipe<'a>,
        pool: Pool<'a>,
        selector: Box<dyn Selector>,
        reference: Option<&'a Reference>,
    ) -> Self {
        let t = recipe.train;
        let model = TwoTower::init(dev, recipe.model, pool.dims.0, pool.dims.1, recipe.seed);
        let opt = dev.optimizer(&model.layout, &t.adam());
        let reference_scores = selector.needs_scores() && score::needs(t.scoring).1;
        let cost = super::iteration_cost(&ModelCost::of(&model.layout), t);
        // A reference's costs are charged only to runs that score with it (another
        // selector may use it to measure its batches alone).
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
            selected_kinds: None,
            superbatch_kinds: None,
            selected_buckets: None,
            superbatch_buckets: None,
            selected_same_concept: f64::NAN,
            superbatch_same_concept: f64::NAN,
            reference_score: reference.map_or(f64::NAN, |r| r.metrics.zero_shot_accuracy),
            reference_seconds: reference
                .map_or(0.0, |r| r.cost.train_seconds + r.cost.embed_seconds),
            reference_step: reference.map(|r| r.step),
            status: RunStatus::Running,
        };
        Learner {
            dev: dev.clone(),
            train: t,
            opt,
            pairs: pool.pairs,
            pool_a: to_device(dev, &pool.pairs.a),
            pool_b: to_device(dev, &pool.pairs.b),
            kinds: pool.kinds,
            buckets: pool.buckets,
            reference,
            stream: SuperBatchStream::new(pool.pairs.len(), recipe.seed),
            select_rng: rng::chacha(recipe.seed, rng::stream::SELECT),
            diagnostic_rng: rng::chacha(recipe.seed, rng::stream::DIAGNOSTIC),
            flexi_rng: rng::chacha(recipe.seed, rng::stream::FLEXI),
            selector,
            cost,
            record,
            window: Window::default(),
            best: None,
            model,
        }
    }

    /// Makes `fit` return the evaluated checkpoint with the lowest evaluation loss
    /// (the first, on ties) instead of the last model.
    pub(crate) fn keeping_best(mut self) -> Self {
        self.best = Some(Best {
            loss: f64::INFINITY,
            step: 0,
            model: None,
        });
        self
    }

    /// The whole loop; returns the trained model (or, `keeping_best`, the best
    /// checkpoint and its step) and the last record.
    pub(crate) fn fit(
        self,
        recipe: &Recipe,
        eval_set: &EvalSet<D>,
        observer: &mut dyn Observer,
    ) -> Result<(TwoTower<D>, EvalRecord), TrainError> {
        self.fit_checkpoint(recipe, eval_set, observer)
            .map(|(model, record, _)| (model, record))
    }

    /// `fit`, also naming the step of the model it returns.
    pub(crate) fn fit_checkpoint(
        mut self,
        recipe: &Recipe,
        eval_set: &EvalSet<D>,
        observer: &mut dyn Observer,
    ) -> Result<(TwoTower<D>, EvalRecord, usize), TrainError> {
        self.record.metrics = eval_set.evaluate(&self.model);
        observer
            .on_eval(&self.record)
            .map_err(TrainError::Observer)?;
        let steps = self.train.steps;
        for step in 0..steps {
            let started = Instant::now();
            let block = self.stream.next_block(self.train.super_batch()).to_vec();
            let scores = self.score(&block);
            let chosen = self.select(scores.as_deref(), &block);
            let selecting = started.elapsed().as_secs_f64();
            self.diagnose(&block, &chosen, scores.as_deref());
            drop(scores);
            let training = Instant::now();
            let items: Vec<usize> = chosen.iter().map(|&p| block[p]).collect();
            let outcome = self.train_step(step, &items);
            self.record.select_seconds += selecting;
            self.record.train_seconds += selecting + training.elapsed().as_secs_f64();
            if let Step::Diverged = outcome {
                observer
                    .on_eval(&self.record)
                    .map_err(TrainError::Observer)?;
                return Ok(self.finish());
            }
            observer.on_step(step + 1, steps, self.record.train_seconds);
            if recipe.is_eval_point(step + 1) {
                self.evaluate(eval_set);
                self.keep_if_best();
                observer
                    .on_eval(&self.record)
                    .map_err(TrainError::Observer)?;
            }
        }
        Ok(self.finish())
    }

    fn keep_if_best(&mut self) {
        let loss = self.record.metrics.eval_loss;
        if let Some(best) = &mut self.best {
            if loss < best.loss {
                *best = Best {
                    loss,
                    step: self.record.step,
                    model: Some(self.model.clone()),
                };
            }
        }
    }

    /// The model to return: the last, or the best checkpoint when one was kept.
    fn finish(self) -> (TwoTower<D>, EvalRecord, usize) {
        match self.best {
            Some(Best {
                step,
                model: Some(model),
                ..
            }) => (model, self.record, step),
            _ => {
                let step = self.record.step;
                (self.model, self.record, step)
            }
        }
    }

    /// Step 1: A for the super-batch `block` when the selector scores, through the
    /// device's fused path (the learner's embeddings of B, the reference's cached
    /// ones; no B×B tensor).
    fn score(&self, block: &[usize]) -> Option<Box<dyn Scores>> {
        self.selector
            .needs_scores()
            .then(|| self.scores_of(block, self.train.scoring))
    }

    /// A under `rule` for the pool items `items`.
    fn scores_of(&self, items: &[usize], rule: Scoring) -> Box<dyn Scores> {
        let (needs_l, needs_r) = score::needs(rule);
        let learner = needs_l.then(|| self.learner_view(items));
        let reference = needs_r.then(|| {
            let r = self
                .reference
                .expect("checked: a run that scores with the reference has one");
            PairModel {
                a: r.a.gather(items).data,
                b: r.b.gather(items).data,
                dim: r.embed,
                temperature: r.temperature,
                bias: r.bias,
            }
        });
        self.dev.scores(ScoreInput {
            rule,
            learner,
            reference,
        })
    }

    /// The learner's embeddings of `items` at the scoring resolution (a forward
    /// pass without gradients; on a GPU, device → host: 2·n·e floats).
    fn learner_view(&self, items: &[usize]) -> PairModel {
        let resolution = self.train.flexi.score_resolution();
        self.dev
            .learner_view(&self.model, &self.batch(items), resolution)
    }

    fn batch<'b>(&'b self, items: &'b [usize]) -> Batch<'b, D> {
        Batch {
            host: self.pairs,
            device: (&self.pool_a, &self.pool_b),
            items,
        }
    }

    /// Step 2: the selector's choice, as positions within `block`.
    fn select(&mut self, scores: Option<&dyn Scores>, block: &[usize]) -> Vec<usize> {
        let kinds: Option<Vec<PairKind>> =
            self.kinds.map(|k| block.iter().map(|&i| k[i]).collect());
        let candidates = Candidates {
            n: block.len(),
            scores,
            kinds: kinds.as_deref(),
        };
        let sampling = Instant::now();
        let selection =
            self.selector
                .select(candidates, self.train.batch_size, &mut self.select_rng);
        self.record.sample_seconds += sampling.elapsed().as_secs_f64();
        selection.chosen
    }

    /// Step 3, untimed and on the model state that chose the batch: the kinds of
    /// pairs and the concept buckets picked and offered, and — when a reference exists — the learnability
    /// of the batch and of a uniform draw of as many from the same super-batch.
    fn diagnose(&mut self, block: &[usize], chosen: &[usize], scores: Option<&dyn Scores>) {
        let w = &mut self.window;
        if let Some(kinds) = self.kinds {
            Window::count(
                &mut w.selected_kinds,
                kinds,
                chosen.iter().map(|&p| block[p]),
            );
            Window::count(&mut w.superbatch_kinds, kinds, block.iter().copied());
        }
        if let Some(buckets) = self.buckets {
            Window::count_buckets(
                &mut w.selected_buckets,
                buckets,
                chosen.iter().map(|&p| block[p]),
            );
            Window::count_buckets(&mut w.superbatch_buckets, buckets, block.iter().copied());
            if let Some(labels) = self.pairs.labels.as_deref() {
                let selected = same_label_share(labels, chosen.iter().map(|&p| block[p]));
                let offered = same_label_share(labels, block.iter().copied());
                w.selected_same_concept.0 += selected;
                w.selected_same_concept.1 += 1;
                w.superbatch_same_concept.0 += offered;
                w.superbatch_same_concept.1 += 1;
            }
        }
        if self.reference.is_none() {
            return;
        }
        let uniform =
            sample_without_replacement(&mut self.diagnostic_rng, block.len(), chosen.len());
        let (selected, superbatch) = match scores {
            Some(s) => (s.batch_learnability(chosen), s.batch_learnability(&uniform)),
            None => {
                let of = |positions: &[usize]| {
                    let items: Vec<usize> = positions.iter().map(|&p| block[p]).collect();
                    let all: Vec<usize> = (0..items.len()).collect();
                    self.scores_of(&items, self.train.scoring)
                        .batch_learnability(&all)
                };
                (of(chosen), of(&uniform))
            }
        };
        let w = &mut self.window;
        w.selected.0 += selected;
        w.selected.1 += 1;
        w.superbatch.0 += superbatch;
        w.superbatch.1 += 1;
    }

    /// Step 4: a fresh forward with gradients on the chosen pool items (with
    /// Flexi-JEST, a random share of them at low resolution), then AdamW; the
    /// iteration's costs are counted. A non-finite loss marks the run diverged.
    fn train_step(&mut self, step: usize, items: &[usize]) -> Step {
        let t = self.train;
        let lr = optim::learning_rate(t.lr, t.warmup_steps, t.steps, step);
        let (items, low) = self.low_res_first(items);
        let batch = Batch {
            host: self.pairs,
            device: (&self.pool_a, &self.pool_b),
            items: &items,
        };
        let loss_value =
            self.dev
                .train_step(&mut self.model, &mut self.opt, &batch, low, lr) as f64;
        let r = &mut self.record;
        r.step = step + 1;
        r.examples_trained += t.batch_size as u64;
        if self.selector.needs_scores() {
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
            r.selected_kinds = None;
            r.superbatch_kinds = None;
            r.selected_buckets = None;
            r.superbatch_buckets = None;
            r.selected_same_concept = f64::NAN;
            r.superbatch_same_concept = f64::NAN;
            return Step::Diverged;
        }
        self.window.loss.0 += loss_value;
        self.window.loss.1 += 1;
        Step::Taken
    }

    /// The batch reordered so the items drawn (uniformly, from the FLEXI stream) to
    /// train at low resolution come first; unchanged without multi-resolution
    /// training. The loss sums over all pairs, so the order changes nothing else.
    fn low_res_first(&mut self, items: &[usize]) -> (Vec<usize>, LowRes) {
        let flexi = &self.train.flexi;
        let n_low = flexi.low_res_items(items.len());
        if n_low == 0 {
            return (items.to_vec(), LowRes::default());
        }
        let low = sample_without_replacement(&mut self.flexi_rng, items.len(), n_low);
        let mut is_low = vec![false; items.len()];
        for &p in &low {
            is_low[p] = true;
        }
        let mut ordered: Vec<usize> = low.iter().map(|&p| items[p]).collect();
        ordered.extend((0..items.len()).filter(|&p| !is_low[p]).map(|p| items[p]));
        let low = LowRes {
            resolution: flexi.resolution,
            items: n_low,
        };
        (ordered, low)
    }

    /// At an evaluation point: held-out metrics and the window's means.
    fn evaluate(&mut self, eval_set: &EvalSet<D>) {
        let started = Instant::now();
        let r = &mut self.record;
        r.metrics = eval_set.evaluate(&self.model);
        r.eval_seconds += started.elapsed().as_secs_f64();
        let w = std::mem::take(&mut self.window);
        r.train_loss = mean(w.loss);
        r.selected_learnability = mean(w.selected);
        r.superbatch_learnability = mean(w.superbatch);
        r.selected_kinds = shares(&w.selected_kinds);
        r.superbatch_kinds = shares(&w.superbatch_kinds);
        r.selected_buckets = shares(&w.selected_buckets);
        r.superbatch_buckets = shares(&w.superbatch_buckets);
        r.selected_same_concept = mean(w.selected_same_concept);
        r.superbatch_same_concept = mean(w.superbatch_same_concept);
        if r.step == self.train.steps {
            r.status = RunStatus::Complete;
        }
    }
}
