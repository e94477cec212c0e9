//! The learner's data stream: super-batches cut from seeded permutations of the pool.

use crate::data::rng;

/// An endless stream of super-batches: a seeded permutation of the pool per epoch,
/// cut into consecutive blocks of B (an epoch's tail shorter than B is skipped).
pub struct SuperBatchStream {
    order: Vec<usize>,
    pos: usize,
    rng: rand_chacha::ChaCha8Rng,
}

impl SuperBatchStream {
    pub fn new(pool: usize, seed: u64) -> Self {
        let mut rng = rng::chacha(seed, rng::stream::ORDER);
        let order = rng::permutation(&mut rng, pool);
        SuperBatchStream { order, pos: 0, rng }
    }

    /// The next B pool indices.
    pub fn next_block(&mut self, size: usize) -> &[usize] {
        if self.pos + size > self.order.len() {
            self.order = rng::permutation(&mut self.rng, self.order.len());
            self.pos = 0;
        }
        self.pos += size;
        &self.order[self.pos - size..self.pos]
    }
}
