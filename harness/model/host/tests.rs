//! The host step against dfdx, and the f64 gradient against finite differences.

use super::*;
use crate::data::rng::{chacha, normals};
use crate::model::{flexi, ModelSpec};
use dfdx::prelude::*;

/// A small two-tower model (two hidden layers, so every kind of layer is
/// checked) with random parameters and inputs.
fn setup(seed: u64) -> (Layout, Vec<f64>, Vec<f64>, Vec<f64>, usize) {
    let spec = ModelSpec {
        hidden: vec![7, 5],
        embed: 4,
        temperature_init: 10.0,
        bias_init: -10.0,
    };
    let layout = Layout::new(&spec, 6, 3);
    let mut r = chacha(seed, 0);
    let n = 5;
    let mut theta: Vec<f64> = normals(&mut r, layout.len(), 0.6)
        .iter()
        .map(|&x| x as f64)
        .collect();
    // t = 3, c = −1.5: logits in σ's sensitive range.
    theta[layout.log_temperature.offset] = 3f64.ln();
    theta[layout.bias.offset] = -1.5;
    let xa = normals(&mut r, n * 6, 1.0)
        .iter()
        .map(|&x| x as f64)
        .collect();
    let xb = normals(&mut r, n * 3, 1.0)
        .iter()
        .map(|&x| x as f64)
        .collect();
    (layout, theta, xa, xb, n)
}

/// The training objective AdamW's decoupled decay corresponds to: the loss plus
/// ½·wd·Σ over the decayed parameters (weight matrices only) of θ².
fn objective(layout: &Layout, theta: &[f64], batch: &HostBatch<f64>, wd: f64) -> f64 {
    let mask = layout.decay_mask();
    let penalty: f64 = theta
        .iter()
        .zip(&mask)
        .map(|(t, &m)| m as f64 * t * t)
        .sum();
    loss(layout, theta, batch) + 0.5 * wd * penalty
}

#[test]
fn f64_gradient_matches_central_differences_on_every_parameter() {
    for (seed, wd) in [(1, 0.0), (2, 0.0), (3, 0.3)] {
        let (layout, theta, xa, xb, n) = setup(seed);
        let batch = HostBatch::full(&xa, &xb, n);
        let (l, mut grad) = loss_and_grad(&layout, &theta, &batch);
        assert!((l - loss(&layout, &theta, &batch)).abs() < 1e-14);
        for (g, (&t, &m)) in grad.iter_mut().zip(theta.iter().zip(&layout.decay_mask())) {
            *g += wd * m as f64 * t;
        }
        let h = 1e-5;
        let mut worst = 0.0f64;
        for k in 0..theta.len() {
            let (mut up, mut down) = (theta.clone(), theta.clone());
            up[k] += h;
            down[k] -= h;
            let fd = (objective(&layout, &up, &batch, wd) - objective(&layout, &down, &batch, wd))
                / (2.0 * h);
            let err = (fd - grad[k]).abs() / fd.abs().max(grad[k].abs()).max(1e-3);
            worst = worst.max(err);
            assert!(
                err < 1e-6,
                "seed {seed}, wd {wd}, parameter {k}: analytic {} vs {fd}",
                grad[k]
            );
        }
        eprintln!("gradient check, seed {seed}, wd {wd}: largest relative error {worst:.2e}");
        assert!(worst > 0.0);
    }
}

#[test]
fn the_f32_paths_agree_with_the_f64_gradient() {
    let (layout, theta, xa, xb, n) = setup(4);
    let (_, g64) = loss_and_grad(&layout, &theta, &HostBatch::full(&xa, &xb, n));
    let f = |v: &[f64]| -> Vec<f32> { v.iter().map(|&x| x as f32).collect() };
    // The host f32 path (the CPU's training step).
    let (xa32, xb32) = (f(&xa), f(&xb));
    let (_, g32) = loss_and_grad(&layout, &f(&theta), &HostBatch::full(&xa32, &xb32, n));
    // dfdx's autodiff (the CUDA path and the unfused oracle).
    let dev = Cpu::default();
    let model = super::super::TwoTower::<Cpu> {
        layout: layout.clone(),
        theta: dev.tensor_from_vec(f(&theta), (layout.len(),)),
    };
    let t = model.theta.leaky_trace();
    let emb = model.embed(
        &t,
        dev.tensor_from_vec(f(&xa), (n, 6)),
        dev.tensor_from_vec(f(&xb), (n, 3)),
    );
    let loss = super::super::loss::batch_loss(
        model.logits(&t, emb),
        &super::super::loss::identity(&dev, n),
    );
    let gd = loss.backward().get(&model.theta).as_vec();
    let scale = g64.iter().fold(0.0f64, |m, g| m.max(g.abs()));
    for k in 0..g64.len() {
        for (name, g) in [("host f32", g32[k]), ("dfdx", gd[k])] {
            let err = (g as f64 - g64[k]).abs() / scale;
            assert!(err < 1e-4, "{name}, parameter {k}: {g} vs {}", g64[k]);
        }
    }
}

#[test]
fn a_mixed_resolution_batch_has_the_gradient_of_its_loss() {
    // Two of five pairs at resolution 2 (inputs averaged in pairs of features),
    // the others at full: central differences through the summed first layers.
    let (layout, theta, xa, xb, n) = setup(6);
    let (n_low, r) = (2, 2);
    let (da, db) = (6, 3);
    let low_a = flexi::average_groups(&xa[..n_low * da], n_low, da, r);
    let low_b = flexi::average_groups(&xb[..n_low * db], n_low, db, r);
    let batch = HostBatch {
        full_a: &xa[n_low * da..],
        full_b: &xb[n_low * db..],
        n_full: n - n_low,
        low_a: &low_a,
        low_b: &low_b,
        n_low,
        resolution: r,
    };
    let (_, grad) = loss_and_grad(&layout, &theta, &batch);
    let h = 1e-5;
    for k in 0..theta.len() {
        let (mut up, mut down) = (theta.clone(), theta.clone());
        up[k] += h;
        down[k] -= h;
        let fd = (loss(&layout, &up, &batch) - loss(&layout, &down, &batch)) / (2.0 * h);
        let err = (fd - grad[k]).abs() / fd.abs().max(grad[k].abs()).max(1e-3);
        assert!(err < 1e-6, "parameter {k}: analytic {} vs {fd}", grad[k]);
    }
}
