//! The unfused path on a dfdx device: L and R as B×B tensors, A = L − R (or L, or
//! −R). It allocates several B×B tensors per super-batch; the training loop uses
//! the fused path (`fused`) and this stays as its oracle.

use dfdx::prelude::*;

use super::Scoring;
use crate::model::{loss, Indices, Mat, TwoTower};

/// A trained reference model's embeddings of every pool example, computed once.
pub struct CachedReference<D: Device<f32>> {
    pub a: Mat<D>,
    pub b: Mat<D>,
    /// Its temperature t and bias c.
    pub temperature: f32,
    pub bias: f32,
}

/// The learner's pair-loss matrix L over candidates (xa, xb), without gradients.
pub fn learner_matrix<D: Device<f32>>(
    learner: &TwoTower<D>,
    xa: Mat<D>,
    xb: Mat<D>,
    eye: &Mat<D>,
) -> Mat<D> {
    let emb = learner.embed(&learner.theta, xa, xb);
    loss::pair_loss(learner.logits(&learner.theta, emb), eye)
}

/// The reference's pair-loss matrix R over the candidates at `idx` (one B×B matmul).
pub fn reference_matrix<D: Device<f32>>(
    reference: &CachedReference<D>,
    idx: &Indices<D>,
    eye: &Mat<D>,
) -> Mat<D> {
    let a: Mat<D> = reference.a.clone().gather(idx.clone());
    let b: Mat<D> = reference.b.clone().gather(idx.clone());
    let logits = a.matmul(b.permute::<(usize, usize), Axes2<1, 0>>()) * reference.temperature
        + reference.bias;
    loss::pair_loss(logits, eye)
}

/// A from the matrices the rule needs (the other may be `None`).
pub fn combine<D: Device<f32>>(
    rule: Scoring,
    learner: Option<Mat<D>>,
    reference: Option<Mat<D>>,
) -> Mat<D> {
    match (rule, learner, reference) {
        (Scoring::Learnability, Some(l), Some(r)) => l - r,
        (Scoring::HardLearner, Some(l), _) => l,
        (Scoring::EasyReference, _, Some(r)) => r.negate(),
        (rule, _, _) => panic!(
            "scoring rule {} is missing a matrix it needs",
            rule.as_str()
        ),
    }
}
