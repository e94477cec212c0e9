//! `jestbench._jestbench`: the harness's selectors and calibrated speed-up on
//! numpy arrays. The functions here check and convert arguments and release the
//! GIL while the harness computes; the Python layer (`jestbench/__init__.py`)
//! gives them their documented signatures.

use std::path::PathBuf;

use numpy::{PyArray1, PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use jestbench::analysis::curves;
use jestbench::data::noise::PairKind;
use jestbench::data::Matrix;
use jestbench::experiment::{IndependentMode, Scoring, SelectorName, SelectorWord};
use jestbench::log;
use jestbench::score::{ScoreMatrix, Scores};
use jestbench::select::{
    check_score_memory, choose, gumbel_of, Choice, ChoiceError, Embeddings, Jest, OwnedEmbeddings,
    PairModel, Settings,
};

fn value_error(m: impl Into<String>) -> PyErr {
    PyValueError::new_err(m.into())
}

/// A 2-D float32 or float64 array (any memory order) as a row-major f32 matrix.
/// A C-ordered float32 array is copied in one pass; others are read in logical order.
fn matrix(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<Matrix> {
    let shape_of = |shape: &[usize]| -> PyResult<(usize, usize)> {
        match shape {
            [r, c] if *r > 0 && *c > 0 => Ok((*r, *c)),
            [r, c] => Err(value_error(format!(
                "{name}: shape ({r}, {c}): needs at least one row and one column"
            ))),
            s => Err(value_error(format!(
                "{name}: a {}-d array of shape {s:?}; expected 2-d (B rows of embeddings)",
                s.len()
            ))),
        }
    };
    if let Ok(a) = obj.downcast::<PyArrayDyn<f32>>() {
        let (rows, cols) = shape_of(a.shape())?;
        let ro = a.readonly();
        // as_slice also accepts Fortran order (memory order, not row-major).
        let data = match ro.as_slice() {
            Ok(s) if a.is_c_contiguous() => s.to_vec(),
            _ => ro.as_array().iter().copied().collect(),
        };
        return Ok(Matrix::new(rows, cols, data));
    }
    if let Ok(a) = obj.downcast::<PyArrayDyn<f64>>() {
        let (rows, cols) = shape_of(a.shape())?;
        let ro = a.readonly();
        let data = ro.as_array().iter().map(|&x| x as f32).collect();
        return Ok(Matrix::new(rows, cols, data));
    }
    let kind = obj
        .getattr("dtype")
        .map(|d| format!("an array of dtype {d}"))
        .unwrap_or_else(|_| {
            format!(
                "a {}",
                obj.get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            )
        });
    Err(PyTypeError::new_err(format!(
        "{name}: expected a numpy float32 or float64 array, found {kind}"
    )))
}

fn optional_matrix(name: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Matrix>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => matrix(name, o).map(Some),
    }
}

fn parse<T: serde::de::DeserializeOwned>(name: &str, s: &str) -> PyResult<T> {
    jestbench::experiment::parse_name::<T>(s).map_err(|m| value_error(format!("{name}: {m}")))
}

fn models(lt: f64, lb: f64, rt: f64, rb: f64) -> (PairModel, PairModel) {
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
fn embeddings(
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
fn learnability<'py>(
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

fn kinds_of(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<PairKind>>> {
    let Some(o) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    let values: Vec<i64> = if let Ok(a) = o.downcast::<PyArrayDyn<i64>>() {
        a.readonly().as_array().iter().copied().collect()
    } else if let Ok(a) = o.downcast::<PyArrayDyn<i32>>() {
        a.readonly().as_array().iter().map(|&x| x as i64).collect()
    } else if let Ok(a) = o.downcast::<PyArrayDyn<bool>>() {
        // A boolean array says which candidates are clean.
        a.readonly()
            .as_array()
            .iter()
            .map(|&c| if c { 0 } else { 1 })
            .collect()
    } else {
        return Err(PyTypeError::new_err(
            "kinds: expected a numpy integer array (0 clean, 1 misaligned, 2 heavy noise, 3 duplicate) or a boolean array (True: clean)",
        ));
    };
    values
        .iter()
        .enumerate()
        .map(|(i, &k)| match k {
            0 => Ok(PairKind::Clean),
            1 => Ok(PairKind::Misaligned),
            2 => Ok(PairKind::HeavyNoise),
            3 => Ok(PairKind::Duplicate),
            _ => Err(value_error(format!(
                "kinds[{i}] = {k}: expected 0 (clean), 1 (misaligned), 2 (heavy noise) or 3 (duplicate)"
            ))),
        })
        .collect::<PyResult<Vec<_>>>()
        .map(Some)
}

/// A choice that cannot be made, in the Python API's names.
fn choice_error(e: ChoiceError) -> PyErr {
    value_error(choice_message(e))
}

fn choice_message(e: ChoiceError) -> String {
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
fn selector_of(selector: &str, mode: Option<&str>) -> PyResult<(SelectorName, IndependentMode)> {
    let word: SelectorWord = parse("selector", selector)?;
    let mode: Option<IndependentMode> = mode.map(|m| parse("mode", m)).transpose()?;
    word.resolve(mode)
        .map_err(|m| value_error(format!("selector: {m}")))
}

/// A precomputed B×B score matrix (float32 or float64 numpy, any order) as the
/// harness's, its size checked against the memory available before the copy.
fn score_matrix(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<ScoreMatrix> {
    let shape: Vec<usize> = obj
        .getattr("shape")
        .and_then(|s| s.extract())
        .map_err(|_| PyTypeError::new_err(format!("{name}: expected a 2-d array")))?;
    match shape[..] {
        [r, c] if r == c && r > 0 => {
            check_score_memory(r).map_err(|m| value_error(format!("{name}: {m}")))?
        }
        _ => {
            return Err(value_error(format!(
                "{name}: shape {shape:?}; expected a square B×B matrix (row i, column j: A_ij)"
            )))
        }
    }
    let m = matrix(name, obj)?;
    if let Some(k) = m.data.iter().position(|x| !x.is_finite()) {
        return Err(value_error(format!(
            "{name}: entry [{}, {}] is {}: scores must be finite",
            k / m.cols,
            k % m.cols,
            m.data[k]
        )));
    }
    Ok(ScoreMatrix::new(m.rows, m.data))
}

/// Indices (int64) of the b chosen candidates from a precomputed score matrix
/// (computed on an accelerator, say): only the sampling runs here.
#[pyfunction]
#[pyo3(signature = (scores, b, selector, n_chunks, gain, mode, seed, kinds))]
#[allow(clippy::too_many_arguments)]
fn select_from_matrix<'py>(
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
fn jest_with_uniforms<'py>(
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
fn select<'py>(
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

/// Seeds × points curves in f64 (float32 arrays widen exactly).
fn curves_of(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<Vec<Vec<f64>>> {
    let rows_of = |shape: &[usize], flat: Vec<f64>| -> PyResult<Vec<Vec<f64>>> {
        match shape {
            [r, c] if *r > 0 && *c > 0 => Ok(flat.chunks(*c).map(<[f64]>::to_vec).collect()),
            s => Err(value_error(format!(
                "{name}: shape {s:?}; expected a 2-d array, seeds × evaluation points"
            ))),
        }
    };
    if let Ok(a) = obj.downcast::<PyArrayDyn<f64>>() {
        let flat = a.readonly().as_array().iter().copied().collect();
        return rows_of(a.shape(), flat);
    }
    if let Ok(a) = obj.downcast::<PyArrayDyn<f32>>() {
        let flat = a.readonly().as_array().iter().map(|&x| x as f64).collect();
        return rows_of(a.shape(), flat);
    }
    Err(PyTypeError::new_err(format!(
        "{name}: expected a numpy float32 or float64 array (seeds × evaluation points)"
    )))
}

/// The calibrated speed-up of `selector` over `baseline` (seeds × points arrays at
/// `steps`), as a dict of both readings. `worlds` (one per seed row, paired by
/// row) names the world each seed drew: the interval then resamples worlds, then
/// seeds within them (docs/methods.md §7).
#[pyfunction]
#[pyo3(signature = (steps, baseline, selector, threshold, worlds=None))]
fn speedup<'py>(
    py: Python<'py>,
    steps: Vec<i64>,
    baseline: &Bound<'py, PyAny>,
    selector: &Bound<'py, PyAny>,
    threshold: Option<f64>,
    worlds: Option<Vec<u64>>,
) -> PyResult<Bound<'py, PyDict>> {
    if let Some((k, s)) = steps.iter().enumerate().find(|(_, s)| **s < 0) {
        return Err(value_error(format!(
            "steps[{k}] = {s}: must be non-negative"
        )));
    }
    let steps: Vec<usize> = steps.into_iter().map(|s| s as usize).collect();
    let (base, sel) = (
        curves_of("baseline", baseline)?,
        curves_of("selector", selector)?,
    );
    let r = py
        .allow_threads(|| curves::speedup(&steps, &base, &sel, threshold, worlds.as_deref()))
        .map_err(value_error)?;
    let out = PyDict::new(py);
    out.set_item("target_score", r.target_score)?;
    for (key, read) in [("trained", r.trained), ("first_reaching", r.first_reaching)] {
        match read {
            None => out.set_item(key, py.None())?,
            Some(x) => {
                let d = PyDict::new(py);
                let censored = if x.estimate.is_finite() {
                    "no"
                } else if x.low.is_finite() && x.high.is_infinite() {
                    "at least"
                } else {
                    "below"
                };
                d.set_item("estimate", x.estimate)?;
                d.set_item("censored", censored)?;
                d.set_item("bounds", (x.low, x.high))?;
                d.set_item("interval", (x.lower, x.upper))?;
                d.set_item("censored_share", x.censored_share)?;
                d.set_item("verdict", x.verdict.map(|v| v.text()))?;
                out.set_item(key, d)?;
            }
        }
    }
    out.set_item("verdict", r.verdict.map(|v| v.text()))?;
    Ok(out)
}

fn read_source(path: &std::path::Path) -> PyResult<log::Folder> {
    let missing = || {
        value_error(format!(
            "{}: no such results file or folder",
            path.display()
        ))
    };
    if path.is_dir() {
        if log::layout_of(path)
            .map_err(|e| value_error(e.to_string()))?
            .is_none()
        {
            return Err(missing());
        }
    } else if !path.is_file() {
        return Err(missing());
    }
    log::read_source(path, &jestbench::family::schemas()).map_err(|e| value_error(e.to_string()))
}

/// A results folder or file (either layout of jestbench's, or the minimal schema)
/// as the harness reads it: the finished runs' evaluations joined with their
/// runs, as CSV text in layout 1's columns (the common ones, `family`, then
/// each family's own).
#[pyfunction]
fn read_results(path: PathBuf) -> PyResult<String> {
    let read = read_source(&path)?;
    Ok(log::layout_1_text(&read.rows))
}

/// The same results as tidy tables: runs.csv's text and each family's
/// evaluations table's text, `(runs, [(family, evaluations), ...])`.
#[pyfunction]
fn read_tables(path: PathBuf) -> PyResult<(String, Vec<(String, String)>)> {
    let read = read_source(&path)?;
    let (runs, evaluations) = log::tables_text(&read.rows, &read.summaries).map_err(value_error)?;
    Ok((
        runs,
        evaluations
            .into_iter()
            .map(|(f, t)| (f.as_str().to_string(), t))
            .collect(),
    ))
}

/// The selectors' names (the jest family's methods), as results and experiment
/// files say them, in the harness's order.
#[pyfunction]
fn methods() -> Vec<&'static str> {
    jestbench::select::methods()
        .into_iter()
        .map(|m| m.as_str())
        .collect()
}

/// Every verdict's text, in the harness's order (the Python `Verdict` enum's
/// values; a test checks they agree).
#[pyfunction]
fn verdicts() -> Vec<&'static str> {
    jestbench::analysis::claims::Verdict::ALL
        .iter()
        .map(|v| v.text())
        .collect()
}

/// Checks an experiment name (it names report folders and files).
#[pyfunction]
fn check_name(name: &str) -> PyResult<()> {
    jestbench::names::identifier(name).map_err(|m| value_error(format!("experiment: {m}")))
}

/// Times `reps` calls of the same selection entirely in Rust (no Python in the
/// loop; the fused scores from the arrays' copies, then JEST): the native side of
/// the package's overhead benchmark. Seconds per call.
#[pyfunction]
#[pyo3(signature = (learner_a, learner_b, reference_a, reference_b, b, n_chunks, seed, reps))]
#[allow(clippy::too_many_arguments)]
fn time_native_select(
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

#[pymodule]
fn _jestbench(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(learnability, m)?)?;
    m.add_function(wrap_pyfunction!(select, m)?)?;
    m.add_function(wrap_pyfunction!(select_from_matrix, m)?)?;
    m.add_function(wrap_pyfunction!(jest_with_uniforms, m)?)?;
    m.add_function(wrap_pyfunction!(speedup, m)?)?;
    m.add_function(wrap_pyfunction!(read_results, m)?)?;
    m.add_function(wrap_pyfunction!(read_tables, m)?)?;
    m.add_function(wrap_pyfunction!(methods, m)?)?;
    m.add_function(wrap_pyfunction!(verdicts, m)?)?;
    m.add_function(wrap_pyfunction!(check_name, m)?)?;
    m.add_function(wrap_pyfunction!(time_native_select, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
