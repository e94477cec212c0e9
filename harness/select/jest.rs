//! Joint example selection (Evans et al. 2024, SPEC §2).
//!
//! Chunk 1 is drawn without replacement with p ∝ exp(gain · A_ii). After each chunk,
//! every unchosen candidate i is scored A_ii + Σ_{k chosen} (A_ki + A_ik) — no
//! normalisation by the number chosen — and the next chunk is drawn with
//! p ∝ exp(gain · score). The sums are kept incrementally: each chosen item adds its
//! row and column of A to every candidate's score, O(B) per chosen item, so a whole
//! selection costs O(n_chunks · B + b · B).

use rand::RngCore;

use super::{gumbel_top_k, ChunkTrace, Selection, Selector};
use crate::score::ScoreMatrix;

pub struct Jest {
    pub n_chunks: usize,
    pub gain: f64,
    /// Record each chunk's conditional scores (for `select --dump-scores`).
    pub trace: bool,
}

impl Jest {
    pub fn new(n_chunks: usize, gain: f64) -> Jest {
        Jest {
            n_chunks,
            gain,
            trace: false,
        }
    }
}

/// The conditional score of every candidate given `chosen` (a direct, O(B·|chosen|)
/// oracle of what the selector keeps incrementally).
pub fn conditional_scores(a: &ScoreMatrix, chosen: &[usize]) -> Vec<f64> {
    (0..a.n)
        .map(|i| {
            a.get(i, i) as f64
                + chosen
                    .iter()
                    .map(|&k| a.get(k, i) as f64 + a.get(i, k) as f64)
                    .sum::<f64>()
        })
        .collect()
}

impl Selector for Jest {
    fn name(&self) -> &'static str {
        "jest"
    }

    fn needs_scores(&self) -> bool {
        true
    }

    fn select(
        &mut self,
        scores: Option<&ScoreMatrix>,
        _: usize,
        batch: usize,
        rng: &mut dyn RngCore,
    ) -> Selection {
        let a = scores.expect("joint selection needs scores");
        let n = a.n;
        assert!(
            batch.is_multiple_of(self.n_chunks) && batch <= n,
            "b = {batch} must be divisible by n_chunks = {} and at most B = {n}",
            self.n_chunks
        );
        let chunk = batch / self.n_chunks;
        let mut score: Vec<f64> = (0..n).map(|i| a.get(i, i) as f64).collect();
        let mut taken = vec![false; n];
        let mut chosen = Vec::with_capacity(batch);
        let mut chunks = Vec::new();
        for _ in 0..self.n_chunks {
            let candidates: Vec<usize> = (0..n).filter(|&i| !taken[i]).collect();
            let drawn = gumbel_top_k(rng, &candidates, |i| self.gain * score[i], chunk);
            if self.trace {
                chunks.push(ChunkTrace {
                    chosen: drawn.clone(),
                    scores: (0..n)
                        .map(|i| if taken[i] { f64::NAN } else { score[i] })
                        .collect(),
                });
            }
            for &k in &drawn {
                taken[k] = true;
                let row = &a.values[k * n..(k + 1) * n];
                for (i, s) in score.iter_mut().enumerate() {
                    *s += row[i] as f64 + a.values[i * n + k] as f64;
                }
            }
            chosen.extend(drawn);
        }
        Selection { chosen, chunks }
    }
}
