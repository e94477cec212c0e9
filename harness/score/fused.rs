//! The fused score path: A's entries computed on demand from the two models'
//! embeddings of the super-batch, each entry in one pass (dot product, scale and
//! shift, pair loss, combination), with no B×B tensor. Memory is O(B·e); the work is
//! what the selector asks for: B entries for the diagonal, 2B per chosen item for
//! JEST's row and column sums, |S|² for a batch's learnability.
//!
//! Each entry is computed alone and sums run in a fixed order, so results do not
//! depend on the number of threads. The pair loss is dfdx's `bce_with_logits`
//! formula, so entries equal the unfused path's up to the order of the dot
//! product's additions.

use rayon::prelude::*;

use super::Scoring;
use super::{ScoreMatrix, Scores, PARALLEL_WORK};
use crate::kernels;

/// One model's view of a super-batch: its embeddings of the n candidates (row-major
/// n×e, towers A and B) and its logit scale t and shift c.
#[derive(Clone, Debug, PartialEq)]
pub struct PairModel {
    pub a: Vec<f32>,
    pub b: Vec<f32>,
    pub dim: usize,
    pub temperature: f32,
    pub bias: f32,
}

impl PairModel {
    /// The number of candidates.
    pub fn len(&self) -> usize {
        self.a.len() / self.dim
    }

    pub fn is_empty(&self) -> bool {
        self.a.is_empty()
    }
}

/// The pair loss −log σ(z·x) of a logit x: z = +1 for a matching pair, else −1
/// (dfdx's `bce_with_logits` against the identity, as softplus(−z·x)).
#[inline]
pub fn pair_loss(x: f32, matching: bool) -> f32 {
    kernels::softplus(if matching { -x } else { x })
}

/// What scoring a super-batch needs: the rule and the models it uses.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreInput {
    pub rule: Scoring,
    pub learner: Option<PairModel>,
    pub reference: Option<PairModel>,
}

/// One model's pair losses over a block: `rows[q·nb + j]` = l_{k_q, j0+j} and
/// `cols[q·nb + j]` = l_{j0+j, k_q}.
struct LossBlock {
    rows: Vec<f32>,
    cols: Vec<f32>,
}

/// A model's embeddings transposed (e×n: one row per coordinate), for the
/// products of chosen rows with every candidate.
struct Transposed {
    a: Vec<f32>,
    b: Vec<f32>,
}

impl PairModel {
    fn transposed(&self) -> Transposed {
        let n = self.len();
        Transposed {
            a: kernels::transpose(&self.a, n, self.dim),
            b: kernels::transpose(&self.b, n, self.dim),
        }
    }

    fn gather(&self, x: &[f32], ks: &[usize]) -> Vec<f32> {
        let d = self.dim;
        let mut out = Vec::with_capacity(ks.len() * d);
        for &k in ks {
            out.extend_from_slice(&x[k * d..(k + 1) * d]);
        }
        out
    }

    /// Pair losses of the chosen `ks` against candidates j0..j1, both ways.
    fn loss_block(&self, t: &Transposed, ks: &[usize], j0: usize, j1: usize) -> LossBlock {
        let (m, nb, d, n) = (ks.len(), j1 - j0, self.dim, self.len());
        let mut rows = vec![0.0f32; m * nb];
        let mut cols = vec![0.0f32; m * nb];
        // ⟨a_k, b_j⟩ and ⟨a_j, b_k⟩ = ⟨b_k, a_j⟩.
        kernels::products(m, nb, d, &self.gather(&self.a, ks), &t.b, n, j0, &mut rows);
        kernels::products(m, nb, d, &self.gather(&self.b, ks), &t.a, n, j0, &mut cols);
        self.to_losses(ks, j0, nb, &mut rows);
        self.to_losses(ks, j0, nb, &mut cols);
        LossBlock { rows, cols }
    }

    /// Pair losses of the chosen `ks` against every candidate, rows only
    /// (`rows[q·n + j]` = l_{k_q, j}: the same bits as [`PairModel::loss_block`]'s).
    fn loss_rows(&self, t: &Transposed, ks: &[usize]) -> Vec<f32> {
        let (m, d, n) = (ks.len(), self.dim, self.len());
        let mut rows = vec![0.0f32; m * n];
        kernels::products(m, n, d, &self.gather(&self.a, ks), &t.b, n, 0, &mut rows);
        self.to_losses(ks, 0, n, &mut rows);
        rows
    }

    /// Dot products to pair losses: l = softplus(−z·(t·dot + c)), z = +1 only where
    /// the candidate is k itself.
    fn to_losses(&self, ks: &[usize], j0: usize, nb: usize, x: &mut [f32]) {
        let (t, c) = (self.temperature, self.bias);
        for (q, &k) in ks.iter().enumerate() {
            let row = &mut x[q * nb..(q + 1) * nb];
            for v in row.iter_mut() {
                *v = t * *v + c;
            }
            if (j0..j0 + nb).contains(&k) {
                row[k - j0] = -row[k - j0];
            }
        }
        kernels::softplus_in_place(x);
    }

    /// Pair losses l_ij for i, j of `batch` (row-major |S|×|S|).
    fn loss_square(&self, batch: &[usize]) -> Vec<f32> {
        let (s, d) = (batch.len(), self.dim);
        let mut out = vec![0.0f32; s * s];
        let bt = kernels::transpose(&self.gather(&self.b, batch), s, d);
        kernels::products(s, s, d, &self.gather(&self.a, batch), &bt, s, 0, &mut out);
        let all: Vec<usize> = (0..s).collect();
        // Diagonal positions match (the same item); duplicates in `batch` do not.
        self.to_losses(&all, 0, s, &mut out);
        out
    }
}

/// `f` and `g`, in parallel when this thread is one of the pool's workers (the
/// other worker takes `g` if it is awake, else this thread runs both); outside the
/// pool, one after the other, since waking a sleeping worker costs more than a
/// chunk's work.
fn both<A: Send, B: Send>(f: impl FnOnce() -> A + Send, g: impl FnOnce() -> B + Send) -> (A, B) {
    if rayon::current_thread_index().is_some() {
        rayon::join(f, g)
    } else {
        (f(), g())
    }
}

/// A by the rule from the losses it read: L − R, L or −R, entry by entry.
fn combined(l: Option<Vec<f32>>, r: Option<Vec<f32>>) -> Vec<f32> {
    match (l, r) {
        (Some(mut l), Some(r)) => {
            l.iter_mut().zip(&r).for_each(|(x, y)| *x -= y);
            l
        }
        (Some(l), None) => l,
        (None, Some(mut r)) => {
            r.iter_mut().for_each(|x| *x = -*x);
            r
        }
        (None, None) => unreachable!("every rule reads a model"),
    }
}

/// Candidates per parallel block of the row and column sums.
const BLOCK: usize = 128;
/// Rows of A per block of the whole matrix and its total.
const ROWS: usize = 64;

/// A's entries on demand, on the host.
pub struct FusedScores {
    n: usize,
    input: ScoreInput,
    /// The models' transposed embeddings, made on first use.
    transposed: std::sync::OnceLock<(Option<Transposed>, Option<Transposed>)>,
}

impl FusedScores {
    pub fn new(input: ScoreInput) -> FusedScores {
        let n = match (&input.learner, &input.reference) {
            (Some(l), Some(r)) => {
                assert_eq!(l.len(), r.len(), "both models score the same candidates");
                l.len()
            }
            (Some(m), None) | (None, Some(m)) => m.len(),
            (None, None) => panic!("a scoring rule needs at least one model"),
        };
        let (needs_l, needs_r) = super::needs(input.rule);
        assert!(
            (!needs_l || input.learner.is_some()) && (!needs_r || input.reference.is_some()),
            "scoring rule {} is missing a model it needs",
            input.rule.as_str()
        );
        FusedScores {
            n,
            input,
            transposed: std::sync::OnceLock::new(),
        }
    }

    fn learner(&self) -> &PairModel {
        self.input.learner.as_ref().expect("checked in new")
    }

    fn reference(&self) -> &PairModel {
        self.input.reference.as_ref().expect("checked in new")
    }

    /// What `learner` and `reference` give, each only where the rule reads that
    /// model (both at once, on a pool worker, when it reads both).
    fn per_model<T: Send>(
        &self,
        learner: impl FnOnce() -> T + Send,
        reference: impl FnOnce() -> T + Send,
    ) -> (Option<T>, Option<T>) {
        match self.input.rule {
            Scoring::Learnability => {
                let (l, r) = both(learner, reference);
                (Some(l), Some(r))
            }
            Scoring::HardLearner => (Some(learner()), None),
            Scoring::EasyReference => (None, Some(reference())),
        }
    }

    /// The models' transposed embeddings (made once, on first use).
    fn transposed(&self) -> (Option<&Transposed>, Option<&Transposed>) {
        let (tl, tr) = self.transposed.get_or_init(|| {
            (
                self.input.learner.as_ref().map(PairModel::transposed),
                self.input.reference.as_ref().map(PairModel::transposed),
            )
        });
        (tl.as_ref(), tr.as_ref())
    }

    /// A over a block both ways: `rows[q·nb + j]` = A_{k_q, j0+j} and
    /// `cols[q·nb + j]` = A_{j0+j, k_q}.
    fn blocks(&self, ks: &[usize], j0: usize, j1: usize) -> LossBlock {
        let (tl, tr) = self.transposed();
        let (l, r) = self.per_model(
            || {
                self.learner()
                    .loss_block(tl.expect("made with it"), ks, j0, j1)
            },
            || {
                self.reference()
                    .loss_block(tr.expect("made with it"), ks, j0, j1)
            },
        );
        let ((l_rows, l_cols), (r_rows, r_cols)) = (
            l.map(|b| (b.rows, b.cols)).unzip(),
            r.map(|b| (b.rows, b.cols)).unzip(),
        );
        LossBlock {
            rows: combined(l_rows, r_rows),
            cols: combined(l_cols, r_cols),
        }
    }

    /// Rows `ks` of A over every candidate (row-major |ks|×n).
    fn rows(&self, ks: &[usize]) -> Vec<f32> {
        let (tl, tr) = self.transposed();
        let (l, r) = self.per_model(
            || self.learner().loss_rows(tl.expect("made with it"), ks),
            || self.reference().loss_rows(tr.expect("made with it"), ks),
        );
        combined(l, r)
    }

    /// The whole B×B matrix, every entry the one [`FusedScores::entry`] gives
    /// (rows formed in blocks, in parallel, and written in place): what
    /// `select --dump-scores` prints. Check its memory first
    /// (`select::check_score_memory`).
    pub fn matrix(&self) -> ScoreMatrix {
        let n = self.n;
        let mut values = vec![0.0f32; n * n];
        values
            .par_chunks_mut(ROWS * n)
            .enumerate()
            .for_each(|(b, out)| {
                let ks: Vec<usize> = (b * ROWS..b * ROWS + out.len() / n).collect();
                out.copy_from_slice(&self.rows(&ks));
            });
        ScoreMatrix::new(n, values)
    }

    /// A_ij, one entry alone (tests; the selectors use the block paths).
    pub fn entry(&self, i: usize, j: usize) -> f32 {
        self.blocks(&[i], j, j + 1).rows[0]
    }
}

impl Scores for FusedScores {
    fn len(&self) -> usize {
        self.n
    }

    fn diagonal(&self) -> Vec<f32> {
        // ⟨a_i, b_i⟩ for every i at once (lanes across i, rows transposed 16 at a
        // time), each summed over d in order: the bits `kernels::dot` gives row by
        // row. No whole transposes: an independent selector needs nothing else.
        let diag = |m: &PairModel| -> Vec<f32> {
            let mut x = kernels::paired_rows(m.dim, &m.a, &m.b, self.n);
            for v in x.iter_mut() {
                *v = -(m.temperature * *v + m.bias);
            }
            kernels::softplus_in_place(&mut x);
            x
        };
        let (l, r) = self.per_model(|| diag(self.learner()), || diag(self.reference()));
        combined(l, r)
    }

    fn add_cross(&self, chosen: &[usize], acc: &mut [f64]) {
        let m = chosen.len();
        if m == 0 {
            return;
        }
        // For each candidate j, in the order of `chosen` (as the whole-matrix path
        // adds): acc[j] += A_kj + A_jk. Blocks of candidates are independent, so
        // large ones run in parallel; small ones are not worth waking threads for.
        let one_block = |j0: usize, acc: &mut [f64]| {
            let nb = acc.len();
            let a = self.blocks(chosen, j0, j0 + nb);
            for q in 0..m {
                let (rows, cols) = (&a.rows[q * nb..(q + 1) * nb], &a.cols[q * nb..(q + 1) * nb]);
                for ((s, &row), &col) in acc.iter_mut().zip(rows).zip(cols) {
                    *s += row as f64 + col as f64;
                }
            }
        };
        let dim = self
            .input
            .learner
            .as_ref()
            .or(self.input.reference.as_ref())
            .map_or(1, |p| p.dim);
        if self.n * m * dim < PARALLEL_WORK {
            one_block(0, acc);
        } else {
            acc.par_chunks_mut(BLOCK)
                .enumerate()
                .for_each(|(b, chunk)| one_block(b * BLOCK, chunk));
        }
    }

    /// Rows in blocks of [`ROWS`] (in parallel), each block summed in row-major
    /// order and the blocks' sums added in order: the same bits on any thread count.
    fn total(&self) -> f64 {
        let n = self.n;
        let sums: Vec<f64> = (0..n.div_ceil(ROWS))
            .into_par_iter()
            .map(|b| {
                let ks: Vec<usize> = (b * ROWS..((b + 1) * ROWS).min(n)).collect();
                self.rows(&ks).iter().map(|&x| x as f64).sum::<f64>()
            })
            .collect();
        sums.iter().sum()
    }

    fn block_sum(&self, batch: &[usize]) -> f64 {
        let (l, r) = self.per_model(
            || self.learner().loss_square(batch),
            || self.reference().loss_square(batch),
        );
        combined(l, r).iter().map(|&x| x as f64).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::rng::{chacha, normals};
    use crate::score::ScoreMatrix;

    fn model(n: usize, d: usize, seed: u64, t: f32, c: f32) -> PairModel {
        let mut r = chacha(seed, 0);
        PairModel {
            a: normals(&mut r, n * d, 0.3),
            b: normals(&mut r, n * d, 0.3),
            dim: d,
            temperature: t,
            bias: c,
        }
    }

    #[test]
    fn pair_loss_is_minus_log_sigmoid() {
        for x in [-30.0f32, -2.0, -0.1, 0.0, 0.7, 5.0, 40.0] {
            let want_match = -(1.0 / (1.0 + (-x as f64).exp())).ln();
            let want_other = -(1.0 / (1.0 + (x as f64).exp())).ln();
            assert!((pair_loss(x, true) as f64 - want_match).abs() < 1e-5 * want_match.max(1.0));
            assert!((pair_loss(x, false) as f64 - want_other).abs() < 1e-5 * want_other.max(1.0));
        }
    }

    #[test]
    fn the_diagonal_is_the_entries_bit_for_bit_on_any_thread() {
        let n = 300;
        let input = || ScoreInput {
            rule: Scoring::Learnability,
            learner: Some(model(n, 64, 3, 10.0, -10.0)),
            reference: Some(model(n, 64, 4, 8.0, -9.0)),
        };
        let fused = FusedScores::new(input());
        // The diagonal from the transposes (lanes across items) and each entry
        // alone (one product, summed in order) agree exactly.
        let diag = fused.diagonal();
        for (i, d) in diag.iter().enumerate() {
            assert_eq!(d.to_bits(), fused.entry(i, i).to_bits(), "A[{i},{i}]");
        }
        // On a pool worker the chunk's two models run in parallel; the bits do not
        // change, nor does a whole selection.
        let chunks: Vec<Vec<usize>> = (0..15)
            .map(|c| vec![c, 7 * c + 3, 299 - c, 150 + c])
            .collect();
        let sums = |s: &FusedScores| {
            let mut acc = vec![0.0f64; n];
            chunks.iter().for_each(|c| s.add_cross(c, &mut acc));
            acc
        };
        let plain = sums(&fused);
        let pooled = rayon::scope(|_| {
            let f = FusedScores::new(input());
            assert!(rayon::current_thread_index().is_some());
            (f.diagonal(), sums(&f))
        });
        assert_eq!(pooled.0, diag);
        assert_eq!(pooled.1, plain);
        let select = |s: &FusedScores| {
            let mut j = crate::select::Jest::new(16, 100.0);
            let mut rng = chacha(11, 0);
            crate::select::Selector::select(
                &mut j,
                crate::select::Candidates::scored(s),
                64,
                &mut rng,
            )
            .chosen
        };
        let off_pool = select(&fused);
        assert_eq!(
            rayon::scope(|_| select(&FusedScores::new(input()))),
            off_pool
        );
    }

    #[test]
    fn the_scores_interface_matches_a_whole_matrix() {
        let n = 37;
        let input = ScoreInput {
            rule: Scoring::Learnability,
            learner: Some(model(n, 19, 1, 10.0, -10.0)),
            reference: Some(model(n, 19, 2, 8.0, -9.0)),
        };
        let fused = FusedScores::new(input);
        let whole = ScoreMatrix::new(n, (0..n * n).map(|k| fused.entry(k / n, k % n)).collect());
        let close = |x: f64, y: f64| (x - y).abs() <= 1e-5 * y.abs().max(1.0);
        for (x, y) in fused.diagonal().iter().zip(whole.diagonal()) {
            assert!(close(*x as f64, y as f64), "{x} vs {y}");
        }
        let (mut a, mut b) = (vec![0.5f64; n], vec![0.5f64; n]);
        fused.add_cross(&[3, 30, 7], &mut a);
        whole.add_cross(&[3, 30, 7], &mut b);
        for (x, y) in a.iter().zip(&b) {
            assert!(close(*x, *y), "{x} vs {y}");
        }
        let batch = [0, 5, 9, 36];
        assert!((fused.block_sum(&batch) - whole.block_sum(&batch)).abs() < 1e-9);
        // The whole matrix in row blocks is the entries, bit for bit, and its
        // total (blocks of rows summed in order) the row-major sum's to rounding.
        assert_eq!(fused.matrix(), whole);
        assert!(close(fused.total(), whole.total()));
        assert!(close(
            fused.mean_learnability(8),
            whole.mean_learnability(8)
        ));
        let big = FusedScores::new(ScoreInput {
            rule: Scoring::EasyReference,
            learner: None,
            reference: Some(model(200, 7, 5, 8.0, -9.0)),
        });
        let m = big.matrix();
        assert_eq!(m.get(150, 3).to_bits(), big.entry(150, 3).to_bits());
        let by_rows: f64 = (0..200)
            .map(|i| (0..200).map(|j| m.get(i, j) as f64).sum::<f64>())
            .sum();
        assert!(close(big.total(), by_rows));
    }
}
