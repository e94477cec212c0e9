//! Intervals of possibly censored statistics over seeds, and the estimator that
//! `calibrate` chose (docs/methods.md §6; docs/statistics.md has the table behind the choice).
//!
//! - `Percentile`: the 2.5% and 97.5% quantiles of the bootstrap replicates'
//!   bounds (the estimator before revision 3). With 3–10 seeds it is too narrow:
//!   the bootstrap's spread estimates σ²(n−1)/n and its quantiles are normal ones.
//! - `StudentT`: on the statistic's scale (log for ratios), the estimate ± t(n−1) ×
//!   the bootstrap standard error (rescaled by √(n/(n−1))), its ends taken from the
//!   estimate's bracket (the crossing's interpolation or grid bracket), so the
//!   interval carries both the seeds' spread and what the grid leaves open. Where
//!   resamples are censored, each end reaches at least as far as the percentile
//!   end of the replicates' bounds (censored values at their least favourable
//!   place for the lower end, their most favourable for the upper).

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

use super::censor::{censored_interval, Bounds, CensoredInterval};
use super::crossing::Interp;
pub use super::scale::{IntervalMethod, Scale};

/// Which bracket a crossing carries into its bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bracket {
    /// None: the interpolated point only.
    None,
    /// Between the linear and the cubic placement (the interpolation's own error).
    Interpolation,
    /// The whole grid bracket: only that it lies between two evaluation points.
    Grid,
}

/// How crossings are placed, what they carry, and how intervals are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Estimator {
    pub interp: Interp,
    pub bracket: Bracket,
    pub interval: IntervalMethod,
}

impl Estimator {
    /// Revision 2's estimator: linear interpolation, percentile bootstrap.
    pub const BEFORE: Estimator = Estimator {
        interp: Interp::Linear,
        bracket: Bracket::None,
        interval: IntervalMethod::Percentile,
    };

    /// The estimator the calibration chose (docs/statistics.md).
    pub const CHOSEN: Estimator = Estimator {
        interp: Interp::Pchip,
        bracket: Bracket::Interpolation,
        interval: IntervalMethod::StudentT,
    };

    pub fn name(&self) -> String {
        format!(
            "{} interpolation, {} bracket, {} interval",
            match self.interp {
                Interp::Linear => "linear",
                Interp::Pchip => "monotone cubic",
            },
            match self.bracket {
                Bracket::None => "no",
                Bracket::Interpolation => "interpolation",
                Bracket::Grid => "grid",
            },
            match self.interval {
                IntervalMethod::Percentile => "percentile-bootstrap",
                IntervalMethod::StudentT => "bootstrap-t (t(n−1) × bootstrap SE)",
            }
        )
    }

    /// The crossing's bounds in x: its placement with the bracket this estimator
    /// carries (None unless the crossing lies between two evaluation points).
    pub fn place(&self, c: &super::crossing::Crossing) -> Option<Bounds> {
        let super::crossing::Crossing::Between {
            x0,
            x1,
            linear,
            pchip,
        } = *c
        else {
            return None;
        };
        let mid = c.at(self.interp)?;
        Some(match self.bracket {
            Bracket::None => Bounds::exact(mid),
            Bracket::Interpolation => {
                Bounds::bracket(linear.min(pchip).max(x0), mid, linear.max(pchip).min(x1))
            }
            Bracket::Grid => Bounds::bracket(x0, mid, x1),
        })
    }

    /// The `level` interval of a statistic from its whole-sample value `point`
    /// and bootstrap `replicates` over `seeds` seeds.
    pub fn interval(
        &self,
        point: Bounds,
        replicates: &[Option<Bounds>],
        seeds: usize,
        scale: Scale,
        level: f64,
    ) -> CensoredInterval {
        let mut ci = censored_interval(point, replicates, level);
        ci.seeds = seeds;
        ci.scale = scale;
        ci.se = standard_error(replicates, seeds, scale);
        if self.interval == IntervalMethod::Percentile {
            return ci;
        }
        ci.method = IntervalMethod::StudentT;
        if point.is_censored() {
            // No estimate to centre on: the replicates' bounds decide (as above).
            return ci;
        }
        if seeds < 2 || !ci.se.is_finite() {
            ci.lower_bound = f64::NAN;
            ci.upper_bound = f64::NAN;
            return ci;
        }
        let t = t_quantile(seeds - 1, 1.0 - (1.0 - level) / 2.0);
        let lower = scale.from(scale.to(point.lo) - t * ci.se);
        let upper = scale.from(scale.to(point.hi) + t * ci.se);
        if ci.censored_share > 0.0 {
            ci.lower_bound = lower.min(ci.lower_bound);
            ci.upper_bound = upper.max(ci.upper_bound);
        } else {
            ci.lower_bound = lower;
            ci.upper_bound = upper;
        }
        ci
    }
}

/// The bootstrap standard deviation of the replicates' estimates on `scale`
/// (censored and undefined ones left out), × √(n/(n−1)) for n seeds.
fn standard_error(replicates: &[Option<Bounds>], seeds: usize, scale: Scale) -> f64 {
    let v: Vec<f64> = replicates
        .iter()
        .flatten()
        .filter_map(|b| b.value())
        .map(|m| scale.to(m))
        .filter(|m| m.is_finite())
        .collect();
    if v.len() < 2 || seeds < 2 {
        return f64::NAN;
    }
    let sd = super::std_dev(&v);
    sd * (seeds as f64 / (seeds - 1) as f64).sqrt()
}

/// The q quantile of Student's t with `df` degrees of freedom.
pub fn t_quantile(df: usize, q: f64) -> f64 {
    StudentsT::new(0.0, 1.0, df.max(1) as f64)
        .expect("a valid t distribution")
        .inverse_cdf(q)
}

/// Two one-sided p-values of a statistic against `threshold`: that it lies below
/// (small when the interval sits above, "holds") and that it lies at or above
/// (small when it sits below, "fails"). From the t statistic where there is an
/// estimate, else from the share of replicates on the wrong side of it.
pub fn p_values(
    ci: &CensoredInterval,
    replicates: &[Option<Bounds>],
    threshold: f64,
) -> (f64, f64) {
    let p = ci.point;
    if ci.method == IntervalMethod::StudentT
        && !p.is_censored()
        && ci.se.is_finite()
        && ci.se > 0.0
        && ci.seeds >= 2
        && ci.censored_share == 0.0
    {
        let dist = StudentsT::new(0.0, 1.0, (ci.seeds - 1) as f64).expect("a valid t");
        let thr = ci.scale.to(threshold);
        let above = (ci.scale.to(p.lo) - thr) / ci.se;
        let below = (thr - ci.scale.to(p.hi)) / ci.se;
        return (1.0 - dist.cdf(above), 1.0 - dist.cdf(below));
    }
    let defined: Vec<&Bounds> = replicates.iter().flatten().collect();
    if defined.is_empty() {
        return (1.0, 1.0);
    }
    let n = defined.len() as f64;
    let below = defined.iter().filter(|b| b.lo < threshold).count() as f64;
    let above = defined.iter().filter(|b| b.hi >= threshold).count() as f64;
    ((below + 1.0) / (n + 1.0), (above + 1.0) / (n + 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_intervals_widen_the_percentile_one_by_the_small_sample_factor() {
        // Replicates ln-normal around 4 with sd 0.1 on the log scale.
        let reps: Vec<Option<Bounds>> = (0..2000)
            .map(|i| {
                let z = t_quantile(1000, (i as f64 + 0.5) / 2000.0);
                Some(Bounds::exact(4.0 * (0.1 * z).exp()))
            })
            .collect();
        let point = Bounds::exact(4.0);
        let pct = Estimator::BEFORE.interval(point, &reps, 5, Scale::Log, 0.95);
        let t = Estimator::CHOSEN.interval(point, &reps, 5, Scale::Log, 0.95);
        // Percentile: 4·e^(±1.96·0.1). t: 4·e^(±2.776·0.1·√(5/4)).
        assert!((pct.lower_bound - 4.0 * (-0.196f64).exp()).abs() < 0.01);
        let w = 2.776 * 0.1 * (1.25f64).sqrt();
        assert!((t.lower_bound - 4.0 * (-w).exp()).abs() < 0.01, "{t:?}");
        assert!((t.upper_bound - 4.0 * w.exp()).abs() < 0.02);
        // A bracket widens each end by its own side.
        let b = Bounds::bracket(3.8, 4.0, 4.1);
        let tb = Estimator::CHOSEN.interval(b, &reps, 5, Scale::Log, 0.95);
        assert!((tb.lower_bound - 3.8 * (-w).exp()).abs() < 0.01);
        assert!((tb.upper_bound - 4.1 * w.exp()).abs() < 0.02);
        // One seed: no interval.
        let one = Estimator::CHOSEN.interval(point, &reps, 1, Scale::Log, 0.95);
        assert!(!one.is_defined());
        // p-values: 4 against 3 holds (small first p), against 6 fails.
        let (ph, pf) = p_values(&t, &reps, 3.0);
        assert!(ph < 0.05 && pf > 0.95, "{ph} {pf}");
        let (ph, pf) = p_values(&t, &reps, 6.0);
        assert!(ph > 0.9 && pf < 0.05, "{ph} {pf}");
    }

    #[test]
    fn the_chosen_estimator_places_crossings_with_their_interpolation_bracket() {
        use super::super::crossing::first_crossing;
        let x: Vec<f64> = (0..=10).map(|k| 100.0 * k as f64).collect();
        let y: Vec<f64> = x.iter().map(|v| 1.0 - (-v / 300.0).exp()).collect();
        let c = first_crossing(&x, &y, 0.5, false);
        let b = Estimator::CHOSEN.place(&c).unwrap();
        assert!(b.lo <= b.mid && b.mid <= b.hi && b.lo < b.hi, "{b:?}");
        assert!(b.lo >= 200.0 && b.hi <= 300.0);
        let g = Estimator {
            bracket: Bracket::Grid,
            ..Estimator::CHOSEN
        }
        .place(&c)
        .unwrap();
        assert_eq!((g.lo, g.hi), (200.0, 300.0));
        assert_eq!(
            Estimator::BEFORE.place(&c).unwrap().lo,
            c.at(Interp::Linear).unwrap()
        );
    }
}
