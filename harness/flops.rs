/*!
Every FLOP formula of the harness, in one place (SPEC §2 "FLOP accounting", §5
"FLOPs"). Training logs what it executed with these; reports, `bench`, cost
estimates for sharding and the SWIM fits ask this module and nothing else.

Counting: 2 FLOPs per multiply-add of a dense layer, 1 per bias add; activations
and the L2 normalisation are not counted. F is one example's forward pass through
both towers.
*/

use crate::model::Layout;

/// FLOPs of one pair loss from its logit: |x|, e^{−|x|}, ln(1 + ·) (a stated
/// convention; max and the target term are not counted).
pub const PAIR_LOSS: u64 = 3;

/// The costs a two-tower model's shapes imply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModelCost {
    /// F: forward FLOPs of one example through both towers (dense layers, biases).
    pub per_example: u64,
    /// Embedding width e.
    pub embed: u64,
}

impl ModelCost {
    pub fn of(layout: &Layout) -> ModelCost {
        ModelCost {
            per_example: dense_flops(
                layout
                    .tower_a
                    .iter()
                    .chain(&layout.tower_b)
                    .map(|(w, _)| (w.rows, w.cols)),
            ),
            embed: layout.embed as u64,
        }
    }

    /// The towers over n examples: n·F.
    pub fn towers(&self, n: usize) -> u64 {
        n as u64 * self.per_example
    }

    /// One entry of a model's pair-loss matrix: the dot product of two embeddings
    /// (2e), the logit's scale and shift (2), the pair loss.
    pub fn pair_entry(&self) -> u64 {
        2 * self.embed + 2 + PAIR_LOSS
    }

    /// One training step on b pairs, forward and backward (≈ 3× forward): the
    /// towers (3·b·F) and the b×b logits and losses (3·b²·pair entry).
    pub fn train_step(&self, b: usize) -> (u64, u64) {
        let b2 = (b * b) as u64;
        (3 * self.towers(b), 3 * b2 * self.pair_entry())
    }
}

/// Forward FLOPs of an MLP's dense layers, given each layer's (inputs, outputs).
pub fn dense_flops(layers: impl Iterator<Item = (usize, usize)>) -> u64 {
    layers.map(|(i, o)| (2 * i * o + o) as u64).sum()
}

/// Cumulative FLOPs of a run, by kind (the results' `flops_*` columns).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlopCounts {
    /// Learner towers, forward and backward, on the learning batches (3·b·F a step).
    pub train: u64,
    /// Learner towers forward over the super-batches to score them (B·F a step).
    pub learner_scoring: u64,
    /// The pair work: every score-matrix entry the selector asked for (each model's
    /// dot product, scale and shift, pair loss, and A's combination) and the
    /// training batch's b×b logits and losses. Absent from the paper's accounting;
    /// with small towers it dominates.
    pub pairs: u64,
    /// Reference scoring if its embeddings were not cached: its towers over B.
    pub reference_scoring_uncached: u64,
    /// One forward pass of the reference's towers over the pool, to cache them.
    pub reference_embedding: u64,
    /// Training the reference model, in full (its towers and pairs).
    pub reference_training: u64,
}

impl FlopCounts {
    /// Adds one iteration's costs.
    pub fn add(&mut self, it: &IterationCost) {
        self.train += it.train;
        self.learner_scoring += it.learner_scoring;
        self.pairs += it.pairs;
        self.reference_scoring_uncached += it.reference_scoring_uncached;
    }

    /// What this run executed: learner towers, pairs, the reference's pool pass.
    pub fn executed(&self) -> u64 {
        self.train + self.learner_scoring + self.pairs + self.reference_embedding
    }

    /// The paper's accounting (SPEC §5): learner towers only, the scoring forward
    /// reused for the chosen batch.
    pub fn paper(&self) -> f64 {
        paper_flops(self.train, self.learner_scoring)
    }
}

/// Which models score a super-batch, and how many of A's entries are asked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Scoring {
    pub learner: bool,
    pub reference: bool,
    pub entries: u64,
}

/// What one training iteration of a configuration costs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IterationCost {
    pub train: u64,
    pub learner_scoring: u64,
    pub pairs: u64,
    pub reference_scoring_uncached: u64,
}

impl IterationCost {
    /// A learning batch of b from a super-batch of B, scored as `scoring` says (a
    /// uniform run scores nothing).
    pub fn new(model: &ModelCost, batch: usize, super_batch: usize, scoring: Scoring) -> Self {
        let (train, train_pairs) = model.train_step(batch);
        let models = u64::from(scoring.learner) + u64::from(scoring.reference);
        let per_entry = models * model.pair_entry() + models.saturating_sub(1);
        IterationCost {
            train,
            learner_scoring: if scoring.learner {
                model.towers(super_batch)
            } else {
                0
            },
            pairs: train_pairs + scoring.entries * per_entry,
            reference_scoring_uncached: if scoring.reference {
                model.towers(super_batch)
            } else {
                0
            },
        }
    }

    /// The learner FLOPs the paper counts: F(B + 2b) for a scoring iteration, 3·F·b
    /// for a uniform one.
    pub fn paper(&self) -> f64 {
        paper_flops(self.train, self.learner_scoring)
    }

    /// What the harness executes per iteration (cached reference embeddings).
    pub fn executed(&self) -> u64 {
        self.train + self.learner_scoring + self.pairs
    }
}

/// Paper-accounting learner FLOPs from cumulative training (3·b·F a step) and
/// scoring (B·F) FLOPs: a run that scores reuses the scoring forward for the
/// chosen batch, so training adds its backward only, 2·b·F.
pub fn paper_flops(train: u64, learner_scoring: u64) -> f64 {
    if learner_scoring > 0 {
        learner_scoring as f64 + train as f64 * 2.0 / 3.0
    } else {
        train as f64
    }
}

/// A reference model's one pass over the pool to cache its embeddings.
pub fn reference_embedding(model: &ModelCost, pool: usize) -> u64 {
    model.towers(pool)
}

/// A least-squares solve by a thin SVD of an n×k matrix with `out` right-hand
/// sides, estimated as 4·n·k² + 8·k³ + 2·n·k·out.
pub fn svd_solve(n: usize, k: usize, out: usize) -> u64 {
    let (n, k, out) = (n as u64, k as u64, out as u64);
    4 * n * k * k + 8 * k * k * k + 2 * n * k * out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::ModelSpec;

    fn tiny() -> ModelCost {
        // Tower A: 3 → 4 → 2; tower B: 5 → 4 → 2.
        let spec = ModelSpec {
            hidden: vec![4],
            embed: 2,
            temperature_init: 10.0,
            bias_init: -10.0,
        };
        let layout = Layout::new(&spec, 3, 5);
        // Parameters: A: 3·4+4 + 4·2+2 = 26; B: 5·4+4 + 4·2+2 = 34; t', c: 2.
        assert_eq!(layout.len(), 62);
        ModelCost::of(&layout)
    }

    #[test]
    fn flops_of_a_tiny_model_by_hand() {
        let m = tiny();
        // F = A: (2·3·4 + 4) + (2·4·2 + 2) = 28 + 18 = 46;
        //     B: (2·5·4 + 4) + (2·4·2 + 2) = 44 + 18 = 62;  F = 108.
        assert_eq!(m.per_example, 108);
        // A pair entry: 2e + 2 + 3 = 9.
        assert_eq!(m.pair_entry(), 9);
        // Training on 3: towers 3·3·108 = 972; pairs 3·9·9 = 243.
        assert_eq!(m.train_step(3), (972, 243));
    }

    #[test]
    fn paper_accounting_is_exactly_f_b_plus_2b_and_pairs_are_apart() {
        let m = tiny();
        let (b, big_b) = (3, 6);
        // JEST-like: both models score 6 + 2·6·(3 − 1) = 30 entries.
        let scoring = Scoring {
            learner: true,
            reference: true,
            entries: 30,
        };
        let it = IterationCost::new(&m, b, big_b, scoring);
        assert_eq!(it.learner_scoring, 6 * 108);
        assert_eq!(it.paper(), (108 * (6 + 2 * 3)) as f64);
        // Pairs: training 243, scoring 30 entries × (2 models × 9 + 1 combination).
        assert_eq!(it.pairs, 243 + 30 * 19);
        assert_eq!(it.reference_scoring_uncached, 6 * 108);
        assert_eq!(it.executed(), 972 + 648 + 243 + 570);
        // Uniform: 3·F·b in the paper's accounting; its b×b pairs are executed.
        let u = IterationCost::new(&m, b, big_b, Scoring::default());
        assert_eq!(u.paper(), (3 * 108 * 3) as f64);
        assert_eq!(u.executed(), 972 + 243);
        // The paper's ratio at b = 64, B = 320 (f = 0.8) is 2.33x whatever F is.
        let (b, big_b) = (64usize, 320usize);
        let j = IterationCost::new(&m, b, big_b, scoring);
        let u = IterationCost::new(&m, b, big_b, Scoring::default());
        assert!((j.paper() / u.paper() - 448.0 / 192.0).abs() < 1e-12);
    }
}
