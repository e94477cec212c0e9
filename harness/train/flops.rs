//! FLOP accounting per training iteration (SPEC §2), from the model's shapes.

use crate::model::Layout;

/// Cumulative FLOPs of a run, by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlopCounts {
    /// Learner forward + backward on the learning batches, as executed.
    pub train: u64,
    /// Learner forward passes over super-batches to score them.
    pub learner_scoring: u64,
    /// Reference scoring with cached embeddings: the B×B matmul per iteration
    /// (the one-off pass over the pool is in `reference_embedding`).
    pub reference_scoring_cached: u64,
    /// Reference scoring if its embeddings were not cached: F_ref·B per iteration.
    pub reference_scoring_uncached: u64,
    /// One forward pass of the reference over the pool to cache its embeddings.
    pub reference_embedding: u64,
    /// Training the reference model, in full.
    pub reference_training: u64,
}

impl FlopCounts {
    /// The executed learner cost: training plus learner scoring.
    pub fn learner_executed(&self) -> u64 {
        self.train + self.learner_scoring
    }
}

/// Per-iteration costs of a run's configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IterationCost {
    pub train: u64,
    pub learner_scoring: u64,
}

impl IterationCost {
    /// A learning batch of b, scoring a super-batch of B when `scores` is set.
    pub fn new(layout: &Layout, batch: usize, super_batch: usize, scores: bool) -> Self {
        IterationCost {
            train: layout.train_flops(batch),
            learner_scoring: if scores {
                layout.forward_flops(super_batch)
            } else {
                0
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::ModelSpec;

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
        // F = A: (2·3·4 + 4) + (2·4·2 + 2) = 28 + 18 = 46;
        //     B: (2·5·4 + 4) + (2·4·2 + 2) = 44 + 18 = 62;  F = 108.
        assert_eq!(layout.flops_per_example(), 108);
        // Batch of 3: 3·108 + 2·9·2 (similarity) + 2·9 (scale, shift) = 324 + 36 + 18.
        assert_eq!(layout.forward_flops(3), 378);
        assert_eq!(layout.train_flops(3), 3 * 378);
        let cost = IterationCost::new(&layout, 3, 6, true);
        // Scoring B = 6: 6·108 + 2·36·2 + 2·36 = 648 + 144 + 72.
        assert_eq!(cost.learner_scoring, 864);
        assert_eq!(IterationCost::new(&layout, 3, 6, false).learner_scoring, 0);
    }
}
