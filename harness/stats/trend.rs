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
}
