//! Joint example selection (Evans et al. 2024, docs/methods.md §2).
//!
//! Chunk 1 is drawn without replacement with p ∝ exp(gain · A_ii). After each chunk,
//! every unchosen candidate i is scored A_ii + Σ_{k chosen} (A_ki + A_ik) — no
//! normalisation by the number chosen — and the next chunk is drawn with
//! p ∝ exp(gain · score). The sums are kept incrementally: each chosen item adds its
//! row and column of A to every candidate's score, O(B) entries per chosen item, so
//! a whole selection asks for B + 2B·(b − b/n_chunks) entries of A (the last chunk's
//! rows and columns would score nothing) and costs O(n_chunks·B + b·B).

use rand::RngCore;

use super::{gumbel, gumbel_top_k_with, Candidates, ChunkTrace, Registration, Selection, Selector};
use crate::method::Method;
use crate::score::Scores;

pub const REGISTRATION: Registration = Registration {
    name: "jest",
    methods: &[(Method::JEST, None)],
    scores: true,
    needs_kinds: false,
    chunked: true,
    build: |s, trace| {
        Box::new(Jest {
            n_chunks: s.n_chunks,
            gain: s.gain,
            trace,
        })
    },
};

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
pub fn conditional_scores(a: &crate::score::ScoreMatrix, chosen: &[usize]) -> Vec<f64> {
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
    fn registration(&self) -> &'static Registration {
        &REGISTRATION
    }

    fn scored_entries(&self, n: usize, b: usize) -> u64 {
        let chunk = b / self.n_chunks.max(1);
        (n + 2 * n * (b - chunk)) as u64
    }

    fn select(&mut self, c: Candidates, batch: usize, rng: &mut dyn RngCore) -> Selection {
        self.select_with(c.scores("joint"), batch, &mut |_, _| gumbel(rng))
    }
}

impl Jest {
    /// The selection with each chunk's Gumbel noise from `noise(round, candidate)`,
    /// asked chunk by chunk and, within a chunk, for the unchosen candidates in
    /// index order: the order [`Selector::select`] draws them from its stream, so
    /// noise `gumbel_of(u)` from the same uniforms u gives the same selection (the
    /// JAX selector's cross-check passes its uniforms this way).
    pub fn select_with(
        &self,
        a: &dyn Scores,
        batch: usize,
        noise: &mut dyn FnMut(usize, usize) -> f64,
    ) -> Selection {
        let n = a.len();
        assert!(
            batch.is_multiple_of(self.n_chunks) && batch <= n,
            "b = {batch} must be divisible by n_chunks = {} and at most B = {n}",
            self.n_chunks
        );
        let chunk = batch / self.n_chunks;
        let mut score: Vec<f64> = a.diagonal().into_iter().map(f64::from).collect();
        let mut taken = vec![false; n];
        let mut chosen = Vec::with_capacity(batch);
        let mut chunks = Vec::new();
        for round in 0..self.n_chunks {
            let candidates: Vec<usize> = (0..n).filter(|&i| !taken[i]).collect();
            let drawn =
                gumbel_top_k_with(&candidates, |i| self.gain * score[i], chunk, |i| noise(round, i));
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
            }
            if round + 1 < self.n_chunks {
                a.add_cross(&drawn, &mut score);
            }
            chosen.extend(drawn);
        }
        Selection { chosen, chunks }
    }
}
