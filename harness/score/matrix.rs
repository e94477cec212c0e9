//! A's B×B values on the host: the `select` command's and the tests' score matrix,
//! and the oracle every faster path is checked against.

use rayon::prelude::*;

use super::Scores;
use super::Scoring;
use crate::data::Matrix;
use crate::model::loss;

/// A's B×B values on the host, row-major: `get(i, j)` = A_ij.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreMatrix {
    pub n: usize,
    pub values: Vec<f32>,
}

impl ScoreMatrix {
    pub fn new(n: usize, values: Vec<f32>) -> ScoreMatrix {
        assert_eq!(values.len(), n * n, "a score matrix is square");
        ScoreMatrix { n, values }
    }

    #[inline]
    pub fn get(&self, i: usize, j: usize) -> f32 {
        self.values[i * self.n + j]
    }
}

/// Candidates per tile in [`ScoreMatrix::add_cross`].
const CROSS_TILE: usize = 8;
/// Candidates per parallel block in [`ScoreMatrix::add_cross`].
const CROSS_BLOCK: usize = 256;

impl Scores for ScoreMatrix {
    fn len(&self) -> usize {
        self.n
    }

    fn diagonal(&self) -> Vec<f32> {
        (0..self.n).map(|i| self.get(i, i)).collect()
    }

    /// Candidates in tiles of [`CROSS_TILE`]: within a tile every chosen k adds one
    /// cache line of its row and one entry of each candidate's row, so the column
    /// reads stay in the tile's few rows (pages) instead of striding the whole
    /// matrix per k. Blocks of tiles run in parallel when the work is large (the
    /// column reads are bound by memory latency, which a second core overlaps).
    /// Each candidate still sums its terms in `chosen`'s order, so the bits are the
    /// plain k-outer loop's on any thread count.
    fn add_cross(&self, chosen: &[usize], acc: &mut [f64]) {
        let n = self.n;
        let v = &self.values[..];
        let block = |b: usize, part: &mut [f64]| {
            for (t, tile) in part.chunks_mut(CROSS_TILE).enumerate() {
                let i0 = b * CROSS_BLOCK + t * CROSS_TILE;
                for &k in chosen {
                    let row = &v[k * n + i0..k * n + i0 + tile.len()];
                    for (d, (s, &r)) in tile.iter_mut().zip(row).enumerate() {
                        *s += r as f64 + v[(i0 + d) * n + k] as f64;
                    }
                }
            }
        };
        if n * chosen.len() < 1 << 16 {
            acc.chunks_mut(CROSS_BLOCK)
                .enumerate()
                .for_each(|(b, part)| block(b, part));
        } else {
            acc.par_chunks_mut(CROSS_BLOCK)
                .enumerate()
                .for_each(|(b, part)| block(b, part));
        }
    }

    fn total(&self) -> f64 {
        self.values.iter().map(|&x| x as f64).sum()
    }

    fn block_sum(&self, batch: &[usize]) -> f64 {
        let mut sum = 0.0f64;
        for &i in batch {
            for &j in batch {
                sum += self.get(i, j) as f64;
            }
        }
        sum
    }
}

/// The pair-loss matrix of one model's embeddings on the host (f64 sums):
/// l_ij = −log σ(z_ij (t⟨a_i, b_j⟩ + c)). Rows are used as given.
pub fn pair_losses_host(a: &Matrix, b: &Matrix, temperature: f64, bias: f64) -> Vec<f32> {
    assert_eq!(
        a.rows, b.rows,
        "one embedding row per candidate in each view"
    );
    let n = a.rows;
    let mut logits = vec![0.0f64; n * n];
    for i in 0..n {
        for j in 0..n {
            let dot: f64 = a
                .row(i)
                .iter()
                .zip(b.row(j))
                .map(|(x, y)| *x as f64 * *y as f64)
                .sum();
            logits[i * n + j] = temperature * dot + bias;
        }
    }
    loss::pair_loss_host(&logits, n)
        .into_iter()
        .map(|x| x as f32)
        .collect()
}

/// Host-side A from host L and R, for tests and the `select` command.
pub fn combine_host(rule: Scoring, learner: &[f32], reference: &[f32]) -> Vec<f32> {
    match rule {
        Scoring::Learnability => learner.iter().zip(reference).map(|(l, r)| l - r).collect(),
        Scoring::HardLearner => learner.to_vec(),
        Scoring::EasyReference => reference.iter().map(|r| -r).collect(),
    }
}
