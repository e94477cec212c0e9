//! Uniform sampling (docs/methods.md §2): b of the B candidates uniformly at random without
//! replacement; the super-batch is not scored. Every speed-up's baseline.

use rand::RngCore;

use super::{sample_without_replacement, Candidates, Registration, Selection, Selector};
use crate::method::Method;

pub const REGISTRATION: Registration = Registration {
    name: "uniform",
    methods: &[(Method::UNIFORM, None)],
    scores: false,
    needs_kinds: false,
    chunked: false,
    build: |_, _| Box::new(Uniform),
};

/// b of B uniformly at random without replacement (the super-batch is not scored).
pub struct Uniform;

impl Selector for Uniform {
    fn registration(&self) -> &'static Registration {
        &REGISTRATION
    }

    fn scored_entries(&self, _: usize, _: usize) -> u64 {
        0
    }

    fn select(&mut self, c: Candidates, batch: usize, rng: &mut dyn RngCore) -> Selection {
        Selection::plain(sample_without_replacement(rng, c.n, batch))
    }
}
