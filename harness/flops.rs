/*!
Every FLOP formula of the harness, in one place (SPEC §2 "FLOP accounting", §5
"FLOPs"). Training logs what it executed with these; reports, `bench`, cost
estimates for sharding and the SWIM fits ask this module and nothing else.

Counting: 2 FLOPs per multiply-add of a dense layer, 1 per bias add; activations
and the L2 normalisation are not counted. F is one example's forward pass through
both towers.
*/

use crate::model::Layout;

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

    /// The n×n logits of a batch: the similarity matmul (2·n²·e) and the logits'
    /// scale and shift (2·n²). All that reference scoring costs per iteration once
    /// its embeddings are cached.
    pub fn logits(&self, n: usize) -> u64 {
        let n = n as u64;
        2 * n * n * self.embed + 2 * n * n
    }

    /// A forward pass over a batch of n pairs, logits included: n·F + logits(n).
    pub fn forward(&self, n: usize) -> u64 {
        self.towers(n) + self.logits(n)
    }

    /// One training step on n pairs: forward plus backward (≈ 2× forward).
    pub fn train_step(&self, n: usize) -> u64 {
        3 * self.forward(n)
    }
}

/// Forward FLOPs of an MLP's dense layers, given each layer's (inputs, outputs).
pub fn dense_flops(layers: impl Iterator<Item = (usize, usize)>) -> u64 {
    layers.map(|(i, o)| (2 * i * o + o) as u64).sum()
}

/// Cumulative FLOPs of a run, by kind (the results' `flops_*` columns).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlopCounts {
    /// Learner forward + backward on the learning batches, as executed.
    pub train: u64,
    /// Learner forward passes over super-batches to score them.
    pub learner_scoring: u64,
    /// Reference scoring with cached embeddings: the B×B logits per iteration
    /// (the one-off pass over the pool is in `reference_embedding`).
    pub reference_scoring_cached: u64,
    /// Reference scoring if its embeddings were not cached: a forward over B.
    pub reference_scoring_uncached: u64,
    /// One forward pass of the reference over the pool to cache its embeddings.
    pub reference_embedding: u64,
    /// Training the reference model, in full.
    pub reference_training: u64,
}

impl FlopCounts {
    /// Adds one iteration's costs.
    pub fn add(&mut self, it: &IterationCost) {
        self.train += it.train;
        self.learner_scoring += it.learner_scoring;
        self.reference_scoring_cached += it.reference_scoring_cached;
        self.reference_scoring_uncached += it.reference_scoring_uncached;
    }
}

/// What one training iteration of a configuration costs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IterationCost {
    pub train: u64,
    pub learner_scoring: u64,
    pub reference_scoring_cached: u64,
    pub reference_scoring_uncached: u64,
}

impl IterationCost {
    /// A learning batch of b from a super-batch of B; `learner` and `reference`
    /// say which models score the super-batch (a uniform run scores with neither).
    pub fn new(
        model: &ModelCost,
        batch: usize,
        super_batch: usize,
        learner: bool,
        reference: bool,
    ) -> IterationCost {
        IterationCost {
            train: model.train_step(batch),
            learner_scoring: if learner {
                model.forward(super_batch)
            } else {
                0
            },
            reference_scoring_cached: if reference {
                model.logits(super_batch)
            } else {
                0
            },
            reference_scoring_uncached: if reference {
                model.forward(super_batch)
            } else {
                0
            },
        }
    }

    /// The learner FLOPs the paper counts: the scoring forward is reused for the
    /// chosen b, so training adds only its backward (2/3 of a step).
    pub fn paper(&self) -> f64 {
        paper_flops(self.train, self.learner_scoring)
    }

    /// What the harness executes per iteration (cached reference scoring).
    pub fn executed(&self) -> u64 {
        self.train + self.learner_scoring + self.reference_scoring_cached
    }
}

/// Paper-accounting learner FLOPs from cumulative training and scoring FLOPs: a
/// run that scores reuses the scoring forward for the chosen batch.
pub fn paper_flops(train: u64, learner_scoring: u64) -> f64 {
    if learner_scoring > 0 {
        learner_scoring as f64 + train as f64 * 2.0 / 3.0
    } else {
        train as f64
    }
}

/// A reference model's costs: its training and one pass over the pool.
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

    #[test]
    fn flops_of_a_tiny_model_by_hand() {
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
        let m = ModelCost::of(&layout);
        // F = A: (2·3·4 + 4) + (2·4·2 + 2) = 28 + 18 = 46;
        //     B: (2·5·4 + 4) + (2·4·2 + 2) = 44 + 18 = 62;  F = 108.
        assert_eq!(m.per_example, 108);
        // Batch of 3: 3·108 + 2·9·2 (similarity) + 2·9 (scale, shift) = 324 + 36 + 18.
        assert_eq!(m.forward(3), 378);
        assert_eq!(m.train_step(3), 3 * 378);
        let cost = IterationCost::new(&m, 3, 6, true, true);
        // Scoring B = 6: 6·108 + 2·36·2 + 2·36 = 648 + 144 + 72.
        assert_eq!(cost.learner_scoring, 864);
        assert_eq!(cost.reference_scoring_cached, 144 + 72);
        assert_eq!(cost.reference_scoring_uncached, 864);
        assert_eq!(
            IterationCost::new(&m, 3, 6, false, false).learner_scoring,
            0
        );
        // Paper: the scoring forward reused, training's backward only.
        assert_eq!(cost.paper(), 864.0 + 2.0 * 378.0);
    }
}
