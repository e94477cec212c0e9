//! The paper's optimiser: Adam (β2 = 0.95) with decoupled weight decay, global
//! gradient-norm clipping, linear warmup then cosine decay to zero.
//!
//! It works on the flat parameter vector, so a step is a fixed handful of
//! element-wise device ops whatever the model's depth.

use dfdx::prelude::*;

use super::host::Scalar;
use super::{Flat, Layout};

/// The optimiser's settings (the `train` section's Adam keys fill them; the
/// learning rate comes per step from [`learning_rate`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamConfig {
    pub beta1: f64,
    /// The paper's Adam uses β2 = 0.95.
    pub beta2: f64,
    pub eps: f64,
    /// Decoupled weight decay on weight matrices.
    pub weight_decay: f64,
    /// Global gradient-norm clipping threshold.
    pub clip_norm: f64,
}

impl Default for AdamConfig {
    /// The paper's values (docs/methods.md §2).
    fn default() -> Self {
        AdamConfig {
            beta1: 0.9,
            beta2: 0.95,
            eps: 1e-8,
            weight_decay: 1e-4,
            clip_norm: 1.0,
        }
    }
}

/// Learning rate at `step` (0-based) of `total`: linear warmup from 0 over `warmup`
/// steps, then cosine decay from `peak` to 0.
pub fn learning_rate(peak: f64, warmup: usize, total: usize, step: usize) -> f64 {
    if step < warmup {
        return peak * (step + 1) as f64 / warmup as f64;
    }
    let decay = (total - warmup).max(1) as f64;
    let progress = ((step - warmup) as f64 / decay).min(1.0);
    peak * 0.5 * (1.0 + libm::cos(std::f64::consts::PI * progress))
}

/// AdamW state for one flat parameter vector.
pub struct AdamW<D: Device<f32>> {
    m: Flat<D>,
    v: Flat<D>,
    decay_mask: Flat<D>,
    t: i32,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    clip_norm: f64,
}

/// What one optimiser step did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepInfo {
    /// Global gradient L2 norm before clipping (NaN where clipping is off: not
    /// computed).
    pub grad_norm: f64,
    pub lr: f64,
}

impl<D: Device<f32>> AdamW<D> {
    pub fn new(dev: &D, layout: &Layout, adam: &AdamConfig) -> Self {
        AdamW::from_parts(
            dev,
            layout.decay_mask(),
            adam.beta1,
            adam.beta2,
            adam.eps,
            adam.weight_decay,
            adam.clip_norm,
        )
    }

    /// Any flat parameter vector: `decay_mask` (1 where weight decay applies) sets
    /// its length; `clip_norm = ∞` disables clipping.
    pub fn from_parts(
        dev: &D,
        decay_mask: Vec<f32>,
        beta1: f64,
        beta2: f64,
        eps: f64,
        weight_decay: f64,
        clip_norm: f64,
    ) -> Self {
        let n = decay_mask.len();
        AdamW {
            m: dev.zeros_like(&(n,)),
            v: dev.zeros_like(&(n,)),
            decay_mask: dev.tensor_from_vec(decay_mask, (n,)),
            t: 0,
            beta1,
            beta2,
            eps,
            weight_decay,
            clip_norm,
        }
    }

    /// theta ← theta − lr·(m̂ / (√v̂ + ε) + wd·mask·theta), with the gradient first
    /// scaled by min(1, clip / ‖g‖).
    pub fn step(&mut self, theta: &mut Flat<D>, grad: Flat<D>, lr: f64) -> StepInfo {
        self.t += 1;
        let grad_norm = (super::scalar_value(&grad.clone().square().sum::<(), _>()) as f64).sqrt();
        let scale = if grad_norm > self.clip_norm {
            self.clip_norm / grad_norm
        } else {
            1.0
        };
        let g = grad * scale as f32;
        let (b1, b2) = (self.beta1, self.beta2);
        self.m = self.m.clone() * b1 as f32 + g.clone() * (1.0 - b1) as f32;
        self.v = self.v.clone() * b2 as f32 + g.square() * (1.0 - b2) as f32;
        let m_hat = self.m.clone() / (1.0 - b1.powi(self.t)) as f32;
        let v_hat = self.v.clone() / (1.0 - b2.powi(self.t)) as f32;
        let update = m_hat / (v_hat.sqrt() + self.eps as f32)
            + self.decay_mask.clone() * theta.clone() * self.weight_decay as f32;
        *theta = theta.clone() - update * lr as f32;
        StepInfo { grad_norm, lr }
    }
}

/// Adam with decoupled weight decay and gradient-norm clipping on a host vector,
/// in f32 (the CPU's training step: the same update as the device's [`AdamW`],
/// which is the CUDA path and this one's test oracle) or f64 (SWIM's Adam
/// baseline, with neither decay nor clipping). One update, one operation order:
/// m ← m·β1 + g·(1−β1), v ← v·β2 + g·g·(1−β2), θ ← θ − (m̂ / (√v̂ + ε) + wd·mask·θ)·lr.
pub struct HostAdam<T> {
    m: Vec<T>,
    v: Vec<T>,
    /// 1 for the weights that decay, 0 for the others; `None`: no decay.
    decay_mask: Option<Vec<T>>,
    t: i32,
    config: AdamConfig,
}

/// The CPU's training optimiser.
pub type HostAdamW = HostAdam<f32>;

impl HostAdam<f32> {
    /// AdamW over the model's flat parameters (weight matrices decay).
    pub fn new(layout: &Layout, adam: &AdamConfig) -> Self {
        HostAdam::with_mask(layout.decay_mask(), adam)
    }
}

impl<T: Scalar> HostAdam<T> {
    /// Adam over `n` parameters without weight decay or clipping (`config`'s
    /// moments and ε only).
    pub fn plain(n: usize, config: &AdamConfig) -> Self {
        HostAdam {
            m: vec![T::zero(); n],
            v: vec![T::zero(); n],
            decay_mask: None,
            t: 0,
            config: AdamConfig {
                weight_decay: 0.0,
                clip_norm: f64::INFINITY,
                ..*config
            },
        }
    }

    /// AdamW: parameter i decays where `decay_mask[i]` is 1.
    pub fn with_mask(decay_mask: Vec<T>, config: &AdamConfig) -> Self {
        let n = decay_mask.len();
        HostAdam {
            decay_mask: Some(decay_mask),
            config: *config,
            ..HostAdam::plain(n, config)
        }
    }

    /// θ ← θ − lr·(m̂ / (√v̂ + ε) + wd·mask·θ), the gradient first scaled by
    /// min(1, clip / ‖g‖).
    pub fn step(&mut self, theta: &mut [T], grad: &[T], lr: f64) -> StepInfo {
        self.t += 1;
        let c = &self.config;
        // Without clipping (SWIM's plain Adam) the norm is not needed: not computed.
        let grad_norm = if c.clip_norm.is_finite() {
            grad.iter()
                .map(|&g| g * g)
                .sum::<T>()
                .to_f64()
                .unwrap_or(f64::NAN)
                .sqrt()
        } else {
            f64::NAN
        };
        let scale = T::from_f64(if grad_norm > c.clip_norm {
            c.clip_norm / grad_norm
        } else {
            1.0
        });
        let (c1, c2) = (
            T::from_f64(1.0 - c.beta1.powi(self.t)),
            T::from_f64(1.0 - c.beta2.powi(self.t)),
        );
        let (b1, b2, eps, wd, lr_t) = (
            T::from_f64(c.beta1),
            T::from_f64(c.beta2),
            T::from_f64(c.eps),
            T::from_f64(c.weight_decay),
            T::from_f64(lr),
        );
        let one = T::one();
        // m̂ / (√v̂ + ε) of one parameter, its moments updated.
        let adam = |g: T, m: &mut T, v: &mut T| {
            let g = g * scale;
            *m = *m * b1 + g * (one - b1);
            *v = *v * b2 + g * g * (one - b2);
            (*m / c1) / ((*v / c2).sqrt() + eps)
        };
        // Each parameter's update is its own: chunks of them run on rayon's
        // pool (the same bits as one after another), beside nothing else.
        let mask = self.decay_mask.as_deref();
        let chunk = |at: usize, th: &mut [T], m: &mut [T], v: &mut [T]| {
            let g = &grad[at..at + th.len()];
            let moments = m.iter_mut().zip(v.iter_mut());
            let params = th.iter_mut().zip(g).zip(moments);
            match mask {
                Some(mask) => {
                    for (((th, &g), (m, v)), &d) in params.zip(&mask[at..]) {
                        let update = adam(g, m, v) + d * *th * wd;
                        *th = *th - update * lr_t;
                    }
                }
                None => {
                    for ((th, &g), (m, v)) in params {
                        *th = *th - adam(g, m, v) * lr_t;
                    }
                }
            }
        };
        const CHUNK: usize = 1 << 15;
        if theta.len() < 2 * CHUNK {
            chunk(0, theta, &mut self.m, &mut self.v);
        } else {
            use rayon::prelude::*;
            theta
                .par_chunks_mut(CHUNK)
                .zip(self.m.par_chunks_mut(CHUNK))
                .zip(self.v.par_chunks_mut(CHUNK))
                .enumerate()
                .for_each(|(i, ((th, m), v))| chunk(i * CHUNK, th, m, v));
        }
        StepInfo {
            grad_norm,
            lr: lr_t.to_f64().unwrap_or(lr),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parameters are updated in chunks on the pool: a vector of many chunks
    /// takes, element for element, the steps its pieces take alone (each piece
    /// short enough to run as one chunk), with its mask and gradients in place.
    #[test]
    fn adam_in_chunks_takes_each_parameters_own_step() {
        let n = 3 * (1 << 15) + 7;
        let config = AdamConfig {
            clip_norm: f64::INFINITY,
            ..AdamConfig::default()
        };
        let mut r = crate::data::rng::chacha(9, 0);
        let mut draw = |n: usize| -> Vec<f32> {
            (0..n)
                .map(|_| crate::data::rng::normal(&mut r) as f32)
                .collect()
        };
        let mask: Vec<f32> = (0..n).map(|i| (i % 3 != 0) as u8 as f32).collect();
        let mut theta = draw(n);
        let grads = [draw(n), draw(n), draw(n)];
        let mut whole = HostAdam::with_mask(mask.clone(), &config);
        let pieces = [0, 40_000, 41_234, n];
        let mut parts: Vec<(Vec<f32>, HostAdam<f32>)> = pieces
            .windows(2)
            .map(|w| {
                (
                    theta[w[0]..w[1]].to_vec(),
                    HostAdam::with_mask(mask[w[0]..w[1]].to_vec(), &config),
                )
            })
            .collect();
        for g in &grads {
            whole.step(&mut theta, g, 1e-3);
            for (w, (th, adam)) in pieces.windows(2).zip(parts.iter_mut()) {
                adam.step(th, &g[w[0]..w[1]], 1e-3);
            }
        }
        for (w, (th, _)) in pieces.windows(2).zip(&parts) {
            for (i, (a, b)) in theta[w[0]..w[1]].iter().zip(th).enumerate() {
                assert_eq!(a.to_bits(), b.to_bits(), "parameter {}", w[0] + i);
            }
        }
    }

    #[test]
    fn schedule_warms_up_then_decays_to_zero() {
        assert!((learning_rate(1.0, 10, 110, 0) - 0.1).abs() < 1e-12);
        assert!((learning_rate(1.0, 10, 110, 9) - 1.0).abs() < 1e-12);
        assert!((learning_rate(1.0, 10, 110, 10) - 1.0).abs() < 1e-12);
        assert!((learning_rate(1.0, 10, 110, 60) - 0.5).abs() < 1e-12);
        assert!(learning_rate(1.0, 10, 110, 110).abs() < 1e-12);
        assert!((learning_rate(2.0, 0, 100, 0) - 2.0).abs() < 1e-12);
    }

    #[test]
    fn host_and_device_adamw_take_the_same_steps() {
        let dev = Cpu::default();
        let spec = crate::model::ModelSpec {
            hidden: vec![3],
            embed: 2,
            temperature_init: 10.0,
            bias_init: -10.0,
        };
        let layout = Layout::new(&spec, 2, 3);
        let train = AdamConfig::default();
        let n = layout.len();
        let mut host = HostAdamW::new(&layout, &train);
        let mut device = AdamW::new(&dev, &layout, &train);
        let mut theta_h: Vec<f32> = (0..n).map(|i| (i as f32 * 0.37).sin()).collect();
        let mut theta_d: Flat<Cpu> = dev.tensor_from_vec(theta_h.clone(), (n,));
        for step in 0..5 {
            let g: Vec<f32> = (0..n)
                .map(|i| ((i + step) as f32 * 1.3).cos() * 3.0)
                .collect();
            host.step(&mut theta_h, &g, 0.01);
            device.step(&mut theta_d, dev.tensor_from_vec(g, (n,)), 0.01);
        }
        for (a, b) in theta_h.iter().zip(theta_d.as_vec()) {
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        }
    }

    #[test]
    fn adamw_first_step_is_sign_times_lr_and_clips() {
        let dev = Cpu::default();
        let spec = crate::model::ModelSpec {
            hidden: vec![],
            embed: 1,
            temperature_init: 10.0,
            bias_init: -10.0,
        };
        // dim 1 → embed 1 per tower: w, b per tower + t', c = 6 numbers.
        let layout = Layout::new(&spec, 1, 1);
        assert_eq!(layout.len(), 6);
        let train = AdamConfig {
            weight_decay: 0.0,
            ..AdamConfig::default()
        };
        let mut opt = AdamW::new(&dev, &layout, &train);
        let mut theta: Flat<Cpu> = dev.tensor_from_vec(vec![1.0; 6], (6,));
        // ‖g‖ = 200 > clip 1: scaled to norm 1; Adam's first step is lr·sign(g).
        let g: Flat<Cpu> = dev.tensor_from_vec(vec![0.0, 200.0, 0.0, 0.0, 0.0, 0.0], (6,));
        let info = opt.step(&mut theta, g, 0.1);
        assert!((info.grad_norm - 200.0).abs() < 1e-3);
        let t = theta.as_vec();
        assert!((t[1] - 0.9).abs() < 1e-5, "{t:?}");
        assert_eq!(t[0], 1.0);
    }
}

#[cfg(test)]
mod host_adam_tests {
    use super::*;

    /// Kingma and Ba's Adam, written out alone in f64: the plain host Adam takes
    /// its steps (to rounding: the two orders of the products differ).
    #[test]
    fn plain_adam_takes_textbook_steps_without_decay_or_clipping() {
        let config = AdamConfig {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.5,
            clip_norm: 1e-3,
        };
        let n = 7;
        let mut adam = HostAdam::<f64>::plain(n, &config);
        let mut theta: Vec<f64> = (0..n).map(|i| (i as f64 * 0.7).sin()).collect();
        let mut want = theta.clone();
        let (mut m, mut v) = (vec![0.0; n], vec![0.0; n]);
        for t in 1..=20 {
            let g: Vec<f64> = (0..n)
                .map(|i| ((i * t) as f64 * 0.3).cos() * 50.0)
                .collect();
            let info = adam.step(&mut theta, &g, 0.01);
            let norm = g.iter().map(|v| v * v).sum::<f64>().sqrt();
            assert!(norm > config.clip_norm, "clipping would have applied");
            assert!(info.grad_norm.is_nan(), "no clipping, no norm");
            for i in 0..n {
                m[i] = 0.9 * m[i] + 0.1 * g[i];
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                let (mh, vh) = (
                    m[i] / (1.0 - 0.9f64.powi(t as i32)),
                    v[i] / (1.0 - 0.999f64.powi(t as i32)),
                );
                want[i] -= 0.01 * mh / (vh.sqrt() + 1e-8);
            }
            for (a, b) in theta.iter().zip(&want) {
                assert!((a - b).abs() < 1e-12, "step {t}: {a} vs {b}");
            }
        }
    }
}
