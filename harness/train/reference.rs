//! The reference model (docs/methods.md §2): the learner's architecture trained on the
//! reference set at quality q, then run once over the pool to cache its embeddings.
//! Held on the host, so that every run (and every thread) can share one.

use std::time::Instant;

use dfdx::prelude::*;

use super::learner::Pool;
use super::{EvalMetrics, EvalSet, Learner, Recipe, Silent, TrainError};
use super::{RunConfig, TrainSpec};
use crate::backend::Backend;
use crate::data::{rng, Dataset, Matrix, Pairs, Prototypes};
use crate::flops::{self, ModelCost};
use crate::model::to_device;
use crate::score::{tower_host, CachedReference};
use crate::select::Uniform;

/// What training and caching the reference cost.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ReferenceCost {
    pub train_flops: u64,
    pub train_seconds: f64,
    /// One forward pass over the pool: F_ref · N.
    pub embed_flops: u64,
    pub embed_seconds: f64,
}

/// A trained reference's pool embeddings and its own quality.
#[derive(Clone, Debug)]
pub struct Reference {
    pub a: Matrix,
    pub b: Matrix,
    pub temperature: f32,
    pub bias: f32,
    pub embed: usize,
    pub cost: ReferenceCost,
    /// Its held-out metrics, for the record.
    pub metrics: EvalMetrics,
    /// The step of the checkpoint kept (its last, without validation).
    pub step: usize,
}

impl Reference {
    pub fn to_device<D: Device<f32>>(&self, dev: &D) -> CachedReference<D> {
        CachedReference {
            a: to_device(dev, &self.a),
            b: to_device(dev, &self.b),
            temperature: self.temperature,
            bias: self.bias,
        }
    }
}

/// The training recipe of the reference: the learner's optimiser, uniform batches
/// (no filtering) of `reference.batch_size` (0: the learner's b) for
/// `reference.steps` steps (0: the learner's). Selection keys are reset, so runs that
/// differ only in how the learner selects share one reference.
pub fn recipe(config: &RunConfig) -> TrainSpec {
    let mut t = config.train.without_selection();
    let r = &config.reference;
    if r.steps > 0 {
        t.steps = r.steps;
    }
    if r.batch_size > 0 {
        t.batch_size = r.batch_size;
    }
    t.warmup_steps = t.warmup_steps.min(t.steps);
    t
}

/// Two runs share a reference exactly when these agree.
pub fn key(config: &RunConfig) -> String {
    let parts = (
        &config.dataset,
        &config.model,
        recipe(config),
        &config.reference,
    );
    serde_yaml::to_string(&parts).expect("specs serialise")
}

/// Trains the reference of `config` and caches its pool embeddings.
pub fn train<D: Backend>(
    dev: &D,
    config: &RunConfig,
    data: &Dataset,
) -> Result<Reference, TrainError> {
    let r = &config.reference;
    let set = data.reference_set(r.quality, r.seed);
    let spec = recipe(config);
    let eval_set = EvalSet::new(
        dev,
        &data.eval,
        &data.prototypes,
        data.n_classes,
        spec.batch_size,
    );
    let (train_set, validation) = hold_out(set, r.validation_fraction, r.seed);
    let started = Instant::now();
    let pool = Pool {
        pairs: &train_set,
        kinds: None,
        buckets: None,
        dims: (data.dim_a(), data.dim_b()),
    };
    let learner = Learner::new(
        dev,
        &Recipe::reference(config, &spec, vec![]),
        pool,
        Box::new(Uniform),
        None,
    );
    let (model, record, step) = match &validation {
        None => {
            let recipe = Recipe::reference(config, &spec, vec![spec.steps]);
            learner.fit_checkpoint(&recipe, &eval_set, &mut Silent)?
        }
        Some(v) => {
            // Early stopping on the held-out part; the eval split only measures
            // the checkpoint chosen.
            let every = if r.validate_every > 0 {
                r.validate_every
            } else {
                spec.steps.div_ceil(20)
            };
            let mut at: Vec<usize> = (1..=spec.steps / every).map(|k| k * every).collect();
            if at.last() != Some(&spec.steps) {
                at.push(spec.steps);
            }
            let recipe = Recipe::reference(config, &spec, at);
            let val_set = EvalSet::new(dev, v, &Prototypes::None, 0, spec.batch_size);
            let (model, mut record, step) =
                learner
                    .keeping_best()
                    .fit_checkpoint(&recipe, &val_set, &mut Silent)?;
            record.metrics = eval_set.evaluate(&model);
            (model, record, step)
        }
    };
    let train_seconds = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let e = model.layout.embed;
    let n = data.pool.len();
    let (a, b) = if D::HOST_NUMERICS {
        // The host towers: the same bits on any CPU and thread count.
        let mut theta = vec![0.0f32; model.layout.len()];
        model.theta.copy_into(&mut theta);
        let all: Vec<usize> = (0..n).collect();
        let l = &model.layout;
        (
            Matrix::new(n, e, tower_host(&theta, &l.tower_a, &data.pool.a, &all, 1)),
            Matrix::new(n, e, tower_host(&theta, &l.tower_b, &data.pool.b, &all, 1)),
        )
    } else {
        let pool_a = to_device(dev, &data.pool.a);
        let pool_b = to_device(dev, &data.pool.b);
        let emb = model.embed(&model.theta, pool_a, pool_b);
        (
            Matrix::new(n, e, emb.a.as_vec()),
            Matrix::new(n, e, emb.b.as_vec()),
        )
    };
    let (temperature, bias) = model.temperature_and_bias();
    Ok(Reference {
        a,
        b,
        temperature,
        bias,
        embed: e,
        cost: ReferenceCost {
            train_flops: record.flops.train + record.flops.pairs,
            train_seconds,
            embed_flops: flops::reference_embedding(&ModelCost::of(&model.layout), n),
            embed_seconds: started.elapsed().as_secs_f64(),
        },
        metrics: record.metrics,
        step,
    })
}

/// The reference set less a seeded held-out share of it (none at 0).
pub(crate) fn hold_out(set: Pairs, fraction: f64, seed: u64) -> (Pairs, Option<Pairs>) {
    let n_val = (fraction * set.len() as f64).round() as usize;
    if n_val == 0 || n_val >= set.len() {
        return (set, None);
    }
    let mut r = rng::chacha(seed, rng::stream::REFERENCE_VALIDATION);
    let order = rng::permutation(&mut r, set.len());
    let (val, train) = order.split_at(n_val);
    (set.gather(train), Some(set.gather(val)))
}
