/*!
The device-specific fast paths of a training iteration, behind one trait: how a
device embeds candidates for scoring, scores them (`score::Scores`), and takes a
training step. The CPU runs hand-written host kernels (`cpu`: fused tower
forwards, fused score entries, the loss's gradient written out in
`model::host`); CUDA runs dfdx's kernels with autodiff and a kernel of its own
for the score entries (`cuda`, with the `cuda` feature). The training loop
(`train`) is generic over [`Backend`] and knows nothing else of devices.
*/

mod cpu;
#[cfg(feature = "cuda")]
mod cuda;

use dfdx::prelude::*;

use crate::data::Pairs;
use crate::model::optim::AdamConfig;
use crate::model::{loss, optim, scalar_value, Layout, Mat, TwoTower};
use crate::score::{PairModel, ScoreInput, Scores};

/// A batch of pool items, on the host and on the device.
pub struct Batch<'a, D: Device<f32>> {
    pub host: &'a Pairs,
    pub device: (&'a Mat<D>, &'a Mat<D>),
    pub items: &'a [usize],
}

/// How much of a learning batch trains at low resolution: its first `items`, at
/// `resolution` (Flexi-JEST's multi-resolution training).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LowRes {
    pub resolution: usize,
    pub items: usize,
}

/// What a device does fast for a training iteration.
pub trait Backend: Device<f32> {
    /// The optimiser's state.
    type Optimizer;

    fn optimizer(&self, layout: &Layout, adam: &AdamConfig) -> Self::Optimizer;

    /// One AdamW step on the batch's loss at learning rate `lr` (its first
    /// `low.items` at low resolution); returns the loss. A non-finite loss takes no
    /// step.
    fn train_step(
        &self,
        model: &mut TwoTower<Self>,
        opt: &mut Self::Optimizer,
        batch: &Batch<Self>,
        low: LowRes,
        lr: f64,
    ) -> f32;

    /// The learner's embeddings of the batch at `resolution` (no gradients), on
    /// the host.
    fn learner_view(
        &self,
        model: &TwoTower<Self>,
        batch: &Batch<Self>,
        resolution: usize,
    ) -> PairModel;

    /// The scores of a super-batch.
    fn scores(&self, input: ScoreInput) -> Box<dyn Scores>;

    /// Runs `job` with this device where its host work runs best. The CPU runs it
    /// on a worker of rayon's pool (the caller waits): parallel blocks inside a run
    /// (the towers over a super-batch, a JEST chunk's two models) then start on the
    /// running thread and the other worker joins as it wakes, where from outside the
    /// pool each block would wait for a sleeping worker (hundreds of µs on this
    /// project's machines, as much as the block's work). A CUDA device runs it on
    /// the calling thread, which holds its context.
    fn run_pooled<R: Send>(&self, job: impl FnOnce(&Self) -> R + Send) -> R;

    /// Whether evaluation and the reference's pool embeddings run on the host
    /// kernels (`crate::kernels`: every sum in an order the code fixes, the same
    /// bits on any CPU) rather than through dfdx's ops (whose CPU matmul picks its
    /// kernel by the CPU). The CPU does; a GPU keeps them on the device.
    const HOST_NUMERICS: bool = false;
}

/// Runs `job` on a worker of rayon's pool while the caller waits (at once when the
/// caller is one): how the CPU runs a training run (`Backend::run_pooled`), and how
/// `run` runs its runs one after another.
pub fn on_pool<R: Send>(job: impl FnOnce() -> R + Send) -> R {
    rayon::scope(|_| job())
}

/// The learner's embeddings through dfdx at `resolution` (device → host: 2·n·e
/// floats).
pub fn dfdx_view<D: Device<f32>>(
    model: &TwoTower<D>,
    batch: &Batch<D>,
    resolution: usize,
) -> PairModel {
    let dev = model.theta.device();
    let idx = dev.tensor_from_vec(batch.items.to_vec(), (batch.items.len(),));
    let l = &model.layout;
    let a = model.tower_at(
        &model.theta,
        &l.tower_a,
        batch.device.0.clone().gather(idx.clone()),
        resolution,
    );
    let b = model.tower_at(
        &model.theta,
        &l.tower_b,
        batch.device.1.clone().gather(idx),
        resolution,
    );
    let (temperature, bias) = model.temperature_and_bias();
    PairModel {
        a: a.as_vec(),
        b: b.as_vec(),
        dim: model.layout.embed,
        temperature,
        bias,
    }
}

/// One training step through dfdx's autodiff: a fresh forward with gradients on
/// the batch (its first `low.items` at `low.resolution`, the rest at full), the
/// SigLIP loss, AdamW on the device.
pub fn dfdx_train_step<D: Device<f32>>(
    model: &mut TwoTower<D>,
    opt: &mut optim::AdamW<D>,
    batch: &Batch<D>,
    low: LowRes,
    lr: f64,
) -> f32 {
    let dev = model.theta.device().clone();
    let n = batch.items.len();
    let idx = dev.tensor_from_vec(batch.items.to_vec(), (n,));
    let xa: Mat<D> = batch.device.0.clone().gather(idx.clone());
    let xb: Mat<D> = batch.device.1.clone().gather(idx);
    let theta = model.theta.leaky_trace();
    let l = &model.layout;
    let (n_low, r) = (low.items, low.resolution);
    let a = model.tower_mixed(&theta, &l.tower_a, xa, n_low, r);
    let b = model.tower_mixed(&theta, &l.tower_b, xb, n_low, r);
    let emb = crate::model::Embeddings { a, b };
    let batch_loss = loss::batch_loss(model.logits(&theta, emb), &loss::identity(&dev, n));
    // Device → host: the loss, to detect divergence.
    let value = scalar_value(&batch_loss);
    if !value.is_finite() {
        return value;
    }
    let grads = batch_loss.backward();
    let grad = grads.get(&model.theta);
    opt.step(&mut model.theta, grad, lr);
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{rng, Matrix};
    use crate::model::{optim::AdamW, to_device};

    /// The CPU's hand-written step and dfdx's autodiff step (the CUDA path) move the
    /// parameters alike, at full resolution and with part or all of the batch at a
    /// low one; and a low-resolution share changes the step.
    #[test]
    fn the_host_step_equals_dfdxs_at_every_mix_of_resolutions() {
        let text = "name: t\nseeds: [0]\ndataset:\n  synthetic: {concepts: 4, latent_dim: 4, dim_a: 12, dim_b: 9, pool: 100, curated: 20, eval_concepts: 2, eval_per_concept: 5}\nmodel: {hidden: [10], embed: 6}\ntrain: {steps: 1, batch_size: 8}\neval: {every: 1}\n";
        let c = &crate::train::RunConfig::from_test_yaml(text);
        let dev = Cpu::default();
        let mut r = rng::chacha(1, 0);
        let n = 20;
        let pairs = Pairs {
            a: Matrix::new(n, 12, rng::normals(&mut r, n * 12, 1.0)),
            b: Matrix::new(n, 9, rng::normals(&mut r, n * 9, 1.0)),
            labels: None,
        };
        let (pa, pb) = (to_device(&dev, &pairs.a), to_device(&dev, &pairs.b));
        let items = [3, 17, 5, 0, 11, 8, 19, 2];
        let batch = Batch {
            host: &pairs,
            device: (&pa, &pb),
            items: &items,
        };
        let init = TwoTower::init(&dev, &c.model, 12, 9, 4);
        let mut full_result = None;
        for low in [
            LowRes::default(),
            LowRes {
                resolution: 3,
                items: 8,
            },
            LowRes {
                resolution: 2,
                items: 3,
            },
        ] {
            let mut host = init.clone();
            let mut host_opt = dev.optimizer(&host.layout, &c.train.adam());
            let host_loss = dev.train_step(&mut host, &mut host_opt, &batch, low, 0.01);
            let mut auto = init.clone();
            let mut auto_opt = AdamW::new(&dev, &auto.layout, &c.train.adam());
            let auto_loss = dfdx_train_step(&mut auto, &mut auto_opt, &batch, low, 0.01);
            assert!(
                (host_loss - auto_loss).abs() < 1e-5,
                "{low:?}: loss {host_loss} vs {auto_loss}"
            );
            let (h, a) = (host.theta.as_vec(), auto.theta.as_vec());

            for (k, (x, y)) in h.iter().zip(&a).enumerate() {
                assert!(
                    (x - y).abs() < 1e-5,
                    "{low:?}, parameter {k}: host {x} vs dfdx {y}"
                );
            }
            match &full_result {
                None => full_result = Some(h),
                Some(full) => {
                    assert_ne!(full, &h, "{low:?} trains differently from full resolution")
                }
            }
        }
    }
}
