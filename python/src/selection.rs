//! Selection: the score matrix, the selectors on embeddings (the fused scores)
//! or on a precomputed matrix, JEST with given uniforms (the JAX selector's
//! cross-check), and the native timing of the overhead benchmark.

use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;

use jestbench::experiment::{IndependentMode, Scoring, SelectorName, SelectorWord};
use jestbench::score::Scores;
use jestbench::select::{
    choose, gumbel_of, Choice, ChoiceError, Embeddings, Jest, OwnedEmbeddings, PairModel, Settings,
};

use crate::convert::{
    curves_of, kinds_of, matrix, optional_matrix, parse, score_matrix, value_error,
};

pub(crate) fn models(lt: f64, lb: f64, rt: f64, rb: f64) -> (PairModel, PairModel) {
    (
        PairModel {
            temperature: lt,
            bias: lb,
        },
        PairModel {
            temperature: rt,
            bias: rb,
        },
    )
}

/// The four embedding arrays, converted once (each array is copied to a
/// row-major f32 matrix once, and that copy is what the scores keep), with each
/// model's temperature and bias.
pub(crate) fn embeddings(
    learner_a: &Bound<'_, PyAny>,
    learner_b: &Bound<'_, PyAny>,
    reference_a: Option<&Bound<'_, PyAny>>,
    reference_b: Option<&Bound<'_, PyAny>>,
    (learner_model, reference_model): (PairModel, PairModel),
) -> PyResult<OwnedEmbeddings> {
    let learner = (
        matrix("learner_a", learner_a)?,
        matrix("learner_b", learner_b)?,
    );
    let reference = match (
        optional_matrix("reference_a", reference_a)?,
        optional_matrix("reference_b", reference_b)?,
    ) {
        (Some(a), Some(b)) => Some((a, b)),
        (None, None) => None,
        _ => {
            return Err(value_error(
                "reference_a and reference_b: give both or neither",
            ))
        }
    };
    Ok(OwnedEmbeddings {
        learner,
        reference,
        learner_model,
        reference_model,
    })
}

/// The B×B score matrix A (float32, row-major), or its diagonal.
#[pyfunction]
#[pyo3(signature = (learner_a, learner_b, reference_a, reference_b, learner_temperature, learner_bias, reference_temperature, reference_bias, scoring, diagonal_only))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn learnability<'py>(
    py: Python<'py>,
    learner_a: &Bound<'py, PyAny>,
    learner_b: &Bound<'py, PyAny>,
    reference_a: Option<&Bound<'py, PyAny>>,
    reference_b: Option<&Bound<'py, PyAny>>,
    learner_temperature: f64,
    learner_bias: f64,
    reference_temperature: f64,
    reference_bias: f64,
    scoring: &str,
    diagonal_only: bool,
) -> PyResult<PyObject> {
    let scoring: Scoring = parse("scoring", scoring)?;
    let e = embeddings(
        learner_a,
        learner_b,
        reference_a,
        reference_b,
        models(
            learner_temperature,
            learner_bias,
            reference_temperature,
            reference_bias,
        ),
    )?;
    if diagonal_only {
        // A's diagonal alone: B entries, no B×B matrix.
        let d = py
            .allow_threads(|| e.into_fused(scoring).map(|f| f.diagonal()))
            .map_err(value_error)?;
        return Ok(PyArray1::from_vec(py, d).into_any().unbind());
    }
    let a = py
        .allow_threads(|| e.view().scores(scoring))
        .map_err(value_error)?;
    let n = a.n;
    let arr = PyArray1::from_vec(py, a.values).reshape([n, n])?;
    Ok(arr.into_any().unbind())
}

/// A choice that cannot be made, in the Python API's names.
pub(crate) fn choice_error(e: ChoiceError) -> PyErr {
    value_error(choice_message(e))
}

pub(crate) fn choice_message(e: ChoiceError) -> String {
    match e {
        ChoiceError::BatchSize { b, n } => {
            format!("batch_size = {b}: must be between 1 and the B = {n} candidates")
        }
        ChoiceError::Chunks { b, n_chunks } => {
            format!("batch_size = {b} is not divisible by n_chunks = {n_chunks}")
        }
        ChoiceError::Gain(g) => format!("gain = {g}: must be finite"),
    }
}

/// The selector's name and mode, from its word and the optional mode.
pub(crate) fn selector_of(
    selector: &str,
    mode: Option<&str>,
) -> PyResult<(SelectorName, IndependentMode)> {
    let word: SelectorWord = parse("selector", selector)?;
    let mode: Option<IndependentMode> = mode.map(|m| parse("mode", m)).transpose()?;
    word.resolve(mode)
        .map_err(|m| value_error(format!("selector: {m}")))
}

/// Indices (int64) of the b chosen candidates from a precomputed score matrix
/// (computed on an accelerator, say): only the sampling runs here.
#[pyfunction]
#[pyo3(signature = (scores, b, selector, n_chunks, gain, mode, seed, kinds))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn select_from_matrix<'py>(
    py: Python<'py>,
    scores: &Bound<'py, PyAny>,
    b: i64,
    selector: &str,
    n_chunks: i64,
    gain: f64,
    mode: Option<&str>,
    seed: u64,
    kinds: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let (name, mode) = selector_of(selector, mode)?;
    if b < 1 || n_chunks < 1 {
        return Err(value_error(format!(
            "batch_size = {b}, n_chunks = {n_chunks}: both must be positive integers"
        )));
    }
    let a = score_matrix("scores", scores)?;
    let kinds = kinds_of(kinds)?;
    let choice = Choice {
        settings: Settings {
            selector: name,
            mode,
            n_chunks: n_chunks as usize,
            gain,
        },
        scoring: Scoring::Learnability,
        b: b as usize,
        seed,
        trace: false,
    };
    choice.check(a.n).map_err(choice_error)?;
    let chosen = py
        .allow_threads(|| choose(a.n, Some(&a as &dyn Scores), kinds.as_deref(), &choice))
        .map_err(value_error)?
        .chosen;
    Ok(PyArray1::from_vec(
        py,
        chosen.into_iter().map(|i| i as i64).collect(),
    ))
}

/// JEST's selection with the uniforms given (n_chunks × B: chunk r's draw for
/// candidate i is `uniforms[r, i]`, noise −ln(−ln u)), on the fused scores of the
/// embeddings: `(chosen, conditional)`, the indices in draw order and each
/// chunk's conditional scores before its draw (n_chunks × B, NaN where already
/// chosen). The reference the JAX selector is tested against.
#[pyfunction]
#[pyo3(signature = (learner_a, learner_b, reference_a, reference_b, b, n_chunks, gain, scoring, learner_temperature, learner_bias, reference_temperature, reference_bias, uniforms))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn jest_with_uniforms<'py>(
    py: Python<'py>,
    learner_a: &Bound<'py, PyAny>,
    learner_b: &Bound<'py, PyAny>,
    reference_a: Option<&Bound<'py, PyAny>>,
    reference_b: Option<&Bound<'py, PyAny>>,
    b: i64,
    n_chunks: i64,
    gain: f64,
    scoring: &str,
    learner_temperature: f64,
    learner_bias: f64,
    reference_temperature: f64,
    reference_bias: f64,
    uniforms: &Bound<'py, PyAny>,
) -> PyResult<(Bound<'py, PyArray1<i64>>, PyObject)> {
    let scoring: Scoring = parse("scoring", scoring)?;
    let (Ok(b), Ok(n_chunks)) = (usize::try_from(b), usize::try_from(n_chunks)) else {
        return Err(value_error(format!(
            "batch_size = {b}, n_chunks = {n_chunks}: both must be positive integers"
        )));
    };
    let e = embeddings(
        learner_a,
        learner_b,
        reference_a,
        reference_b,
        models(
            learner_temperature,
            learner_bias,
            reference_temperature,
            reference_bias,
        ),
    )?;
    let n = e.view().len();
    let u = curves_of("uniforms", uniforms).map_err(|_| {
        value_error(format!(
            "uniforms: expected a float array of shape n_chunks × B = {n_chunks} × {n}"
        ))
    })?;
    if u.len() != n_chunks || u.iter().any(|r| r.len() != n) {
        return Err(value_error(format!(
            "uniforms: expected n_chunks × B = {n_chunks} × {n}"
        )));
    }
    let choice = Choice {
        settings: Settings {
            selector: jestbench::experiment::SelectorName::JEST,
            mode: IndependentMode::Topk,
            n_chunks,
            gain,
        },
        scoring,
        b,
        seed: 0,
        trace: true,
    };
    choice.check(n).map_err(choice_error)?;
    let sel = py
        .allow_threads(|| -> Result<_, String> {
            let f = e.into_fused(scoring)?;
            let jest = Jest {
                n_chunks,
                gain,
                trace: true,
            };
            Ok(jest.select_with(&f, b, &mut |r, i| gumbel_of(u[r][i])))
        })
        .map_err(value_error)?;
    let conditional: Vec<f64> = sel.chunks.iter().flat_map(|c| c.scores.clone()).collect();
    let conditional = PyArray1::from_vec(py, conditional).reshape([n_chunks, n])?;
    Ok((
        PyArray1::from_vec(py, sel.chosen.into_iter().map(|i| i as i64).collect()),
        conditional.into_any().unbind(),
    ))
}

/// Indices (int64) of the b chosen candidates, in the order chosen.
#[pyfunction]
#[pyo3(signature = (learner_a, learner_b, reference_a, reference_b, b, selector, n_chunks, gain, mode, seed, scoring, learner_temperature, learner_bias, reference_temperature, reference_bias, kinds))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn select<'py>(
    py: Python<'py>,
    learner_a: &Bound<'py, PyAny>,
    learner_b: &Bound<'py, PyAny>,
    reference_a: Option<&Bound<'py, PyAny>>,
    reference_b: Option<&Bound<'py, PyAny>>,
    b: i64,
    selector: &str,
    n_chunks: i64,
    gain: f64,
    mode: Option<&str>,
    seed: u64,
    scoring: &str,
    learner_temperature: f64,
    learner_bias: f64,
    reference_temperature: f64,
    reference_bias: f64,
    kinds: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let (name, mode) = selector_of(selector, mode)?;
    let scoring: Scoring = parse("scoring", scoring)?;
    if b < 1 {
        return Err(value_error(format!(
            "batch_size = {b}: must be a positive integer"
        )));
    }
    if n_chunks < 1 {
        return Err(value_error(format!(
            "n_chunks = {n_chunks}: must be a positive integer"
        )));
    }
    let e = embeddings(
        learner_a,
        learner_b,
        reference_a,
        reference_b,
        models(
            learner_temperature,
            learner_bias,
            reference_temperature,
            reference_bias,
        ),
    )?;
    let kinds = kinds_of(kinds)?;
    let choice = Choice {
        settings: Settings {
            selector: name,
            mode,
            n_chunks: n_chunks as usize,
            gain,
        },
        scoring,
        b: b as usize,
        seed,
        trace: false,
    };
    let n = e.view().len();
    // `into_fused` checks the embeddings and the memory their copies take, then
    // the choice is checked, before any work; the scores are the training loop's
    // fused path (no B×B matrix).
    let chosen = py
        .allow_threads(|| -> Result<Vec<usize>, String> {
            let a = if name.scores() {
                Some(e.into_fused(scoring)?)
            } else {
                e.view().check()?;
                None
            };
            choice.check(n).map_err(choice_message)?;
            let a = a.as_ref().map(|f| f as &dyn Scores);
            Ok(choose(n, a, kinds.as_deref(), &choice)?.chosen)
        })
        .map_err(value_error)?;
    Ok(PyArray1::from_vec(
        py,
        chosen.into_iter().map(|i| i as i64).collect(),
    ))
}

/// Times `reps` calls of the same selection entirely in Rust (no Python in the
/// loop; the fused scores from the arrays' copies, then JEST): the native side of
/// the package's overhead benchmark. Seconds per call.
#[pyfunction]
#[pyo3(signature = (learner_a, learner_b, reference_a, reference_b, b, n_chunks, seed, reps))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn time_native_select(
    py: Python<'_>,
    learner_a: &Bound<'_, PyAny>,
    learner_b: &Bound<'_, PyAny>,
    reference_a: &Bound<'_, PyAny>,
    reference_b: &Bound<'_, PyAny>,
    b: usize,
    n_chunks: usize,
    seed: u64,
    reps: usize,
) -> PyResult<Vec<f64>> {
    let m = [
        matrix("learner_a", learner_a)?,
        matrix("learner_b", learner_b)?,
        matrix("reference_a", reference_a)?,
        matrix("reference_b", reference_b)?,
    ];
    py.allow_threads(|| {
        let mut out = Vec::with_capacity(reps);
        for _ in 0..reps {
            let t = std::time::Instant::now();
            let e = Embeddings {
                learner: (&m[0], &m[1]),
                reference: Some((&m[2], &m[3])),
                learner_model: PairModel::default(),
                reference_model: PairModel::default(),
            };
            let a = e.fused(Scoring::Learnability).map_err(value_error)?;
            let choice = Choice {
                settings: Settings {
                    selector: jestbench::experiment::SelectorName::JEST,
                    mode: IndependentMode::Topk,
                    n_chunks,
                    gain: 100.0,
                },
                scoring: Scoring::Learnability,
                b,
                seed,
                trace: false,
            };
            let s = choose(e.len(), Some(&a as &dyn Scores), None, &choice).map_err(value_error)?;
            std::hint::black_box(s);
            out.push(t.elapsed().as_secs_f64());
        }
        Ok(out)
    })
}
