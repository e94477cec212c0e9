//! The oracle (docs/methods.md §5 "Selection diagnostics"): a benchmark knows which pool items
//! it corrupted. The oracle draws its b uniformly from the clean candidates of each
//! super-batch; when fewer than b are clean it takes every clean one and fills the
//! rest uniformly from the others — what a perfect filter would keep. The ceiling
//! of any filter on that pool.

use rand::RngCore;

use super::{sample_without_replacement, Candidates, Registration, Selection, Selector};
use crate::data::PairKind;
use crate::method::Method;

pub const REGISTRATION: Registration = Registration {
    name: "oracle",
    methods: &[(Method::ORACLE, None)],
    scores: false,
    needs_kinds: true,
    chunked: false,
    build: |_, _| Box::new(Oracle),
};

pub struct Oracle;

impl Selector for Oracle {
    fn registration(&self) -> &'static Registration {
        &REGISTRATION
    }

    fn scored_entries(&self, _: usize, _: usize) -> u64 {
        0
    }

    fn select(&mut self, c: Candidates, batch: usize, rng: &mut dyn RngCore) -> Selection {
        let kinds = c
            .kinds
            .expect("the oracle needs the pool's kinds (validated before a run starts)");
        let (clean, other): (Vec<usize>, Vec<usize>) =
            (0..c.n).partition(|&i| kinds[i] == PairKind::Clean);
        let pick = |from: &[usize], k: usize, rng: &mut dyn RngCore| -> Vec<usize> {
            sample_without_replacement(rng, from.len(), k)
                .into_iter()
                .map(|p| from[p])
                .collect()
        };
        let chosen = if clean.len() >= batch {
            pick(&clean, batch, rng)
        } else {
            let mut all = pick(&clean, clean.len(), rng);
            all.extend(pick(&other, batch - clean.len(), rng));
            all
        };
        Selection::plain(chosen)
    }
}
