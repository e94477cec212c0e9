//! The web-noise knobs of docs/methods.md §3, applied to a clean pool.
//!
//! The three corruptions are disjoint and exact in count: `round(fraction · N)` pairs
//! each, chosen by one seeded permutation, so "misaligned 0.3" means 30% of pairs.

use rand::Rng;

use super::DatasetSpec;
use super::{rng, Pairs};

/// What the noise step did to a pool pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum PairKind {
    Clean = 0,
    /// Its B view was replaced by another pair's B view.
    Misaligned = 1,
    /// Heavy Gaussian noise was added to both views.
    HeavyNoise = 2,
    /// It was replaced by a near-copy of another (clean) pair.
    Duplicate = 3,
}

/// Noise amounts, as fractions of the pool.
#[derive(Clone, Debug, PartialEq)]
pub struct Knobs {
    pub misaligned: f64,
    pub heavy_noise: f64,
    /// Heavy-noise standard deviation relative to each view's RMS.
    pub heavy_noise_scale: f64,
    pub duplicates: f64,
}

impl From<&DatasetSpec> for Knobs {
    fn from(s: &DatasetSpec) -> Knobs {
        Knobs {
            misaligned: s.misaligned,
            heavy_noise: s.heavy_noise,
            heavy_noise_scale: s.heavy_noise_scale,
            duplicates: s.duplicates,
        }
    }
}

/// Relative size of the perturbation that makes a duplicate "near".
const DUPLICATE_JITTER: f64 = 0.01;

/// Corrupts `pool` in place; returns each pair's kind.
pub fn apply(pool: &mut Pairs, knobs: &Knobs, seed: u64) -> Vec<PairKind> {
    let n = pool.len();
    let mut kinds = vec![PairKind::Clean; n];
    if n == 0 {
        return kinds;
    }
    let mut r = rng::chacha(seed, rng::stream::NOISE);
    let order = rng::permutation(&mut r, n);
    let count = |f: f64| ((f * n as f64).round() as usize).min(n);
    let (n_mis, n_heavy, n_dup) = (
        count(knobs.misaligned),
        count(knobs.heavy_noise),
        count(knobs.duplicates),
    );
    let n_mis = n_mis.min(n);
    let n_heavy = n_heavy.min(n - n_mis);
    let n_dup = n_dup.min(n - n_mis - n_heavy);
    let (mis, rest) = order.split_at(n_mis);
    let (heavy, rest) = rest.split_at(n_heavy);
    let (dup, clean) = rest.split_at(n_dup);

    let scale_a = pool.a.rms();
    let scale_b = pool.b.rms();
    let original = pool.clone();

    // Misaligned: B view from another pair (never itself).
    for &i in mis {
        let mut j = r.gen_range(0..n);
        if n > 1 {
            while j == i {
                j = r.gen_range(0..n);
            }
        }
        pool.b.row_mut(i).copy_from_slice(original.b.row(j));
        kinds[i] = PairKind::Misaligned;
    }
    // Heavy noise on both views.
    for &i in heavy {
        for (m, scale) in [(&mut pool.a, scale_a), (&mut pool.b, scale_b)] {
            let sd = knobs.heavy_noise_scale * scale;
            for x in m.row_mut(i) {
                *x += (rng::normal(&mut r) * sd) as f32;
            }
        }
        kinds[i] = PairKind::HeavyNoise;
    }
    // Near-duplicates of clean pairs (the copy keeps the source's label).
    if !clean.is_empty() {
        for &i in dup {
            let src = clean[r.gen_range(0..clean.len())];
            for (m, o, scale) in [
                (&mut pool.a, &original.a, scale_a),
                (&mut pool.b, &original.b, scale_b),
            ] {
                let sd = DUPLICATE_JITTER * scale;
                let row = m.row_mut(i);
                for (x, &y) in row.iter_mut().zip(o.row(src)) {
                    *x = y + (rng::normal(&mut r) * sd) as f32;
                }
            }
            if let Some(l) = pool.labels.as_mut() {
                l[i] = l[src];
            }
            kinds[i] = PairKind::Duplicate;
        }
    }
    kinds
}
