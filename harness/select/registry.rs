//! What a selector provides ([`Registration`]), and its names: as a configuration
//! records it ([`SelectorName`] with [`IndependentMode`]) and as a user writes it
//! ([`SelectorWord`]: the names the results' `method` column and the reports use,
//! `uniform`, `independent_topk`, `independent_sample`, `jest`, `oracle`, and the
//! older spelling `independent` with `train.mode`, which still reads so every
//! committed file keeps its meaning; a run's configuration is serialised as
//! `selector` + `mode` whichever way it was written, so its hash, and so its run
//! id, does not depend on the spelling).
//!
//! Adding a selector is a module that defines a `REGISTRATION` and one line in
//! `select::selectors!`; every name, word, method and check below is read from
//! the registrations.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::{Selector, SELECTORS};
use crate::method::Method;

/// What a selector's module provides, so that experiment files, the CLI, the
/// training loop, the results and the analysis know it.
pub struct Registration {
    /// Its name in a configuration (`train.selector`), which a run's hash covers.
    pub name: &'static str,
    /// The results' method its runs write, with the independent-prioritisation
    /// mode that method implies (`None`: any mode, one method). A method's name
    /// is also a word files and `--selector` accept.
    pub methods: &'static [(Method, Option<IndependentMode>)],
    /// Whether the super-batch must be scored (learner and reference) first.
    pub scores: bool,
    /// Whether it must know which candidates the benchmark corrupted (a
    /// synthetic pool's kinds; embeddings from files do not say).
    pub needs_kinds: bool,
    /// Whether it draws b in `n_chunks` equal chunks (b must divide).
    pub chunked: bool,
    /// Builds it; `trace` keeps per-chunk scores where it has any.
    pub build: fn(&Settings, bool) -> Box<dyn Selector>,
}

impl Registration {
    /// The results' method of a run with this independent-prioritisation mode.
    pub fn method(&self, mode: IndependentMode) -> Method {
        self.methods
            .iter()
            .find(|(_, m)| *m == Some(mode))
            .unwrap_or(&self.methods[0])
            .0
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

impl IndependentMode {
    fn as_str(self) -> &'static str {
        match self {
            IndependentMode::Topk => "topk",
            IndependentMode::Sample => "sample",
        }
    }
}

/// How examples are chosen each iteration (docs/methods.md §2 "Selectors"), as a
/// configuration records it (with `mode` for independent prioritisation); files
/// name it by [`SelectorWord`].
#[derive(Clone, Copy)]
pub struct SelectorName(&'static Registration);

impl SelectorName {
    /// b examples drawn uniformly from the super-batch, which is not scored.
    pub const UNIFORM: SelectorName = SelectorName(&super::uniform::REGISTRATION);
    /// Joint example selection: chunks sampled on conditional learnability.
    pub const JEST: SelectorName = SelectorName(&super::jest::REGISTRATION);

    /// Every registered selector, in registration order.
    pub fn all() -> impl Iterator<Item = SelectorName> {
        SELECTORS.iter().map(SelectorName)
    }

    pub fn as_str(self) -> &'static str {
        self.0.name
    }

    pub fn registration(self) -> &'static Registration {
        self.0
    }

    /// Whether the super-batch must be scored by learner and reference.
    pub fn scores(self) -> bool {
        self.0.scores
    }

    /// The results' method of a run with this selector and mode.
    pub fn method(self, mode: IndependentMode) -> Method {
        self.0.method(mode)
    }
}

impl PartialEq for SelectorName {
    fn eq(&self, other: &Self) -> bool {
        self.0.name == other.0.name
    }
}

impl Eq for SelectorName {}

impl std::fmt::Debug for SelectorName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SelectorName({})", self.0.name)
    }
}

impl Serialize for SelectorName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.name)
    }
}

/// A selector as a user writes it (`train.selector`, `--selector`): a method's
/// name, which may imply a mode, or a registered selector's name.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SelectorWord {
    word: &'static str,
    selector: SelectorName,
    implies: Option<IndependentMode>,
}

impl SelectorWord {
    /// Every word, methods' names first (registration order), then selectors'
    /// names that are not also a method's.
    pub fn all() -> &'static [SelectorWord] {
        static WORDS: OnceLock<Vec<SelectorWord>> = OnceLock::new();
        WORDS.get_or_init(|| {
            let mut w: Vec<SelectorWord> = Vec::new();
            for s in SelectorName::all() {
                for &(m, implies) in s.0.methods {
                    w.push(SelectorWord {
                        word: m.as_str(),
                        selector: s,
                        implies,
                    });
                }
            }
            for s in SelectorName::all() {
                if !w.iter().any(|x| x.word == s.0.name) {
                    w.push(SelectorWord {
                        word: s.0.name,
                        selector: s,
                        implies: None,
                    });
                }
            }
            w
        })
    }

    /// The word `s`, if it is one.
    pub fn find(s: &str) -> Option<SelectorWord> {
        SelectorWord::all().iter().copied().find(|w| w.word == s)
    }

    fn names() -> &'static [&'static str] {
        static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
        NAMES.get_or_init(|| SelectorWord::all().iter().map(|w| w.word).collect())
    }

    /// The selector and independent prioritisation's mode this word names, given
    /// the `mode` written beside it (if any). A name that says its mode and a
    /// `mode` that says the other is refused rather than resolved silently.
    pub fn resolve(
        self,
        mode: Option<IndependentMode>,
    ) -> Result<(SelectorName, IndependentMode), String> {
        if let (Some(n), Some(m)) = (self.implies, mode) {
            if n != m {
                return Err(format!(
                    "selector `{}` contradicts `mode: {}`: the name says the mode, so drop `mode` (or write the other name)",
                    self.word,
                    m.as_str()
                ));
            }
        }
        let mode = self.implies.or(mode).unwrap_or(IndependentMode::Topk);
        Ok((self.selector, mode))
    }

    pub fn as_str(self) -> &'static str {
        self.word
    }
}

/// Read as serde reads an enum's name, inside the visitor, so that the YAML
/// reader places an unknown word at its line and key.
impl<'de> Deserialize<'de> for SelectorWord {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Word;
        impl serde::de::Visitor<'_> for Word {
            type Value = SelectorWord;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                write!(f, "one of {}", SelectorWord::names().join(", "))
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<SelectorWord, E> {
                SelectorWord::find(s).ok_or_else(|| E::unknown_variant(s, SelectorWord::names()))
            }
        }
        d.deserialize_str(Word)
    }
}

/// A selector's settings (the `train` keys that choose it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    pub selector: SelectorName,
    /// Independent prioritisation: top-k or sampled.
    pub mode: IndependentMode,
    /// Chunked selectors (`jest`): the number of chunks.
    pub n_chunks: usize,
    /// Inverse temperature of the sampling distributions, p ∝ exp(gain · score).
    pub gain: f64,
}
