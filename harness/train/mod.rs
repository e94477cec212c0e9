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
mod learner;
pub mod reference;
mod stream;

use serde::{Deserialize, Serialize};

use crate::backend::Backend;
use crate::data::Dataset;
use crate::experiment::{ModelSpec, RunConfig, TrainSpec};
use crate::flops::FlopCounts;
use crate::select;

pub use diagnostics::KindShares;
pub use eval::{EvalMetrics, EvalSet};
pub(crate) use learner::Learner;
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
    /// The reference model's held-out zero-shot accuracy (NaN without a reference).
    pub reference_score: f64,
    /// Seconds spent training and embedding the reference (shared by all its runs).
    pub reference_seconds: f64,
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
        eval_steps: config.eval.steps(config.train.steps),
        seed,
    };
    let pool = learner::Pool {
        pairs: &data.pool,
        kinds: Some(&data.pool_kinds),
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

impl Recipe<'_> {
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
            dims: (data.dim_a(), data.dim_b()),
        };
        let eval_set = EvalSet::new(dev, &data.eval, &data.prototypes, data.n_classes, 16);
        Learner::new(
            dev,
            &recipe,
            pool,
            select::build(&config.train),
            Some(reference),
        )
        .fit(&recipe, &eval_set, &mut Silent)
        .unwrap()
        .0
    }
}
