//! Where a curve known only at evaluation points first reaches a level (docs/methods.md §6
//! "The speed-up estimator"). The crossing lies between the last point below and
//! the first at or above: that grid bracket is all the data prove. Inside it the
//! estimate interpolates, linearly (the estimator before revision 3: on a concave
//! curve it places the crossing late, and more so where the grid is coarse relative
//! to the crossing) or with a monotone cubic through the neighbouring points
//! (Fritsch–Carlson PCHIP), whose error shrinks with the cube of the spacing. The
//! two interpolants' disagreement measures the interpolation's own uncertainty.

use serde::Serialize;

/// How the crossing is placed inside its grid bracket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Interp {
    Linear,
    /// Monotone piecewise-cubic Hermite (Fritsch–Carlson slopes).
    Pchip,
}

/// A crossing of a level by a curve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Crossing {
    /// At or before the first evaluation point.
    Start,
    /// Between evaluation points `x0 < x1` (the grid bracket); `linear` and `pchip`
    /// are the two interpolants' placements.
    Between {
        x0: f64,
        x1: f64,
        linear: f64,
        pchip: f64,
    },
    /// Never, within the curve.
    Never,
}

impl Crossing {
    /// The placement `interp` gives (None unless between two points).
    pub fn at(&self, interp: Interp) -> Option<f64> {
        match *self {
            Crossing::Between { linear, pchip, .. } => Some(match interp {
                Interp::Linear => linear,
                Interp::Pchip => pchip,
            }),
            _ => None,
        }
    }
}

/// The first crossing of `target` by y(x), x ascending. With `log_x` the
/// interpolation runs in ln x (for horizons swept by doubling; every x > 0).
pub fn first_crossing(x: &[f64], y: &[f64], target: f64, log_x: bool) -> Crossing {
    let Some(k) = y.iter().position(|&v| v >= target) else {
        return Crossing::Never;
    };
    if k == 0 {
        return Crossing::Start;
    }
    let u = |i: usize| if log_x { libm::log(x[i]) } else { x[i] };
    let back = |v: f64| if log_x { libm::exp(v) } else { v };
    let (u0, u1, y0, y1) = (u(k - 1), u(k), y[k - 1], y[k]);
    let frac = (target - y0) / (y1 - y0);
    let linear = back(u0 + frac * (u1 - u0));
    let (d0, d1) = (pchip_slope(&u, y, k - 1), pchip_slope(&u, y, k));
    let h = u1 - u0;
    // The Hermite cubic on [u0, u1], monotone there with these slopes, and its
    // derivative: the level is found by Newton's method kept inside a shrinking
    // bisection bracket.
    let at = |t: f64| {
        let (t2, t3) = (t * t, t * t * t);
        (2.0 * t3 - 3.0 * t2 + 1.0) * y0
            + (t3 - 2.0 * t2 + t) * h * d0
            + (-2.0 * t3 + 3.0 * t2) * y1
            + (t3 - t2) * h * d1
    };
    let slope = |t: f64| {
        let t2 = t * t;
        (6.0 * t2 - 6.0 * t) * y0
            + (3.0 * t2 - 4.0 * t + 1.0) * h * d0
            + (-6.0 * t2 + 6.0 * t) * y1
            + (3.0 * t2 - 2.0 * t) * h * d1
    };
    let (mut lo, mut hi, mut t) = (0.0f64, 1.0f64, frac);
    for _ in 0..100 {
        let f = at(t) - target;
        if f >= 0.0 {
            hi = t;
        } else {
            lo = t;
        }
        if hi - lo < 1e-12 {
            break;
        }
        let d = slope(t);
        let next = t - f / d;
        if d > 0.0 && (next - t).abs() < 1e-13 {
            break;
        }
        t = if d > 0.0 && next > lo && next < hi {
            next
        } else {
            0.5 * (lo + hi)
        };
    }
    Crossing::Between {
        x0: x[k - 1],
        x1: x[k],
        linear,
        pchip: back(u0 + t * h),
    }
}

/// The Fritsch–Carlson derivative at point i (of n = y.len()): zero at a local
/// extremum, a weighted harmonic mean of the neighbouring secants inside, a
/// shape-preserving three-point estimate at the ends.
fn pchip_slope(u: &dyn Fn(usize) -> f64, y: &[f64], i: usize) -> f64 {
    let n = y.len();
    let secant = |j: usize| (y[j + 1] - y[j]) / (u(j + 1) - u(j));
    if n < 3 {
        return secant(0);
    }
    let end = |h0: f64, h1: f64, d0: f64, d1: f64| {
        let d = ((2.0 * h0 + h1) * d0 - h0 * d1) / (h0 + h1);
        if d.signum() != d0.signum() {
            0.0
        } else if d0.signum() != d1.signum() && d.abs() > 3.0 * d0.abs() {
            3.0 * d0
        } else {
            d
        }
    };
    if i == 0 {
        return end(u(1) - u(0), u(2) - u(1), secant(0), secant(1));
    }
    if i == n - 1 {
        return end(
            u(n - 1) - u(n - 2),
            u(n - 2) - u(n - 3),
            secant(n - 2),
            secant(n - 3),
        );
    }
    let (h0, h1) = (u(i) - u(i - 1), u(i + 1) - u(i));
    let (d0, d1) = (secant(i - 1), secant(i));
    if d0 * d1 <= 0.0 {
        return 0.0;
    }
    let (w1, w2) = (2.0 * h1 + h0, h1 + 2.0 * h0);
    (w1 + w2) / (w1 / d0 + w2 / d1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pchip_places_a_concave_crossing_where_linear_interpolation_is_late() {
        // y = 1 − e^(−x/300) on a grid of 100: the level 0.5 is crossed at
        // 300·ln 2 = 207.94; linear interpolation between 200 and 300 says later.
        let x: Vec<f64> = (0..=10).map(|k| 100.0 * k as f64).collect();
        let y: Vec<f64> = x.iter().map(|v| 1.0 - (-v / 300.0).exp()).collect();
        let truth = 300.0 * 2f64.ln();
        let Crossing::Between {
            x0,
            x1,
            linear,
            pchip,
        } = first_crossing(&x, &y, 0.5, false)
        else {
            panic!("a crossing between points");
        };
        assert_eq!((x0, x1), (200.0, 300.0));
        assert!(linear > truth + 1.0, "linear {linear}");
        assert!(
            (pchip - truth).abs() < (linear - truth) / 3.0,
            "pchip {pchip} linear {linear} truth {truth}"
        );
        // A straight line is interpolated exactly by both.
        let y: Vec<f64> = x.iter().map(|v| v / 1000.0).collect();
        let c = first_crossing(&x, &y, 0.45, false);
        assert!((c.at(Interp::Linear).unwrap() - 450.0).abs() < 1e-9);
        assert!((c.at(Interp::Pchip).unwrap() - 450.0).abs() < 1e-6);
        assert_eq!(first_crossing(&x, &y, 0.0, false), Crossing::Start);
        assert_eq!(first_crossing(&x, &y, 2.0, false), Crossing::Never);
    }

    #[test]
    fn log_x_interpolation_is_exact_on_a_logarithmic_curve() {
        // y = ln h over doubling horizons: linear in ln h.
        let h = [250.0, 500.0, 1000.0, 2000.0, 4000.0];
        let y: Vec<f64> = h.iter().map(|v: &f64| v.ln()).collect();
        let c = first_crossing(&h, &y, 1500f64.ln(), true);
        assert!((c.at(Interp::Linear).unwrap() - 1500.0).abs() < 1e-6);
        assert!((c.at(Interp::Pchip).unwrap() - 1500.0).abs() < 1e-3);
    }

    #[test]
    fn a_non_monotone_curve_keeps_the_cubic_inside_its_bracket() {
        let x = [0.0, 100.0, 200.0, 300.0, 400.0];
        let y = [0.1, 0.5, 0.45, 0.9, 0.8];
        match first_crossing(&x, &y, 0.7, false) {
            Crossing::Between { x0, x1, pchip, .. } => {
                assert_eq!((x0, x1), (200.0, 300.0));
                assert!(pchip > 200.0 && pchip < 300.0);
            }
            c => panic!("{c:?}"),
        }
    }
}
