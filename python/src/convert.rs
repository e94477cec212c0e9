//! Arguments from Python as the harness's values: numpy arrays as row-major
//! matrices, score matrices, curves and kinds, names parsed as experiment files
//! spell them; every error a ValueError or TypeError naming the argument.

use numpy::{PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

use jestbench::data::noise::PairKind;
use jestbench::data::Matrix;
use jestbench::score::ScoreMatrix;
use jestbench::select::check_score_memory;

pub(crate) fn value_error(m: impl Into<String>) -> PyErr {
    PyValueError::new_err(m.into())
}

/// A 2-D float32 or float64 array (any memory order) as a row-major f32 matrix.
/// A C-ordered float32 array is copied in one pass; others are read in logical order.
pub(crate) fn matrix(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<Matrix> {
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

pub(crate) fn optional_matrix(
    name: &str,
    obj: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Matrix>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => matrix(name, o).map(Some),
    }
}

pub(crate) fn parse<T: serde::de::DeserializeOwned>(name: &str, s: &str) -> PyResult<T> {
    jestbench::experiment::parse_name::<T>(s).map_err(|m| value_error(format!("{name}: {m}")))
}

pub(crate) fn kinds_of(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<PairKind>>> {
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

/// A precomputed B×B score matrix (float32 or float64 numpy, any order) as the
/// harness's, its size checked against the memory available before the copy.
pub(crate) fn score_matrix(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<ScoreMatrix> {
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

/// Seeds × points curves in f64 (float32 arrays widen exactly).
pub(crate) fn curves_of(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<Vec<Vec<f64>>> {
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
