//! How many worlds and learners a verdict needs (docs/methods.md §7, `jestbench
//! plan`): a pilot's standard error, rescaled by the variance components to
//! another design, against the distance from its estimate to the threshold.
//!
//! With world and learner variances σ²_w and σ²_l, a mean over W worlds of L
//! learners has variance (σ²_w + σ²_l / L) / W, so a pilot's standard error se_p
//! (W_p worlds of L_p) becomes se_p · √[(σ²_w + σ²_l/L) / W · W_p / (σ²_w +
//! σ²_l/L_p)]. A design decides a claim at level 1 − α, with power 1 − β at the
//! pilot's estimate taken as the truth, where the distance d (on the statistic's
//! scale) from the estimate to the threshold is at least (t(W − 1, 1 − α/2) +
//! z(1 − β)) · se.

use statrs::distribution::{ContinuousCDF, Normal};

use super::interval::t_quantile;

/// A pilot: its standard error on the statistic's scale, its design, and its
/// variance components (world, learner).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pilot {
    pub se: f64,
    pub worlds: usize,
    pub learners: usize,
    pub world_var: f64,
    pub learner_var: f64,
}

impl Pilot {
    /// The standard error of a design of `worlds` × `learners`.
    pub fn se_at(&self, worlds: usize, learners: usize) -> f64 {
        let per = |l: usize| self.world_var + self.learner_var / l.max(1) as f64;
        let (now, then) = (per(self.learners), per(learners));
        if now <= 0.0 {
            return self.se * (self.worlds as f64 / worlds.max(1) as f64).sqrt();
        }
        self.se * (then / now * self.worlds as f64 / worlds.max(1) as f64).sqrt()
    }

    /// The fewest worlds (of `learners` each, at most `max_worlds`) at which the
    /// distance `d` is decided by a two-sided `level` interval with power
    /// `power`; `None` beyond `max_worlds`.
    pub fn worlds_needed(
        &self,
        d: f64,
        learners: usize,
        (level, power): (f64, f64),
        max_worlds: usize,
    ) -> Option<usize> {
        if !(d.is_finite() && self.se.is_finite()) || d == 0.0 {
            return None;
        }
        let z = Normal::new(0.0, 1.0)
            .expect("the standard normal")
            .inverse_cdf(power);
        let q = 1.0 - (1.0 - level) / 2.0;
        (2..=max_worlds).find(|&w| d.abs() >= (t_quantile(w - 1, q) + z) * self.se_at(w, learners))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_worlds_narrow_and_learners_help_only_the_learner_part() {
        let p = Pilot {
            se: 0.1,
            worlds: 5,
            learners: 2,
            world_var: 1.0,
            learner_var: 1.0,
        };
        assert!((p.se_at(5, 2) - 0.1).abs() < 1e-12);
        assert!((p.se_at(20, 2) - 0.05).abs() < 1e-12);
        // Infinitely many learners leave the world part: √(1 / 1.5).
        assert!((p.se_at(5, 1_000_000) - 0.1 * (1.0f64 / 1.5).sqrt()).abs() < 1e-6);
        // No world variance: a run is a run, wherever it is.
        let flat = Pilot {
            world_var: 0.0,
            ..p
        };
        assert!((flat.se_at(10, 1) - flat.se_at(5, 2)).abs() < 1e-12);
    }

    #[test]
    fn worlds_needed_grows_as_the_distance_shrinks() {
        let p = Pilot {
            se: 0.1,
            worlds: 5,
            learners: 2,
            world_var: 1.0,
            learner_var: 1.0,
        };
        let far = p.worlds_needed(0.5, 2, (0.95, 0.8), 1000).unwrap();
        let near = p.worlds_needed(0.2, 2, (0.95, 0.8), 1000).unwrap();
        assert!(far < near, "{far} {near}");
        // The pilot itself: 5 worlds decide a distance of (t(4) + z(0.8)) · se.
        let z = Normal::new(0.0, 1.0).unwrap().inverse_cdf(0.8);
        let d = (t_quantile(4, 0.975) + z) * 0.1 + 1e-9;
        assert_eq!(p.worlds_needed(d, 2, (0.95, 0.8), 1000), Some(5));
        assert_eq!(p.worlds_needed(0.0, 2, (0.95, 0.8), 1000), None);
        assert_eq!(p.worlds_needed(1e-6, 2, (0.95, 0.8), 50), None);
    }
}
