use faer::Mat;
use rand::Rng;
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::*;
use crate::data::rng::chacha;
use crate::swim::{Activation, FitSpec, HamiltonianSystem, NetworkSpec, Solver, TrajectorySpec};

fn net(method: SwimMethod, width: usize, act: Activation) -> SwimConfig {
    let task: crate::swim::TaskSpec =
        serde_yaml::from_str("pendulum: {train: 10, test: 5}").unwrap();
    SwimConfig {
        task,
        network: NetworkSpec {
            method,
            width,
            depth: 1,
            activation: act,
            solver: Solver::Svd,
            rcond: 1e-14,
            ridge: 1e-10,
            candidate_pairs: 0,
        },
        fit: FitSpec::default(),
    }
}

fn plain(x: Mat<f64>, y: Mat<f64>, classes: Option<usize>) -> TaskData {
    TaskData {
        x_train: x.clone(),
        y_train: y.clone(),
        x_test: x,
        y_test: y,
        classes,
        hamiltonian: None,
    }
}

#[test]
fn a_representable_function_is_fitted_to_machine_precision() {
    // With at least as many tanh features as points, any target on the points is
    // representable; SWIM's least-squares head reaches it to rounding.
    let n = 40;
    let x = Mat::from_fn(n, 1, |i, _| -1.0 + 2.0 * i as f64 / (n - 1) as f64);
    let y = Mat::from_fn(n, 1, |i, _| (3.0 * x[(i, 0)]).sin() + x[(i, 0)].powi(3));
    let data = plain(x, y, None);
    let mut cfg = net(SwimMethod::Swim, 60, Activation::Tanh);
    cfg.network.candidate_pairs = 2000;
    let r = fit(&cfg, 3, &data).unwrap();
    assert!(r.metric < 1e-9, "relative error {}", r.metric);
}

#[test]
fn pair_probabilities_follow_target_change_over_distance() {
    // Three points on a line; targets change fast between 0 and 1, slowly 1 → 2.
    // Weights: (0,1): |2 − 0| / 1 = 2; (1,2): |2.5 − 2| / 1 = 0.5; (0,2): 2.5 / 2 = 1.25.
    let x = faer::mat::from_column_major_slice(&[0.0, 1.0, 2.0], 3, 1).to_owned();
    let y = faer::mat::from_column_major_slice(&[0.0, 2.0, 2.5], 3, 1).to_owned();
    assert!((sample::pair_weight(&x, &y, 0, 1) - 2.0).abs() < 1e-12);
    assert!((sample::pair_weight(&x, &y, 1, 2) - 0.5).abs() < 1e-12);
    assert!((sample::pair_weight(&x, &y, 0, 2) - 1.25).abs() < 1e-12);
    // One-hot targets: any label change counts 1.
    let c = faer::mat::from_row_major_slice(&[1.0, 0.0, 0.0, 0.0, 0.0, 1.0], 2, 3).to_owned();
    let x2 = faer::mat::from_column_major_slice(&[0.0, 4.0], 2, 1).to_owned();
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
    let spec: crate::swim::TaskSpec =
        serde_yaml::from_str("pendulum: {train: 1500, test: 500}").unwrap();
    let data = tasks::build(&spec, std::path::Path::new(".")).unwrap();
    let swim = fit(&net(SwimMethod::Swim, 200, Activation::Tanh), 1, &data).unwrap();
    let elm = fit(
        &net(SwimMethod::ElmUnscaled, 200, Activation::Tanh),
        1,
        &data,
    )
    .unwrap();
    assert_eq!(swim.metric_name, REL_L2_ERROR);
    assert!(swim.metric < 0.01, "swim error {}", swim.metric);
    assert!(
        swim.metric < elm.metric,
        "swim {} vs elm {}",
        swim.metric,
        elm.metric
    );
    // One class only: the documented fallback samples pairs uniformly.
    let one = TaskData {
        x_train: Mat::from_fn(30, 2, |i, j| (i * 3 + j) as f64 / 10.0),
        y_train: Mat::from_fn(30, 1, |_, _| 1.0),
        x_test: Mat::from_fn(5, 2, |i, j| (i + j) as f64),
        y_test: Mat::from_fn(5, 1, |_, _| 1.0),
        classes: Some(1),
        hamiltonian: None,
    };
    let r = fit(&net(SwimMethod::Swim, 10, Activation::Relu), 1, &one).unwrap();
    assert_eq!(r.metric, 1.0);
}

/// A Hamiltonian task on [−1, 1]² for H = ½q² + ½p² + 0.3qp (a quadratic).
fn quadratic_task(n: usize, seed: u64) -> TaskData {
    let h = |s: &[f64]| 0.5 * s[0] * s[0] + 0.5 * s[1] * s[1] + 0.3 * s[0] * s[1];
    let grad = |s: &[f64]| [s[0] + 0.3 * s[1], s[1] + 0.3 * s[0]];
    let mut r = chacha(seed, 0);
    let mut draw = |n| Mat::from_fn(n, 2, |_, _| r.gen_range(-1.0..1.0));
    let (x, xt) = (draw(n), draw(n));
    let grads = |x: &Mat<f64>| Mat::from_fn(x.nrows(), 2, |i, j| grad(&[x[(i, 0)], x[(i, 1)]])[j]);
    // Time derivatives (q', p') = (∂H/∂p, −∂H/∂q).
    let field = |g: &Mat<f64>| Mat::from_fn(g.nrows(), 2, |i, j| [g[(i, 1)], -g[(i, 0)]][j]);
    let (g, gt) = (grads(&x), grads(&xt));
    TaskData {
        y_train: field(&g),
        y_test: field(&gt),
        hamiltonian: Some(HamiltonianTask {
            // The system is used for trajectories only; unused here but required.
            system: HamiltonianSystem::SinglePendulum,
            grad_train: g,
            h_test: (0..n).map(|i| h(&[xt[(i, 0)], xt[(i, 1)]])).collect(),
            grad_test: gt,
            h0: 0.0,
            trajectory: TrajectorySpec {
                start: vec![0.1, 0.0],
                horizon: 0.1,
                step: 0.01,
            },
        }),
        x_train: x,
        x_test: xt,
        classes: None,
    }
}

#[test]
fn gradient_equations_recover_a_network_in_their_span_exactly() {
    // Targets made by a network with the sampled layer itself: the stacked
    // gradient equations have an exact solution, and the solve finds it.
    let data = quadratic_task(400, 1);
    let mut r = chacha(2, 0);
    let layer = sample::uniform_layer(&data.x_train, 30, Activation::Tanh, &mut r).unwrap();
    let truth = hamiltonian::HamiltonianNet {
        layer: layer.clone(),
        w: (0..30).map(|k| (k as f64 * 0.7).sin()).collect(),
        c: 0.25,
    };
    let g = truth.gradient(&data.x_train);
    let xdot = Mat::from_fn(400, 2, |i, j| [g[(i, 1)], -g[(i, 0)]][j]);
    let a = hamiltonian::design(&data.x_train, &layer);
    let b = hamiltonian::stacked_gradient(&xdot);
    // The design's rows are the neurons' partial derivatives (finite differences).
    let (i, j, k) = (17, 1, 5);
    let phi = |x: &[f64]| (layer.w[(0, k)] * x[0] + layer.w[(1, k)] * x[1] + layer.b[k]).tanh();
    let mut x = [data.x_train[(i, 0)], data.x_train[(i, 1)]];
    x[j] += 1e-6;
    let up = phi(&x);
    x[j] -= 2e-6;
    let fd = (up - phi(&x)) / 2e-6;
    assert!((a[(j * 400 + i, k)] - fd).abs() < 1e-8);
    for solver in [Solver::Svd, Solver::Cholesky] {
        let spec = lstsq::HeadSpec {
            solver,
            rcond: 1e-14,
            ridge: 0.0,
        };
        let s = lstsq::solve(a.as_ref(), b.as_ref(), &spec).unwrap();
        let w: Vec<f64> = (0..30).map(|k| s.coef.read(k, 0)).collect();
        let d: Vec<f64> = w.iter().zip(&truth.w).map(|(a, b)| a - b).collect();
        let err = crate::linalg::frobenius(crate::linalg::column(&d))
            / crate::linalg::frobenius(crate::linalg::column(&truth.w));
        assert!(err < 1e-8, "{solver:?} ({}): {err:e}", s.path.describe());
    }
}

#[test]
fn a_quadratic_hamiltonian_is_recovered_with_enough_neurons() {
    let data = quadratic_task(1000, 3);
    let mut errors = Vec::new();
    for method in [SwimMethod::USwim, SwimMethod::ASwim, SwimMethod::Swim] {
        for width in [10, 200] {
            let mut cfg = net(method, width, Activation::Tanh);
            cfg.network.rcond = 1e-13;
            let r = fit(&cfg, 4, &data).unwrap();
            assert_eq!(r.metric_name, H_REL_L2_ERROR);
            errors.push((method, width, r.metric, r.grad_error.unwrap()));
        }
    }
    for &(method, width, e, g) in &errors {
        if width == 200 {
            assert!(
                e < 1e-6 && g < 1e-5,
                "{method:?} at {width}: H {e:e}, ∇H {g:e}"
            );
        } else {
            assert!(
                e > 1e-6,
                "{method:?} at {width}: {e:e} is suspiciously exact"
            );
        }
    }
    // The constant: Ĥ(0) = H(0) = 0 exactly.
    let mut r = chacha(4, stream::INIT);
    let head = lstsq::HeadSpec {
        solver: Solver::Svd,
        rcond: 1e-13,
        ridge: 0.0,
    };
    let f = hamiltonian::fit(
        SwimMethod::ASwim,
        &data.x_train,
        &data.y_train,
        50,
        0,
        &head,
        0.0,
        &mut r,
    )
    .unwrap();
    assert!(f.net.energy_at(&[0.0, 0.0]).abs() < 1e-12);
}

#[test]
fn adam_learns_a_quadratic_hamiltonian_and_logs_its_curve() {
    let data = quadratic_task(300, 5);
    let mut cfg = net(SwimMethod::Adam, 16, Activation::Tanh);
    cfg.fit = FitSpec {
        lr: 1e-2,
        batch_size: 32,
        max_epochs: 60,
        patience: 1000,
        validation_fraction: 0.1,
        lr_decay: 1.0,
        lr_patience: 10,
        log_spacing: 0.1,
    };
    let r = fit(&cfg, 1, &data).unwrap();
    let c = &r.curve;
    assert_eq!(c[0].epoch, 0);
    assert_eq!(c[0].seconds, 0.0);
    assert_eq!(c.last().unwrap().epoch, 60);
    assert!(c
        .windows(2)
        .all(|w| w[0].epoch < w[1].epoch && w[0].seconds <= w[1].seconds));
    assert!(
        r.metric < 0.2 * c[0].test.score,
        "{} from {}",
        r.metric,
        c[0].test.score
    );
    assert!(r.energy_drift.unwrap().is_finite());
    // Same seed, same curve (timings aside).
    let again = fit(&cfg, 1, &data).unwrap();
    let strip = |c: &[EpochRecord]| -> Vec<_> {
        c.iter()
            .map(|r| (r.epoch, r.train_loss, r.val_loss, r.test, r.flops))
            .collect()
    };
    assert_eq!(strip(&again.curve), strip(&r.curve));
}

#[test]
fn early_stopping_keeps_the_best_epoch_and_logs_it() {
    let spec: crate::swim::TaskSpec =
        serde_yaml::from_str("regression: {dim: 2, train: 200, test: 100}").unwrap();
    let data = tasks::build(&spec, std::path::Path::new(".")).unwrap();
    let mut cfg = net(SwimMethod::Adam, 32, Activation::Tanh);
    cfg.fit = FitSpec {
        lr: 0.05,
        batch_size: 16,
        max_epochs: 400,
        patience: 5,
        validation_fraction: 0.2,
        lr_decay: 0.5,
        lr_patience: 2,
        log_spacing: 0.5,
    };
    let r = fit(&cfg, 2, &data).unwrap();
    let c = &r.curve;
    let best = c
        .iter()
        .min_by(|a, b| a.val_loss.total_cmp(&b.val_loss))
        .unwrap();
    // Stopped `patience` epochs after its best, which is on the curve with the
    // summary's test metric.
    assert!(r.epochs < 400, "ran {} epochs", r.epochs);
    assert_eq!(r.epochs, best.epoch + 5);
    assert_eq!(best.test, c.last().unwrap().test);
    assert_eq!(r.metric, best.test.score);
}
