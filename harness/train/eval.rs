//! Held-out evaluation (SPEC §3): zero-shot accuracy against class prototypes in
//! B-space, retrieval recall@1 both ways, held-out SigLIP loss.

use dfdx::prelude::*;

use crate::data::{Pairs, Prototypes};
use crate::model::{loss, scalar_value, to_device, Mat, TwoTower};

/// Evaluation metrics at one point of training.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EvalMetrics {
    /// Fraction of eval A-views whose nearest class prototype is their class
    /// (NaN when the data has no labels).
    pub zero_shot_accuracy: f64,
    /// Fraction of eval A-views whose most similar eval B-view is their own pair.
    pub recall_at1_a2b: f64,
    pub recall_at1_b2a: f64,
    /// Mean SigLIP batch loss over consecutive eval blocks of the learning batch size.
    pub eval_loss: f64,
}

impl EvalMetrics {
    /// No evaluation (a run that diverged between evaluations).
    pub fn undefined() -> EvalMetrics {
        EvalMetrics {
            zero_shot_accuracy: f64::NAN,
            recall_at1_a2b: f64::NAN,
            recall_at1_b2a: f64::NAN,
            eval_loss: f64::NAN,
        }
    }
}

/// The eval split, resident on the device.
pub struct EvalSet<D: Device<f32>> {
    a: Mat<D>,
    b: Mat<D>,
    labels: Option<Vec<usize>>,
    prototypes: DevicePrototypes<D>,
    n_classes: usize,
    block: usize,
    eye: Mat<D>,
}

enum DevicePrototypes<D: Device<f32>> {
    Inputs(Mat<D>),
    ClassMeans { b: Mat<D>, labels: Vec<usize> },
    None,
}

impl<D: Device<f32>> EvalSet<D> {
    pub fn new(
        dev: &D,
        eval: &Pairs,
        prototypes: &Prototypes,
        n_classes: usize,
        batch: usize,
    ) -> Self {
        let block = batch.min(eval.len()).max(1);
        EvalSet {
            a: to_device(dev, &eval.a),
            b: to_device(dev, &eval.b),
            labels: eval.labels.clone(),
            prototypes: match prototypes {
                Prototypes::Inputs(m) => DevicePrototypes::Inputs(to_device(dev, m)),
                Prototypes::ClassMeans { b, labels } => DevicePrototypes::ClassMeans {
                    b: to_device(dev, b),
                    labels: labels.clone(),
                },
                Prototypes::None => DevicePrototypes::None,
            },
            n_classes,
            block,
            eye: loss::identity(dev, block),
        }
    }

    pub fn evaluate(&self, model: &TwoTower<D>) -> EvalMetrics {
        let theta = &model.theta;
        let n = self.a.shape().0;
        let ea = model.tower(theta, &model.layout.tower_a, self.a.clone());
        let eb = model.tower(theta, &model.layout.tower_b, self.b.clone());
        let e = model.layout.embed;

        // Retrieval: the n×n similarity matrix, argmax by row and by column on the host.
        let sim = ea
            .clone()
            .matmul(eb.clone().permute::<(usize, usize), Axes2<1, 0>>())
            .as_vec();
        let (mut hits_a2b, mut hits_b2a) = (0usize, 0usize);
        for i in 0..n {
            if argmax((0..n).map(|j| sim[i * n + j])) == i {
                hits_a2b += 1;
            }
            if argmax((0..n).map(|j| sim[j * n + i])) == i {
                hits_b2a += 1;
            }
        }

        let zero_shot_accuracy = match (&self.labels, self.prototype_embeddings(model, e)) {
            (Some(labels), Some(protos)) => {
                let c = self.n_classes;
                let ea_host = ea.as_vec();
                let mut hits = 0usize;
                for i in 0..n {
                    let row = &ea_host[i * e..(i + 1) * e];
                    let best = argmax((0..c).map(|k| dot(row, &protos[k * e..(k + 1) * e])));
                    hits += usize::from(best == labels[i]);
                }
                hits as f64 / n as f64
            }
            _ => f64::NAN,
        };

        // Held-out loss over full blocks of the learning batch size.
        let blocks = n / self.block;
        let mut total = 0.0;
        for k in 0..blocks {
            let rows = k * self.block..(k + 1) * self.block;
            let emb = model.embed(
                theta,
                rows_of(&self.a, rows.clone()),
                rows_of(&self.b, rows),
            );
            total += scalar_value(&loss::batch_loss(model.logits(theta, emb), &self.eye)) as f64;
        }
        EvalMetrics {
            zero_shot_accuracy,
            recall_at1_a2b: hits_a2b as f64 / n as f64,
            recall_at1_b2a: hits_b2a as f64 / n as f64,
            eval_loss: total / blocks.max(1) as f64,
        }
    }

    /// Class prototypes in B-embedding space, normalised, on the host (C × e).
    fn prototype_embeddings(&self, model: &TwoTower<D>, e: usize) -> Option<Vec<f32>> {
        let tower_b = |x: &Mat<D>| {
            model
                .tower(&model.theta, &model.layout.tower_b, x.clone())
                .as_vec()
        };
        match &self.prototypes {
            DevicePrototypes::Inputs(x) => Some(tower_b(x)),
            DevicePrototypes::ClassMeans { b, labels } => {
                let emb = tower_b(b);
                let mut sums = vec![0.0f64; self.n_classes * e];
                for (i, &c) in labels.iter().enumerate() {
                    for k in 0..e {
                        sums[c * e + k] += emb[i * e + k] as f64;
                    }
                }
                let mut out = vec![0.0f32; self.n_classes * e];
                for c in 0..self.n_classes {
                    let s = &sums[c * e..(c + 1) * e];
                    let norm = s.iter().map(|x| x * x).sum::<f64>().sqrt();
                    for k in 0..e {
                        // A class with no training item gets a NaN prototype: never nearest.
                        out[c * e + k] = if norm > 0.0 {
                            (s[k] / norm) as f32
                        } else {
                            f32::NAN
                        };
                    }
                }
                Some(out)
            }
            DevicePrototypes::None => None,
        }
    }
}

fn rows_of<D: Device<f32>>(m: &Mat<D>, rows: std::ops::Range<usize>) -> Mat<D> {
    m.clone().slice((rows, ..))
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Index of the largest value; NaNs never win; ties go to the first.
fn argmax(values: impl Iterator<Item = f32>) -> usize {
    let mut best = (usize::MAX, f32::NEG_INFINITY);
    for (i, v) in values.enumerate() {
        if v > best.1 || (best.0 == usize::MAX && !v.is_nan()) {
            best = (i, v);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::argmax;

    #[test]
    fn argmax_skips_nan_and_keeps_first_tie() {
        assert_eq!(argmax([1.0, 3.0, 3.0].into_iter()), 1);
        assert_eq!(argmax([f32::NAN, 0.5, f32::NAN].into_iter()), 1);
        assert_eq!(argmax([-2.0, -1.0].into_iter()), 1);
    }
}
