/*!
Scores of a super-batch (docs/methods.md §2 "Scores"): the learner's pair losses L, the
reference's R, and A by the scoring rule — `learnability` (L − R), `hard_learner`
(L), `easy_reference` (−R).

Selectors see A through [`Scores`], which asks only for what they use: its
diagonal (independent prioritisation, JEST's first chunk), the row and column sums
over the items chosen so far (JEST's conditional scores), and sums over a batch
(learnability diagnostics). The training loop's [`fused`] path computes exactly
those entries from the two models' embeddings in one pass each, without any B×B
tensor: O(B·e) memory per super-batch, and for JEST O(B·b·e) work instead of
O(B²·e). [`ScoreMatrix`] holds a whole A on the host (the `select` command, tests),
and [`device`] forms A with dfdx tensors, the unfused oracle the fused path is
tested against.
*/

pub mod device;
pub mod fused;
mod matrix;
mod tower;

pub use device::{combine, learner_matrix, reference_matrix, CachedReference};
pub use fused::{FusedScores, PairModel, ScoreInput};
pub use matrix::{combine_host, pair_losses_host, ScoreMatrix};
pub use tower::tower_host;

use serde::{Deserialize, Serialize};

/// Below this many multiply-adds (candidates × chosen × e for the fused scores, rows
/// × weights for the towers) a call runs on one thread. Either way each entry is
/// computed alone and every sum runs in the same order, so results do not depend on
/// the threads.
const PARALLEL_WORK: usize = 1 << 21;

/// What a selector may ask of a scored super-batch of n candidates.
pub trait Scores: Sync {
    /// The number of candidates n.
    fn len(&self) -> usize;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A_ii for every candidate.
    fn diagonal(&self) -> Vec<f32>;

    /// For each k of `chosen`, in order: `acc[i] += A_ki + A_ik` for every i (the
    /// conditional scores of JEST's later chunks).
    fn add_cross(&self, chosen: &[usize], acc: &mut [f64]);

    /// Σ_{i,j ∈ S} A_ij.
    fn block_sum(&self, batch: &[usize]) -> f64;

    /// Σ_{i,j} A_ij over the whole super-batch (O(B²) entries), in f64.
    fn total(&self) -> f64;

    /// The expected learnability of a uniformly drawn batch of b from the whole
    /// super-batch: mean(A_ii) + (b − 1)·mean(A_ij, i ≠ j). The super-batch's mean,
    /// on the same footing as `batch_learnability`.
    fn mean_learnability(&self, b: usize) -> f64 {
        let n = self.len();
        let diag: f64 = self.diagonal().iter().map(|&x| x as f64).sum();
        let mean_diag = diag / n as f64;
        let mean_off = if n > 1 {
            (self.total() - diag) / (n * (n - 1)) as f64
        } else {
            0.0
        };
        mean_diag + (b as f64 - 1.0) * mean_off
    }

    /// Learnability of a batch S: Σ_{i,j ∈ S} A_ij / |S| (docs/methods.md §2, "Selectors").
    fn batch_learnability(&self, batch: &[usize]) -> f64 {
        self.block_sum(batch) / batch.len() as f64
    }
}

/// Which of L and R a rule needs.
pub fn needs(rule: Scoring) -> (bool, bool) {
    match rule {
        Scoring::Learnability => (true, true),
        Scoring::HardLearner => (true, false),
        Scoring::EasyReference => (false, true),
    }
}

#[cfg(test)]
mod tests;

/// How the score matrix A is formed from the learner (L) and reference (R) pair losses.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Scoring {
    /// A = L − R.
    Learnability,
    /// A = L.
    HardLearner,
    /// A = −R.
    EasyReference,
}

impl Scoring {
    pub fn as_str(self) -> &'static str {
        match self {
            Scoring::Learnability => "learnability",
            Scoring::HardLearner => "hard_learner",
            Scoring::EasyReference => "easy_reference",
        }
    }
}
