//! `jestbench._jestbench`: the harness's selectors and calibrated speed-up on
//! numpy arrays. The functions here check and convert arguments and release the
//! GIL while the harness computes; the Python layer (`jestbench/__init__.py`)
//! gives them their documented signatures.

mod convert;
mod results;
mod selection;

use pyo3::prelude::*;

#[pymodule]
fn _jestbench(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(selection::learnability, m)?)?;
    m.add_function(wrap_pyfunction!(selection::select, m)?)?;
    m.add_function(wrap_pyfunction!(selection::select_from_matrix, m)?)?;
    m.add_function(wrap_pyfunction!(selection::jest_with_uniforms, m)?)?;
    m.add_function(wrap_pyfunction!(results::speedup, m)?)?;
    m.add_function(wrap_pyfunction!(results::read_results, m)?)?;
    m.add_function(wrap_pyfunction!(results::read_tables, m)?)?;
    m.add_function(wrap_pyfunction!(results::methods, m)?)?;
    m.add_function(wrap_pyfunction!(results::verdicts, m)?)?;
    m.add_function(wrap_pyfunction!(results::check_name, m)?)?;
    m.add_function(wrap_pyfunction!(selection::time_native_select, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
