//! Independent prioritisation (docs/methods.md §2): each candidate scored alone, s_i = A_ii
//! (no in-batch negatives), and the b highest taken (`topk`, as RHO-LOSS) or b
//! drawn without replacement with p ∝ exp(gain · s_i) (`sample`).

use rand::RngCore;

use super::{
    gumbel_top_k, top_k, Candidates, IndependentMode, Registration, Selection, Selector,
};
use crate::method::Method;

pub const REGISTRATION: Registration = Registration {
    name: "independent",
    methods: &[
        (Method::INDEPENDENT_TOPK, Some(IndependentMode::Topk)),
        (Method::INDEPENDENT_SAMPLE, Some(IndependentMode::Sample)),
    ],
    scores: true,
    needs_kinds: false,
    chunked: false,
    build: |s, _| {
        Box::new(Independent {
            mode: s.mode,
            gain: s.gain,
        })
    },
};

/// Independent prioritisation: s_i = A_ii, each example alone (no in-batch negatives).
pub struct Independent {
    pub mode: IndependentMode,
    pub gain: f64,
}

impl Selector for Independent {
    fn registration(&self) -> &'static Registration {
        &REGISTRATION
    }

    fn scored_entries(&self, n: usize, _: usize) -> u64 {
        n as u64
    }

    fn select(&mut self, c: Candidates, batch: usize, rng: &mut dyn RngCore) -> Selection {
        let s: Vec<f64> = c
            .scores("independent")
            .diagonal()
            .into_iter()
            .map(f64::from)
            .collect();
        let candidates: Vec<usize> = (0..c.n).collect();
        Selection::plain(match self.mode {
            IndependentMode::Topk => top_k(&candidates, |i| s[i], batch),
            IndependentMode::Sample => gumbel_top_k(rng, &candidates, |i| self.gain * s[i], batch),
        })
    }
}
