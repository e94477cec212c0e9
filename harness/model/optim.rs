//! The paper's optimiser: Adam (β2 = 0.95) with decoupled weight decay, global
//! gradient-norm clipping, linear warmup then cosine decay to zero.
//!
//! It works on the flat parameter vector, so a step is a fixed handful of
//! element-wise device ops whatever the model's depth.

use dfdx::prelude::*;

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
    /// The paper's values (SPEC §2).
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
    /// Global gradient L2 norm before clipping.
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

/// AdamW on a host vector: the same update as [`AdamW`] (the CPU's training step).
pub struct HostAdamW {
    m: Vec<f32>,
    v: Vec<f32>,
    decay_mask: Vec<f32>,
    t: i32,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    clip_norm: f64,
}

impl HostAdamW {
    pub fn new(layout: &Layout, adam: &AdamConfig) -> Self {
        let decay_mask = layout.decay_mask();
        let n = decay_mask.len();
        HostAdamW {
            m: vec![0.0; n],
            v: vec![0.0; n],
            decay_mask,
            t: 0,
            beta1: adam.beta1,
            beta2: adam.beta2,
            eps: adam.eps,
            weight_decay: adam.weight_decay,
            clip_norm: adam.clip_norm,
        }
    }

    /// theta ← theta − lr·(m̂ / (√v̂ + ε) + wd·mask·theta), the gradient first
    /// scaled by min(1, clip / ‖g‖).
    pub fn step(&mut self, theta: &mut [f32], grad: &[f32], lr: f64) -> StepInfo {
        self.t += 1;
        let grad_norm = (grad.iter().map(|g| g * g).sum::<f32>() as f64).sqrt();
        let scale = if grad_norm > self.clip_norm {
            self.clip_norm / grad_norm
        } else {
            1.0
        } as f32;
        let (b1, b2) = (self.beta1, self.beta2);
        let (c1, c2) = (
            (1.0 - b1.powi(self.t)) as f32,
            (1.0 - b2.powi(self.t)) as f32,
        );
        let (b1, b2, eps, wd, lr) = (
            b1 as f32,
            b2 as f32,
            self.eps as f32,
            self.weight_decay as f32,
            lr as f32,
        );
        for i in 0..theta.len() {
            let g = grad[i] * scale;
            self.m[i] = self.m[i] * b1 + g * (1.0 - b1);
            self.v[i] = self.v[i] * b2 + g * g * (1.0 - b2);
            let update = (self.m[i] / c1) / ((self.v[i] / c2).sqrt() + eps)
                + self.decay_mask[i] * theta[i] * wd;
            theta[i] -= update * lr;
        }
        StepInfo {
            grad_norm,
            lr: lr as f64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
