//! Speed-ups as docs/methods.md §5 measures them: to reach a target level on two learning
//! curves (the points of an iso-accuracy curve), and across a horizon sweep (each
//! budget trained with its own schedule). Every result is [`Bounds`]: exact, or
//! censored where the curve or the grid cannot say more.

use super::censor::Bounds;
use super::crossing::{first_crossing, Crossing};
use super::interval::Estimator;
use super::Curve;

/// What a speed-up divides: the baseline's x where it first reaches the target
/// (the iso-accuracy reading, strict on plateaus), or a given x (the paper's
/// reading: the baseline's trained steps, or the evaluation point whose level
/// is the target).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Numerator {
    FirstReaching,
    At(f64),
}

/// num / den, side by side (num ≥ 0, den > 0).
pub fn ratio(num: Bounds, den: Bounds) -> Bounds {
    Bounds {
        lo: num.lo / den.hi,
        hi: num.hi / den.lo,
        mid: num.mid / den.mid,
    }
}

/// Where a curve first reaches `target`: its bounds in x (the estimator's
/// placement and bracket), or the crossing when it is not between two points.
pub fn reach(est: &Estimator, c: &Curve, target: f64) -> Result<Bounds, Crossing> {
    let crossing = first_crossing(&c.x, &c.y, target, false);
    est.place(&crossing).ok_or(crossing)
}

/// The speed-up of `method` over `base` in reaching `target`: the numerator over
/// the x at which the method's curve first reaches it.
///
/// Undefined (`None`) when the base never reaches the target, or already has it at
/// its first point. When the method never reaches it, the speed-up is below the
/// numerator over the method's last x. When the method reaches it within its first
/// evaluation interval, the grid cannot resolve how early: the speed-up is at least
/// the numerator over the end of that interval.
pub fn speedup_to(
    est: &Estimator,
    base: &Curve,
    method: &Curve,
    target: f64,
    numerator: Numerator,
) -> Option<Bounds> {
    let [s] = speedups_to(est, base, method, target, [numerator]);
    s
}

/// [`speedup_to`] under several numerators at once: each curve's crossing of
/// `target` is found once and read under every numerator (the bootstrap reads
/// both the iso-accuracy and the trained-steps speed-up of every resample).
pub fn speedups_to<const N: usize>(
    est: &Estimator,
    base: &Curve,
    method: &Curve,
    target: f64,
    numerators: [Numerator; N],
) -> [Option<Bounds>; N] {
    let Ok(first) = reach(est, base, target) else {
        return [None; N];
    };
    let crossing = first_crossing(&method.x, &method.y, target, false);
    numerators.map(|numerator| {
        let bx = match numerator {
            Numerator::FirstReaching => first,
            Numerator::At(x) => Bounds::exact(x),
        };
        let first_interval = |x1: f64| Bounds::at_least(bx.lo / x1);
        Some(match crossing {
            Crossing::Never => Bounds::at_most(bx.hi / method.x[method.x.len() - 1]),
            Crossing::Start => first_interval(method.x[1.min(method.x.len() - 1)]),
            Crossing::Between { x0, x1, .. } if x0 <= method.x[0] => first_interval(x1),
            Crossing::Between { .. } => {
                ratio(bx, est.place(&crossing).expect("between two points"))
            }
        })
    })
}

/// The smallest horizon whose (seed-mean) final score reaches `target`,
/// interpolated in log-horizon between the swept horizons: `points` are (horizon,
/// final score), horizons ascending. At most the first horizon when that one
/// already reaches it; at least the last when none does.
pub fn horizon_reaching(est: &Estimator, points: &[(f64, f64)], target: f64) -> Bounds {
    let Some(&(h0, _)) = points.first() else {
        return Bounds::at_least(0.0);
    };
    let (h, y): (Vec<f64>, Vec<f64>) = points.iter().copied().unzip();
    let c = first_crossing(&h, &y, target, true);
    match est.place(&c) {
        Some(b) => b,
        None if c == Crossing::Start => Bounds::at_most(h0),
        None => Bounds::at_least(points[points.len() - 1].0),
    }
}

/// Horizon speed-up at horizon `h` (or at the numerator given as bounds): the
/// numerator over the method's horizon reaching the baseline's final score at
/// `h` (docs/methods.md §5).
pub fn horizon_speedup(h: Bounds, method_horizon: Bounds) -> Bounds {
    ratio(h, method_horizon)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIN: Estimator = Estimator::BEFORE;

    fn first(base: &Curve, m: &Curve, t: f64) -> Option<Bounds> {
        speedup_to(&LIN, base, m, t, Numerator::FirstReaching)
    }

    #[test]
    fn iso_accuracy_speedups_on_hand_made_curves() {
        let base = Curve::new(
            vec![0.0, 100.0, 200.0, 400.0, 800.0],
            vec![0.1, 0.3, 0.5, 0.6, 0.7],
        );
        let fast = Curve::new(
            vec![0.0, 100.0, 200.0, 400.0, 800.0],
            vec![0.1, 0.6, 0.7, 0.75, 0.8],
        );
        // Base reaches 0.6 at 400; fast at 100 — its first interval: at least 400/100.
        let b = first(&base, &fast, 0.6).unwrap();
        assert_eq!((b.lo, b.hi), (4.0, f64::INFINITY));
        assert!(b.is_censored());
        // 0.7: base 800, fast 200 (exact, second interval): 4x.
        assert_eq!(first(&base, &fast, 0.7), Some(Bounds::exact(4.0)));
        // 0.65: base 600 (between 400 and 800), fast 150 (second interval): 4x.
        assert_eq!(first(&base, &fast, 0.65), Some(Bounds::exact(4.0)));
        // 0.3: base 100; fast within its first interval (at 40): ≥ 100/100.
        assert_eq!(first(&base, &fast, 0.3).map(|b| b.lo), Some(1.0));
        // A target the base never reaches, or has from the start: undefined.
        assert_eq!(first(&base, &fast, 0.9), None);
        assert_eq!(first(&base, &fast, 0.05), None);
        // The slower method never reaching 0.7: below 800 / 800.
        let slow = Curve::new(vec![0.0, 200.0, 400.0, 800.0], vec![0.1, 0.2, 0.4, 0.65]);
        let b = first(&base, &slow, 0.7).unwrap();
        assert_eq!((b.lo, b.hi), (0.0, 1.0));
        // 0.4: base 150; slow at 400: 0.375x, exact.
        assert_eq!(first(&base, &slow, 0.4), Some(Bounds::exact(0.375)));
    }

    #[test]
    fn the_trained_steps_numerator_ignores_where_the_baseline_plateaus() {
        // Uniform reaches its final 0.70 already at 400 and stays there to 800.
        let base = Curve::new(
            vec![0.0, 100.0, 200.0, 400.0, 800.0],
            vec![0.1, 0.4, 0.6, 0.7, 0.7],
        );
        let fast = Curve::new(
            vec![0.0, 100.0, 200.0, 400.0, 800.0],
            vec![0.1, 0.5, 0.7, 0.75, 0.8],
        );
        // Iso: 400 / 200 = 2x; the paper's reading: 800 trained steps / 200 = 4x.
        assert_eq!(first(&base, &fast, 0.7), Some(Bounds::exact(2.0)));
        let paper = speedup_to(&LIN, &base, &fast, 0.7, Numerator::At(800.0));
        assert_eq!(paper, Some(Bounds::exact(4.0)));
        // The chosen estimator carries the interpolation bracket.
        let b = speedup_to(&Estimator::CHOSEN, &base, &fast, 0.65, Numerator::At(800.0)).unwrap();
        assert!(b.lo <= b.mid && b.mid <= b.hi && !b.is_censored());
    }

    #[test]
    fn horizon_speedups_on_hand_made_runs() {
        // Final scores at horizons 250, 1000, 4000, 16000.
        let uniform = [
            (250.0, 0.40),
            (1000.0, 0.55),
            (4000.0, 0.65),
            (16000.0, 0.70),
        ];
        let jest = [
            (250.0, 0.50),
            (1000.0, 0.65),
            (4000.0, 0.72),
            (16000.0, 0.75),
        ];
        // Uniform's final at 4000 is 0.65: JEST has it at 1000 exactly → 4x.
        let h = horizon_reaching(&LIN, &jest, uniform[2].1);
        assert!((h.lo - 1000.0).abs() < 1e-9 && h.is_exact());
        assert!((horizon_speedup(Bounds::exact(4000.0), h).mid - 4.0).abs() < 1e-9);
        // 0.70 lies between JEST's 1000 (0.65) and 4000 (0.72): 5/7 of the way in
        // log-horizon, 1000·4^(5/7).
        let h = horizon_reaching(&LIN, &jest, 0.70);
        assert!((h.lo - 1000.0 * 4f64.powf(5.0 / 7.0)).abs() < 1e-6);
        // Uniform's 0.40 at 250: JEST's first horizon already has it: ≥ 250/250.
        let s = horizon_speedup(Bounds::exact(250.0), horizon_reaching(&LIN, &jest, 0.40));
        assert_eq!((s.lo, s.hi), (1.0, f64::INFINITY));
        // The factor by which uniform's horizon must grow to match JEST at 16000:
        // uniform never reaches 0.75 → more than 16000/16000.
        let h = horizon_reaching(&LIN, &uniform, 0.75);
        assert_eq!((h.lo, h.hi), (16000.0, f64::INFINITY));
    }
}
