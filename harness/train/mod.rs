/*!
One run, top to bottom (open_clip's `train_one_epoch`, big_vision's `update_fn`):
each iteration draws a super-batch from the web pool and goes through named steps
over one `Learner` state (`learner.rs`) —

1. `score`: A's entries through `score::Scores` when the selector asks (the fused
   path: embeddings, no B×B tensor);
2. `select`: the selector picks the learning batch;
3. `diagnose`: what the batch is worth, on the same model state, outside the timed
   work (learnability, kinds of pairs picked);
4. `train_step`: one AdamW step on it (a non-finite loss ends the run as
   `Diverged`);

and at every evaluation point `evaluate` hands an [`EvalRecord`] to the
[`Observer`] (the run pipeline's CSV writer and progress bar).

The reference model is trained by the same loop ([`reference::train`]) on its own
data, once, and its per-example embeddings are cached on the host.

Host↔device traffic per step: the super-batch's indices go to the device (B usizes)
and its learner embeddings come back (2·B·e floats) when the selector scores, the
chosen indices go back (b usizes), and the loss comes back (one scalar).
*/

mod diagnostics;
pub mod eval;
pub mod foreign;
mod learner;
mod recipe;
pub mod reference;
pub mod row;
pub mod schema;
mod stream;

use crate::backend::Backend;
use crate::data::{BucketShares, Dataset};
use crate::flops::{self, FlopCounts, IterationCost, ModelCost};
use crate::model::ModelSpec;
use crate::select;

pub use crate::log::RunStatus;
pub use diagnostics::KindShares;
pub use eval::{EvalMetrics, EvalSet};
pub(crate) use learner::Learner;
pub use recipe::{EvalSpec, FlexiSpec, ReferenceSpec, RunConfig, TrainSpec};
pub use reference::{Reference, ReferenceCost};
pub use row::{JestRow, RunIdentity};
pub use stream::SuperBatchStream;

/// The state of a run at an evaluation point.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalRecord {
    pub step: usize,
    pub examples_trained: u64,
    pub examples_scored: u64,
    pub flops: FlopCounts,
    /// Seconds spent training (scoring and selection included; diagnostics and
    /// evaluation excluded).
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
    /// learnability Σ_{i,j∈S} A_ij / b, on the model state that picked it (NaN
    /// without a reference to score with).
    pub selected_learnability: f64,
    /// The same for a uniform draw of b from the same super-batch.
    pub superbatch_learnability: f64,
    /// Shares of each pair kind in the learning batches and in the super-batches
    /// since the previous record (None when the pool's kinds are unknown).
    pub selected_kinds: Option<KindShares>,
    pub superbatch_kinds: Option<KindShares>,
    /// Shares of the head, torso and tail concepts (by pool frequency) in the
    /// learning batches and super-batches since the previous record (None when the
    /// pool has no labels).
    pub selected_buckets: Option<BucketShares>,
    pub superbatch_buckets: Option<BucketShares>,
    /// Mean, over the iterations since the previous record, of the share of a
    /// learning batch's off-diagonal pairs whose two items share a concept (in-batch
    /// negatives that are not negatives); the same over whole super-batches. NaN
    /// without labels.
    pub selected_same_concept: f64,
    pub superbatch_same_concept: f64,
    /// The reference model's held-out zero-shot accuracy (NaN without a reference).
    pub reference_score: f64,
    /// Seconds spent training and embedding the reference (shared by all its runs).
    pub reference_seconds: f64,
    /// The reference checkpoint's step (its last, or the one its validation chose).
    pub reference_step: Option<usize>,
    pub status: RunStatus,
}

/// Receives a run's progress.
pub trait Observer {
    /// After every training step (cheap: called in the loop), with the run's
    /// training seconds so far (its timed work: scoring, selection, the step).
    fn on_step(&mut self, _step: usize, _total: usize, _train_seconds: f64) {}
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

/// Trains one (config, seed) run of the learner on `data`'s web pool. `reference`
/// scores super-batches (scoring selectors) and measures every selector's batches.
pub fn run<D: Backend>(
    dev: &D,
    config: &RunConfig,
    seed: u64,
    data: &Dataset,
    reference: Option<&Reference>,
    observer: &mut dyn Observer,
) -> Result<EvalRecord, TrainError> {
    let selector = select::build(&config.train.selection());
    if selector.needs_scores() && reference.is_none() {
        return Err(TrainError::NoReference(selector.name()));
    }
    let eval_set = EvalSet::new(
        dev,
        &data.eval,
        &data.prototypes,
        data.n_classes,
        config.train.batch_size,
    )
    .with_class_buckets(data.eval_class_buckets());
    let recipe = Recipe {
        model: &config.model,
        train: &config.train,
        eval_steps: config.eval.steps(config.train.steps),
        seed,
    };
    let pool = learner::Pool {
        pairs: &data.pool,
        kinds: Some(&data.pool_kinds),
        buckets: (!data.pool_buckets.is_empty()).then_some(&data.pool_buckets[..]),
        dims: (data.dim_a(), data.dim_b()),
    };
    let learner = Learner::new(dev, &recipe, pool, selector, reference);
    learner
        .fit(&recipe, &eval_set, observer)
        .map(|(_, record)| record)
}

/// What one call of the training loop trains: the model, the recipe, the seed.
pub(crate) struct Recipe<'a> {
    pub model: &'a ModelSpec,
    pub train: &'a TrainSpec,
    /// Steps after which to evaluate, ascending, the last step included.
    pub eval_steps: Vec<usize>,
    pub seed: u64,
}

impl<'a> Recipe<'a> {
    /// `config`'s model trained by `train`, seeded by the reference's seed.
    fn reference(config: &'a RunConfig, train: &'a TrainSpec, eval_steps: Vec<usize>) -> Self {
        Recipe {
            model: &config.model,
            train,
            eval_steps,
            seed: config.reference.seed,
        }
    }

    fn is_eval_point(&self, step: usize) -> bool {
        self.eval_steps.binary_search(&step).is_ok()
    }
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;
    use crate::model::TwoTower;

    /// A learner trained by `config`'s recipe (its selector scoring with `reference`).
    pub fn trained_learner<D: Backend>(
        dev: &D,
        config: &RunConfig,
        data: &Dataset,
        reference: &Reference,
    ) -> TwoTower<D> {
        let recipe = Recipe {
            model: &config.model,
            train: &config.train,
            eval_steps: vec![config.train.steps],
            seed: 1,
        };
        let pool = learner::Pool {
            pairs: &data.pool,
            kinds: Some(&data.pool_kinds),
            buckets: None,
            dims: (data.dim_a(), data.dim_b()),
        };
        let eval_set = EvalSet::new(dev, &data.eval, &data.prototypes, data.n_classes, 16);
        Learner::new(
            dev,
            &recipe,
            pool,
            select::build(&config.train.selection()),
            Some(reference),
        )
        .fit(&recipe, &eval_set, &mut Silent)
        .unwrap()
        .0
    }
}

#[cfg(test)]
mod tests {
    use dfdx::prelude::*;

    use super::*;
    use crate::backend::{Backend, Batch};
    use crate::data::rng;
    use crate::model::{to_device, TwoTower};
    use crate::score::{PairModel, ScoreInput, Scores};
    use crate::select::{Candidates, Selector, Uniform};

    /// Records every evaluation.
    struct All(Vec<EvalRecord>);
    impl Observer for All {
        fn on_eval(
            &mut self,
            r: &EvalRecord,
        ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
            self.0.push(r.clone());
            Ok(())
        }
    }

    /// A reference with a held-out share keeps the checkpoint of lowest held-out
    /// loss — the model returned is the one evaluated at that step, bit for bit —
    /// and trains on the rest of its set only; the split is seeded and disjoint.
    #[test]
    fn a_validated_reference_keeps_its_best_checkpoint() {
        let text = "name: t\nseeds: [0]\ndataset:\n  seed: 3\n  synthetic: {concepts: 12, latent_dim: 6, dim_a: 10, dim_b: 8, pool: 1500, curated: 120, eval_concepts: 6, eval_per_concept: 20}\nmodel: {hidden: [24], embed: 12}\ntrain: {steps: 300, batch_size: 16, lr: 0.01}\neval: {every: 300}\nreference: {validation_fraction: 0.25, validate_every: 20}\n";
        let config = &crate::train::RunConfig::from_test_yaml(text);
        let data = Dataset::build(&config.dataset, std::path::Path::new(".")).unwrap();
        let dev = Cpu::default();
        let set = data.reference_set(1.0, 0);
        let (train_set, val) = reference::hold_out(set.clone(), 0.25, 0);
        let val = val.unwrap();
        assert_eq!((train_set.len(), val.len()), (90, 30));
        let rows = |p: &crate::data::Pairs| -> Vec<Vec<u32>> {
            (0..p.len())
                .map(|i| p.a.row(i).iter().map(|x| x.to_bits()).collect())
                .collect()
        };
        let (t_rows, v_rows) = (rows(&train_set), rows(&val));
        assert!(v_rows.iter().all(|r| !t_rows.contains(r)), "disjoint");
        assert_eq!(
            reference::hold_out(set, 0.25, 0).1.unwrap().a,
            val.a,
            "seeded"
        );

        // The loop the reference runs, observed: every validation on the held-out part.
        let spec = reference::recipe(config);
        let at: Vec<usize> = (1..=15).map(|k| k * 20).collect();
        let recipe = Recipe::reference(config, &spec, at);
        let pool = learner::Pool {
            pairs: &train_set,
            kinds: None,
            buckets: None,
            dims: (10, 8),
        };
        let val_set = EvalSet::new(&dev, &val, &crate::data::Prototypes::None, 0, 16);
        let mut seen = All(Vec::new());
        let (model, _, step) = Learner::new(&dev, &recipe, pool, Box::new(Uniform), None)
            .keeping_best()
            .fit_checkpoint(&recipe, &val_set, &mut seen)
            .unwrap();
        let losses: Vec<(usize, f64)> = seen
            .0
            .iter()
            .skip(1)
            .map(|r| (r.step, r.metrics.eval_loss))
            .collect();
        let best = losses
            .iter()
            .copied()
            .fold((0, f64::INFINITY), |b, x| if x.1 < b.1 { x } else { b });
        assert_eq!(step, best.0, "{losses:?}");
        assert!(
            step < 300,
            "with 90 pairs at lr 0.01 the held-out loss turns up: {losses:?}"
        );
        assert_eq!(val_set.evaluate(&model).eval_loss, best.1);
        // And `reference::train` does the same.
        let r = reference::train(&dev, config, &data).unwrap();
        assert_eq!(r.step, step);
    }

    /// Records the last evaluation.
    struct Last(Option<EvalRecord>);
    impl Observer for Last {
        fn on_eval(
            &mut self,
            r: &EvalRecord,
        ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
            self.0 = Some(r.clone());
            Ok(())
        }
    }

    #[test]
    fn uniform_batches_are_measured_before_the_step_that_trains_on_them() {
        // One step at a large learning rate: the trained batch's loss falls far, so
        // measured after the step its learnability would fall too.
        let text = "name: t\nseeds: [0]\ndataset:\n  seed: 3\n  synthetic: {concepts: 12, latent_dim: 6, dim_a: 10, dim_b: 8, pool: 1500, curated: 300, eval_concepts: 6, eval_per_concept: 20}\nmodel: {hidden: [24], embed: 12}\ntrain: {steps: 1, batch_size: 16, filter_ratio: 0.5, lr: 0.5, clip_norm: 1000}\neval: {every: 1}\nreference: {steps: 50}\n";
        let config = &crate::train::RunConfig::from_test_yaml(text);
        let data = Dataset::build(&config.dataset, std::path::Path::new(".")).unwrap();
        let dev = Cpu::default();
        let reference = reference::train(&dev, config, &data).unwrap();
        let mut last = Last(None);
        let seed = 5;
        run(&dev, config, seed, &data, Some(&reference), &mut last).unwrap();
        let logged = last.0.unwrap().selected_learnability;
        // The batch uniform drew, and its learnability on the initial model.
        let block = SuperBatchStream::new(data.pool.len(), seed)
            .next_block(32)
            .to_vec();
        let chosen = Uniform.select(
            Candidates::unscored(32),
            16,
            &mut rng::chacha(seed, rng::stream::SELECT),
        );
        let items: Vec<usize> = chosen.chosen.iter().map(|&p| block[p]).collect();
        let model = TwoTower::init(&dev, &config.model, data.dim_a(), data.dim_b(), seed);
        let (pa, pb) = (to_device(&dev, &data.pool.a), to_device(&dev, &data.pool.b));
        let batch = Batch {
            host: &data.pool,
            device: (&pa, &pb),
            items: &items,
        };
        let scores = dev.scores(ScoreInput {
            rule: config.train.scoring,
            learner: Some(dev.learner_view(&model, &batch, 1)),
            reference: Some(PairModel {
                a: reference.a.gather(&items).data,
                b: reference.b.gather(&items).data,
                dim: reference.embed,
                temperature: reference.temperature,
                bias: reference.bias,
            }),
        });
        let before = scores.batch_learnability(&(0..16).collect::<Vec<_>>());
        assert!(
            (logged - before).abs() < 1e-9,
            "logged {logged}, before the step {before}"
        );
        // And after the step it would differ: the model moved.
        let mut trained = model.clone();
        let mut opt = dev.optimizer(&trained.layout, &config.train.adam());
        dev.train_step(&mut trained, &mut opt, &batch, Default::default(), 0.5);
        let after = dev
            .scores(ScoreInput {
                rule: config.train.scoring,
                learner: Some(dev.learner_view(&trained, &batch, 1)),
                reference: Some(PairModel {
                    a: reference.a.gather(&items).data,
                    b: reference.b.gather(&items).data,
                    dim: reference.embed,
                    temperature: reference.temperature,
                    bias: reference.bias,
                }),
            })
            .batch_learnability(&(0..16).collect::<Vec<_>>());
        assert!(
            (after - before).abs() > 1e-3,
            "before {before}, after {after}"
        );
    }
    #[test]
    fn the_select_entry_chooses_what_the_training_iteration_chooses() {
        // JEST's first iteration of a run, and `select::choose` (the `select`
        // command's and the Python package's path) on the same embeddings, model
        // settings and seed: the same batch, to the bit of its learnability.
        let text = "name: t\nseeds: [0]\ndataset:\n  seed: 3\n  synthetic: {concepts: 12, latent_dim: 6, dim_a: 10, dim_b: 8, pool: 1500, curated: 300, eval_concepts: 6, eval_per_concept: 20}\nmodel: {hidden: [24], embed: 12}\ntrain: {steps: 1, batch_size: 16, filter_ratio: 0.75, n_chunks: 4, selector: jest, lr: 0.01}\neval: {every: 1}\nreference: {steps: 50}\n";
        let config = &crate::train::RunConfig::from_test_yaml(text);
        let data = Dataset::build(&config.dataset, std::path::Path::new(".")).unwrap();
        let dev = Cpu::default();
        let reference = reference::train(&dev, config, &data).unwrap();
        let mut last = Last(None);
        let seed = 9;
        run(&dev, config, seed, &data, Some(&reference), &mut last).unwrap();
        let logged = last.0.unwrap().selected_learnability;
        let block = SuperBatchStream::new(data.pool.len(), seed)
            .next_block(64)
            .to_vec();
        let model = TwoTower::init(&dev, &config.model, data.dim_a(), data.dim_b(), seed);
        let (pa, pb) = (to_device(&dev, &data.pool.a), to_device(&dev, &data.pool.b));
        let batch = Batch {
            host: &data.pool,
            device: (&pa, &pb),
            items: &block,
        };
        let view = dev.learner_view(&model, &batch, 1);
        let matrix = |v: Vec<f32>, d: usize| crate::data::Matrix::new(v.len() / d, d, v);
        let (la, lb) = (matrix(view.a, view.dim), matrix(view.b, view.dim));
        let (ra, rb) = (reference.a.gather(&block), reference.b.gather(&block));
        let e = select::Embeddings {
            learner: (&la, &lb),
            reference: Some((&ra, &rb)),
            learner_model: select::PairModel {
                temperature: view.temperature as f64,
                bias: view.bias as f64,
            },
            reference_model: select::PairModel {
                temperature: reference.temperature as f64,
                bias: reference.bias as f64,
            },
        };
        let scores = e.fused(config.train.scoring).unwrap();
        let choice = select::Choice {
            settings: config.train.selection(),
            scoring: config.train.scoring,
            b: 16,
            seed,
            trace: false,
        };
        let chosen = select::choose(64, Some(&scores), None, &choice)
            .unwrap()
            .chosen;
        let learnability = scores.batch_learnability(&chosen);
        assert_eq!(
            learnability.to_bits(),
            logged.to_bits(),
            "{learnability} vs {logged}"
        );
        // And the whole matrix the entry prints is the fused entries.
        let whole = e.scores(config.train.scoring).unwrap();
        assert_eq!(
            whole.block_sum(&chosen).to_bits(),
            scores.block_sum(&chosen).to_bits()
        );
    }
}

/// What one iteration of a training recipe executes: its selector's scoring (a
/// uniform run scores nothing) at the recipe's resolutions.
pub fn iteration_cost(model: &ModelCost, t: &TrainSpec) -> IterationCost {
    let selector = select::build(&t.selection());
    let (learner, reference) = if selector.needs_scores() {
        crate::score::needs(t.scoring)
    } else {
        (false, false)
    };
    let (b, big_b) = (t.batch_size, t.super_batch());
    IterationCost::new(
        model,
        b,
        big_b,
        flops::Scoring {
            learner,
            reference,
            entries: selector.scored_entries(big_b, b),
        },
        flops::Resolutions {
            resolution: t.flexi.resolution,
            score_resolution: t.flexi.score_resolution(),
            low_items: t.flexi.low_res_items(b),
        },
    )
}
