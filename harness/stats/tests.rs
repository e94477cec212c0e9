use super::*;

#[test]
fn interpolates_the_first_crossing_on_a_hand_made_curve() {
    let c = Curve::new(vec![0.0, 100.0, 200.0, 300.0], vec![0.1, 0.4, 0.8, 0.6]);
    // 0.6 lies halfway between 0.4 (x = 100) and 0.8 (x = 200).
    assert_eq!(c.first_reaching(0.6), Reached::At(150.0));
    assert_eq!(c.first_reaching(0.8), Reached::At(200.0));
    assert_eq!(c.first_reaching(0.05), Reached::At(0.0));
    assert_eq!(c.first_reaching(0.81), Reached::Never);
    assert_eq!(c.last(), 0.6);
    assert_eq!(c.max(), 0.8);
}

#[test]
fn mean_curve_averages_pointwise() {
    let a = Curve::new(vec![0.0, 10.0], vec![0.0, 1.0]);
    let b = Curve::new(vec![0.0, 10.0, 20.0], vec![1.0, 3.0, 5.0]);
    let m = mean_curve(&[&a, &b]);
    assert_eq!(m.y, vec![0.5, 2.0]);
    assert_eq!(m.x, vec![0.0, 10.0]);
}

#[test]
fn welch_t_test_on_textbook_data() {
    // Two samples with unequal variances (the Welch test article's first example):
    // t.test(c(27.5,21.0,19.0,23.6,17.0,17.9,16.9,20.1,21.9,22.6,23.1,19.6,19.0,21.7,21.4),
    //        c(27.1,22.0,20.8,23.4,23.4,23.5,25.8,22.0,24.8,20.2,21.9,22.1,22.9,20.5,24.4))
    // t = -2.4553, df = 24.988, p-value = 0.021378 (checked by integrating the t density)
    let a = [
        27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4,
    ];
    let b = [
        27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4,
    ];
    let w = welch_t_test(&a, &b).unwrap();
    assert!((w.t + 2.4553).abs() < 1e-3, "{w:?}");
    assert!((w.df - 24.988).abs() < 1e-2, "{w:?}");
    assert!((w.p_value - 0.021378).abs() < 1e-5, "{w:?}");
    assert!(welch_t_test(&a[..1], &b).is_none());
}

#[test]
fn holm_adjusts_step_down() {
    // p = (0.01, 0.04, 0.03, 0.005): sorted 0.005·4 = 0.02, 0.01·3 = 0.03,
    // 0.03·2 = 0.06, 0.04·1 = 0.04 → monotone 0.06.
    let adj = holm(&[0.01, 0.04, 0.03, 0.005]);
    let want = [0.03, 0.06, 0.06, 0.02];
    for (a, w) in adj.iter().zip(want) {
        assert!((a - w).abs() < 1e-12, "{adj:?}");
    }
}

#[test]
fn hedges_g_by_hand() {
    // Means 2 and 4, both sd 1, n = 3 each: d = −2, J = 1 − 3/(4·6 − 9) = 0.8.
    let g = hedges_g(&[1.0, 2.0, 3.0], &[3.0, 4.0, 5.0]).unwrap();
    assert!((g + 1.6).abs() < 1e-12, "{g}");
}

#[test]
fn bootstrap_interval_of_a_mean_matches_the_normal_approximation() {
    // 40 values with mean 10 and sd ≈ 2: the 95% interval of the mean is about
    // 10 ± 1.96·sd/√40.
    let xs: Vec<f64> = (0..40)
        .map(|i| 10.0 + 2.0 * ((i as f64 * 0.7).sin() * 1.41))
        .collect();
    let m = mean(&xs);
    let reps = bootstrap(xs.len(), 4000, 1, |idx| {
        Some(idx.iter().map(|&i| xs[i]).sum::<f64>() / idx.len() as f64)
    });
    let ci = percentile_interval(m, &reps, 0.95);
    let half = 1.96 * std_dev(&xs) / (xs.len() as f64).sqrt();
    assert!((ci.lower_bound - (m - half)).abs() < 0.2 * half, "{ci:?}");
    assert!((ci.upper_bound - (m + half)).abs() < 0.2 * half, "{ci:?}");
    assert_eq!(ci.undefined_share, 0.0);
    // Seeded: the same replicates every time.
    let again = bootstrap(xs.len(), 4000, 1, |idx| {
        Some(idx.iter().map(|&i| xs[i]).sum::<f64>() / idx.len() as f64)
    });
    assert_eq!(reps, again);
}

#[test]
fn undefined_replicates_sort_below_defined_ones() {
    let mut reps: Vec<Option<f64>> = vec![None; 10];
    reps.extend((0..90).map(|i| Some(i as f64)));
    let ci = percentile_interval(50.0, &reps, 0.95);
    assert!(
        ci.lower_bound.is_nan(),
        "2.5% of 100 falls among the undefined: {ci:?}"
    );
    assert_eq!(ci.upper_bound, 87.0);
    assert!((ci.undefined_share - 0.1).abs() < 1e-12);
}

#[test]
fn pearson_on_known_series() {
    assert!((pearson(&[1.0, 2.0, 3.0, 4.0], &[2.0, 4.0, 6.0, 8.0]) - 1.0).abs() < 1e-12);
    assert!((pearson(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
    // x = (1, 2, 3, 4), y = (1, 3, 2, 4): Sxy = 4, Sxx = Syy = 5 → 0.8.
    assert!((pearson(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0]) - 0.8).abs() < 1e-12);
    assert!(pearson(&[1.0, 2.0], &[1.0, 2.0]).is_nan());
    assert!(pearson(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]).is_nan());
}
