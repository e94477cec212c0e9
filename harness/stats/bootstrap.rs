//! Percentile bootstrap over seeds: resample whole seeds with replacement, recompute
//! the whole statistic, take the 2.5% and 97.5% quantiles. Seeded (ChaCha8).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Resamples per bootstrap (docs/methods.md §2: at least 2,000) and the seed of their stream.
pub const RESAMPLES: usize = 2000;
pub const BOOTSTRAP_SEED: u64 = 0x5eed;

/// A point estimate with a percentile confidence interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub point_estimate: f64,
    pub lower_bound: f64,
    pub upper_bound: f64,
    pub confidence_level: f64,
    /// Share of resamples where the statistic was undefined (e.g. never reached);
    /// they count as below every defined value.
    pub undefined_share: f64,
}

impl Interval {
    /// No estimate (nothing to estimate from).
    pub const UNDEFINED: Interval = Interval {
        point_estimate: f64::NAN,
        lower_bound: f64::NAN,
        upper_bound: f64::NAN,
        confidence_level: 0.95,
        undefined_share: 1.0,
    };
}

/// The index lists of `resamples` bootstrap resamples of n items (one draw with
/// replacement per item each), the same lists `bootstrap` evaluates for a seed.
pub fn resample_indices(n: usize, resamples: usize, seed: u64) -> Vec<Vec<usize>> {
    let mut out = Vec::with_capacity(resamples);
    bootstrap(n, resamples, seed, |idx| {
        out.push(idx.to_vec());
        None
    });
    out
}

/// Runs `resamples` bootstrap replicates: each draws `n` indices with replacement
/// (one per seed) and evaluates `statistic` on them. `None` marks an undefined
/// replicate (e.g. a target never reached).
pub fn bootstrap<F>(n: usize, resamples: usize, seed: u64, mut statistic: F) -> Vec<Option<f64>>
where
    F: FnMut(&[usize]) -> Option<f64>,
{
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut idx = vec![0usize; n];
    (0..resamples)
        .map(|_| {
            for i in idx.iter_mut() {
                *i = rng.gen_range(0..n);
            }
            statistic(&idx)
        })
        .collect()
}

/// The percentile interval at `level` (e.g. 0.95) of bootstrap replicates, with the
/// point estimate computed on the original sample. Undefined replicates sort below
/// every defined one, so a statistic that is often undefined gets a low or
/// undefined (NaN) lower bound.
pub fn percentile_interval(
    point_estimate: f64,
    replicates: &[Option<f64>],
    level: f64,
) -> Interval {
    let n = replicates.len();
    let undefined = replicates.iter().filter(|r| r.is_none()).count();
    let mut defined: Vec<f64> = replicates.iter().filter_map(|r| *r).collect();
    defined.sort_by(f64::total_cmp);
    let alpha = (1.0 - level) / 2.0;
    // Quantile q over the sorted sample "undefined first, then defined".
    let quantile = |q: f64| -> f64 {
        let pos = (q * (n - 1) as f64).round() as usize;
        if pos < undefined {
            f64::NAN
        } else {
            defined[pos - undefined]
        }
    };
    Interval {
        point_estimate,
        lower_bound: quantile(alpha),
        upper_bound: quantile(1.0 - alpha),
        confidence_level: level,
        undefined_share: undefined as f64 / n.max(1) as f64,
    }
}

/// Bootstrap replicates of the mean of `values` (one value per seed).
pub fn mean_replicates(values: &[f64]) -> Vec<Option<f64>> {
    bootstrap(values.len(), RESAMPLES, BOOTSTRAP_SEED, |idx| {
        Some(idx.iter().map(|&i| values[i]).sum::<f64>() / idx.len() as f64)
    })
}

/// The mean of `values` (one per seed) with its 95% percentile bootstrap interval.
pub fn mean_interval(values: &[f64]) -> Interval {
    percentile_interval(super::mean(values), &mean_replicates(values), 0.95)
}
