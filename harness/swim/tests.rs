use nalgebra::DMatrix;
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::*;
use crate::data::rng::chacha;
use crate::experiment::swim::{Activation, FitSpec, NetworkSpec};

fn net(method: SwimMethod, width: usize, act: Activation) -> SwimConfig {
    let task: crate::experiment::swim::TaskSpec =
        serde_yaml::from_str("pendulum: {train: 10, test: 5}").unwrap();
    SwimConfig {
        task,
        network: NetworkSpec {
            method,
            width,
            depth: 1,
            activation: act,
            rcond: 1e-14,
            candidate_pairs: 0,
        },
        fit: FitSpec::default(),
    }
}

#[test]
fn a_representable_function_is_fitted_to_machine_precision() {
    // With at least as many tanh features as points, any target on the points is
    // representable; SWIM's least-squares head reaches it to rounding.
    let n = 40;
    let x = DMatrix::from_fn(n, 1, |i, _| -1.0 + 2.0 * i as f64 / (n - 1) as f64);
    let y = DMatrix::from_fn(n, 1, |i, _| (3.0 * x[(i, 0)]).sin() + x[(i, 0)].powi(3));
    let data = TaskData {
        x_train: x.clone(),
        y_train: y.clone(),
        x_test: x,
        y_test: y,
        classes: None,
    };
    let mut cfg = net(SwimMethod::Swim, 60, Activation::Tanh);
    cfg.network.candidate_pairs = 2000;
    let r = fit(&cfg, 3, &data).unwrap();
    assert!(r.metric < 1e-9, "relative error {}", r.metric);
}

#[test]
fn pair_probabilities_follow_target_change_over_distance() {
    // Three points on a line; targets change fast between 0 and 1, slowly 1 → 2.
    // Weights: (0,1): |2 − 0| / 1 = 2; (1,2): |2.5 − 2| / 1 = 0.5; (0,2): 2.5 / 2 = 1.25.
    let x = DMatrix::from_column_slice(3, 1, &[0.0, 1.0, 2.0]);
    let y = DMatrix::from_column_slice(3, 1, &[0.0, 2.0, 2.5]);
    assert!((sample::pair_weight(&x, &y, 0, 1) - 2.0).abs() < 1e-12);
    assert!((sample::pair_weight(&x, &y, 1, 2) - 0.5).abs() < 1e-12);
    assert!((sample::pair_weight(&x, &y, 0, 2) - 1.25).abs() < 1e-12);
    // One-hot targets: any label change counts 1.
    let c = DMatrix::from_row_slice(2, 3, &[1.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
    let x2 = DMatrix::from_column_slice(2, 1, &[0.0, 4.0]);
    assert!((sample::pair_weight(&x2, &c, 0, 1) - 0.25).abs() < 1e-12);

    // Single draws follow the weights: chi-square over many seeded draws.
    let w = [2.0, 0.5, 1.25, 0.0, 3.0];
    let mut counts = [0usize; 5];
    let mut r = chacha(8, 0);
    let draws = 30_000;
    for _ in 0..draws {
        counts[sample::draw(&w, 1, &mut r)[0]] += 1;
    }
    assert_eq!(counts[3], 0);
    let total: f64 = w.iter().sum();
    let chi2: f64 = [0, 1, 2, 4]
        .iter()
        .map(|&i| {
            let e = draws as f64 * w[i] / total;
            (counts[i] as f64 - e).powi(2) / e
        })
        .sum();
    let p = 1.0 - ChiSquared::new(3.0).unwrap().cdf(chi2);
    assert!(p > 0.001, "chi2 {chi2}, p {p}, {counts:?}");
}

#[test]
fn swim_beats_random_features_on_a_pendulum_and_one_class_does_not_panic() {
    let spec: crate::experiment::swim::TaskSpec =
        serde_yaml::from_str("pendulum: {train: 1500, test: 500}").unwrap();
    let data = tasks::build(&spec, std::path::Path::new(".")).unwrap();
    let swim = fit(&net(SwimMethod::Swim, 200, Activation::Tanh), 1, &data).unwrap();
    let elm = fit(&net(SwimMethod::Elm, 200, Activation::Tanh), 1, &data).unwrap();
    assert_eq!(swim.metric_name, "rel_l2_error");
    assert!(swim.metric < 0.01, "swim error {}", swim.metric);
    assert!(
        swim.metric < elm.metric,
        "swim {} vs elm {}",
        swim.metric,
        elm.metric
    );
    // One class only: the documented fallback samples pairs uniformly.
    let one = TaskData {
        x_train: DMatrix::from_fn(30, 2, |i, j| (i * 3 + j) as f64 / 10.0),
        y_train: DMatrix::from_fn(30, 1, |_, _| 1.0),
        x_test: DMatrix::from_fn(5, 2, |i, j| (i + j) as f64),
        y_test: DMatrix::from_fn(5, 1, |_, _| 1.0),
        classes: Some(1),
    };
    let r = fit(&net(SwimMethod::Swim, 10, Activation::Relu), 1, &one).unwrap();
    assert_eq!(r.metric, 1.0);
}
