//! Holm's step-down over a report's claim rows (docs/methods.md §6): the row
//! levels the verdicts are read at.

use super::Claim;
use crate::stats::Estimator;

/// Holm's step-down over a report's claim rows with a threshold (docs/methods.md §6): rows
/// sorted by p-value (a row's is its least decided definition's, two-sided); the
/// i-th of m gets the level 1 − α/(m − i + 1) until the first that is not decided
/// at its level, and every later row that stopping level. Verdicts are read from
/// the adjusted intervals; the unadjusted ones stay beside them.
pub fn adjust(rows: &mut [Claim], est: &Estimator) {
    const ALPHA: f64 = 0.05;
    let family: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].rule_def.threshold().is_some() && !rows[i].definitions.is_empty())
        .collect();
    let m = family.len();
    if m == 0 {
        return;
    }
    let p_of = |c: &Claim| -> f64 {
        let (t, _) = c.rule_def.threshold().expect("in the family");
        c.definitions
            .iter()
            .map(|d| d.p_value(t))
            .fold(0.0, f64::max)
    };
    let mut order: Vec<(f64, usize)> = family.iter().map(|&i| (p_of(&rows[i]), i)).collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut stopped: Option<f64> = None;
    for (rank, &(p, i)) in order.iter().enumerate() {
        let own = ALPHA / (m - rank) as f64;
        let alpha = stopped.unwrap_or(own);
        if stopped.is_none() && p > own {
            stopped = Some(own);
        }
        let level = 1.0 - alpha;
        let c = &mut rows[i];
        let (rule, scale) = (c.rule_def, c.scale);
        for d in &mut c.definitions {
            d.adjusted = d.at(est, scale, level);
            d.verdict = rule.verdict(&d.adjusted);
        }
        c.p_value = Some(p);
        c.adjusted_level = level;
        c.settle();
    }
}

#[cfg(test)]
mod tests {
    use super::super::Measure;
    use super::*;
    use crate::analysis::claims::{Ctx, Verdict, CLAIMS};
    use crate::stats::interval::t_quantile;
    use crate::stats::Bounds;

    /// Replicates log-normal around `center` with sd `sd` on the log scale.
    fn reps(center: f64, sd: f64) -> Vec<Option<Bounds>> {
        (0..2000)
            .map(|i| {
                let z = t_quantile(100_000, (i as f64 + 0.5) / 2000.0);
                Some(Bounds::exact(center * (sd * z).exp()))
            })
            .collect()
    }

    #[test]
    fn holm_widens_the_rows_and_undecides_a_borderline_one() {
        let est = Estimator::CHOSEN;
        let ctx = Ctx {
            cells: &[],
            comparisons: &[],
            horizons: &[],
            repeats: &[],
            est: &est,
        };
        // The 1.5x claim, 5 seeds, sd 0.05 on the log scale: t(4) · se = 0.155.
        let def = &CLAIMS[0];
        let row = |center: f64| {
            def.row(
                &ctx,
                "m".into(),
                vec![Measure {
                    name: "trained".into(),
                    point: Bounds::exact(center),
                    replicates: reps(center, 0.05),
                    seeds: 5,
                }],
                "iterations",
                vec!["horizon".into()],
            )
        };
        let borderline = 1.5 * (0.155f64 + 0.02).exp();
        let mut rows = vec![row(1.5), row(borderline), row(4.0)];
        assert_eq!(rows[1].verdict, Verdict::Holds, "{:?}", rows[1].estimate);
        adjust(&mut rows, &est);
        // p-values: 4x smallest, the borderline next, 1.5x (on the threshold) last.
        assert!((rows[2].adjusted_level - (1.0 - 0.05 / 3.0)).abs() < 1e-12);
        assert!((rows[1].adjusted_level - (1.0 - 0.05 / 2.0)).abs() < 1e-12);
        assert_eq!(rows[2].verdict, Verdict::Holds);
        assert_eq!(
            rows[1].verdict,
            Verdict::Inconclusive,
            "{:?}",
            rows[1].adjusted
        );
        assert_eq!(rows[0].verdict, Verdict::Inconclusive);
        // The unadjusted interval stays beside the adjusted one.
        let d = &rows[1].definitions[0];
        assert!(d.estimate.lower_bound >= 1.5 && d.adjusted.lower_bound < 1.5);
    }
}
