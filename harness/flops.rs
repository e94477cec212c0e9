/*!
Every FLOP formula of the harness, in one place (docs/methods.md §2 "FLOP accounting", §5
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
    /// Each tower's first layer, (inputs, outputs): what a lower resolution shrinks.
    pub first: [(u64, u64); 2],
}

impl ModelCost {
    pub fn of(layout: &Layout) -> ModelCost {
        let first = |t: &[(crate::model::Slot, crate::model::Slot)]| {
            t.first()
                .map_or((0, 0), |(w, _)| (w.rows as u64, w.cols as u64))
        };
        ModelCost {
            per_example: dense_flops(
                layout
                    .tower_a
                    .iter()
                    .chain(&layout.tower_b)
                    .map(|(w, _)| (w.rows, w.cols)),
            ),
            embed: layout.embed as u64,
            first: [first(&layout.tower_a), first(&layout.tower_b)],
        }
    }

    /// F at resolution r (docs/methods.md §5 "Flexi-JEST"): each first layer takes ⌈d/r⌉
    /// inputs instead of d, and averaging the inputs costs d additions.
    pub fn per_example_at(&self, r: usize) -> u64 {
        if r <= 1 {
            return self.per_example;
        }
        let r = r as u64;
        self.first.iter().fold(self.per_example, |f, &(d, h)| {
            f - 2 * (d - d.div_ceil(r)) * h + d
        })
    }

    /// Summing each first layer's weight rows in groups of r: (d − ⌈d/r⌉)·h
    /// additions per tower, once per pass at that resolution.
    pub fn resize_overhead(&self, r: usize) -> u64 {
        if r <= 1 {
            return 0;
        }
        let r = r as u64;
        self.first
            .iter()
            .map(|&(d, h)| (d - d.div_ceil(r)) * h)
            .sum()
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
    /// Learner towers, forward and backward, on the learning batches (3·b·F a step
    /// at full resolution).
    pub train: u64,
    /// Learner towers forward over the super-batches to score them (B·F a step).
    pub learner_scoring: u64,
    /// The pair work: every score-matrix entry the selector asked for (each model's
    /// dot product, scale and shift, pair loss, and A's combination) and the
    /// training batch's b×b logits and losses. Absent from the paper's accounting;
    /// with small towers it dominates.
    pub pairs: u64,
    /// The paper's accounting (docs/methods.md §5): learner towers only, with a scoring
    /// forward reused for the items trained at its resolution — F(B + 2b) a JEST
    /// step, 3Fb a uniform one.
    pub paper: u64,
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
        self.paper += it.paper;
        self.reference_scoring_uncached += it.reference_scoring_uncached;
    }

    /// What this run executed: learner towers, pairs, the reference's pool pass.
    pub fn executed(&self) -> u64 {
        self.train + self.learner_scoring + self.pairs + self.reference_embedding
    }
}

/// Which models score a super-batch, and how many of A's entries are asked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Scoring {
    pub learner: bool,
    pub reference: bool,
    pub entries: u64,
}

/// Resolutions of an iteration (Flexi-JEST): the learner scores at
/// `score_resolution`; `low_items` of the batch train at `resolution`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resolutions {
    pub resolution: usize,
    pub score_resolution: usize,
    pub low_items: usize,
}

impl Default for Resolutions {
    fn default() -> Self {
        Resolutions {
            resolution: 1,
            score_resolution: 1,
            low_items: 0,
        }
    }
}

/// What one training iteration of a configuration costs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IterationCost {
    pub train: u64,
    pub learner_scoring: u64,
    pub pairs: u64,
    pub paper: u64,
    pub reference_scoring_uncached: u64,
}

impl IterationCost {
    /// A learning batch of b from a super-batch of B, scored as `scoring` says (a
    /// uniform run scores nothing), at the resolutions `res`.
    pub fn new(
        model: &ModelCost,
        batch: usize,
        super_batch: usize,
        scoring: Scoring,
        res: Resolutions,
    ) -> Self {
        let low = res.low_items.min(batch);
        let (f_full, f_low) = (model.per_example, model.per_example_at(res.resolution));
        // Training: forward and backward of the towers at each item's resolution
        // (the weight sums forward, their gradient scattered back: twice).
        let tower_work = low as u64 * f_low + (batch - low) as u64 * f_full;
        let train = 3 * tower_work
            + if low > 0 {
                2 * model.resize_overhead(res.resolution)
            } else {
                0
            };
        let (_, train_pairs) = model.train_step(batch);
        let models = u64::from(scoring.learner) + u64::from(scoring.reference);
        let per_entry = models * model.pair_entry() + models.saturating_sub(1);
        let f_score = model.per_example_at(res.score_resolution);
        let learner_scoring = if scoring.learner {
            super_batch as u64 * f_score + model.resize_overhead(res.score_resolution)
        } else {
            0
        };
        // The paper reuses a scoring forward for the items trained at its resolution.
        let paper = if scoring.learner {
            let reused = |r: usize| if r == res.score_resolution { 2 } else { 3 };
            super_batch as u64 * f_score
                + low as u64 * reused(res.resolution) * f_low
                + (batch - low) as u64 * reused(1) * f_full
        } else {
            3 * tower_work
        };
        IterationCost {
            train,
            learner_scoring,
            pairs: train_pairs + scoring.entries * per_entry,
            paper,
            reference_scoring_uncached: if scoring.reference {
                model.towers(super_batch)
            } else {
                0
            },
        }
    }

    /// What the harness executes per iteration (cached reference embeddings).
    pub fn executed(&self) -> u64 {
        self.train + self.learner_scoring + self.pairs
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

/// A least-squares solve on the normal equations of an n×k matrix with `out`
/// right-hand sides: the lower half of AᵀA (n·k² + n·k), column scaling (k²), the
/// right-hand side AᵀY (2·n·k·out), Cholesky (k³/3) and two triangular solves
/// (2·k²·out).
pub fn normal_equations_solve(n: usize, k: usize, out: usize) -> u64 {
    let (n, k, out) = (n as u64, k as u64, out as u64);
    n * k * k + n * k + k * k + 2 * n * k * out + k * k * k / 3 + 2 * k * k * out
}

/// The stacked gradient equations of a one-layer Hamiltonian network on n states of
/// dimension d with k neurons: pre-activations (2·n·d·k + n·k), tanh' (3·n·k), and
/// the n·d × k matrix (n·d·k).
pub fn hamiltonian_design(n: usize, d: usize, k: usize) -> u64 {
    let (n, d, k) = (n as u64, d as u64, k as u64);
    2 * n * d * k + n * k + 3 * n * k + n * d * k
}

/// One state's forward gradient loss through a one-layer Hamiltonian network:
/// pre-activations (2·d·k + k), tanh and its derivative times w (4·k), the gradient
/// (2·k·d), the squared error (3·d).
pub fn hamiltonian_gradient(d: usize, k: usize) -> u64 {
    let (d, k) = (d as u64, k as u64);
    2 * d * k + k + 4 * k + 2 * k * d + 3 * d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ModelSpec;

    #[test]
    fn swim_formulas_by_hand() {
        // n = 10, k = 3, one output: 90 + 30 + 9 + 60 + 9 + 18.
        assert_eq!(normal_equations_solve(10, 3, 1), 216);
        // n = 5, d = 2, k = 4: 80 + 20 + 60 + 40.
        assert_eq!(hamiltonian_design(5, 2, 4), 200);
        // d = 2, k = 4: 16 + 4 + 16 + 16 + 6.
        assert_eq!(hamiltonian_gradient(2, 4), 58);
    }

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
        let it = IterationCost::new(&m, b, big_b, scoring, Resolutions::default());
        assert_eq!(it.learner_scoring, 6 * 108);
        assert_eq!(it.paper, 108 * (6 + 2 * 3));
        // Pairs: training 243, scoring 30 entries × (2 models × 9 + 1 combination).
        assert_eq!(it.pairs, 243 + 30 * 19);
        assert_eq!(it.reference_scoring_uncached, 6 * 108);
        assert_eq!(it.executed(), 972 + 648 + 243 + 570);
        // Uniform: 3·F·b in the paper's accounting; its b×b pairs are executed.
        let u = IterationCost::new(&m, b, big_b, Scoring::default(), Resolutions::default());
        assert_eq!(u.paper, 3 * 108 * 3);
        assert_eq!(u.executed(), 972 + 243);
        // The paper's ratio at b = 64, B = 320 (f = 0.8) is 2.33x whatever F is.
        let (b, big_b) = (64usize, 320usize);
        let j = IterationCost::new(&m, b, big_b, scoring, Resolutions::default());
        let u = IterationCost::new(&m, b, big_b, Scoring::default(), Resolutions::default());
        assert!((j.paper as f64 / u.paper as f64 - 448.0 / 192.0).abs() < 1e-12);
    }

    #[test]
    fn flops_at_lower_resolutions_by_hand() {
        let m = tiny();
        // First layers 3 → 4 (A) and 5 → 4 (B). At r = 2: 2 and 3 inputs, saving
        // 2·(3−2)·4 + 2·(5−3)·4 = 24 multiply-add FLOPs, adding 3 + 5 to average.
        assert_eq!(m.per_example_at(2), 108 - 24 + 8);
        // r = 4: 1 and 2 inputs: saving 2·2·4 + 2·3·4 = 40.
        assert_eq!(m.per_example_at(4), 108 - 40 + 8);
        // Tower A: 3 → ⌈3/2⌉ = 2 rows (one addition per output); B: 5 → 3 (two).
        assert_eq!(m.resize_overhead(2), 4 + 2 * 4);
        assert_eq!(m.per_example_at(1), 108);
        // Flexi-JEST at r = 2: scoring B = 6 at low resolution, 2 of b = 4 trained
        // low. Executed towers: scoring 6·F₂ + the weight sums; training
        // 3·(2·F₂ + 2·F) + twice the sums. Paper: the low items reuse the scoring
        // forward (2·F₂ each), the full ones do not (3·F each).
        let (f, f2, o) = (108, 92, 12);
        let res = Resolutions {
            resolution: 2,
            score_resolution: 2,
            low_items: 2,
        };
        let scoring = Scoring {
            learner: true,
            reference: true,
            entries: 0,
        };
        let it = IterationCost::new(&m, 4, 6, scoring, res);
        assert_eq!(it.learner_scoring, 6 * f2 + o);
        assert_eq!(it.train, 3 * (2 * f2 + 2 * f) + 2 * o);
        assert_eq!(it.paper, 6 * f2 + 2 * 2 * f2 + 2 * 3 * f);
        // Scoring at low resolution with no low-resolution training: no reuse at all.
        let it = IterationCost::new(
            &m,
            4,
            6,
            scoring,
            Resolutions {
                low_items: 0,
                ..res
            },
        );
        assert_eq!(it.paper, 6 * f2 + 4 * 3 * f);
        assert_eq!(it.train, 3 * 4 * f);
    }
}
