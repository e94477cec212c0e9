//! Where the variance lives (docs/methods.md §7): a one-way random-effects
//! decomposition of per-run values into a world level (the data draw, the curated
//! set and reference, the evaluation set) and a learner level (initialisation and
//! order within a world), by the method of moments (ANOVA, unbalanced worlds
//! allowed), with a percentile interval on the world share from resampling
//! worlds whole.

use serde::Serialize;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::bootstrap::{BOOTSTRAP_SEED, RESAMPLES};

/// The two levels' variances and what they make of a mean's variance.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Components {
    pub worlds: usize,
    /// Runs of the largest comparison, and how many comparisons were pooled.
    pub runs: usize,
    pub comparisons: usize,
    /// Between-world variance σ²_w (0 where the worlds' means spread no more than
    /// their learners explain) and within-world variance σ²_l of one run.
    pub world_var: f64,
    pub learner_var: f64,
    /// σ²_w / (σ²_w + σ²_l): the share of one run's variance that its world explains.
    pub world_share: f64,
    /// Its 95% percentile interval (worlds resampled whole).
    pub world_share_lo: f64,
    pub world_share_hi: f64,
    /// The share of a comparison's mean's variance that comes from the worlds, with
    /// `learners` runs per world: σ²_w / (σ²_w + σ²_l / L). Above one half, more
    /// worlds narrow an interval more than more learners per world.
    pub mean_world_share: f64,
    pub learners: usize,
}

/// σ²_w and σ²_l of `values` in worlds `groups` (ANOVA estimators); `None` with
/// fewer than 2 worlds or no world of 2 runs.
fn anova(values: &[f64], groups: &[Option<u64>]) -> Option<(f64, f64, usize)> {
    let mut by: std::collections::BTreeMap<u64, Vec<f64>> = std::collections::BTreeMap::new();
    for (v, g) in values.iter().zip(groups) {
        by.entry((*g)?).or_default().push(*v);
    }
    let w = by.len();
    let n = values.len();
    if w < 2 || n <= w {
        return None;
    }
    let grand = values.iter().sum::<f64>() / n as f64;
    let (mut ssb, mut ssw, mut sum_sq_sizes) = (0.0, 0.0, 0.0);
    for xs in by.values() {
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        ssb += xs.len() as f64 * (m - grand) * (m - grand);
        ssw += xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>();
        sum_sq_sizes += (xs.len() * xs.len()) as f64;
    }
    let msb = ssb / (w - 1) as f64;
    let msw = ssw / (n - w) as f64;
    // The effective world size of an unbalanced design.
    let n0 = (n as f64 - sum_sq_sizes / n as f64) / (w - 1) as f64;
    Some((((msb - msw) / n0).max(0.0), msw, w))
}

/// The decomposition of `values` (one per run) in worlds `groups` (`None`: the
/// run drew no world of its own; such runs make no decomposition); a mean over
/// `learners` runs per world.
pub fn components(values: &[f64], groups: &[Option<u64>], learners: usize) -> Option<Components> {
    pooled(&[(values.to_vec(), groups.to_vec())], learners)
}

/// The components of several comparisons that share worlds (each its runs'
/// values and worlds): each comparison decomposed on its own, the variances
/// averaged over them (a world's effect may differ between comparisons, and
/// that too is world-level variance for each of them), the interval from
/// resampling worlds whole, the same worlds for every comparison.
pub fn pooled(sets: &[(Vec<f64>, Vec<Option<u64>>)], learners: usize) -> Option<Components> {
    let average = |sets: &[(Vec<f64>, Vec<Option<u64>>)]| -> Option<(f64, f64, usize)> {
        let parts: Vec<(f64, f64, usize)> = sets.iter().filter_map(|(v, g)| anova(v, g)).collect();
        if parts.is_empty() {
            return None;
        }
        let k = parts.len() as f64;
        Some((
            parts.iter().map(|p| p.0).sum::<f64>() / k,
            parts.iter().map(|p| p.1).sum::<f64>() / k,
            parts.iter().map(|p| p.2).max().unwrap_or(0),
        ))
    };
    let (wv, lv, w) = average(sets)?;
    let share = |wv: f64, lv: f64| {
        if wv + lv > 0.0 {
            wv / (wv + lv)
        } else {
            0.0
        }
    };
    // The worlds every comparison may hold, resampled whole (their learners
    // kept): a resample of learners within a world of two would halve the
    // learner variance it sees.
    let worlds: Vec<u64> = {
        let mut w: Vec<u64> = sets
            .iter()
            .flat_map(|(_, g)| g.iter().flatten().copied())
            .collect();
        w.sort_unstable();
        w.dedup();
        w
    };
    let mut rng = ChaCha8Rng::seed_from_u64(BOOTSTRAP_SEED ^ 0xc0);
    let mut reps: Vec<f64> = (0..RESAMPLES)
        .filter_map(|_| {
            let drawn: Vec<u64> = (0..worlds.len())
                .map(|_| worlds[rng.gen_range(0..worlds.len())])
                .collect();
            let resampled: Vec<(Vec<f64>, Vec<Option<u64>>)> = sets
                .iter()
                .map(|(v, g)| {
                    let (mut vals, mut gs) = (Vec::new(), Vec::new());
                    for (k, d) in drawn.iter().enumerate() {
                        for (x, _) in v.iter().zip(g).filter(|(_, g)| **g == Some(*d)) {
                            vals.push(*x);
                            gs.push(Some(k as u64));
                        }
                    }
                    (vals, gs)
                })
                .collect();
            average(&resampled).map(|(a, b, _)| share(a, b))
        })
        .collect();
    reps.sort_by(f64::total_cmp);
    let q = |p: f64| {
        reps.get(((reps.len().max(1) - 1) as f64 * p).round() as usize)
            .copied()
    };
    let runs = sets.iter().map(|(v, _)| v.len()).max().unwrap_or(0);
    Some(Components {
        worlds: w,
        runs,
        comparisons: sets.len(),
        world_var: wv,
        learner_var: lv,
        world_share: share(wv, lv),
        world_share_lo: q(0.025).unwrap_or(f64::NAN),
        world_share_hi: q(0.975).unwrap_or(f64::NAN),
        mean_world_share: share(wv, lv / learners.max(1) as f64),
        learners,
    })
}

impl Components {
    /// "worlds 62% of the mean's variance, learners 38% (with 2 learners per
    /// world; of one run's: world share 0.45 [0.10, 0.80]); 5 worlds, 1 comparison".
    pub fn words(&self) -> String {
        format!(
            "worlds {:.0}% of the mean's variance, learners {:.0}% (with {} learners per world; of one run's: world share {:.2} [{:.2}, {:.2}]); {} worlds, {} comparison{}",
            100.0 * self.mean_world_share,
            100.0 * (1.0 - self.mean_world_share),
            self.learners,
            self.world_share,
            self.world_share_lo,
            self.world_share_hi,
            self.worlds,
            self.comparisons,
            if self.comparisons == 1 { "" } else { "s averaged" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn draw(w: usize, l: usize, sw: f64, sl: f64, seed: u64) -> (Vec<f64>, Vec<Option<u64>>) {
        let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut normal = || {
            let (u1, u2): (f64, f64) = (r.gen_range(f64::EPSILON..1.0), r.gen());
            libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(std::f64::consts::TAU * u2)
        };
        let (mut v, mut g) = (Vec::new(), Vec::new());
        for wi in 0..w {
            let e = sw * normal();
            for _ in 0..l {
                v.push(e + sl * normal());
                g.push(Some(wi as u64 * 7));
            }
        }
        (v, g)
    }

    #[test]
    fn recovers_known_components_on_average() {
        // σ_w = 2, σ_l = 1: world share 0.8 of one run's variance.
        let (mut wv, mut lv) = (0.0, 0.0);
        for s in 0..200 {
            let (v, g) = draw(20, 4, 2.0, 1.0, s);
            let c = components(&v, &g, 4).unwrap();
            wv += c.world_var / 200.0;
            lv += c.learner_var / 200.0;
        }
        assert!((wv - 4.0).abs() < 0.3, "{wv}");
        assert!((lv - 1.0).abs() < 0.05, "{lv}");
    }

    #[test]
    fn shares_say_where_the_variance_lives() {
        let (v, g) = draw(30, 3, 2.0, 0.2, 1);
        let c = components(&v, &g, 4).unwrap();
        assert!(c.world_share > 0.9 && c.mean_world_share > 0.9, "{c:?}");
        assert!(c.world_share_lo <= c.world_share && c.world_share <= c.world_share_hi);
        let (v, g) = draw(30, 3, 0.0, 1.0, 2);
        let c = components(&v, &g, 4).unwrap();
        assert!(c.world_share < 0.2, "{c:?}");
        assert!(
            c.words().contains("30 worlds, 1 comparison"),
            "{}",
            c.words()
        );
        // No worlds, or one run per world: nothing to decompose.
        assert!(components(&v, &vec![None; v.len()], 3).is_none());
        let own: Vec<Option<u64>> = (0..v.len() as u64).map(Some).collect();
        assert!(components(&v, &own, 3).is_none());
    }
}
