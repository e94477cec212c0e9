//! Speed-ups as SPEC §5 measures them: to reach a target level on two learning
//! curves (the points of an iso-accuracy curve), and across a horizon sweep (each
//! budget trained with its own schedule). Every result is [`Bounds`]: exact, or
//! censored where the curve or the grid cannot say more.

use super::censor::Bounds;
use super::{Curve, Reached};

/// The speed-up of `method` over `base` in reaching `target`: the x at which the
/// base's curve first reaches it over the method's (interpolated linearly).
///
/// Undefined (`None`) when the base never reaches the target, or already has it at
/// its first point. When the method never reaches it, the speed-up is below the
/// base's x over the method's last x. When the method reaches it within its first
/// evaluation interval, the grid cannot resolve how early: the speed-up is at least
/// the base's x over the end of that interval.
pub fn speedup_to(base: &Curve, method: &Curve, target: f64) -> Option<Bounds> {
    let bx = match base.first_reaching(target) {
        Reached::At(x) if x > base.x[0] => x,
        _ => return None,
    };
    Some(match method.first_reaching(target) {
        Reached::Never => Bounds::at_most(bx / method.x[method.x.len() - 1]),
        Reached::At(mx) => {
            if method.x.len() > 1 && mx <= method.x[1] {
                Bounds::at_least(bx / method.x[1])
            } else {
                Bounds::exact(bx / mx)
            }
        }
    })
}

/// The smallest horizon whose (seed-mean) final score reaches `target`, interpolated
/// linearly in log-horizon between the swept horizons: `points` are (horizon, final
/// score), horizons ascending. At most the first horizon when that one already
/// reaches it; at least the last when none does.
pub fn horizon_reaching(points: &[(f64, f64)], target: f64) -> Bounds {
    let Some(&(h0, s0)) = points.first() else {
        return Bounds::at_least(0.0);
    };
    if s0 >= target {
        return Bounds::at_most(h0);
    }
    for w in points.windows(2) {
        let ((h1, s1), (h2, s2)) = (w[0], w[1]);
        if s2 >= target {
            let frac = (target - s1) / (s2 - s1);
            return Bounds::exact((h1.ln() + frac * (h2.ln() - h1.ln())).exp());
        }
    }
    Bounds::at_least(points[points.len() - 1].0)
}

/// Horizon speed-up at horizon `h`: h over the method's horizon reaching the
/// baseline's final score at `h` (SPEC §5).
pub fn horizon_speedup(h: f64, method_horizon: Bounds) -> Bounds {
    Bounds {
        lo: h / method_horizon.hi,
        hi: h / method_horizon.lo,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(speedup_to(&base, &fast, 0.6), Some(Bounds::at_least(4.0)));
        // 0.7: base 800, fast 200 (exact, second interval): 4x.
        assert_eq!(speedup_to(&base, &fast, 0.7), Some(Bounds::exact(4.0)));
        // 0.65: base 600 (between 400 and 800), fast 150 (second interval): 4x.
        assert_eq!(speedup_to(&base, &fast, 0.65), Some(Bounds::exact(4.0)));
        // 0.3: base 100; fast within its first interval (at 40): ≥ 100/100.
        assert_eq!(speedup_to(&base, &fast, 0.3), Some(Bounds::at_least(1.0)));
        // A target the base never reaches, or has from the start: undefined.
        assert_eq!(speedup_to(&base, &fast, 0.9), None);
        assert_eq!(speedup_to(&base, &fast, 0.05), None);
        // The slower method never reaching 0.7: below 800 / 800.
        let slow = Curve::new(vec![0.0, 200.0, 400.0, 800.0], vec![0.1, 0.2, 0.4, 0.65]);
        assert_eq!(speedup_to(&base, &slow, 0.7), Some(Bounds::at_most(1.0)));
        // 0.4: base 150; slow at 400: 0.375x, exact.
        assert_eq!(speedup_to(&base, &slow, 0.4), Some(Bounds::exact(0.375)));
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
        let h = horizon_reaching(&jest, uniform[2].1);
        assert!((h.lo - 1000.0).abs() < 1e-9 && h.is_exact());
        assert!((horizon_speedup(4000.0, h).lo - 4.0).abs() < 1e-9);
        // 0.70 lies between JEST's 1000 (0.65) and 4000 (0.72): 5/7 of the way in
        // log-horizon, 1000·4^(5/7).
        let h = horizon_reaching(&jest, 0.70);
        assert!((h.lo - 1000.0 * 4f64.powf(5.0 / 7.0)).abs() < 1e-6);
        // Uniform's 0.40 at 250: JEST's first horizon already has it: ≥ 250/250.
        let s = horizon_speedup(250.0, horizon_reaching(&jest, 0.40));
        assert_eq!((s.lo, s.hi), (1.0, f64::INFINITY));
        // The factor by which uniform's horizon must grow to match JEST at 16000:
        // uniform never reaches 0.75 → more than 16000/16000.
        let h = horizon_reaching(&uniform, 0.75);
        assert_eq!(h, Bounds::at_least(16000.0));
    }
}
