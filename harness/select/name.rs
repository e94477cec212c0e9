//! Selectors' names: as a configuration records them ([`SelectorName`] with
//! [`IndependentMode`]) and as a user writes them ([`SelectorWord`]: the names the
//! results' `method` column and the reports use, `uniform`, `independent_topk`,
//! `independent_sample`, `jest`, `oracle`, and the older spelling `independent` with
//! `train.mode`, which still reads so every committed file keeps its meaning; a
//! run's configuration is serialised as `selector` + `mode` whichever way it was
//! written, so its hash, and so its run id, does not depend on the spelling).

use serde::{Deserialize, Serialize};

/// How examples are chosen each iteration (SPEC §2 "Selectors"), as a
/// configuration records it (with `mode` for independent prioritisation); files
/// name it by [`SelectorWord`].
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum SelectorName {
    /// b examples drawn uniformly from the super-batch, which is not scored.
    Uniform,
    /// Each example scored alone (s_i = A_ii); top-k or sampled (`train.mode`).
    Independent,
    /// Joint example selection: chunks sampled on conditional learnability.
    Jest,
    /// b drawn uniformly from the super-batch's clean items (SPEC §5): the ceiling
    /// of any filter, known only to a benchmark.
    Oracle,
}

impl SelectorName {
    pub fn as_str(self) -> &'static str {
        match self {
            SelectorName::Uniform => "uniform",
            SelectorName::Independent => "independent",
            SelectorName::Jest => "jest",
            SelectorName::Oracle => "oracle",
        }
    }

    /// Whether the super-batch must be scored by learner and reference.
    pub fn scores(self) -> bool {
        matches!(self, SelectorName::Independent | SelectorName::Jest)
    }
}

/// Independent prioritisation's rule.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum IndependentMode {
    /// The b highest scores (as RHO-LOSS).
    Topk,
    /// b draws without replacement, p ∝ exp(gain · s_i).
    Sample,
}

/// A selector as a user writes it (`train.selector`, `--selector`).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SelectorWord {
    Uniform,
    IndependentTopk,
    IndependentSample,
    Jest,
    Oracle,
    /// The older spelling: independent prioritisation with `train.mode` (top-k by default).
    Independent,
}

impl SelectorWord {
    /// The selector and independent prioritisation's mode this word names, given
    /// the `mode` written beside it (if any). A name that says its mode and a
    /// `mode` that says the other is refused rather than resolved silently.
    pub fn resolve(
        self,
        mode: Option<IndependentMode>,
    ) -> Result<(SelectorName, IndependentMode), String> {
        let named = match self {
            SelectorWord::IndependentTopk => Some(IndependentMode::Topk),
            SelectorWord::IndependentSample => Some(IndependentMode::Sample),
            _ => None,
        };
        if let (Some(n), Some(m)) = (named, mode) {
            if n != m {
                return Err(format!(
                    "selector `{}` contradicts `mode: {}`: the name says the mode, so drop `mode` (or write the other name)",
                    self.as_str(),
                    mode_str(m)
                ));
            }
        }
        let mode = named.or(mode).unwrap_or(IndependentMode::Topk);
        let name = match self {
            SelectorWord::Uniform => SelectorName::Uniform,
            SelectorWord::IndependentTopk
            | SelectorWord::IndependentSample
            | SelectorWord::Independent => SelectorName::Independent,
            SelectorWord::Jest => SelectorName::Jest,
            SelectorWord::Oracle => SelectorName::Oracle,
        };
        Ok((name, mode))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SelectorWord::Uniform => "uniform",
            SelectorWord::IndependentTopk => "independent_topk",
            SelectorWord::IndependentSample => "independent_sample",
            SelectorWord::Jest => "jest",
            SelectorWord::Oracle => "oracle",
            SelectorWord::Independent => "independent",
        }
    }
}

fn mode_str(m: IndependentMode) -> &'static str {
    match m {
        IndependentMode::Topk => "topk",
        IndependentMode::Sample => "sample",
    }
}

/// A selector's settings (the `train` keys that choose it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    pub selector: SelectorName,
    /// Independent prioritisation: top-k or sampled.
    pub mode: IndependentMode,
    /// `jest`: number of chunks.
    pub n_chunks: usize,
    /// Inverse temperature of the sampling distributions, p ∝ exp(gain · score).
    pub gain: f64,
}
