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
use crate::experiment::TrainSpec;
use crate::model::{loss, optim, scalar_value, Layout, Mat, TwoTower};
use crate::score::{PairModel, ScoreInput, Scores};

/// A batch of pool items, on the host and on the device.
pub struct Batch<'a, D: Device<f32>> {
    pub host: &'a Pairs,
    pub device: (&'a Mat<D>, &'a Mat<D>),
    pub items: &'a [usize],
}

/// What a device does fast for a training iteration.
pub trait Backend: Device<f32> {
    /// The optimiser's state.
    type Optimizer;

    fn optimizer(&self, layout: &Layout, train: &TrainSpec) -> Self::Optimizer;

    /// One AdamW step on the batch's loss at learning rate `lr`; returns the loss.
    /// A non-finite loss takes no step.
    fn train_step(
        &self,
        model: &mut TwoTower<Self>,
        opt: &mut Self::Optimizer,
        batch: &Batch<Self>,
        lr: f64,
    ) -> f32;

    /// The learner's embeddings of the batch (no gradients), on the host.
    fn learner_view(&self, model: &TwoTower<Self>, batch: &Batch<Self>) -> PairModel;

    /// The scores of a super-batch.
    fn scores(&self, input: ScoreInput) -> Box<dyn Scores>;
}

/// The learner's embeddings through dfdx (device → host: 2·n·e floats).
pub fn dfdx_view<D: Device<f32>>(model: &TwoTower<D>, batch: &Batch<D>) -> PairModel {
    let dev = model.theta.device();
    let idx = dev.tensor_from_vec(batch.items.to_vec(), (batch.items.len(),));
    let emb = model.embed(
        &model.theta,
        batch.device.0.clone().gather(idx.clone()),
        batch.device.1.clone().gather(idx),
    );
    let (temperature, bias) = model.temperature_and_bias();
    PairModel {
        a: emb.a.as_vec(),
        b: emb.b.as_vec(),
        dim: model.layout.embed,
        temperature,
        bias,
    }
}

/// One training step through dfdx's autodiff: a fresh forward with gradients on
/// the batch, the SigLIP loss, AdamW on the device.
pub fn dfdx_train_step<D: Device<f32>>(
    model: &mut TwoTower<D>,
    opt: &mut optim::AdamW<D>,
    batch: &Batch<D>,
    lr: f64,
) -> f32 {
    let dev = model.theta.device().clone();
    let n = batch.items.len();
    let idx = dev.tensor_from_vec(batch.items.to_vec(), (n,));
    let xa: Mat<D> = batch.device.0.clone().gather(idx.clone());
    let xb: Mat<D> = batch.device.1.clone().gather(idx);
    let theta = model.theta.leaky_trace();
    let emb = model.embed(&theta, xa, xb);
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
