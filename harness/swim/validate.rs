//! What a SWIM file may not ask for: impossible sizes, keys that do not apply to
//! its task or method, and values outside their ranges, as (dotted key, message).

use super::*;
use crate::experiment;

/// The widest layer a SWIM file may ask for.
pub const MAX_WIDTH: usize = 1 << 16;

/// Impossible values, as (dotted key, message).
pub(super) fn validate(c: &SwimConfig) -> Result<(), (String, String)> {
    let fail = |k: &str, m: String| Err((k.to_string(), m));
    let t = &c.task;
    let kinds = [
        t.regression.is_some(),
        t.pendulum.is_some(),
        t.henon_heiles.is_some(),
        t.hamiltonian.is_some(),
        t.table.is_some(),
    ];
    if kinds.iter().filter(|&&k| k).count() != 1 {
        return fail(
            "task",
            "give exactly one of `regression`, `pendulum`, `henon_heiles`, `hamiltonian`, `table`"
                .into(),
        );
    }
    if let Some(r) = &t.regression {
        if r.dim == 0 || r.dim > 64 {
            return fail(
                "task.regression.dim",
                format!("must be in 1..=64, found {}", r.dim),
            );
        }
        if r.train < 2 || r.test < 1 {
            return fail(
                "task.regression.train",
                "needs at least 2 training and 1 test point".into(),
            );
        }
    }
    for (k, s) in [
        ("task.pendulum", &t.pendulum),
        ("task.henon_heiles", &t.henon_heiles),
    ] {
        if let Some(s) = s {
            if s.train < 2 || s.test < 1 {
                return fail(
                    &format!("{k}.train"),
                    "needs at least 2 training and 1 test point".into(),
                );
            }
        }
    }
    if let Some(h) = &t.hamiltonian {
        hamiltonian(h, c)?;
    }
    if let Some(tb) = &t.table {
        experiment::data_path("task.table.file", &tb.file)?;
        if !(tb.test_fraction > 0.0 && tb.test_fraction < 1.0) {
            return fail(
                "task.table.test_fraction",
                format!("must be in (0, 1), found {}", tb.test_fraction),
            );
        }
    }
    let n = &c.network;
    if n.width == 0 || n.width > MAX_WIDTH {
        return fail(
            "network.width",
            format!("must be in 1..={MAX_WIDTH}, found {}", n.width),
        );
    }
    if n.depth == 0 {
        return fail("network.depth", "must be at least 1, found 0".into());
    }
    if n.method == SwimMethod::ASwim && t.hamiltonian.is_none() {
        return fail(
            "network.method",
            "a_swim resamples with a first estimate of H and needs a `hamiltonian` task; use swim or u_swim"
                .into(),
        );
    }
    if !(n.rcond.is_finite() && n.rcond >= 0.0 && n.rcond < 1.0) {
        return fail(
            "network.rcond",
            format!("must be in [0, 1), found {}", n.rcond),
        );
    }
    if !(n.ridge.is_finite() && n.ridge >= 0.0 && n.ridge < 1.0) {
        return fail(
            "network.ridge",
            format!("must be in [0, 1), found {}", n.ridge),
        );
    }
    let f = &c.fit;
    if !(f.lr.is_finite() && f.lr > 0.0) {
        return fail(
            "fit.lr",
            format!("must be a positive number, found {}", f.lr),
        );
    }
    if f.batch_size == 0 {
        return fail("fit.batch_size", "must be at least 1, found 0".into());
    }
    if f.max_epochs == 0 || f.max_epochs > 1_000_000 {
        return fail(
            "fit.max_epochs",
            format!("must be in 1..=1000000, found {}", f.max_epochs),
        );
    }
    if f.patience == 0 {
        return fail("fit.patience", "must be at least 1, found 0".into());
    }
    if !(f.validation_fraction > 0.0 && f.validation_fraction < 1.0) {
        return fail(
            "fit.validation_fraction",
            format!("must be in (0, 1), found {}", f.validation_fraction),
        );
    }
    if !(f.lr_decay > 0.0 && f.lr_decay <= 1.0) {
        return fail(
            "fit.lr_decay",
            format!(
                "must be in (0, 1] (1: a fixed learning rate), found {}",
                f.lr_decay
            ),
        );
    }
    if f.lr_patience == 0 {
        return fail("fit.lr_patience", "must be at least 1, found 0".into());
    }
    if !(f.log_spacing.is_finite() && (0.0..=1.0).contains(&f.log_spacing)) {
        return fail(
            "fit.log_spacing",
            format!("must be in [0, 1], found {}", f.log_spacing),
        );
    }
    Ok(())
}

fn hamiltonian(h: &HamiltonianSpec, c: &SwimConfig) -> Result<(), (String, String)> {
    let fail = |k: &str, m: String| Err((k.to_string(), m));
    let dim = 2 * h.system.dof();
    if h.train < 2 || h.test < 1 {
        return fail(
            "task.hamiltonian.train",
            "needs at least 2 training and 1 test point".into(),
        );
    }
    if let Some(d) = &h.domain {
        if d.len() != dim {
            return fail(
                "task.hamiltonian.domain",
                format!(
                    "{} has {dim} coordinates (q's then p's): give {dim} [lo, hi] pairs, found {}",
                    h.system.name(),
                    d.len()
                ),
            );
        }
        if let Some((i, [lo, hi])) = d
            .iter()
            .enumerate()
            .find(|(_, [lo, hi])| !(lo.is_finite() && hi.is_finite() && lo < hi))
        {
            return fail(
                "task.hamiltonian.domain",
                format!("coordinate {i}: [lo, hi] needs finite lo < hi, found [{lo}, {hi}]"),
            );
        }
    }
    if let Some(tr) = &h.trajectory {
        if tr.start.len() != dim || tr.start.iter().any(|v| !v.is_finite()) {
            return fail(
                "task.hamiltonian.trajectory.start",
                format!(
                    "needs {dim} finite numbers (q's then p's) for {}, found {:?}",
                    h.system.name(),
                    tr.start
                ),
            );
        }
        if !(tr.step.is_finite() && tr.step > 0.0) {
            return fail(
                "task.hamiltonian.trajectory.step",
                format!("must be a positive number, found {}", tr.step),
            );
        }
        if !(tr.horizon.is_finite() && tr.horizon >= tr.step && tr.horizon / tr.step <= 1e7) {
            return fail(
                "task.hamiltonian.trajectory.horizon",
                format!(
                    "must be at least one step and at most 1e7 steps ({}), found {}",
                    tr.step, tr.horizon
                ),
            );
        }
    }
    if c.network.depth != 1 {
        return fail(
            "network.depth",
            format!(
                "a Hamiltonian network has one hidden layer (H = Σ w_k tanh(⟨v_k, x⟩ + b_k) + c), found {}",
                c.network.depth
            ),
        );
    }
    if c.network.activation != Activation::Tanh {
        return fail(
            "network.activation",
            "a Hamiltonian network needs a smooth activation: tanh (ReLU's gradient is a step, its Hessian zero)".into(),
        );
    }
    Ok(())
}
