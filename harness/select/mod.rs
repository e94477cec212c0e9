/*!
Selectors (docs/methods.md §2, §5): given a super-batch of B candidates, choose the b to learn
from.

`uniform` draws b of the B without looking at them. `independent` scores each
candidate alone (s_i = A_ii) and takes the top b or samples them. `jest` samples
`n_chunks` chunks, each conditioned on the chunks already chosen. `oracle` knows
which candidates the benchmark corrupted and draws from the clean ones: the ceiling
of any filter on that pool. Sampling without replacement with p ∝ exp(gain · s) is
exact: Gumbel top-k over gain · s, which is successive (Plackett–Luce) sampling and
needs no exp of large numbers.

Selection runs on the host over [`Candidates`]: scores through `score::Scores`
(only the entries a selector asks for are computed), and each candidate's kind
where the pool's kinds are known.
*/

mod embeddings;
mod registry;

/// Every selector: its module, which defines `REGISTRATION` (what a selector
/// provides, [`Registration`]). A new selector is a module and one line here.
macro_rules! selectors {
    ($($module:ident),* $(,)?) => {
        $(mod $module;)*
        /// Every registered selector, in the order words and tables list them.
        pub const SELECTORS: &[Registration] = &[$($module::REGISTRATION),*];
    };
}

selectors! {
    uniform,
    independent,
    jest,
    oracle,
}

use rand::{Rng, RngCore};

pub use embeddings::{
    check_memory, check_score_memory, choose, score_bytes, Choice, ChoiceError, Embeddings,
    OwnedEmbeddings, PairModel,
};
pub use independent::Independent;
pub use jest::{conditional_scores, Jest};
pub use oracle::Oracle;
pub use registry::{IndependentMode, Registration, SelectorName, SelectorWord, Settings};
pub use uniform::Uniform;

use crate::data::PairKind;
use crate::method::{Family, Method};
use crate::score::Scores;

/// What a selector picked, as positions within the super-batch, in draw order.
#[derive(Clone, Debug, PartialEq)]
pub struct Selection {
    pub chosen: Vec<usize>,
    /// Per chunk, when tracing (`jest` only): the conditional scores it drew from.
    pub chunks: Vec<ChunkTrace>,
}

impl Selection {
    fn plain(chosen: Vec<usize>) -> Selection {
        Selection {
            chosen,
            chunks: Vec::new(),
        }
    }
}

/// One chunk of a joint selection.
#[derive(Clone, Debug, PartialEq)]
pub struct ChunkTrace {
    /// The items this chunk drew.
    pub chosen: Vec<usize>,
    /// Each candidate's conditional score before the draw (NaN: already chosen).
    pub scores: Vec<f64>,
}

/// A super-batch as a selector sees it.
#[derive(Clone, Copy)]
pub struct Candidates<'a> {
    /// B.
    pub n: usize,
    /// A, when the selector scores (`needs_scores`).
    pub scores: Option<&'a dyn Scores>,
    /// What the benchmark did to each candidate, when known.
    pub kinds: Option<&'a [PairKind]>,
}

impl<'a> Candidates<'a> {
    /// Candidates known only by count.
    pub fn unscored(n: usize) -> Candidates<'a> {
        Candidates {
            n,
            scores: None,
            kinds: None,
        }
    }

    /// Candidates with their scores.
    pub fn scored(scores: &'a dyn Scores) -> Candidates<'a> {
        Candidates {
            n: scores.len(),
            scores: Some(scores),
            kinds: None,
        }
    }

    fn scores(&self, who: &str) -> &'a dyn Scores {
        self.scores
            .unwrap_or_else(|| panic!("{who} selection needs scores"))
    }
}

/// Chooses a learning batch from a super-batch.
pub trait Selector: Send {
    /// Its module's registration: its name, and whether it scores.
    fn registration(&self) -> &'static Registration;
    fn name(&self) -> &'static str {
        self.registration().name
    }
    /// Whether the super-batch must be scored (learner and reference) first.
    fn needs_scores(&self) -> bool {
        self.registration().scores
    }
    /// How many entries of A the selector asks for on n candidates and a batch of
    /// b (the executed FLOP accounting counts them).
    fn scored_entries(&self, n: usize, b: usize) -> u64;
    /// Picks `batch` of the candidates; `c.scores` is `Some` iff `needs_scores`.
    fn select(&mut self, c: Candidates, batch: usize, rng: &mut dyn RngCore) -> Selection;
}

/// The selector its settings name.
pub fn build(s: &Settings) -> Box<dyn Selector> {
    (s.selector.registration().build)(s, false)
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

/// A standard Gumbel variate, −ln(−ln U), U in (0, 1).
fn gumbel(rng: &mut dyn RngCore) -> f64 {
    gumbel_of(rng.gen::<f64>())
}

/// The Gumbel variate −ln(−ln u) of a uniform draw u in [0, 1) (u = 0 is read as
/// the smallest positive double): how every selector turns its draws into noise.
pub fn gumbel_of(u: f64) -> f64 {
    let u = u.max(f64::MIN_POSITIVE);
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
    gumbel_top_k_with(candidates, logit, k, |_| gumbel(rng))
}

/// [`gumbel_top_k`] with each candidate's noise from `noise(candidate)`, asked
/// once per candidate in `candidates`' order before any key is formed.
pub fn gumbel_top_k_with(
    candidates: &[usize],
    logit: impl Fn(usize) -> f64,
    k: usize,
    mut noise: impl FnMut(usize) -> f64,
) -> Vec<usize> {
    let noise: Vec<f64> = candidates.iter().map(|&i| noise(i)).collect();
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

/// JEST's family (data selection), and the methods the analysis names by role:
/// uniform, the baseline; independent prioritisation and JEST, the claims'
/// subjects; the oracle, the ceiling. A selector the analysis does not single out
/// defines its method in its own module ([`registry`] lists every selector).
impl Family {
    pub const JEST: Family = Family::new("jest");
}

impl Method {
    pub const UNIFORM: Method = Method::new(0, "uniform", Family::JEST);
    pub const INDEPENDENT_TOPK: Method = Method::new(1, "independent_topk", Family::JEST);
    pub const INDEPENDENT_SAMPLE: Method = Method::new(2, "independent_sample", Family::JEST);
    pub const JEST: Method = Method::new(3, "jest", Family::JEST);
    pub const ORACLE: Method = Method::new(4, "oracle", Family::JEST);

    pub fn is_independent(self) -> bool {
        self == Method::INDEPENDENT_TOPK || self == Method::INDEPENDENT_SAMPLE
    }
}

/// Every selector's method (JEST's family's methods), in table order.
pub fn methods() -> Vec<Method> {
    let mut all: Vec<Method> = SELECTORS
        .iter()
        .flat_map(|r| r.methods.iter().map(|m| m.0))
        .collect();
    all.sort();
    all
}

#[cfg(test)]
mod tests;
