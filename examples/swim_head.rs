//! SWIM's least-squares head alone, on one thread unless RAYON_NUM_THREADS says
//! otherwise: the Cholesky path of `swim::lstsq` (unit-norm columns, relative
//! ridge 1e-10) and its parts, on [tanh features, 1] at mfeat-pixel's shape
//! (1,500 × 513, 10 targets). benches/peer/swim/head_numpy.py times the same
//! algorithm in numpy/LAPACK on the same shape; `farm-bench` alternates the two
//! (docs/performance.md, "SWIM's head against LAPACK").
//!   RAYON_NUM_THREADS=1 cargo run --release --example swim_head

use faer::Mat;
use jestbench::data::rng;
use jestbench::linalg;
use jestbench::swim::lstsq::{self, HeadSpec};
use jestbench::swim::{sample, Activation, Solver};
use std::time::Instant;

/// The allocator the `jestbench` binary runs with (harness/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Best and median of `reps` timed calls after one warm-up, in ms.
fn time<T>(reps: usize, mut f: impl FnMut() -> T) -> (f64, f64) {
    std::hint::black_box(f());
    let mut ms: Vec<f64> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    (ms[0], ms[ms.len() / 2])
}

fn main() {
    let (n, k, out) = (1500usize, 513usize, 10usize);
    let mut g = rng::chacha(1, 0);
    let x = Mat::from_fn(n, 24, |_, _| rng::normal(&mut g));
    let layer = sample::random_layer(&x, k - 1, &mut g);
    let a = lstsq::with_bias(&layer.apply(&x, Activation::Tanh));
    let y = Mat::from_fn(n, out, |i, j| (x[(i, j % 24)] * 1.7).sin());
    let mut gram = linalg::gram_lower(a.as_ref());
    for i in 0..k {
        gram.write(i, i, gram.read(i, i) * (1.0 + 1e-6));
    }
    let l = linalg::cholesky(gram.as_ref()).expect("positive definite");
    let rhs = linalg::mul(a.as_ref().transpose(), y.as_ref());
    let spec = HeadSpec {
        solver: Solver::Cholesky,
        rcond: 1e-10,
        ridge: 1e-10,
    };
    let rows: [(&str, (f64, f64)); 5] = [
        (
            "cholesky head (all of it)",
            time(9, || {
                lstsq::solve(a.as_ref(), y.as_ref(), &spec).expect("solves")
            }),
        ),
        (
            "  lower half of AᵀA",
            time(9, || linalg::gram_lower(a.as_ref())),
        ),
        (
            "  AᵀY",
            time(9, || linalg::mul(a.as_ref().transpose(), y.as_ref())),
        ),
        (
            "  Cholesky factor",
            time(9, || linalg::cholesky(gram.as_ref()).expect("factors")),
        ),
        (
            "  two triangular solves",
            time(9, || {
                let mut r = rhs.clone();
                linalg::solve_lower(l.as_ref(), r.as_mut());
                linalg::solve_lower_transposed(l.as_ref(), r.as_mut());
                r
            }),
        ),
    ];
    println!(
        "SWIM head, {n}×{k}, {out} targets, {} thread(s): best / median of 9, ms",
        rayon::current_num_threads()
    );
    for (name, (best, median)) in rows {
        println!("{name:<28} {best:>8.2} {median:>8.2}");
    }
}
