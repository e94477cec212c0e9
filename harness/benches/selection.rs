//! Micro-benchmarks of the pieces of a scoring iteration: the pair-loss matrix on
//! the CPU device (the unfused path), the fused path's JEST and independent
//! selections from embeddings, JEST's joint sampler on a whole matrix for
//! B = 512…8192, independent selection.
//!   cargo bench --bench selection

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use dfdx::prelude::*;
use jestbench::data::rng;
use jestbench::model::loss::{identity, pair_loss};
use jestbench::model::Mat;
use jestbench::score::Scoring;
use jestbench::score::{FusedScores, PairModel, ScoreInput, ScoreMatrix};
use jestbench::select::IndependentMode;
use jestbench::select::{Candidates, Independent, Jest, Selector};

fn random_matrix(n: usize, seed: u64) -> ScoreMatrix {
    let mut g = rng::chacha(seed, 0);
    ScoreMatrix::new(n, (0..n * n).map(|_| rng::normal(&mut g) as f32).collect())
}

fn pair_loss_matrix(c: &mut Criterion) {
    let dev = Cpu::default();
    let mut g = c.benchmark_group("pair_loss_matrix");
    for n in [128usize, 320, 640] {
        let logits: Mat<Cpu> = dev.sample_normal_like(&(n, n));
        let eye = identity(&dev, n);
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |bch, _| {
            bch.iter(|| pair_loss(logits.clone(), &eye).as_vec())
        });
    }
    g.finish();
}

fn jest_sampling(c: &mut Criterion) {
    let mut g = c.benchmark_group("jest_sampling");
    g.sample_size(10);
    for n in [512usize, 1024, 2048, 4096, 8192] {
        let a = random_matrix(n, 1);
        let mut jest = Jest::new(16, 100.0);
        let mut r = rng::chacha(2, 0);
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |bch, &n| {
            bch.iter(|| {
                jest.select(Candidates::scored(&a), n / 8, &mut r)
                    .chosen
                    .len()
            })
        });
    }
    g.finish();
}

fn independent_selection(c: &mut Criterion) {
    let mut g = c.benchmark_group("independent_selection");
    let n = 2048;
    let a = random_matrix(n, 3);
    for (name, mode) in [
        ("topk", IndependentMode::Topk),
        ("sample", IndependentMode::Sample),
    ] {
        let mut sel = Independent { mode, gain: 100.0 };
        let mut r = rng::chacha(4, 0);
        g.bench_function(name, |bch| {
            bch.iter(|| {
                sel.select(Candidates::scored(&a), n / 8, &mut r)
                    .chosen
                    .len()
            })
        });
    }
    g.finish();
}

/// Unit-norm random embeddings of n candidates, width e.
fn pair_model(n: usize, e: usize, seed: u64) -> PairModel {
    let mut g = rng::chacha(seed, 0);
    let mut unit = |_| {
        let mut v = rng::normals(&mut g, n * e, 1.0);
        for row in v.chunks_mut(e) {
            let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt();
            row.iter_mut().for_each(|x| *x /= norm);
        }
        v
    };
    PairModel {
        a: unit(0),
        b: unit(1),
        dim: e,
        temperature: 10.0,
        bias: -10.0,
    }
}

fn fused_selection(c: &mut Criterion) {
    let mut g = c.benchmark_group("fused_selection");
    g.sample_size(20);
    for (n, b) in [(128usize, 64usize), (320, 64), (640, 64), (2048, 256)] {
        let scores = FusedScores::new(ScoreInput {
            rule: Scoring::Learnability,
            learner: Some(pair_model(n, 64, 1)),
            reference: Some(pair_model(n, 64, 2)),
        });
        let mut jest = Jest::new(16, 100.0);
        let mut r = rng::chacha(2, 0);
        g.bench_with_input(BenchmarkId::new("jest", n), &n, |bch, _| {
            bch.iter(|| {
                jest.select(Candidates::scored(&scores), b, &mut r)
                    .chosen
                    .len()
            })
        });
        let mut ind = Independent {
            mode: IndependentMode::Topk,
            gain: 100.0,
        };
        g.bench_with_input(BenchmarkId::new("independent", n), &n, |bch, _| {
            bch.iter(|| {
                ind.select(Candidates::scored(&scores), b, &mut r)
                    .chosen
                    .len()
            })
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    fused_selection,
    pair_loss_matrix,
    jest_sampling,
    independent_selection
);
criterion_main!(benches);
