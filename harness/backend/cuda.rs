//! CUDA: dfdx's kernels and autodiff for the towers and the training step, and a
//! kernel of our own for the one O(b·B·e) part of scoring, JEST's row and column
//! sums (`add_cross`). dfdx 0.13 keeps its cudarc device private, so the kernel runs
//! on a cudarc handle of its own on the same GPU (the same primary context); the
//! super-batch's embeddings go up once per super-batch (4·B·e floats), each chunk's
//! sums come back (B doubles). The diagonal and batch sums (O(B·e), O(b²·e)) run on
//! the host copy.

use std::sync::{Arc, OnceLock};

use cudarc::driver::{CudaDevice, CudaSlice, LaunchAsync, LaunchConfig};
use dfdx::prelude::*;

use super::{dfdx_train_step, dfdx_view, Backend, Batch, LowRes};
use crate::model::optim::AdamConfig;
use crate::model::optim::AdamW;
use crate::model::{Layout, TwoTower};
use crate::score::Scoring;
use crate::score::{FusedScores, PairModel, ScoreInput, Scores};

/// The kernel: for each candidate j, Σ over the chosen k (in order) of A_kj + A_jk,
/// each entry the pair losses of one or both models as in `score::fused`.
pub const CROSS_SUMS_SRC: &str = r#"
__device__ float pair_loss(const float* a, const float* b, int i, int j, int e, float t, float c) {
    float dot = 0.0f;
    for (int d = 0; d < e; ++d) dot = fmaf(a[i * e + d], b[j * e + d], dot);
    float logit = t * dot + c;
    float z = (i == j) ? -logit : logit;
    return fmaxf(z, 0.0f) + log1pf(expf(-fabsf(z)));
}

__device__ float entry(const float* la, const float* lb, const float* ra, const float* rb,
                       const float* s, int rule, int i, int j, int e) {
    if (rule == 0) return pair_loss(la, lb, i, j, e, s[0], s[1]) - pair_loss(ra, rb, i, j, e, s[2], s[3]);
    if (rule == 1) return pair_loss(la, lb, i, j, e, s[0], s[1]);
    return -pair_loss(ra, rb, i, j, e, s[2], s[3]);
}

extern "C" __global__ void cross_sums(const float* la, const float* lb, const float* ra,
                                      const float* rb, const float* scalars, const int* ks,
                                      double* out, int m, int n, int e, int rule) {
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= n) return;
    double total = 0.0;
    for (int q = 0; q < m; ++q) {
        int k = ks[q];
        total += (double)entry(la, lb, ra, rb, scalars, rule, k, j, e)
               + (double)entry(la, lb, ra, rb, scalars, rule, j, k, e);
    }
    out[j] = total;
}
"#;

const MODULE: &str = "jestbench_scores";

/// The kernel's device, compiled once per process.
fn device() -> Result<&'static Arc<CudaDevice>, String> {
    static DEVICE: OnceLock<Result<Arc<CudaDevice>, String>> = OnceLock::new();
    DEVICE
        .get_or_init(|| {
            let dev = CudaDevice::new(0).map_err(|e| format!("{e:?}"))?;
            let ptx = cudarc::nvrtc::compile_ptx(CROSS_SUMS_SRC).map_err(|e| format!("{e:?}"))?;
            dev.load_ptx(ptx, MODULE, &["cross_sums"])
                .map_err(|e| format!("{e:?}"))?;
            Ok(dev)
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Scores with the kernel for the row and column sums.
struct CudaScores {
    host: FusedScores,
    dev: Arc<CudaDevice>,
    buffers: [CudaSlice<f32>; 4],
    scalars: CudaSlice<f32>,
    rule: i32,
    n: usize,
    dim: usize,
}

impl CudaScores {
    fn new(input: ScoreInput) -> CudaScores {
        let dev = device()
            .unwrap_or_else(|e| panic!("the CUDA score kernel cannot be used: {e}"))
            .clone();
        let (l, r) = (input.learner.as_ref(), input.reference.as_ref());
        let any: &PairModel = l.or(r).expect("a scoring rule needs at least one model");
        let up = |m: Option<&PairModel>, b: bool| -> CudaSlice<f32> {
            let m = m.unwrap_or(any);
            dev.htod_sync_copy(if b { &m.b } else { &m.a })
                .expect("copy to the GPU")
        };
        let buffers = [up(l, false), up(l, true), up(r, false), up(r, true)];
        let s = |m: Option<&PairModel>| m.map_or((1.0, 0.0), |m| (m.temperature, m.bias));
        let ((lt, lc), (rt, rc)) = (s(l), s(r));
        let scalars = dev
            .htod_sync_copy(&[lt, lc, rt, rc])
            .expect("copy to the GPU");
        let rule = match input.rule {
            Scoring::Learnability => 0,
            Scoring::HardLearner => 1,
            Scoring::EasyReference => 2,
        };
        let (n, dim) = (any.len(), any.dim);
        CudaScores {
            host: FusedScores::new(input),
            dev,
            buffers,
            scalars,
            rule,
            n,
            dim,
        }
    }
}

impl Scores for CudaScores {
    fn len(&self) -> usize {
        self.n
    }

    fn diagonal(&self) -> Vec<f32> {
        self.host.diagonal()
    }

    fn add_cross(&self, chosen: &[usize], acc: &mut [f64]) {
        if chosen.is_empty() {
            return;
        }
        let ks: Vec<i32> = chosen.iter().map(|&k| k as i32).collect();
        let ks = self.dev.htod_sync_copy(&ks).expect("copy to the GPU");
        let mut out = self
            .dev
            .alloc_zeros::<f64>(self.n)
            .expect("allocate on the GPU");
        let f = self
            .dev
            .get_func(MODULE, "cross_sums")
            .expect("loaded with the device");
        let [la, lb, ra, rb] = &self.buffers;
        // SAFETY: every buffer holds n·e floats (or 4 scalars, m indices, n
        // outputs), as the kernel reads them.
        unsafe {
            f.launch(
                LaunchConfig::for_num_elems(self.n as u32),
                (
                    la,
                    lb,
                    ra,
                    rb,
                    &self.scalars,
                    &ks,
                    &mut out,
                    chosen.len() as i32,
                    self.n as i32,
                    self.dim as i32,
                    self.rule,
                ),
            )
        }
        .expect("the score kernel launches");
        let sums = self.dev.dtoh_sync_copy(&out).expect("copy from the GPU");
        for (a, s) in acc.iter_mut().zip(sums) {
            *a += s;
        }
    }

    fn total(&self) -> f64 {
        self.host.total()
    }

    fn block_sum(&self, batch: &[usize]) -> f64 {
        self.host.block_sum(batch)
    }
}

impl Backend for Cuda {
    type Optimizer = AdamW<Cuda>;

    fn optimizer(&self, layout: &Layout, adam: &AdamConfig) -> AdamW<Cuda> {
        AdamW::new(self, layout, adam)
    }

    fn train_step(
        &self,
        model: &mut TwoTower<Cuda>,
        opt: &mut AdamW<Cuda>,
        batch: &Batch<Cuda>,
        low: LowRes,
        lr: f64,
    ) -> f32 {
        dfdx_train_step(model, opt, batch, low, lr)
    }

    fn learner_view(
        &self,
        model: &TwoTower<Cuda>,
        batch: &Batch<Cuda>,
        resolution: usize,
    ) -> PairModel {
        dfdx_view(model, batch, resolution)
    }

    fn scores(&self, input: ScoreInput) -> Box<dyn Scores> {
        Box::new(CudaScores::new(input))
    }

    fn run_pooled<R: Send>(&self, job: impl FnOnce(&Self) -> R + Send) -> R {
        job(self)
    }
}

#[cfg(test)]
mod tests {
    /// Where the CUDA toolkit is present (a `cuda` build), the kernel compiles.
    #[test]
    fn the_score_kernel_compiles_with_nvrtc() {
        let ptx = cudarc::nvrtc::compile_ptx(super::CROSS_SUMS_SRC);
        assert!(ptx.is_ok(), "{ptx:?}");
    }
}
