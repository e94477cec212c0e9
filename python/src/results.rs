//! The statistics and the results: the calibrated speed-up, results files read
//! back as text tables, the harness's names.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::PyDict;

use jestbench::analysis::curves;
use jestbench::log;

use crate::convert::{curves_of, value_error};

/// The calibrated speed-up of `selector` over `baseline` (seeds × points arrays at
/// `steps`), as a dict of both readings. `worlds` (one per seed row, paired by
/// row) names the world each seed drew: the interval then resamples worlds, then
/// seeds within them (docs/methods.md §7).
#[pyfunction]
#[pyo3(signature = (steps, baseline, selector, threshold, worlds=None))]
pub(crate) fn speedup<'py>(
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

pub(crate) fn read_source(path: &std::path::Path) -> PyResult<log::Folder> {
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
pub(crate) fn read_results(path: PathBuf) -> PyResult<String> {
    let read = read_source(&path)?;
    Ok(log::layout_1_text(&read.rows))
}

/// The same results as tidy tables: runs.csv's text and each family's
/// evaluations table's text, `(runs, [(family, evaluations), ...])`.
#[pyfunction]
pub(crate) fn read_tables(path: PathBuf) -> PyResult<(String, Vec<(String, String)>)> {
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
pub(crate) fn methods() -> Vec<&'static str> {
    jestbench::select::methods()
        .into_iter()
        .map(|m| m.as_str())
        .collect()
}

/// Every verdict's text, in the harness's order (the Python `Verdict` enum's
/// values; a test checks they agree).
#[pyfunction]
pub(crate) fn verdicts() -> Vec<&'static str> {
    jestbench::analysis::claims::Verdict::ALL
        .iter()
        .map(|v| v.text())
        .collect()
}

/// Checks an experiment name (it names report folders and files).
#[pyfunction]
pub(crate) fn check_name(name: &str) -> PyResult<()> {
    jestbench::names::identifier(name).map_err(|m| value_error(format!("experiment: {m}")))
}
