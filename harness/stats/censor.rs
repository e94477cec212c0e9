//! Censored statistics (docs/methods.md §5): a method that does not reach a target within its
//! curve has a speed-up *below* a bound, one that reaches it within the first
//! evaluation interval has one *at least* a bound — never a number, never a 0.
//!
//! A value is carried as [`Bounds`] [lo, hi] (equal when known). A statistic of
//! several values (a difference, a slope, a maximum) maps bounds to bounds, and a
//! bootstrap of it gives an interval whose lower end puts every censored value at
//! its least favourable place and whose upper end at its most favourable. A verdict
//! that depends on where the censored values lie is then inconclusive.

use serde::{Deserialize, Serialize};

use super::scale::{IntervalMethod, Scale};

/// A value known to lie in [lo, hi], with its interpolated estimate `mid` inside:
/// an interval-censored value. A crossing found between two evaluation points has
/// the bracket that the grid (or the interpolation) leaves open and a finite
/// `mid`; a censored one (never reached, or before the first evaluation) has one
/// unbounded or zero side and no estimate (`mid` NaN).
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct Bounds {
    pub lo: f64,
    pub hi: f64,
    #[serde(default = "nan")]
    pub mid: f64,
}

fn nan() -> f64 {
    f64::NAN
}

impl PartialEq for Bounds {
    /// Equal sides, and equal estimates or none on both.
    fn eq(&self, o: &Bounds) -> bool {
        self.lo == o.lo
            && self.hi == o.hi
            && (self.mid == o.mid || (self.mid.is_nan() && o.mid.is_nan()))
    }
}

impl Bounds {
    pub fn exact(v: f64) -> Bounds {
        Bounds {
            lo: v,
            hi: v,
            mid: v,
        }
    }

    /// An estimate `mid` known to lie in [lo, hi] (a crossing between two points).
    pub fn bracket(lo: f64, mid: f64, hi: f64) -> Bounds {
        Bounds { lo, hi, mid }
    }

    /// A positive quantity of at least `v` (e.g. a speed-up at the grid's limit).
    pub fn at_least(v: f64) -> Bounds {
        Bounds {
            lo: v,
            hi: f64::INFINITY,
            mid: f64::NAN,
        }
    }

    /// A positive quantity below `v` (e.g. the speed-up of a method that did not
    /// reach the target: less than the baseline's x over the method's last x).
    pub fn at_most(v: f64) -> Bounds {
        Bounds {
            lo: 0.0,
            hi: v,
            mid: f64::NAN,
        }
    }

    pub fn is_exact(&self) -> bool {
        self.lo == self.hi
    }

    /// Whether the value is censored: known only as a bound, with no estimate.
    pub fn is_censored(&self) -> bool {
        !self.mid.is_finite()
    }

    /// The estimate, when there is one.
    pub fn value(&self) -> Option<f64> {
        (!self.is_censored()).then_some(self.mid)
    }

    /// Every side multiplied by `k` > 0.
    pub fn scaled(self, k: f64) -> Bounds {
        Bounds {
            lo: self.lo * k,
            hi: self.hi * k,
            mid: self.mid * k,
        }
    }

    /// a − b.
    pub fn minus(self, b: Bounds) -> Bounds {
        Bounds {
            lo: self.lo - b.hi,
            hi: self.hi - b.lo,
            mid: self.mid - b.mid,
        }
    }

    /// The bounds of Σ w_i x_i.
    pub fn weighted_sum(weights: &[f64], xs: &[Bounds]) -> Bounds {
        let (mut lo, mut hi, mut mid) = (0.0, 0.0, 0.0);
        for (&w, x) in weights.iter().zip(xs) {
            // A zero weight ignores its value, censored or not (0 · ∞ is no number).
            if w == 0.0 {
                continue;
            } else if w > 0.0 {
                lo += w * x.lo;
                hi += w * x.hi;
            } else {
                lo += w * x.hi;
                hi += w * x.lo;
            }
            mid += w * x.mid;
        }
        Bounds { lo, hi, mid }
    }

    /// The bounds of max_i x_i. Its estimate is the largest estimate when every
    /// censored part lies below it for sure (its upper bound under it); otherwise
    /// the maximum is censored too.
    pub fn max_of(xs: &[Bounds]) -> Bounds {
        let known = xs
            .iter()
            .filter(|x| !x.is_censored())
            .map(|x| x.mid)
            .fold(f64::NEG_INFINITY, f64::max);
        let decided = xs.iter().all(|x| !x.is_censored() || x.hi <= known);
        Bounds {
            lo: xs.iter().map(|x| x.lo).fold(f64::NEG_INFINITY, f64::max),
            hi: xs.iter().map(|x| x.hi).fold(f64::NEG_INFINITY, f64::max),
            mid: if decided && known.is_finite() {
                known
            } else {
                f64::NAN
            },
        }
    }
}

/// A bootstrap interval of a possibly censored statistic.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CensoredInterval {
    /// The statistic on the whole sample.
    pub point: Bounds,
    /// The `level` percentile interval: lower end from the least favourable, upper
    /// end from the most favourable placement of censored values.
    pub lower_bound: f64,
    pub upper_bound: f64,
    pub confidence_level: f64,
    /// Share of resamples whose statistic was censored (not a number).
    pub censored_share: f64,
    /// Share of resamples where it was undefined (e.g. the baseline itself never
    /// defined the target).
    pub undefined_share: f64,
    /// How the ends were found (`super::interval` makes them).
    pub method: IntervalMethod,
    /// Seeds behind the estimate, and the bootstrap standard error of the estimate
    /// on `scale` (NaN where no estimate or fewer than two seeds).
    pub seeds: usize,
    pub scale: Scale,
    pub se: f64,
}

impl From<super::Interval> for CensoredInterval {
    /// An interval of an uncensored statistic.
    fn from(i: super::Interval) -> CensoredInterval {
        CensoredInterval {
            point: Bounds::exact(i.point_estimate),
            lower_bound: i.lower_bound,
            upper_bound: i.upper_bound,
            confidence_level: i.confidence_level,
            censored_share: 0.0,
            undefined_share: i.undefined_share,
            method: IntervalMethod::Percentile,
            seeds: 0,
            scale: Scale::Linear,
            se: f64::NAN,
        }
    }
}

impl CensoredInterval {
    /// Whether placing the censored values differently could move the interval.
    pub fn censoring_matters(&self) -> bool {
        self.censored_share > 0.0 || self.point.is_censored()
    }

    /// Whether the interval has a number at each end.
    pub fn is_defined(&self) -> bool {
        !self.lower_bound.is_nan() && !self.upper_bound.is_nan()
    }

    /// How far the estimate lies from `threshold` on the interval's scale (what
    /// its standard error is measured in); `None` for a censored estimate.
    pub fn distance_to(&self, threshold: f64) -> Option<f64> {
        if self.point.is_censored() {
            return None;
        }
        let d = self.scale.to(self.point.mid) - self.scale.to(threshold);
        d.is_finite().then_some(d)
    }
}

/// The percentile interval at `level` of bootstrap replicates (`None`: undefined).
pub fn censored_interval(
    point: Bounds,
    replicates: &[Option<Bounds>],
    level: f64,
) -> CensoredInterval {
    let defined: Vec<Bounds> = replicates.iter().filter_map(|r| *r).collect();
    let n = replicates.len().max(1) as f64;
    let undefined_share = (replicates.len() - defined.len()) as f64 / n;
    let censored_share = defined.iter().filter(|b| b.is_censored()).count() as f64 / n;
    let alpha = (1.0 - level) / 2.0;
    let quantile = |mut v: Vec<f64>, q: f64| -> f64 {
        if v.is_empty() {
            return f64::NAN;
        }
        v.sort_by(f64::total_cmp);
        v[((q * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)]
    };
    CensoredInterval {
        point,
        lower_bound: quantile(defined.iter().map(|b| b.lo).collect(), alpha),
        upper_bound: quantile(defined.iter().map(|b| b.hi).collect(), 1.0 - alpha),
        confidence_level: level,
        censored_share,
        undefined_share,
        method: IntervalMethod::Percentile,
        seeds: 0,
        scale: Scale::Linear,
        se: f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn censored_values_widen_the_interval_to_their_extremes() {
        // 90 exact replicates 1..=90 and 10 that did not reach (speed-up below 0.5).
        let mut reps: Vec<Option<Bounds>> =
            (1..=90).map(|i| Some(Bounds::exact(i as f64))).collect();
        reps.extend((0..10).map(|_| Some(Bounds::at_most(0.5))));
        let ci = censored_interval(Bounds::exact(45.0), &reps, 0.9);
        // Lower end: the censored at 0 make up the bottom 10%; the 5th percentile is 0.
        assert_eq!(ci.lower_bound, 0.0);
        // Upper end: the censored at 0.5 sort low; the 95th percentile is an exact value.
        assert_eq!(ci.upper_bound, 85.0);
        assert!((ci.censored_share - 0.1).abs() < 1e-12);
        assert!(ci.censoring_matters());
    }

    #[test]
    fn bounds_propagate_through_differences_sums_and_maxima() {
        let a = Bounds::exact(3.0);
        let b = Bounds::at_most(1.0);
        let d = a.minus(b);
        assert_eq!((d.lo, d.hi), (2.0, 3.0));
        assert!(d.is_censored());
        let z = Bounds::weighted_sum(&[0.0, 1.0], &[Bounds::at_least(2.0), Bounds::exact(1.0)]);
        assert_eq!(z, Bounds::exact(1.0));
        let s = Bounds::weighted_sum(&[1.0, -1.0], &[Bounds::at_least(2.0), Bounds::exact(1.0)]);
        assert_eq!((s.lo, s.hi), (1.0, f64::INFINITY));
        let m = Bounds::max_of(&[Bounds::exact(2.0), Bounds::at_most(5.0)]);
        assert_eq!((m.lo, m.hi), (2.0, 5.0));
        assert!(m.is_censored());
        // A value below 1 for sure cannot be the maximum of {it, 4}: 4, known.
        let m = Bounds::max_of(&[Bounds::at_most(1.0), Bounds::exact(4.0)]);
        assert_eq!(m.value(), Some(4.0));
        let m = Bounds::max_of(&[Bounds::exact(4.0), Bounds::at_least(2.0)]);
        assert!(m.is_censored());
        assert_eq!(Bounds::exact(2.0).value(), Some(2.0));
        assert_eq!(Bounds::at_most(2.0).value(), None);
    }
}
