//! Impossible values, reported as (dotted key, what was expected).

use super::RunConfig;

type Check = Result<(), (String, String)>;

fn fail(key: &str, msg: impl Into<String>) -> Check {
    Err((key.to_string(), msg.into()))
}

fn positive(key: &str, v: usize) -> Check {
    if v == 0 {
        return fail(key, "must be at least 1, found 0");
    }
    Ok(())
}

/// The widest layer or view a file may ask for (larger products of widths would
/// overflow the parameter layout's offsets long before they fit in memory).
const MAX_WIDTH: usize = 1 << 20;
/// The most training steps a run may take (about 10^9: months on any machine;
/// every cost computed from steps stays far from overflowing).
const MAX_STEPS: usize = 1 << 30;

fn at_most(key: &str, v: usize, max: usize) -> Check {
    if v > max {
        return fail(key, format!("must be at most {max}, found {v}"));
    }
    Ok(())
}

fn fraction(key: &str, v: f64) -> Check {
    if !(0.0..=1.0).contains(&v) {
        return fail(key, format!("must be in [0, 1], found {v}"));
    }
    Ok(())
}

fn finite_positive(key: &str, v: f64) -> Check {
    if !(v.is_finite() && v > 0.0) {
        return fail(key, format!("must be a positive number, found {v}"));
    }
    Ok(())
}

/// A data file's path: read, never written, so any folder will do, but a control
/// character (a newline, say) is never part of a real file name and would break
/// every message and report line that shows it.
/// A data path a file names: refused when it cannot name a file (a family's
/// validation asks too).
pub fn data_path(key: &str, p: &std::path::Path) -> Check {
    match p.to_str() {
        None => fail(key, format!("{}: not valid UTF-8", p.display())),
        Some(s) => crate::names::no_control(s).or_else(|m| fail(key, m)),
    }
}

pub(super) fn seeds(seeds: &[u64]) -> Check {
    if seeds.is_empty() {
        return fail("seeds", "list at least one seed");
    }
    let mut seen = std::collections::HashSet::with_capacity(seeds.len());
    for (i, s) in seeds.iter().enumerate() {
        if !seen.insert(s) {
            return fail(&format!("seeds.{i}"), format!("duplicate seed {s}"));
        }
    }
    Ok(())
}

pub(super) fn config(c: &RunConfig) -> Check {
    let d = &c.dataset;
    let sources = [d.synthetic.is_some(), d.files.is_some(), d.text.is_some()];
    match sources.iter().filter(|s| **s).count() {
        0 => return fail("dataset", "give one of `synthetic`, `files` or `text`"),
        1 => {}
        _ => {
            return fail(
                "dataset",
                "give one of `synthetic`, `files` and `text`, not several",
            )
        }
    }
    if d.pool == Some(0) {
        return fail("dataset.pool", "keep at least one pair");
    }
    fraction("dataset.misaligned", d.misaligned)?;
    fraction("dataset.heavy_noise", d.heavy_noise)?;
    fraction("dataset.duplicates", d.duplicates)?;
    if d.misaligned + d.heavy_noise + d.duplicates > 1.0 {
        return fail(
            "dataset.misaligned",
            "misaligned + heavy_noise + duplicates must not exceed 1 (they are disjoint)",
        );
    }
    finite_positive("dataset.heavy_noise_scale", d.heavy_noise_scale)?;
    let mut pool = usize::MAX;
    if let Some(s) = &d.synthetic {
        positive("dataset.synthetic.concepts", s.concepts)?;
        positive("dataset.synthetic.latent_dim", s.latent_dim)?;
        positive("dataset.synthetic.dim_a", s.dim_a)?;
        positive("dataset.synthetic.dim_b", s.dim_b)?;
        positive("dataset.synthetic.view_hidden", s.view_hidden)?;
        positive("dataset.synthetic.pool", s.pool)?;
        positive("dataset.synthetic.curated", s.curated)?;
        positive("dataset.synthetic.eval_per_concept", s.eval_per_concept)?;
        for (key, v) in [
            ("dataset.synthetic.latent_dim", s.latent_dim),
            ("dataset.synthetic.dim_a", s.dim_a),
            ("dataset.synthetic.dim_b", s.dim_b),
            ("dataset.synthetic.view_hidden", s.view_hidden),
        ] {
            at_most(key, v, MAX_WIDTH)?;
        }
        if s.eval_concepts < 2 || s.eval_concepts > s.concepts {
            return fail(
                "dataset.synthetic.eval_concepts",
                format!(
                    "must be between 2 and concepts ({}), found {}",
                    s.concepts, s.eval_concepts
                ),
            );
        }
        if !(s.zipf.is_finite() && s.zipf >= 0.0) {
            return fail(
                "dataset.synthetic.zipf",
                format!("must be ≥ 0, found {}", s.zipf),
            );
        }
        finite_positive("dataset.synthetic.concept_spread", s.concept_spread)?;
        if !(s.observation_noise.is_finite() && s.observation_noise >= 0.0) {
            return fail(
                "dataset.synthetic.observation_noise",
                format!("must be ≥ 0, found {}", s.observation_noise),
            );
        }
        fraction(
            "dataset.synthetic.curated_eval_weight",
            s.curated_eval_weight,
        )?;
        pool = s.pool;
    }
    if let Some(f) = &d.files {
        let paths = f.keyed_paths();
        for (key, path) in paths {
            if let Some(p) = path {
                data_path(key, p)?;
            }
        }
        if !(f.eval_fraction > 0.0 && f.eval_fraction < 1.0) {
            return fail(
                "dataset.files.eval_fraction",
                format!("must be in (0, 1), found {}", f.eval_fraction),
            );
        }
        if !(f.curated_fraction > 0.0 && f.curated_fraction < 1.0) {
            return fail(
                "dataset.files.curated_fraction",
                format!("must be in (0, 1), found {}", f.curated_fraction),
            );
        }
    }

    if let Some(t) = &d.text {
        data_path("dataset.text.csv", &t.csv)?;
        for (key, v) in [("dataset.text.a", &t.a), ("dataset.text.b", &t.b)] {
            positive(&format!("{key}.n"), v.n)?;
            at_most(&format!("{key}.n"), v.n, 64)?;
            positive(&format!("{key}.dim"), v.dim)?;
            at_most(&format!("{key}.dim"), v.dim, MAX_WIDTH)?;
        }
        positive("dataset.text.eval_items", t.eval_items)?;
        if t.curated_max == Some(0) {
            return fail("dataset.text.curated_max", "keep at least one curated pair");
        }
    }
    if let Some(n) = d.pool {
        pool = pool.min(n);
    }
    if let (Some(n), Some(s)) = (d.pool, &d.synthetic) {
        if n > s.pool {
            return fail(
                "dataset.pool",
                format!(
                    "keeps {n} pairs of a pool of dataset.synthetic.pool = {}",
                    s.pool
                ),
            );
        }
    }

    let m = &c.model;
    if m.hidden.contains(&0) {
        return fail("model.hidden", "hidden widths must be at least 1");
    }
    positive("model.embed", m.embed)?;
    for (key, v) in m
        .hidden
        .iter()
        .map(|&h| ("model.hidden", h))
        .chain([("model.embed", m.embed)])
    {
        at_most(key, v, MAX_WIDTH)?;
    }
    finite_positive("model.temperature_init", m.temperature_init)?;
    if !m.bias_init.is_finite() {
        return fail("model.bias_init", "must be a finite number");
    }

    let t = &c.train;
    positive("train.steps", t.steps)?;
    at_most("train.steps", t.steps, MAX_STEPS)?;
    positive("train.batch_size", t.batch_size)?;
    if let Some(f) = t.filter_ratio {
        if t.super_batch.is_some() {
            return fail(
                "train.super_batch",
                "give `filter_ratio` or `super_batch`, not both (f = 1 − b/B)",
            );
        }
        if !(0.0..1.0).contains(&f) {
            return fail(
                "train.filter_ratio",
                format!("must be in [0, 1), found {f} (f = 1 keeps nothing)"),
            );
        }
    }
    if let Some(b_super) = t.super_batch {
        if b_super < t.batch_size {
            return fail(
                "train.super_batch",
                format!(
                    "the super-batch B = {b_super} is smaller than the learning batch b = {}",
                    t.batch_size
                ),
            );
        }
    }
    if t.super_batch() > pool {
        return fail(
            "train.batch_size",
            format!(
                "super-batch B = b / (1 - f) = {} exceeds the pool of {pool} examples",
                t.super_batch()
            ),
        );
    }
    if t.selector.registration().chunked {
        positive("train.n_chunks", t.n_chunks)?;
        if !t.batch_size.is_multiple_of(t.n_chunks) {
            return fail(
                "train.n_chunks",
                format!(
                    "the learning batch b = {} is not divisible by n_chunks = {}",
                    t.batch_size, t.n_chunks
                ),
            );
        }
    }
    if !t.gain.is_finite() {
        return fail(
            "train.gain",
            format!("must be a finite number, found {}", t.gain),
        );
    }
    finite_positive("train.lr", t.lr)?;
    if t.warmup_steps > t.steps {
        return fail(
            "train.warmup_steps",
            format!(
                "must not exceed train.steps ({}), found {}",
                t.steps, t.warmup_steps
            ),
        );
    }
    for (key, v) in [("train.beta1", t.beta1), ("train.beta2", t.beta2)] {
        if !(0.0..1.0).contains(&v) {
            return fail(key, format!("must be in [0, 1), found {v}"));
        }
    }
    finite_positive("train.eps", t.eps)?;
    if !(t.weight_decay.is_finite() && t.weight_decay >= 0.0) {
        return fail(
            "train.weight_decay",
            format!("must be ≥ 0, found {}", t.weight_decay),
        );
    }
    finite_positive("train.clip_norm", t.clip_norm)?;
    let fx = &t.flexi;
    positive("train.flexi.resolution", fx.resolution)?;
    at_most("train.flexi.resolution", fx.resolution, MAX_WIDTH)?;
    fraction("train.flexi.low_res_share", fx.low_res_share)?;

    eval_schedule(c)?;
    fraction("reference.quality", c.reference.quality)?;
    let v = c.reference.validation_fraction;
    if !(0.0..0.9).contains(&v) {
        return fail(
            "reference.validation_fraction",
            format!("must be in [0, 0.9) (a share of the reference set held out), found {v}"),
        );
    }
    Ok(())
}

/// Exactly one evaluation schedule, and one that fits the run.
fn eval_schedule(c: &RunConfig) -> Check {
    let e = &c.eval;
    let given = [e.every.is_some(), e.at.is_some(), e.log_points.is_some()];
    if given.iter().filter(|&&g| g).count() != 1 {
        return fail(
            "eval",
            "give exactly one of `every`, `at` (a list of steps) and `log_points`",
        );
    }
    if let Some(every) = e.every {
        positive("eval.every", every)?;
    }
    if let Some(at) = &e.at {
        if at.is_empty() {
            return fail("eval.at", "list at least one step");
        }
        for (i, &x) in at.iter().enumerate() {
            if x == 0 || x > c.train.steps {
                return fail(
                    &format!("eval.at.{i}"),
                    format!("must be a step in 1..={}, found {x}", c.train.steps),
                );
            }
            if i > 0 && at[i - 1] >= x {
                return fail(
                    &format!("eval.at.{i}"),
                    "steps must be listed in increasing order",
                );
            }
        }
    }
    if let Some(n) = e.log_points {
        if n < 2 || n > c.train.steps.max(2) {
            return fail(
                "eval.log_points",
                format!(
                    "must be between 2 and train.steps ({}), found {n}",
                    c.train.steps
                ),
            );
        }
    }
    Ok(())
}
