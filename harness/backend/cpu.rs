//! The CPU: host kernels for every hot path. Parameters stay in the dfdx tensor
//! (evaluation reads them there) and are copied out and back around each step.

use dfdx::prelude::*;

use super::{Backend, Batch, LowRes};
use crate::model::optim::AdamConfig;
use crate::model::optim::HostAdamW;
use crate::model::{flexi, host, Layout, TwoTower};
use crate::score::{tower_host, FusedScores, PairModel, ScoreInput, Scores};

impl Backend for Cpu {
    type Optimizer = HostAdamW;
    const HOST_NUMERICS: bool = true;

    fn optimizer(&self, layout: &Layout, adam: &AdamConfig) -> HostAdamW {
        HostAdamW::new(layout, adam)
    }

    fn train_step(
        &self,
        model: &mut TwoTower<Cpu>,
        opt: &mut HostAdamW,
        batch: &Batch<Cpu>,
        low: LowRes,
        lr: f64,
    ) -> f32 {
        let mut theta = vec![0.0f32; model.layout.len()];
        model.theta.copy_into(&mut theta);
        let (low_items, full_items) = batch.items.split_at(low.items);
        let (pa, pb) = (&batch.host.a, &batch.host.b);
        let r = low.resolution.max(1);
        let low_a = flexi::average_groups(&pa.gather(low_items).data, low_items.len(), pa.cols, r);
        let low_b = flexi::average_groups(&pb.gather(low_items).data, low_items.len(), pb.cols, r);
        let (full_a, full_b) = (pa.gather(full_items).data, pb.gather(full_items).data);
        let (loss, grad) = host::loss_and_grad(
            &model.layout,
            &theta,
            &host::HostBatch {
                full_a: &full_a,
                full_b: &full_b,
                n_full: full_items.len(),
                low_a: &low_a,
                low_b: &low_b,
                n_low: low_items.len(),
                resolution: r,
            },
        );
        if !loss.is_finite() {
            return loss;
        }
        opt.step(&mut theta, &grad, lr);
        model.theta.copy_from(&theta);
        loss
    }

    /// The towers run on the host in fused passes (product, bias and ReLU per
    /// layer; the L2 normalisation), in blocks of rows in parallel.
    fn learner_view(
        &self,
        model: &TwoTower<Cpu>,
        batch: &Batch<Cpu>,
        resolution: usize,
    ) -> PairModel {
        let mut theta = vec![0.0f32; model.layout.len()];
        model.theta.copy_into(&mut theta);
        let l = &model.layout;
        PairModel {
            a: tower_host(&theta, &l.tower_a, &batch.host.a, batch.items, resolution),
            b: tower_host(&theta, &l.tower_b, &batch.host.b, batch.items, resolution),
            dim: l.embed,
            temperature: libm::expf(theta[l.log_temperature.offset]),
            bias: theta[l.bias.offset],
        }
    }

    fn scores(&self, input: ScoreInput) -> Box<dyn Scores> {
        Box::new(FusedScores::new(input))
    }

    fn run_pooled<R: Send>(&self, job: impl FnOnce(&Self) -> R + Send) -> R {
        super::on_pool(|| job(self))
    }
}
