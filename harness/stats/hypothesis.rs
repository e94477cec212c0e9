//! Welch's unequal-variance t-test, Holm's step-down correction, Hedges' g.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

use super::{mean, std_dev};

/// Welch's two-sample t-test of mean(a) − mean(b).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct WelchTest {
    pub t: f64,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    pub mean_difference: f64,
}

/// Welch's t-test; `None` with fewer than two values in a group, or no variance.
pub fn welch_t_test(a: &[f64], b: &[f64]) -> Option<WelchTest> {
    if a.len() < 2 || b.len() < 2 {
        return None;
    }
    let (va, vb) = (
        std_dev(a).powi(2) / a.len() as f64,
        std_dev(b).powi(2) / b.len() as f64,
    );
    let se2 = va + vb;
    let diff = mean(a) - mean(b);
    if se2 <= 0.0 {
        return None;
    }
    let t = diff / se2.sqrt();
    let df = se2 * se2 / (va * va / (a.len() - 1) as f64 + vb * vb / (b.len() - 1) as f64);
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    let p_value = 2.0 * (1.0 - dist.cdf(t.abs()));
    Some(WelchTest {
        t,
        df,
        p_value,
        mean_difference: diff,
    })
}

/// Holm–Bonferroni adjusted p-values, in the input order.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&i, &j| p[i].total_cmp(&p[j]));
    let mut adjusted = vec![0.0; m];
    let mut running = 0.0f64;
    for (rank, &i) in order.iter().enumerate() {
        let v = ((m - rank) as f64 * p[i]).min(1.0);
        running = running.max(v);
        adjusted[i] = running;
    }
    adjusted
}

/// Hedges' g: Cohen's d with the pooled standard deviation, bias-corrected.
pub fn hedges_g(a: &[f64], b: &[f64]) -> Option<f64> {
    let (na, nb) = (a.len() as f64, b.len() as f64);
    if na < 2.0 || nb < 2.0 {
        return None;
    }
    let pooled = (((na - 1.0) * std_dev(a).powi(2) + (nb - 1.0) * std_dev(b).powi(2))
        / (na + nb - 2.0))
        .sqrt();
    if pooled <= 0.0 {
        return None;
    }
    let d = (mean(a) - mean(b)) / pooled;
    Some(d * (1.0 - 3.0 / (4.0 * (na + nb) - 9.0)))
}
