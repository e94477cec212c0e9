//! Micro-benchmarks of the CPU kernels at the host training step's shapes (b = 256,
//! 1,024, 4,096; embeddings of 64): the similarity product S = E_A E_Bᵀ, the two
//! backward products G·E_B and E_Aᵀ·G, each on one thread and split over the pool;
//! the pair terms (softplus, σ through the exact `exp`); the serial sums; and the
//! row-wise products and softplus of the score path.
//!   cargo bench --bench kernels [-- FILTER]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use jestbench::kernels;

fn data(len: usize, seed: usize) -> Vec<f32> {
    (0..len)
        .map(|i| ((i * 7919 + seed * 104_729) % 2003) as f32 / 2003.0 - 0.5)
        .collect()
}

fn step_products(c: &mut Criterion) {
    let e = 64;
    let mut g = c.benchmark_group("step_products");
    g.sample_size(10);
    for b in [256usize, 1024, 4096] {
        let (ea, ebt, gm) = (data(b * e, 1), data(e * b, 2), data(b * b, 3));
        let eat = data(e * b, 4);
        let mut out = vec![0.0; b * b];
        g.throughput(Throughput::Elements((2 * b * b * e) as u64));
        for (name, par) in [("serial", false), ("parallel", true)] {
            let run = |m, nb, k, a: &[f32], bt: &[f32], n, out: &mut [f32]| {
                if par {
                    kernels::products_par(m, nb, k, a, bt, n, 0, out)
                } else {
                    kernels::products(m, nb, k, a, bt, n, 0, out)
                }
            };
            g.bench_with_input(BenchmarkId::new(format!("S {name}"), b), &b, |bch, _| {
                bch.iter(|| run(b, b, e, &ea, &ebt, b, &mut out))
            });
            g.bench_with_input(
                BenchmarkId::new(format!("G·E_B {name}"), b),
                &b,
                |bch, _| bch.iter(|| run(b, e, b, &gm, &ea, e, &mut out)),
            );
            g.bench_with_input(
                BenchmarkId::new(format!("E_Aᵀ·G {name}"), b),
                &b,
                |bch, _| bch.iter(|| run(e, b, b, &eat, &gm, b, &mut out)),
            );
        }
    }
    g.finish();
}

fn pair_terms(c: &mut Criterion) {
    let mut g = c.benchmark_group("pair_terms");
    g.sample_size(10);
    for b in [256usize, 1024, 4096] {
        let s = data(b * b, 5);
        let (mut sp, mut gr) = (vec![0.0; b * b], vec![0.0; b * b]);
        g.throughput(Throughput::Elements((b * b) as u64));
        g.bench_with_input(BenchmarkId::new("pair_grad", b), &b, |bch, _| {
            bch.iter(|| kernels::pair_grad(&s, b, 10.0, -10.0, 1.0 / b as f32, &mut sp, &mut gr))
        });
        g.bench_with_input(BenchmarkId::new("pair_sums", b), &b, |bch, _| {
            bch.iter(|| kernels::pair_sums(&sp, &gr, &s))
        });
    }
    g.finish();
}

fn score_path(c: &mut Criterion) {
    let (n, k) = (640usize, 64usize);
    let (a, b) = (data(n * k, 6), data(n * k, 7));
    let mut g = c.benchmark_group("score_path");
    g.bench_function("paired_rows 640x64", |bch| {
        bch.iter(|| kernels::paired_rows(k, &a, &b, n))
    });
    let mut xs = data(4 * n, 8);
    g.bench_function("softplus 2560", |bch| {
        bch.iter(|| kernels::softplus_in_place(&mut xs))
    });
    g.finish();
}

criterion_group!(
    benches,
    step_products,
    pair_terms,
    score_path,
    host_step,
    towers_after_a_gap
);
criterion_main!(benches);

/// The quickstart model's parameter layout (towers 48/32 → 128 → 64).
fn quickstart_layout() -> jestbench::model::Layout {
    let spec = jestbench::model::ModelSpec {
        hidden: vec![128],
        embed: 64,
        temperature_init: 10.0,
        bias_init: -10.0,
    };
    jestbench::model::Layout::new(&spec, 48, 32)
}

/// The host training step's loss and gradient alone (no optimiser), quickstart
/// model (towers 48/32 → 128 → 64).
fn host_step(c: &mut Criterion) {
    use jestbench::model::host;
    let layout = quickstart_layout();
    let theta = data(layout.len(), 9);
    let mut g = c.benchmark_group("host_step");
    g.sample_size(10);
    for b in [256usize, 1024, 4096] {
        let (xa, xb) = (data(b * 48, 10), data(b * 32, 11));
        g.bench_with_input(BenchmarkId::new("loss_and_grad", b), &b, |bch, _| {
            bch.iter(|| host::loss_and_grad(&layout, &theta, &host::HostBatch::full(&xa, &xb, b)))
        });
    }
    g.finish();
}

/// The quickstart towers over B = 320 on the host, each call after a gap of busy
/// work on the calling thread (the pool's workers fall asleep meanwhile), called
/// from outside the pool and from one of its workers (`Backend::run_pooled`): what
/// waking a sleeping worker costs a parallel block (docs/performance.md).
fn towers_after_a_gap(c: &mut Criterion) {
    use jestbench::data::Matrix;
    use jestbench::score::tower_host;
    use std::time::{Duration, Instant};
    let layout = quickstart_layout();
    let theta = data(layout.len(), 12);
    let pool = 4096;
    let matrix = |cols: usize, seed: usize| Matrix {
        rows: pool,
        cols,
        data: data(pool * cols, seed),
    };
    let (xa, xb) = (matrix(48, 13), matrix(32, 14));
    let items: Vec<usize> = (0..320).map(|i| (i * 37) % pool).collect();
    let mut g = c.benchmark_group("towers_after_a_gap");
    g.sample_size(10);
    for gap_us in [0u64, 3000] {
        for pooled in [false, true] {
            let name = if pooled { "pooled" } else { "outside" };
            g.bench_with_input(BenchmarkId::new(name, gap_us), &gap_us, |bch, &gap| {
                bch.iter_custom(|iters| {
                    let body = || {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            let spin = Instant::now();
                            while spin.elapsed() < Duration::from_micros(gap) {}
                            let t = Instant::now();
                            std::hint::black_box(tower_host(
                                &theta,
                                &layout.tower_a,
                                &xa,
                                &items,
                                1,
                            ));
                            std::hint::black_box(tower_host(
                                &theta,
                                &layout.tower_b,
                                &xb,
                                &items,
                                1,
                            ));
                            total += t.elapsed();
                        }
                        total
                    };
                    if pooled {
                        rayon::scope(|_| body())
                    } else {
                        body()
                    }
                })
            });
        }
    }
    g.finish();
}
