//! Percentile bootstrap over seeds: resample whole seeds with replacement, recompute
//! the whole statistic, take the 2.5% and 97.5% quantiles. Seeded (ChaCha8).
//!
//! Where seeds share a world (an experiment's `replicates`: the same data and
//! reference), the resample is nested (docs/methods.md §7): worlds with
//! replacement, then each drawn world's learners with replacement. A seed in no
//! world is a world of its own, and then the nested resample is the flat one,
//! draw for draw.

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

/// The replicate units of seeds in `groups` (`Some(w)`: world w of the
/// experiment's replicates; `None`: a world of its own): how many independent
/// draws of everything random the seeds hold.
pub fn units(groups: &[Option<u64>]) -> usize {
    clusters(groups).len()
}

/// The seeds' indices per world, worlds in order of first appearance.
fn clusters(groups: &[Option<u64>]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut at: std::collections::BTreeMap<u64, usize> = std::collections::BTreeMap::new();
    for (i, g) in groups.iter().enumerate() {
        match g {
            None => out.push(vec![i]),
            Some(w) => match at.get(w) {
                Some(&k) => out[k].push(i),
                None => {
                    at.insert(*w, out.len());
                    out.push(vec![i]);
                }
            },
        }
    }
    out
}

/// The mean of `values` over each world's seeds (a seed in no world is its own),
/// worlds in order of first appearance: one value per independent replicate.
pub fn unit_means(values: &[f64], groups: &[Option<u64>]) -> Vec<f64> {
    clusters(groups)
        .iter()
        .map(|c| c.iter().map(|&i| values[i]).sum::<f64>() / c.len() as f64)
        .collect()
}

/// The index lists of `resamples` nested bootstrap resamples of seeds in
/// `groups`: worlds drawn with replacement, then within each drawn world as many
/// of its learners as it has, with replacement. With no world of more than one
/// seed these are [`resample_indices`]' lists, draw for draw.
pub fn nested_indices(groups: &[Option<u64>], resamples: usize, seed: u64) -> Vec<Vec<usize>> {
    let clusters = clusters(groups);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let c = clusters.len();
    (0..resamples)
        .map(|_| {
            let mut idx = Vec::with_capacity(groups.len());
            for _ in 0..c {
                let members = &clusters[rng.gen_range(0..c)];
                if members.len() == 1 {
                    idx.push(members[0]);
                } else {
                    for _ in 0..members.len() {
                        idx.push(members[rng.gen_range(0..members.len())]);
                    }
                }
            }
            idx
        })
        .collect()
}

/// The resamples [`mean_replicates_in`] draws over `groups`: drawn once, they
/// serve every statistic of the same seeds (a band's every point) draw for draw.
pub fn mean_draws(groups: &[Option<u64>]) -> Vec<Vec<usize>> {
    nested_indices(groups, RESAMPLES, BOOTSTRAP_SEED)
}

/// Bootstrap replicates of the mean of `values` (one per seed), nested over
/// the seeds' worlds `groups`.
pub fn mean_replicates_in(values: &[f64], groups: &[Option<u64>]) -> Vec<Option<f64>> {
    mean_replicates_over(values, &mean_draws(groups))
}

/// Bootstrap replicates of the mean of `values` over the resamples `draws`
/// ([`mean_draws`]).
pub fn mean_replicates_over(values: &[f64], draws: &[Vec<usize>]) -> Vec<Option<f64>> {
    draws
        .iter()
        .map(|idx| Some(idx.iter().map(|&i| values[i]).sum::<f64>() / idx.len().max(1) as f64))
        .collect()
}

/// The mean of `values` with its 95% percentile interval, nested over `groups`.
pub fn mean_interval_in(values: &[f64], groups: &[Option<u64>]) -> Interval {
    mean_interval_over(values, &mean_draws(groups))
}

/// [`mean_interval_in`] over resamples drawn once ([`mean_draws`]).
pub fn mean_interval_over(values: &[f64], draws: &[Vec<usize>]) -> Interval {
    percentile_interval(
        super::mean(values),
        &mean_replicates_over(values, draws),
        0.95,
    )
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
    // Every seed its own world: the flat bootstrap, draw for draw.
    mean_replicates_in(values, &vec![None; values.len()])
}

/// The mean of `values` (one per seed) with its 95% percentile bootstrap interval.
pub fn mean_interval(values: &[f64]) -> Interval {
    percentile_interval(super::mean(values), &mean_replicates(values), 0.95)
}

#[cfg(test)]
mod nested_tests {
    use super::*;

    #[test]
    fn singleton_worlds_resample_as_the_flat_bootstrap_does() {
        let none = vec![None; 7];
        assert_eq!(nested_indices(&none, 50, 3), resample_indices(7, 50, 3));
        let own: Vec<Option<u64>> = (0..7).map(Some).collect();
        assert_eq!(nested_indices(&own, 50, 3), resample_indices(7, 50, 3));
        assert_eq!(units(&none), 7);
    }

    #[test]
    fn nested_resamples_keep_worlds_whole_in_count_and_draw_within_them() {
        let groups = [Some(0), Some(0), Some(4), Some(4), Some(9), Some(9)];
        assert_eq!(units(&groups), 3);
        for idx in nested_indices(&groups, 200, 1) {
            assert_eq!(idx.len(), 6);
            // Pairs of indices from one world each.
            for pair in idx.chunks(2) {
                assert_eq!(groups[pair[0]], groups[pair[1]], "{idx:?}");
            }
        }
        // The bootstrap variance of a mean where worlds differ and learners agree
        // is the worlds' (n−1)/n share of it, not a sixth-of-seeds one.
        let values = [0.0, 0.0, 1.0, 1.0, 2.0, 2.0];
        let reps: Vec<f64> = mean_replicates_in(&values, &groups)
            .into_iter()
            .flatten()
            .collect();
        let var = crate::stats::std_dev(&reps).powi(2);
        // Worlds' means 0, 1, 2: variance 1, of the mean (1/3)(2/3) = 0.222.
        assert!((var - 2.0 / 9.0).abs() < 0.03, "{var}");
        let flat: Vec<f64> = mean_replicates(&values).into_iter().flatten().collect();
        let flat_var = crate::stats::std_dev(&flat).powi(2);
        // The flat bootstrap, which takes six seeds for six draws, says half that.
        assert!(flat_var < 0.7 * var, "{flat_var} vs {var}");
    }
}
