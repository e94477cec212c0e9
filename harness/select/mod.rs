/*!
Selectors (SPEC §2): given a super-batch of B candidates, choose the b to learn from.

`uniform` draws b of the B without looking at them. `independent` scores each
candidate alone (s_i = A_ii) and takes the top b or samples them. `jest` samples
`n_chunks` chunks, each conditioned on the chunks already chosen. Sampling without
replacement with p ∝ exp(gain · s) is exact: Gumbel top-k over gain · s, which is
successive (Plackett–Luce) sampling and needs no exp of large numbers.

Selection runs on the host: only the chosen indices go back to the device.
*/

mod jest;

use rand::{Rng, RngCore};

pub use jest::{conditional_scores, Jest};

use crate::experiment::{IndependentMode, SelectorName, TrainSpec};
use crate::score::ScoreMatrix;

/// What a selector picked, as positions within the super-batch, in draw order.
#[derive(Clone, Debug, PartialEq)]
pub struct Selection {
    pub chosen: Vec<usize>,
    /// Per chunk, when tracing (`jest` only): the conditional scores it drew from.
    pub chunks: Vec<ChunkTrace>,
}

/// One chunk of a joint selection.
#[derive(Clone, Debug, PartialEq)]
pub struct ChunkTrace {
    /// The items this chunk drew.
    pub chosen: Vec<usize>,
    /// Each candidate's conditional score before the draw (NaN: already chosen).
    pub scores: Vec<f64>,
}

/// Chooses a learning batch from a super-batch.
pub trait Selector: Send {
    fn name(&self) -> &'static str;
    /// Whether the super-batch must be scored (learner and reference) first.
    fn needs_scores(&self) -> bool;
    /// Picks `batch` of `super_batch` candidates; `scores` is `Some` iff `needs_scores`.
    fn select(
        &mut self,
        scores: Option<&ScoreMatrix>,
        super_batch: usize,
        batch: usize,
        rng: &mut dyn RngCore,
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
        _: Option<&ScoreMatrix>,
        super_batch: usize,
        batch: usize,
        rng: &mut dyn RngCore,
    ) -> Selection {
        Selection {
            chosen: sample_without_replacement(rng, super_batch, batch),
            chunks: Vec::new(),
        }
    }
}

/// Independent prioritisation: s_i = A_ii, each example alone (no in-batch negatives).
pub struct Independent {
    pub mode: IndependentMode,
    pub gain: f64,
}

impl Selector for Independent {
    fn name(&self) -> &'static str {
        "independent"
    }

    fn needs_scores(&self) -> bool {
        true
    }

    fn select(
        &mut self,
        scores: Option<&ScoreMatrix>,
        _: usize,
        batch: usize,
        rng: &mut dyn RngCore,
    ) -> Selection {
        let a = scores.expect("independent selection needs scores");
        let s: Vec<f64> = (0..a.n).map(|i| a.get(i, i) as f64).collect();
        let candidates: Vec<usize> = (0..a.n).collect();
        let chosen = match self.mode {
            IndependentMode::Topk => top_k(&candidates, |i| s[i], batch),
            IndependentMode::Sample => gumbel_top_k(rng, &candidates, |i| self.gain * s[i], batch),
        };
        Selection {
            chosen,
            chunks: Vec::new(),
        }
    }
}

/// The selector a run's training spec names.
pub fn build(t: &TrainSpec) -> Box<dyn Selector> {
    named(t.selector, t.mode, t.n_chunks, t.gain, false)
}

/// A selector by name and settings; `trace` keeps JEST's per-chunk scores.
pub fn named(
    name: SelectorName,
    mode: IndependentMode,
    n_chunks: usize,
    gain: f64,
    trace: bool,
) -> Box<dyn Selector> {
    match name {
        SelectorName::Uniform => Box::new(Uniform),
        SelectorName::Independent => Box::new(Independent { mode, gain }),
        SelectorName::Jest => Box::new(Jest {
            n_chunks,
            gain,
            trace,
        }),
    }
}

/// k distinct indices of 0..n, uniformly (partial Fisher–Yates), in draw order.
pub fn sample_without_replacement(rng: &mut dyn RngCore, n: usize, k: usize) -> Vec<usize> {
    assert!(k <= n, "cannot draw {k} of {n} without replacement");
    let mut p: Vec<usize> = (0..n).collect();
    for i in 0..k {
        let j = rng.gen_range(i..n);
        p.swap(i, j);
    }
    p.truncate(k);
    p
}

/// The k candidates with the largest `key`, largest first (ties: lower index first).
pub fn top_k(candidates: &[usize], key: impl Fn(usize) -> f64, k: usize) -> Vec<usize> {
    let mut keyed: Vec<(f64, usize)> = candidates.iter().map(|&i| (key(i), i)).collect();
    let by_key = |x: &(f64, usize), y: &(f64, usize)| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1));
    if k < keyed.len() && k > 0 {
        keyed.select_nth_unstable_by(k - 1, by_key);
        keyed.truncate(k);
    }
    keyed.sort_unstable_by(by_key);
    keyed.into_iter().take(k).map(|(_, i)| i).collect()
}

/// A standard Gumbel variate, −ln(−ln U), U in (0, 1) (portable: libm).
fn gumbel(rng: &mut dyn RngCore) -> f64 {
    let u: f64 = rng.gen::<f64>().max(f64::MIN_POSITIVE);
    -libm::log(-libm::log(u))
}

/// k draws without replacement from `candidates` with p ∝ exp(logit): the top k of
/// logit + Gumbel noise, in draw order.
pub fn gumbel_top_k(
    rng: &mut dyn RngCore,
    candidates: &[usize],
    logit: impl Fn(usize) -> f64,
    k: usize,
) -> Vec<usize> {
    let noise: Vec<f64> = candidates.iter().map(|_| gumbel(rng)).collect();
    let keyed: Vec<f64> = candidates
        .iter()
        .zip(&noise)
        .map(|(&i, g)| logit(i) + g)
        .collect();
    let pos: Vec<usize> = (0..candidates.len()).collect();
    top_k(&pos, |p| keyed[p], k)
        .into_iter()
        .map(|p| candidates[p])
        .collect()
}

#[cfg(test)]
mod tests;
