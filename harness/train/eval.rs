//! Held-out evaluation (docs/methods.md §3): zero-shot accuracy against class prototypes in
//! B-space, retrieval recall@1 both ways, held-out SigLIP loss.

use dfdx::prelude::*;

use crate::backend::Backend;
use crate::data::{Bucket, Matrix, Pairs, Prototypes};
use crate::kernels;
use crate::model::{loss, scalar_value, to_device, Layout, Mat, TwoTower};
use crate::score::tower_host;

/// Evaluation metrics at one point of training.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EvalMetrics {
    /// Fraction of eval A-views whose nearest class prototype is their class
    /// (NaN when the data has no labels).
    pub zero_shot_accuracy: f64,
    /// The same over the eval items of head, torso and tail concepts (by pool
    /// frequency, `data::concepts`): NaN where a bucket has no eval items or the
    /// classes' buckets are unknown.
    pub zero_shot_by_bucket: [f64; 3],
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
            zero_shot_by_bucket: [f64::NAN; 3],
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
    /// The concept bucket of each class, when known.
    class_buckets: Option<Vec<Bucket>>,
    prototypes: DevicePrototypes<D>,
    n_classes: usize,
    block: usize,
    eye: Mat<D>,
    /// The same data on the host, for [`Backend::HOST_NUMERICS`] devices.
    host: HostEval,
}

struct HostEval {
    a: Matrix,
    b: Matrix,
    prototypes: Prototypes,
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
            class_buckets: None,
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
            host: HostEval {
                a: eval.a.clone(),
                b: eval.b.clone(),
                prototypes: prototypes.clone(),
            },
        }
    }

    /// Splits zero-shot accuracy by the concept bucket of each class (one per class).
    pub fn with_class_buckets(mut self, buckets: Option<Vec<Bucket>>) -> Self {
        self.class_buckets = buckets.filter(|b| b.len() == self.n_classes);
        self
    }

    /// The metrics of `model`: on the host kernels where the device asks for them
    /// (the CPU), else through dfdx on the device.
    pub fn evaluate(&self, model: &TwoTower<D>) -> EvalMetrics
    where
        D: Backend,
    {
        if D::HOST_NUMERICS {
            let mut theta = vec![0.0f32; model.layout.len()];
            model.theta.copy_into(&mut theta);
            return self.evaluate_host(&theta, &model.layout);
        }
        self.evaluate_device(model)
    }

    /// Evaluation through dfdx's ops on the device.
    fn evaluate_device(&self, model: &TwoTower<D>) -> EvalMetrics {
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
        let (hits_a2b, hits_b2a) = retrieval_hits(&sim, n);

        let (zero_shot_accuracy, zero_shot_by_bucket) = match self.prototype_embeddings(model, e) {
            Some(protos) => self.zero_shot(&ea.as_vec(), &protos, e),
            None => (f64::NAN, [f64::NAN; 3]),
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
            zero_shot_by_bucket,
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
                Some(class_means(&tower_b(b), labels, self.n_classes, e))
            }
            DevicePrototypes::None => None,
        }
    }
}

impl<D: Device<f32>> EvalSet<D> {
    /// The same metrics as `evaluate_device`, from the host kernels: towers by
    /// `tower_host`, similarities by `kernels::products`, the pair loss by
    /// `kernels::softplus`; every sum in a fixed order, so the bits do not depend
    /// on the CPU or the thread count.
    fn evaluate_host(&self, theta: &[f32], layout: &Layout) -> EvalMetrics {
        let h = &self.host;
        let n = h.a.rows;
        let e = layout.embed;
        let all: Vec<usize> = (0..n).collect();
        let ea = tower_host(theta, &layout.tower_a, &h.a, &all, 1);
        let eb = tower_host(theta, &layout.tower_b, &h.b, &all, 1);
        let ebt = kernels::transpose(&eb, n, e);
        let mut sim = vec![0.0f32; n * n];
        kernels::products(n, n, e, &ea, &ebt, n, 0, &mut sim);
        let (hits_a2b, hits_b2a) = retrieval_hits(&sim, n);
        let tower_b = |x: &Matrix| {
            let rows: Vec<usize> = (0..x.rows).collect();
            tower_host(theta, &layout.tower_b, x, &rows, 1)
        };
        let protos = match &h.prototypes {
            Prototypes::Inputs(x) => Some(tower_b(x)),
            Prototypes::ClassMeans { b, labels } => {
                Some(class_means(&tower_b(b), labels, self.n_classes, e))
            }
            Prototypes::None => None,
        };
        let (zero_shot_accuracy, zero_shot_by_bucket) = match protos {
            Some(protos) => self.zero_shot(&ea, &protos, e),
            None => (f64::NAN, [f64::NAN; 3]),
        };
        // Held-out loss over full blocks: (1/b) Σ_ij softplus(∓(t·s_ij + c)), the
        // host training step's loss, summed over i then j in order.
        let t = libm::expf(theta[layout.log_temperature.offset]);
        let c = theta[layout.bias.offset];
        let b = self.block;
        let blocks = n / b;
        let mut total = 0.0f64;
        for k in 0..blocks {
            let a_rows = &ea[k * b * e..(k + 1) * b * e];
            let bt = kernels::transpose(&eb[k * b * e..(k + 1) * b * e], b, e);
            let mut s = vec![0.0f32; b * b];
            kernels::products(b, b, e, a_rows, &bt, b, 0, &mut s);
            let mut block = 0.0f32;
            for i in 0..b {
                for j in 0..b {
                    let z = t * s[i * b + j] + c;
                    block += kernels::softplus(if i == j { -z } else { z });
                }
            }
            total += (block / b as f32) as f64;
        }
        EvalMetrics {
            zero_shot_accuracy,
            zero_shot_by_bucket,
            recall_at1_a2b: hits_a2b as f64 / n as f64,
            recall_at1_b2a: hits_b2a as f64 / n as f64,
            eval_loss: total / blocks.max(1) as f64,
        }
    }
}

impl<D: Device<f32>> EvalSet<D> {
    /// Zero-shot accuracy: the share of rows of `ea` (n × e, host) whose nearest
    /// class prototype (C × e) is their label, overall and by the class's concept
    /// bucket; NaN without labels.
    fn zero_shot(&self, ea: &[f32], protos: &[f32], e: usize) -> (f64, [f64; 3]) {
        let Some(labels) = &self.labels else {
            return (f64::NAN, [f64::NAN; 3]);
        };
        let (n, c) = (labels.len(), self.n_classes);
        let mut hits = 0usize;
        let mut by_bucket = [(0usize, 0usize); 3];
        for i in 0..n {
            let row = &ea[i * e..(i + 1) * e];
            let best = argmax((0..c).map(|k| dot(row, &protos[k * e..(k + 1) * e])));
            let hit = usize::from(best == labels[i]);
            hits += hit;
            if let Some(b) = self.class_buckets.as_ref().and_then(|b| b.get(labels[i])) {
                by_bucket[*b as usize].0 += hit;
                by_bucket[*b as usize].1 += 1;
            }
        }
        let share = |(h, m): (usize, usize)| {
            if m == 0 {
                f64::NAN
            } else {
                h as f64 / m as f64
            }
        };
        (hits as f64 / n as f64, by_bucket.map(share))
    }
}

/// Recall@1 hits both ways from the n×n similarity matrix (row-major): rows
/// whose best column is their own, and columns whose best row is theirs.
fn retrieval_hits(sim: &[f32], n: usize) -> (usize, usize) {
    let (mut a2b, mut b2a) = (0usize, 0usize);
    for i in 0..n {
        if argmax((0..n).map(|j| sim[i * n + j])) == i {
            a2b += 1;
        }
        if argmax((0..n).map(|j| sim[j * n + i])) == i {
            b2a += 1;
        }
    }
    (a2b, b2a)
}

/// Normalised class-mean embeddings (C × e) of `emb`'s rows by label, summed in
/// f64 in row order; a class with no item gets a NaN prototype (never nearest).
fn class_means(emb: &[f32], labels: &[usize], n_classes: usize, e: usize) -> Vec<f32> {
    let mut sums = vec![0.0f64; n_classes * e];
    for (i, &c) in labels.iter().enumerate() {
        for k in 0..e {
            sums[c * e + k] += emb[i * e + k] as f64;
        }
    }
    let mut out = vec![0.0f32; n_classes * e];
    for c in 0..n_classes {
        let s = &sums[c * e..(c + 1) * e];
        let norm = s.iter().map(|x| x * x).sum::<f64>().sqrt();
        for k in 0..e {
            out[c * e + k] = if norm > 0.0 {
                (s[k] / norm) as f32
            } else {
                f32::NAN
            };
        }
    }
    out
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
