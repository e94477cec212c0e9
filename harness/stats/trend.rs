//! Trends over one swept key with every other key held fixed (docs/methods.md §5): a slope per
//! combination of the other keys, and a pooled slope with those combinations as
//! fixed effects (an intercept each). Both are linear in the responses, so they are
//! given as weights: slope = Σ w_i y_i, which carries censored responses as bounds.

/// Weights of the least-squares slope of y on x with one intercept per group:
/// β = Σ_g Σ_i (x_i − x̄_g)(y_i − ȳ_g) / Σ_g Σ_i (x_i − x̄_g)², i.e. w_i = (x_i − x̄_g) / S.
/// `None` when x does not vary within any group.
pub fn fixed_effects_weights(x: &[f64], groups: &[usize]) -> Option<Vec<f64>> {
    let n_groups = groups.iter().copied().max().map_or(0, |g| g + 1);
    let mut sum = vec![0.0; n_groups];
    let mut count = vec![0usize; n_groups];
    for (&xi, &g) in x.iter().zip(groups) {
        sum[g] += xi;
        count[g] += 1;
    }
    let centred: Vec<f64> = x
        .iter()
        .zip(groups)
        .map(|(&xi, &g)| xi - sum[g] / count[g] as f64)
        .collect();
    let s: f64 = centred.iter().map(|c| c * c).sum();
    (s > 0.0).then(|| centred.iter().map(|c| c / s).collect())
}

/// Weights of the ordinary least-squares slope (one group).
pub fn slope_weights(x: &[f64]) -> Option<Vec<f64>> {
    fixed_effects_weights(x, &vec![0; x.len()])
}

/// The least-squares fit y = a_g + s·x with one intercept per group (the fit
/// whose slope `fixed_effects_weights` gives), with what a prediction interval
/// needs: the residual variance and its degrees of freedom.
#[derive(Clone, Debug, PartialEq)]
pub struct FixedEffectsFit {
    pub slope: f64,
    /// a_g, per group.
    pub intercepts: Vec<f64>,
    x_mean: Vec<f64>,
    count: Vec<usize>,
    sxx: f64,
    /// Residual variance Σ r² / df (NaN when df = 0).
    pub residual_variance: f64,
    /// n − groups − 1.
    pub df: usize,
}

impl FixedEffectsFit {
    /// `None` when x does not vary within any group.
    pub fn fit(x: &[f64], y: &[f64], groups: &[usize]) -> Option<FixedEffectsFit> {
        let w = fixed_effects_weights(x, groups)?;
        let slope: f64 = w.iter().zip(y).map(|(w, y)| w * y).sum();
        let n_groups = groups.iter().copied().max().map_or(0, |g| g + 1);
        let (mut sx, mut sy, mut count) =
            (vec![0.0; n_groups], vec![0.0; n_groups], vec![0; n_groups]);
        for ((&xi, &yi), &g) in x.iter().zip(y).zip(groups) {
            sx[g] += xi;
            sy[g] += yi;
            count[g] += 1;
        }
        let x_mean: Vec<f64> = (0..n_groups)
            .map(|g| sx[g] / count[g].max(1) as f64)
            .collect();
        let intercepts: Vec<f64> = (0..n_groups)
            .map(|g| sy[g] / count[g].max(1) as f64 - slope * x_mean[g])
            .collect();
        let sxx: f64 = x
            .iter()
            .zip(groups)
            .map(|(&xi, &g)| (xi - x_mean[g]).powi(2))
            .sum();
        let used = count.iter().filter(|&&c| c > 0).count();
        let df = x.len().saturating_sub(used + 1);
        let rss: f64 = x
            .iter()
            .zip(y)
            .zip(groups)
            .map(|((&xi, &yi), &g)| (yi - intercepts[g] - slope * xi).powi(2))
            .sum();
        Some(FixedEffectsFit {
            slope,
            intercepts,
            x_mean,
            count,
            sxx,
            residual_variance: if df > 0 { rss / df as f64 } else { f64::NAN },
            df,
        })
    }

    /// The fitted value of group `g` at `x0`.
    pub fn at(&self, g: usize, x0: f64) -> f64 {
        self.intercepts[g] + self.slope * x0
    }

    /// The two-sided `level` prediction interval of a new observation of group
    /// `g` at `x0`: fit ± t(df) · s · √(1 + 1/n_g + (x0 − x̄_g)² / Sxx). `None`
    /// with no residual degrees of freedom (a line through every point predicts
    /// nothing about its error).
    pub fn prediction(&self, g: usize, x0: f64, level: f64) -> Option<(f64, f64)> {
        use statrs::distribution::{ContinuousCDF, StudentsT};
        if self.df == 0 || !self.residual_variance.is_finite() {
            return None;
        }
        let t = StudentsT::new(0.0, 1.0, self.df as f64)
            .ok()?
            .inverse_cdf(0.5 + level / 2.0);
        let se = (self.residual_variance
            * (1.0 + 1.0 / self.count[g] as f64 + (x0 - self.x_mean[g]).powi(2) / self.sxx))
            .sqrt();
        let fit = self.at(g, x0);
        Some((fit - t * se, fit + t * se))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(w: &[f64], y: &[f64]) -> f64 {
        w.iter().zip(y).map(|(a, b)| a * b).sum()
    }

    #[test]
    fn a_pooled_fit_removes_level_differences_between_groups() {
        // Two groups with slope 2 each but intercepts 0 and 10: pooled OLS over the
        // raw points would see a steeper or shallower line depending on the design;
        // the fixed-effects slope is exactly 2.
        let x = [0.5, 0.8, 0.9, 0.5, 0.8];
        let g = [0, 0, 0, 1, 1];
        let y: Vec<f64> = x
            .iter()
            .zip(&g)
            .map(|(x, &g)| 2.0 * x + 10.0 * g as f64)
            .collect();
        let w = fixed_effects_weights(&x, &g).unwrap();
        assert!((apply(&w, &y) - 2.0).abs() < 1e-12);
        // Plain OLS over the pooled points is confounded by the group levels.
        let plain = apply(&slope_weights(&x).unwrap(), &y);
        assert!((plain - 2.0).abs() > 0.5, "{plain}");
        // No variation within a group: no slope.
        assert!(fixed_effects_weights(&[0.5, 0.8], &[0, 1]).is_none());
    }

    #[test]
    fn a_fit_predicts_with_the_textbook_interval() {
        // y = 1 + 0.5 x plus residuals ±0.1 in one group: slope 0.5 exactly (the
        // residuals are orthogonal to x), df = 2, s² = Σr² / 2 = 0.02; at x0 = 6
        // (x̄ = 1.5, Sxx = 5) the 95% interval is ± t(2) · s · √(1 + 1/4 + 4.5²/5).
        let x = [0.0, 1.0, 2.0, 3.0];
        let r = [0.1, -0.1, -0.1, 0.1];
        let y: Vec<f64> = x.iter().zip(r).map(|(x, r)| 1.0 + 0.5 * x + r).collect();
        let f = FixedEffectsFit::fit(&x, &y, &[0; 4]).unwrap();
        assert!((f.slope - 0.5).abs() < 1e-12);
        assert!((f.at(0, 6.0) - 4.0).abs() < 1e-12);
        assert_eq!(f.df, 2);
        assert!((f.residual_variance - 0.02).abs() < 1e-12);
        let (lo, hi) = f.prediction(0, 6.0, 0.95).unwrap();
        let half = 4.302652729911275 * (0.02f64 * (1.0 + 0.25 + 4.5 * 4.5 / 5.0)).sqrt();
        assert!((hi - 4.0 - half).abs() < 1e-9 && (4.0 - lo - half).abs() < 1e-9);
        // Two points, one group: a line through both, no interval.
        let g = FixedEffectsFit::fit(&[0.0, 1.0], &[1.0, 2.0], &[0, 0]).unwrap();
        assert_eq!(g.df, 0);
        assert!(g.prediction(0, 3.0, 0.95).is_none());
    }
}
