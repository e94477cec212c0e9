//! Selection on one super-batch given as embeddings: the path `jestbench select`
//! and the Python package share, so both choose the same items from the same
//! inputs and seed. Row i of each matrix is candidate i; logits are
//! t·⟨a_i, b_j⟩ + c with each model's t and c (rows are used as given).

use super::Settings;
use crate::data::noise::PairKind;
use crate::data::{rng, Matrix};
use crate::score::Scoring;
use crate::score::{combine_host, needs, pair_losses_host, ScoreMatrix};

use super::{Candidates, Selection};

/// One model's sigmoid pair loss: temperature t (not its log) and bias c.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairModel {
    pub temperature: f64,
    pub bias: f64,
}

impl Default for PairModel {
    /// The paper's initialisation, t = 10, c = −10.
    fn default() -> Self {
        PairModel {
            temperature: 10.0,
            bias: -10.0,
        }
    }
}

/// A super-batch's embeddings: the learner's views A and B, the reference's if the
/// scoring rule reads them.
pub struct Embeddings<'a> {
    pub learner: (&'a Matrix, &'a Matrix),
    pub reference: Option<(&'a Matrix, &'a Matrix)>,
    pub learner_model: PairModel,
    pub reference_model: PairModel,
}

/// Which selector, with its settings.
#[derive(Clone, Copy, Debug)]
pub struct Choice {
    pub settings: Settings,
    pub scoring: Scoring,
    /// The learning batch size b.
    pub b: usize,
    pub seed: u64,
    /// Keep JEST's per-chunk conditional scores.
    pub trace: bool,
}

impl Embeddings<'_> {
    /// B, the candidates.
    pub fn len(&self) -> usize {
        self.learner.0.rows
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every matrix holds the same B rows, each model's two views share a width,
    /// and every entry and model setting is finite. The message names the
    /// argument (`learner_b`, `reference_temperature`, …) and what was expected.
    pub fn check(&self) -> Result<(), String> {
        let (la, lb) = self.learner;
        let n = la.rows;
        let mut views = vec![("learner_a", la), ("learner_b", lb)];
        if let Some((ra, rb)) = self.reference {
            views.push(("reference_a", ra));
            views.push(("reference_b", rb));
        }
        for (name, m) in &views {
            if m.rows != n {
                return Err(format!(
                    "{name}: {} rows, but learner_a has {n}: every array holds the same B candidates",
                    m.rows
                ));
            }
            if let Some(k) = m.data.iter().position(|x| !x.is_finite()) {
                return Err(format!(
                    "{name}: entry [{}, {}] is {}: embeddings must be finite",
                    k / m.cols.max(1),
                    k % m.cols.max(1),
                    m.data[k]
                ));
            }
        }
        if lb.cols != la.cols {
            return Err(format!(
                "learner_b: width {}, but learner_a has {}: a model's two views embed to one width",
                lb.cols, la.cols
            ));
        }
        if let Some((ra, rb)) = self.reference {
            if rb.cols != ra.cols {
                return Err(format!(
                    "reference_b: width {}, but reference_a has {}: a model's two views embed to one width",
                    rb.cols, ra.cols
                ));
            }
        }
        for (name, m) in [
            ("learner", self.learner_model),
            ("reference", self.reference_model),
        ] {
            if !(m.temperature.is_finite() && m.temperature > 0.0) {
                return Err(format!(
                    "{name}_temperature {}: must be a positive number",
                    m.temperature
                ));
            }
            if !m.bias.is_finite() {
                return Err(format!("{name}_bias {}: must be finite", m.bias));
            }
        }
        Ok(())
    }

    /// The score matrix A (B×B, row-major) under `scoring`: L − R, L or −R, each
    /// pair loss −log σ(z_ij (t⟨a_i, b_j⟩ + c)) summed in f64. Fails when the rule
    /// needs the reference's embeddings and none were given.
    pub fn scores(&self, scoring: Scoring) -> Result<ScoreMatrix, String> {
        self.check()?;
        let n = self.len();
        check_score_memory(n)?;
        let (needs_l, needs_r) = needs(scoring);
        let learner = if needs_l {
            let (a, b) = self.learner;
            pair_losses_host(
                a,
                b,
                self.learner_model.temperature,
                self.learner_model.bias,
            )
        } else {
            vec![0.0; n * n]
        };
        let reference = match (needs_r, self.reference) {
            (false, _) => vec![0.0; n * n],
            (true, Some((a, b))) => pair_losses_host(
                a,
                b,
                self.reference_model.temperature,
                self.reference_model.bias,
            ),
            (true, None) => {
                return Err(format!(
                    "scoring `{}` needs the reference's embeddings (reference_a and reference_b)",
                    scoring.as_str()
                ))
            }
        };
        Ok(ScoreMatrix::new(
            n,
            combine_host(scoring, &learner, &reference),
        ))
    }
}

/// Bytes that scoring `n` candidates takes here: four B×B f64 matrices (learner,
/// reference, their combination, the score matrix).
pub fn score_bytes(n: usize) -> f64 {
    (n as f64) * (n as f64) * 4.0 * 8.0
}

/// Refuses, before anything is allocated, to score more candidates than this
/// machine's available memory can hold the B×B matrices of (the check `run` makes
/// of its super-batches).
pub fn check_score_memory(n: usize) -> Result<(), String> {
    let bytes = score_bytes(n);
    let gib = |b: f64| b / (1u64 << 30) as f64;
    let available = crate::system::available_bytes();
    // Without a reading of the machine's memory, a bound no machine here passes.
    let limit = available.unwrap_or(256.0 * (1u64 << 30) as f64);
    if bytes > limit || n.checked_mul(n).is_none() {
        return Err(format!(
            "B = {n} candidates: scoring them takes {:.1} GiB (four B×B f64 matrices), more than the {:.1} GiB of memory available here; select from fewer candidates at a time (the super-batch is B)",
            gib(bytes),
            gib(limit)
        ));
    }
    Ok(())
}

/// A choice that cannot be made: each says which setting, so a caller can name
/// it as its users write it (the CLI's flags; the library's field names here).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ChoiceError {
    #[error("b = {b}: must be between 1 and the B = {n} candidates")]
    BatchSize { b: usize, n: usize },
    #[error("b = {b} is not divisible by n_chunks = {n_chunks}")]
    Chunks { b: usize, n_chunks: usize },
    #[error("gain {0}: must be finite")]
    Gain(f64),
}

impl Choice {
    /// b, the chunks and the gain against B candidates.
    pub fn check(&self, n: usize) -> Result<(), ChoiceError> {
        if self.b == 0 || self.b > n {
            return Err(ChoiceError::BatchSize { b: self.b, n });
        }
        let s = &self.settings;
        if s.selector.registration().chunked
            && (s.n_chunks == 0 || !self.b.is_multiple_of(s.n_chunks))
        {
            return Err(ChoiceError::Chunks {
                b: self.b,
                n_chunks: s.n_chunks,
            });
        }
        if !s.gain.is_finite() {
            return Err(ChoiceError::Gain(s.gain));
        }
        Ok(())
    }
}

/// Chooses b of the B candidates: scored selectors from `scores` (A), the oracle
/// from `kinds`, uniform from neither. The random stream is the one `jestbench
/// select` uses for this seed.
pub fn choose(
    n: usize,
    scores: Option<&ScoreMatrix>,
    kinds: Option<&[PairKind]>,
    c: &Choice,
) -> Result<Selection, String> {
    c.check(n).map_err(|e| e.to_string())?;
    let reg = c.settings.selector.registration();
    let scored = reg.scores;
    let candidates = match (scored, scores) {
        (true, Some(a)) if a.n == n => Candidates::scored(a),
        (true, Some(a)) => return Err(format!("the score matrix is {0}×{0}, not {n}×{n}", a.n)),
        (true, None) => return Err(format!("selector `{}` needs the score matrix", reg.name)),
        (false, _) => Candidates::unscored(n),
    };
    let candidates = if reg.needs_kinds {
        let Some(k) = kinds else {
            return Err(
                "the oracle needs each candidate's kind (which pairs are clean)".to_string(),
            );
        };
        if k.len() != n {
            return Err(format!("kinds: {} entries for B = {n} candidates", k.len()));
        }
        Candidates {
            kinds: Some(k),
            ..candidates
        }
    } else {
        candidates
    };
    let mut selector = (reg.build)(&c.settings, c.trace);
    let mut r = rng::chacha(c.seed, rng::stream::SELECT);
    Ok(selector.select(candidates, c.b, &mut r))
}
