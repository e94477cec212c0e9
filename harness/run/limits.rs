//! Resource limits, checked before anything is allocated: the memory a sweep's runs
//! need, estimated from the sizes its experiment file writes (data, model and
//! optimiser state, a super-batch's scoring, a training batch, evaluation), against
//! the memory this machine has available. A file that asks for more gets an error
//! that names the keys behind the estimate, never an allocator abort. (The number of
//! runs is bounded when the sweep is counted, before it is expanded: `experiment`.)

use std::collections::BTreeMap;

use super::plan::Widths;
use super::RunError;
use crate::experiment::{Experiment, RunConfig};

/// Bytes of an f32.
pub const F32: f64 = 4.0;
/// Bytes of an f64.
pub const F64: f64 = 8.0;

/// Bytes by the keys that set them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Estimate {
    pub parts: Vec<(String, f64)>,
}

impl Estimate {
    /// Adds `bytes` that the keys named in `keys` set.
    pub fn add(&mut self, keys: &str, bytes: f64) {
        self.parts.push((keys.to_string(), bytes));
    }

    pub fn total(&self) -> f64 {
        self.parts.iter().map(|(_, b)| b).sum()
    }

    /// The largest parts, for messages.
    pub fn largest(&self, n: usize) -> Vec<(String, f64)> {
        let mut merged: BTreeMap<&str, f64> = BTreeMap::new();
        for (k, b) in &self.parts {
            *merged.entry(k).or_default() += b;
        }
        let mut v: Vec<(String, f64)> = merged
            .into_iter()
            .map(|(k, b)| (k.to_string(), b))
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1));
        v.truncate(n);
        v
    }
}

/// `1.5 GiB` and the like.
pub fn human(bytes: f64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut v = bytes;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < units.len() {
        v /= 1024.0;
        u += 1;
    }
    format!("{v:.1} {}", units[u])
}

/// The shared data of a JEST cell: (pool rows, curated rows, eval rows, dim A, dim B).
fn data_shape(exp: &Experiment, c: &RunConfig, widths: &mut Widths) -> Result<[f64; 5], RunError> {
    if let Some(s) = &c.dataset.synthetic {
        return Ok([
            s.pool as f64,
            s.curated as f64,
            (s.eval_concepts as f64) * (s.eval_per_concept as f64),
            s.dim_a as f64,
            s.dim_b as f64,
        ]);
    }
    let (rows, a, b) = widths.rows_and_widths(exp, c)?;
    Ok([rows as f64, 0.0, 0.0, a as f64, b as f64])
}

/// Bytes of parameters of a two-tower model, computed without building its layout
/// (whose offsets could overflow for absurd widths).
fn parameters(c: &RunConfig, dim_a: f64, dim_b: f64) -> f64 {
    let tower = |input: f64| {
        let mut widths = vec![input];
        widths.extend(c.model.hidden.iter().map(|&h| h as f64));
        widths.push(c.model.embed as f64);
        widths.windows(2).map(|w| w[0] * w[1] + w[1]).sum::<f64>()
    };
    tower(dim_a) + tower(dim_b) + 2.0
}

/// The memory one JEST cell needs: its data and reference (shared by the runs that
/// use them) and one run's working set.
pub fn jest_cell(
    exp: &Experiment,
    c: &RunConfig,
    widths: &mut Widths,
) -> Result<(Estimate, Estimate), RunError> {
    let [pool, curated, eval, da, db] = data_shape(exp, c, widths)?;
    let mut shared = Estimate::default();
    // The pool, its noise step's clean copy, curated and eval sets, labels.
    let view = (da + db) * F32;
    shared.add(
        "dataset.synthetic.pool, dim_a, dim_b",
        2.0 * pool * view + pool * F64,
    );
    shared.add("dataset.synthetic.curated", curated * view);
    shared.add(
        "dataset.synthetic.eval_concepts, eval_per_concept",
        eval * view,
    );
    if let Some(s) = &c.dataset.synthetic {
        shared.add(
            "dataset.synthetic.concepts, latent_dim, view_hidden",
            (s.concepts as f64 * s.latent_dim as f64
                + (s.latent_dim as f64 + 1.0) * s.view_hidden as f64 * 2.0
                + s.view_hidden as f64 * (da + db))
                * F32,
        );
    }
    let e = c.model.embed as f64;
    let p = parameters(c, da, db) * F32;
    let widest = c
        .model
        .hidden
        .iter()
        .map(|&h| h as f64)
        .fold(e.max(da).max(db), f64::max);
    // The reference's cached pool embeddings (scoring runs share one).
    if c.train.selector.scores() {
        shared.add("dataset.synthetic.pool, model.embed", pool * 2.0 * e * F32);
    }
    let mut run = Estimate::default();
    let (b, big_b) = (c.train.batch_size as f64, c.train.super_batch() as f64);
    run.add("dataset.synthetic.pool (on the device)", pool * view);
    run.add(
        "model.hidden, model.embed (parameters, gradient, optimiser state)",
        8.0 * p,
    );
    run.add(
        "train.batch_size, train.filter_ratio, model.hidden (a super-batch's scoring)",
        big_b * (4.0 * widest + 8.0 * e + 64.0) * F32,
    );
    run.add(
        "train.batch_size, model.hidden (the training step)",
        b * 8.0 * widest * F32 + 4.0 * b * b * F32,
    );
    run.add(
        "dataset.synthetic.eval_concepts, eval_per_concept (evaluation)",
        eval * eval * F32 + 4.0 * eval * e * F32,
    );
    if let Some(n) = c.eval.log_points {
        run.add("eval.log_points", n as f64 * 8.0);
    }
    Ok((shared, run))
}

/// Refuses a JEST experiment whose runs would not fit in memory with `jobs` at once.
pub fn check_jest(exp: &Experiment, jobs: usize) -> Result<(), RunError> {
    let mut widths = Widths::default();
    let mut worst = (Estimate::default(), 0.0);
    let mut shared_total = 0.0;
    let mut seen = std::collections::BTreeSet::new();
    for cell in &exp.cells {
        let (shared, run) = jest_cell(exp, &cell.config, &mut widths)?;
        if seen.insert(serde_yaml::to_string(&cell.config.dataset).unwrap_or_default()) {
            shared_total += shared.total();
        }
        let need = shared.total() + jobs as f64 * run.total();
        if need > worst.1 {
            let mut all = shared;
            all.parts.extend(run.parts);
            worst = (all, need);
        }
    }
    check(
        &exp.path.display().to_string(),
        worst.0,
        worst.1.max(shared_total),
    )
}

/// Refuses runs of the experiment file `file` that need `need` bytes in all,
/// naming the largest parts of `est` (one run's, or the worst cell's).
pub fn check(file: &str, est: Estimate, need: f64) -> Result<(), RunError> {
    let Some(available) = crate::system::available_bytes() else {
        return Ok(());
    };
    if need <= available {
        return Ok(());
    }
    let parts: Vec<String> = est
        .largest(3)
        .into_iter()
        .map(|(k, b)| format!("{k}: {}", human(b)))
        .collect();
    Err(RunError::TooLarge(format!(
        "{file}: these runs need about {} of memory, more than the {} available ({}); reduce those sizes or --jobs",
        human(need),
        human(available),
        parts.join("; ")
    )))
}
