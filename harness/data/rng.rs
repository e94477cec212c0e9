//! Seeded random streams and portable sampling.
//!
//! Every stream is ChaCha8 keyed by (seed, stream id), so two knobs never share draws.
//! Normal variates use Box–Muller with `libm` (pure-Rust transcendental functions),
//! so the same seed gives the same bytes on every platform and libc.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Named stream ids: one per independent use of randomness.
pub mod stream {
    pub const WORLD: u64 = 1;
    pub const POOL: u64 = 2;
    pub const CURATED: u64 = 3;
    pub const EVAL: u64 = 4;
    pub const NOISE: u64 = 5;
    pub const REFERENCE_SET: u64 = 6;
    pub const SPLIT: u64 = 7;
    pub const INIT: u64 = 10;
    pub const ORDER: u64 = 11;
    pub const SELECT: u64 = 12;
    /// Diagnostics only (a uniform draw from each super-batch to compare with).
    pub const DIAGNOSTIC: u64 = 13;
    /// Which items of a learning batch train at low resolution (Flexi-JEST).
    pub const FLEXI: u64 = 14;
    /// The reference set's held-out validation part.
    pub const REFERENCE_VALIDATION: u64 = 15;
    /// The pairs a `dataset.pool` cap keeps.
    pub const POOL_SUBSET: u64 = 16;
}

/// A ChaCha8 generator for `(seed, stream)`.
pub fn chacha(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// One standard normal variate (Box–Muller, portable).
pub fn normal(rng: &mut impl Rng) -> f64 {
    // u1 in (0, 1]: avoids ln(0).
    let u1 = 1.0 - rng.gen::<f64>();
    let u2 = rng.gen::<f64>();
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(std::f64::consts::TAU * u2)
}

/// `n` standard normals scaled by `std`, as f32.
pub fn normals(rng: &mut impl Rng, n: usize, std: f64) -> Vec<f32> {
    (0..n).map(|_| (normal(rng) * std) as f32).collect()
}

/// Index drawn from unnormalised non-negative weights (linear scan of the CDF).
pub fn categorical(rng: &mut impl Rng, cdf: &[f64]) -> usize {
    let total = *cdf.last().expect("non-empty weights");
    let u = rng.gen::<f64>() * total;
    cdf.partition_point(|&c| c <= u).min(cdf.len() - 1)
}

/// Cumulative sums of `weights`.
pub fn cumulative(weights: &[f64]) -> Vec<f64> {
    let mut acc = 0.0;
    weights
        .iter()
        .map(|w| {
            acc += w;
            acc
        })
        .collect()
}

/// A seeded permutation of `0..n` (Fisher–Yates).
pub fn permutation(rng: &mut impl Rng, n: usize) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = rng.gen_range(0..=i);
        p.swap(i, j);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normals_have_unit_moments() {
        let mut rng = chacha(3, 0);
        let xs: Vec<f64> = (0..200_000).map(|_| normal(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / xs.len() as f64;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.01, "var {var}");
    }

    #[test]
    fn streams_differ_and_repeat() {
        let a: Vec<u32> = (0..4).map(|_| chacha(1, 1).gen()).collect();
        let b: u32 = chacha(1, 2).gen();
        assert_eq!(a[0], a[1]);
        assert_ne!(a[0], b);
    }

    #[test]
    fn categorical_follows_weights() {
        let cdf = cumulative(&[1.0, 0.0, 3.0]);
        let mut rng = chacha(9, 0);
        let mut counts = [0usize; 3];
        for _ in 0..40_000 {
            counts[categorical(&mut rng, &cdf)] += 1;
        }
        assert_eq!(counts[1], 0);
        let frac = counts[2] as f64 / 40_000.0;
        assert!((frac - 0.75).abs() < 0.01, "{frac}");
    }
}
