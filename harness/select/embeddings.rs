//! Selection on one super-batch given as embeddings: the path `jestbench select`
//! and the Python package share, so both choose the same items from the same
//! inputs and seed. Row i of each matrix is candidate i; logits are
//! t·⟨a_i, b_j⟩ + c with each model's t and c (rows are used as given).

use super::Settings;
use crate::data::noise::PairKind;
use crate::data::{rng, Matrix};
use crate::score::{self, needs, FusedScores, ScoreInput, ScoreMatrix, Scores, Scoring};

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
            if m.cols == 0 {
                return Err(format!(
                    "{name}: width 0: embeddings need at least one column"
                ));
            }
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
        let models = [
            ("learner", self.learner_model, Some(self.learner)),
            ("reference", self.reference_model, self.reference),
        ];
        for (name, m, views) in models {
            // Checked as the scores use them: in f32.
            let (t, c) = (m.temperature as f32, m.bias as f32);
            if !(t.is_finite() && t > 0.0) {
                return Err(format!(
                    "{name}_temperature {}: must be a positive number (finite in float32)",
                    shown(m.temperature)
                ));
            }
            if !c.is_finite() {
                return Err(format!(
                    "{name}_bias {}: must be finite (in float32)",
                    shown(m.bias)
                ));
            }
            // Every logit t·⟨a_i, b_j⟩ + c is bounded by t·max|a|·max|b| + |c|;
            // within float32's range, no entry of A is infinite or NaN.
            if let Some((a, b)) = views {
                let largest = |x: &Matrix| {
                    (0..x.rows)
                        .map(|i| {
                            x.row(i)
                                .iter()
                                .map(|v| (*v as f64) * (*v as f64))
                                .sum::<f64>()
                        })
                        .fold(0.0f64, f64::max)
                        .sqrt()
                };
                let (na, nb) = (largest(a), largest(b));
                let bound = t as f64 * na * nb + (c as f64).abs();
                if bound > f32::MAX as f64 / 2.0 {
                    return Err(format!(
                        "{name}_temperature {} with these embeddings (norms up to {:.3e} and {:.3e}): logits reach {bound:.3e}, beyond float32's range; scale the embeddings or the temperature down",
                        m.temperature,
                        na,
                        nb
                    ));
                }
            }
        }
        Ok(())
    }

    /// A's entries on demand under `scoring` (L − R, L or −R, each pair loss
    /// −log σ(z_ij (t⟨a_i, b_j⟩ + c))): the training loop's fused f32 path, so a
    /// selection from these scores is the one `run`'s iteration makes from the
    /// same embeddings and seed. Copies the embeddings it uses (the scores also
    /// keep their transposes, made on first use). Fails when the rule needs the
    /// reference's embeddings and none were given, or when the copies would not
    /// fit in the memory available.
    pub fn fused(&self, scoring: Scoring) -> Result<FusedScores, String> {
        self.check_rule(scoring, true)?;
        let copy = |(a, b): (&Matrix, &Matrix)| (a.clone(), b.clone());
        Ok(fused_scores(
            scoring,
            || copy(self.learner),
            self.reference.filter(|_| needs(scoring).1).map(copy),
            (self.learner_model, self.reference_model),
        ))
    }

    /// The checks [`Embeddings::fused`] makes before it allocates: the arrays,
    /// the rule's models, and the memory the transposes (and, with `copies`, the
    /// copies) take.
    fn check_rule(&self, scoring: Scoring, copies: bool) -> Result<(), String> {
        self.check()?;
        let (needs_l, needs_r) = needs(scoring);
        if needs_r && self.reference.is_none() {
            return Err(format!(
                "scoring `{}` needs the reference's embeddings (reference_a and reference_b)",
                scoring.as_str()
            ));
        }
        let mut floats = 0usize;
        if needs_l {
            floats += 2 * self.learner.0.data.len();
        }
        if let (true, Some((a, _))) = (needs_r, self.reference) {
            floats += 2 * a.data.len();
        }
        // The transposes, and the copies.
        let times = if copies { 2.0 } else { 1.0 };
        check_memory(
            times * floats as f64 * 4.0,
            &format!(
                "B = {} candidates: their embeddings' copies or transposes",
                self.len()
            ),
        )
    }

    /// The score matrix A (B×B, row-major) under `scoring`, every entry the fused
    /// path's ([`Embeddings::fused`]): what `--dump-scores` prints and
    /// `jestbench.learnability` returns. Refuses, before allocating, a matrix larger
    /// than the memory available.
    pub fn scores(&self, scoring: Scoring) -> Result<ScoreMatrix, String> {
        self.check_rule(scoring, true)?;
        check_score_memory(self.len())?;
        Ok(self.fused(scoring)?.matrix())
    }
}

/// A setting as a message shows it: plain, or in exponent form when large.
fn shown(x: f64) -> String {
    if x.abs() < 1e16 {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// One model's fused view of the candidates from its two embedding matrices (moved,
/// not copied), its temperature and bias in f32 as the training loop keeps them.
fn fused_model(a: Matrix, b: Matrix, m: PairModel) -> score::PairModel {
    score::PairModel {
        dim: a.cols,
        a: a.data,
        b: b.data,
        temperature: m.temperature as f32,
        bias: m.bias as f32,
    }
}

/// The fused scores of checked embeddings: the models `scoring` reads (the
/// learner's made only when read).
fn fused_scores(
    scoring: Scoring,
    learner: impl FnOnce() -> (Matrix, Matrix),
    reference: Option<(Matrix, Matrix)>,
    (lm, rm): (PairModel, PairModel),
) -> FusedScores {
    let (needs_l, needs_r) = needs(scoring);
    FusedScores::new(ScoreInput {
        rule: scoring,
        learner: needs_l.then(|| {
            let (a, b) = learner();
            fused_model(a, b, lm)
        }),
        reference: reference
            .filter(|_| needs_r)
            .map(|(a, b)| fused_model(a, b, rm)),
    })
}

/// A super-batch's embeddings, owned: [`OwnedEmbeddings::into_fused`] moves them
/// into the fused scores, so scoring copies nothing beyond the transposes (the
/// Python package's path: its arrays are converted once).
pub struct OwnedEmbeddings {
    pub learner: (Matrix, Matrix),
    pub reference: Option<(Matrix, Matrix)>,
    pub learner_model: PairModel,
    pub reference_model: PairModel,
}

impl OwnedEmbeddings {
    /// Borrowed, for the checks and the dense matrix.
    pub fn view(&self) -> Embeddings<'_> {
        Embeddings {
            learner: (&self.learner.0, &self.learner.1),
            reference: self.reference.as_ref().map(|(a, b)| (a, b)),
            learner_model: self.learner_model,
            reference_model: self.reference_model,
        }
    }

    /// [`Embeddings::fused`] without the copies.
    pub fn into_fused(self, scoring: Scoring) -> Result<FusedScores, String> {
        self.view().check_rule(scoring, false)?;
        let learner = self.learner;
        Ok(fused_scores(
            scoring,
            || learner,
            self.reference,
            (self.learner_model, self.reference_model),
        ))
    }
}

/// Bytes that holding the score matrix of `n` candidates takes: one B×B f32
/// matrix (each row is formed by the fused path and written in place).
pub fn score_bytes(n: usize) -> f64 {
    (n as f64) * (n as f64) * 4.0
}

/// Refuses, before anything is allocated, to form the B×B score matrix of more
/// candidates than this machine's available memory holds (`--dump-scores`,
/// `jestbench.learnability`, a precomputed matrix). Selection itself needs no
/// B×B matrix.
pub fn check_score_memory(n: usize) -> Result<(), String> {
    if n.checked_mul(n).is_none() {
        return Err(format!("B = {n} candidates: B×B overflows"));
    }
    check_memory(
        score_bytes(n),
        &format!("B = {n} candidates: their B×B score matrix (f32)"),
    )
}

/// Refuses `bytes` of `what` when they exceed the memory available here.
pub fn check_memory(bytes: f64, what: &str) -> Result<(), String> {
    let gib = |b: f64| b / (1u64 << 30) as f64;
    let available = crate::system::available_bytes();
    // Without a reading of the machine's memory, 256 GiB: more than any machine
    // this harness targets holds.
    let limit = available.unwrap_or(256.0 * (1u64 << 30) as f64);
    if bytes > limit {
        return Err(format!(
            "{what} take {:.1} GiB, more than the {:.1} GiB of memory available here; select from fewer candidates at a time (the super-batch is B)",
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
    scores: Option<&dyn Scores>,
    kinds: Option<&[PairKind]>,
    c: &Choice,
) -> Result<Selection, String> {
    c.check(n).map_err(|e| e.to_string())?;
    let reg = c.settings.selector.registration();
    let scored = reg.scores;
    let candidates = match (scored, scores) {
        (true, Some(a)) if a.len() == n => Candidates::scored(a),
        (true, Some(a)) => {
            return Err(format!(
                "the scores are of {} candidates, not B = {n}",
                a.len()
            ))
        }
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
