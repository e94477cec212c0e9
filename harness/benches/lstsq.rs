//! The least-squares head alone, across sizes: the Cholesky path (unit-norm
//! columns, relative ridge 1e-10, condition check) against the SVD path (QR, then
//! the SVD of R; rcond 1e-10), on tanh features of the sizes SWIM fits meet:
//! mfeat-pixel's 1,500 × 513 with 10 one-hot targets, and tall gradient systems
//! with one target. Then SWIM end to end on mfeat-pixel (1,500 × 240 → 512 tanh,
//! 10 classes; sampling, features and head, as `fit_seconds` counts them) with
//! either head, when ../shared/data is there.
//!   cargo bench --bench lstsq
//!   cargo bench --bench lstsq -- mfeat_pixel    (the end-to-end group only)

use faer::Mat;
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use jestbench::data::rng;
use jestbench::swim::lstsq::{self, HeadSpec};
use jestbench::swim::{sample, tasks};
use jestbench::swim::{Activation, Solver, SwimConfig};

/// [tanh features of Gaussian inputs (n × (k − 1)), 1] and `out` targets.
fn problem(n: usize, k: usize, out: usize, seed: u64) -> (Mat<f64>, Mat<f64>) {
    let mut g = rng::chacha(seed, 0);
    let x = Mat::from_fn(n, 24, |_, _| rng::normal(&mut g));
    let layer = sample::random_layer(&x, k - 1, &mut g);
    let a = lstsq::with_bias(&layer.apply(&x, Activation::Tanh));
    let y = Mat::from_fn(n, out, |i, j| (x[(i, j % 24)] * 1.7).sin());
    (a, y)
}

fn head(c: &mut Criterion) {
    let mut g = c.benchmark_group("head");
    g.sample_size(10);
    for (n, k, out) in [
        (1500usize, 513usize, 10usize),
        (4000, 257, 1),
        (8000, 513, 1),
        (16000, 1001, 1),
    ] {
        let (a, y) = problem(n, k, out, n as u64);
        for (name, solver) in [("cholesky", Solver::Cholesky), ("svd", Solver::Svd)] {
            let spec = HeadSpec {
                solver,
                rcond: 1e-10,
                ridge: 1e-10,
            };
            let path = lstsq::solve(a.as_ref(), y.as_ref(), &spec)
                .expect("a finite problem")
                .path;
            eprintln!("head {n}x{k}x{out} {name}: {}", path.describe());
            g.bench_with_input(
                BenchmarkId::new(name, format!("{n}x{k}x{out}")),
                &(),
                |bch, _| {
                    bch.iter(|| lstsq::solve(a.as_ref(), y.as_ref(), &spec).map(|s| s.coef.nrows()))
                },
            );
        }
    }
    g.finish();
}

fn mfeat_pixel(c: &mut Criterion) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/uci-mfeat/mfeat-pix.csv");
    if !file.exists() {
        eprintln!("mfeat_pixel: skipped, {} is absent", file.display());
        return;
    }
    let mut g = c.benchmark_group("mfeat_pixel");
    g.sample_size(20).measurement_time(Duration::from_secs(8));
    for (name, solver) in [("cholesky", "cholesky"), ("svd", "svd")] {
        let cfg: SwimConfig = serde_yaml::from_str(&format!(
            "task: {{seed: 0, table: {{file: {}, label_column: \"0\"}}}}\nnetwork: {{method: swim, width: 512, activation: tanh, solver: {solver}, rcond: 1.0e-8}}\n",
            file.display()
        ))
        .expect("a valid config");
        let data = tasks::build(&cfg.task, Path::new(".")).expect("mfeat-pix reads");
        let first = jestbench::swim::fit(&cfg, 1, &data).expect("fits");
        eprintln!(
            "mfeat_pixel {name}: accuracy {:.4}, head {}",
            first.metric,
            first.head.as_ref().map_or(String::new(), |h| h.describe())
        );
        // Only the fit (sampling, features, head) is timed, as `fit_seconds`.
        g.bench_function(BenchmarkId::new("fit", name), |bch| {
            bch.iter_custom(|iters| {
                (0..iters)
                    .map(|i| {
                        let f = jestbench::swim::fit(&cfg, 1 + i, &data).expect("fits");
                        Duration::from_secs_f64(f.fit_seconds)
                    })
                    .sum()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, head, mfeat_pixel);
criterion_main!(benches);
