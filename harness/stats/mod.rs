/*!
Statistics over seeds, standing alone (nothing here imports the rest of the crate):
seed-mean curves, steps-to-target with linear interpolation, percentile bootstrap
over seeds, censored values and their intervals (`censor`), iso-accuracy and
horizon speed-ups (`speedup`), trends with fixed effects (`trend`), Welch's t-test
with Holm's correction, and Hedges' g.

"Did not reach the target" is a variant ([`Reached::Never`]) or a censored bound
([`censor::Bounds`]), never a number.
*/

pub mod bestof;
mod bootstrap;
pub mod censor;
pub mod components;
pub mod crossing;
mod hypothesis;
pub mod interval;
pub mod power;
mod scale;
pub mod speedup;
pub mod trend;

pub use bestof::BestOf;
pub use bootstrap::{
    bootstrap, mean_draws, mean_interval, mean_interval_in, mean_interval_over, mean_replicates,
    mean_replicates_in, mean_replicates_over, nested_indices, percentile_interval,
    resample_indices, unit_means, units, Interval, BOOTSTRAP_SEED, RESAMPLES,
};
pub use censor::{censored_interval, Bounds, CensoredInterval};
pub use hypothesis::{hedges_g, holm, welch_t_test, WelchTest};
pub use interval::{Estimator, Scale};

use serde::{Deserialize, Serialize};

/// A curve: y at increasing x (steps, FLOPs or seconds).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Curve {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

/// Where a curve first reaches a target.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Reached {
    /// At this x, interpolated linearly between the evaluation points around it.
    At(f64),
    /// Never, within the curve.
    Never,
}

impl Curve {
    pub fn new(x: Vec<f64>, y: Vec<f64>) -> Curve {
        assert_eq!(x.len(), y.len(), "a curve has one y per x");
        Curve { x, y }
    }

    /// The first x at which y ≥ target: linear interpolation between the last point
    /// below and the first at or above; `x[0]` if the curve starts there.
    pub fn first_reaching(&self, target: f64) -> Reached {
        for k in 0..self.y.len() {
            if self.y[k] >= target {
                if k == 0 {
                    return Reached::At(self.x[0]);
                }
                let (x0, x1, y0, y1) = (self.x[k - 1], self.x[k], self.y[k - 1], self.y[k]);
                let frac = (target - y0) / (y1 - y0);
                return Reached::At(x0 + frac * (x1 - x0));
            }
        }
        Reached::Never
    }

    pub fn last(&self) -> f64 {
        *self.y.last().expect("a non-empty curve")
    }

    pub fn max(&self) -> f64 {
        self.y.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    }
}

/// The point-wise mean of curves that share their x (seeds of one configuration).
/// Curves of different lengths are cut to the shortest.
pub fn mean_curve(curves: &[&Curve]) -> Curve {
    let len = curves.iter().map(|c| c.y.len()).min().unwrap_or(0);
    let n = curves.len() as f64;
    let x = (0..len)
        .map(|k| curves.iter().map(|c| c.x[k]).sum::<f64>() / n)
        .collect();
    let y = (0..len)
        .map(|k| curves.iter().map(|c| c.y[k]).sum::<f64>() / n)
        .collect();
    Curve::new(x, y)
}

/// `mean_curve` of curves given as (x, y) slices, without copying them.
pub fn mean_of_slices(xs: &[&[f64]], ys: &[&[f64]]) -> Curve {
    let len = ys.iter().map(|y| y.len()).min().unwrap_or(0);
    let n = ys.len() as f64;
    let x = (0..len)
        .map(|k| xs.iter().map(|c| c[k]).sum::<f64>() / n)
        .collect();
    let y = (0..len)
        .map(|k| ys.iter().map(|c| c[k]).sum::<f64>() / n)
        .collect();
    Curve::new(x, y)
}

/// Arithmetic mean (NaN for none).
pub fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Pearson's correlation of paired values (NaN for fewer than three pairs or a
/// constant series).
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().min(y.len());
    if n < 3 {
        return f64::NAN;
    }
    let (mx, my) = (mean(&x[..n]), mean(&y[..n]));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y).take(n) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx == 0.0 || syy == 0.0 {
        return f64::NAN;
    }
    sxy / libm::sqrt(sxx * syy)
}

/// Sample standard deviation (n − 1; 0 for fewer than two values).
pub fn std_dev(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    let m = mean(xs);
    (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64).sqrt()
}

#[cfg(test)]
mod tests;
