/*!
Selectors (SPEC §2): given a super-batch of B candidates, choose the b to learn from.

`uniform` draws b of the B without looking at them. Scoring selectors (independent,
jest) receive the super-batch's score matrix. Selection runs on the host: only the
chosen indices go back to the device.
*/

use rand::Rng;

use crate::spec::SelectorName;

/// What a selector picked, as positions within the super-batch.
#[derive(Clone, Debug, PartialEq)]
pub struct Selection {
    pub chosen: Vec<usize>,
}

/// Chooses a learning batch from a super-batch.
pub trait Selector: Send {
    fn name(&self) -> &'static str;
    /// Whether the super-batch must be scored (learner and reference) first.
    fn needs_scores(&self) -> bool;
    /// Picks `batch` of `super_batch` candidates.
    fn select(
        &mut self,
        super_batch: usize,
        batch: usize,
        rng: &mut dyn rand::RngCore,
    ) -> Selection;
}

/// b of B uniformly at random without replacement (the super-batch is not scored).
pub struct Uniform;

impl Selector for Uniform {
    fn name(&self) -> &'static str {
        "uniform"
    }

    fn needs_scores(&self) -> bool {
        false
    }

    fn select(
        &mut self,
        super_batch: usize,
        batch: usize,
        rng: &mut dyn rand::RngCore,
    ) -> Selection {
        Selection {
            chosen: sample_without_replacement(rng, super_batch, batch),
        }
    }
}

/// The selector a config names.
pub fn build(name: SelectorName) -> Box<dyn Selector> {
    match name {
        SelectorName::Uniform => Box::new(Uniform),
    }
}

/// k distinct indices of 0..n, uniformly (partial Fisher–Yates), in draw order.
pub fn sample_without_replacement(rng: &mut dyn rand::RngCore, n: usize, k: usize) -> Vec<usize> {
    assert!(k <= n, "cannot draw {k} of {n} without replacement");
    let mut p: Vec<usize> = (0..n).collect();
    for i in 0..k {
        let j = rng.gen_range(i..n);
        p.swap(i, j);
    }
    p.truncate(k);
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::rng::chacha;

    #[test]
    fn uniform_draws_distinct_and_covers_evenly() {
        let mut rng = chacha(5, 0);
        let mut counts = [0usize; 10];
        for _ in 0..20_000 {
            let s = Uniform.select(10, 3, &mut rng);
            let mut c = s.chosen.clone();
            c.sort_unstable();
            c.dedup();
            assert_eq!(c.len(), 3);
            for i in s.chosen {
                counts[i] += 1;
            }
        }
        // Each item is chosen with probability 3/10: 6000 expected, sd ≈ 65.
        for c in counts {
            assert!((c as f64 - 6000.0).abs() < 400.0, "{counts:?}");
        }
    }
}
