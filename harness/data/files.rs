//! Paired features from files a user brings: two views of the same items, as CSV
//! (with a header; a `label` column is taken as the class) or .npy (2-D float or
//! integer arrays; labels from a separate 1-D .npy or one-column CSV).
//!
//! Errors name the file, and the line and column where there is one. Building a
//! dataset from the views is `paired`.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};

use npyz::{TypeChar, WriterBuilder};

use super::FilesSpec;
use super::{Matrix, Pairs};

/// A data file that cannot be used, and why.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}: {message}", path.display())]
    AtLine {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{}: {message}", path.display())]
    File { path: PathBuf, message: String },
    #[error("{0}")]
    Mismatch(String),
    #[error("the dataset names no source: give `synthetic`, `files` or `text`")]
    NoSource,
}

pub(super) fn file_err(path: &Path, message: impl Into<String>) -> DataError {
    DataError::File {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// One view read from a file: its features, and its labels if the file has them.
#[derive(Clone, Debug, PartialEq)]
pub struct View {
    pub features: Matrix,
    pub labels: Option<Vec<i64>>,
}

/// Reads a feature matrix; the format follows the extension (.csv or .npy).
pub fn read_view(path: &Path, label_column: &str) -> Result<View, DataError> {
    match extension(path).as_str() {
        "csv" => read_csv(path, label_column),
        "npy" => Ok(View {
            features: read_npy_matrix(path)?,
            labels: None,
        }),
        other => Err(file_err(
            path,
            format!("unsupported file type `.{other}`: expected .csv or .npy"),
        )),
    }
}

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Opens a data file to read: a regular file only (a FIFO is never waited on, a
/// device never read until memory runs out).
pub(super) fn open(path: &Path) -> Result<File, DataError> {
    let (file, _) = crate::system::open_regular(path).map_err(|e| match e {
        Ok(kind) => file_err(
            path,
            format!("{kind}: data files are read from regular files"),
        ),
        Err(source) => DataError::Io {
            path: path.to_path_buf(),
            source,
        },
    })?;
    Ok(file)
}

fn read_csv(path: &Path, label_column: &str) -> Result<View, DataError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(BufReader::new(open(path)?));
    let header = reader
        .headers()
        .map_err(|e| csv_err(path, e))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect::<Vec<_>>();
    if header.is_empty() || header.iter().all(|h| h.is_empty()) {
        return Err(file_err(
            path,
            "empty file: expected a header line and rows",
        ));
    }
    // The label column is the last column of that name (mfeat's header repeats `0`).
    let label_at = header.iter().rposition(|h| h == label_column);
    let cols = header.len() - usize::from(label_at.is_some());
    let mut data = Vec::new();
    let mut labels = Vec::new();
    let mut rows = 0;
    for record in reader.records() {
        let record = record.map_err(|e| csv_err(path, e))?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        for (j, cell) in record.iter().enumerate() {
            let cell = cell.trim();
            if Some(j) == label_at {
                labels.push(parse_label(cell).ok_or_else(|| DataError::AtLine {
                    path: path.to_path_buf(),
                    line,
                    message: format!("column `{}`: `{cell}` is not an integer label", header[j]),
                })?);
                continue;
            }
            let x: f32 = cell.parse().map_err(|_| DataError::AtLine {
                path: path.to_path_buf(),
                line,
                message: format!("column `{}`: `{cell}` is not a number", header[j]),
            })?;
            if !x.is_finite() {
                return Err(DataError::AtLine {
                    path: path.to_path_buf(),
                    line,
                    message: format!("column `{}`: value `{cell}` is not finite", header[j]),
                });
            }
            data.push(x);
        }
        rows += 1;
    }
    if rows == 0 {
        return Err(file_err(path, "no data rows after the header"));
    }
    Ok(View {
        features: Matrix::new(rows, cols, data),
        labels: label_at.map(|_| labels),
    })
}

fn parse_label(cell: &str) -> Option<i64> {
    if let Ok(v) = cell.parse::<i64>() {
        return Some(v);
    }
    let f: f64 = cell.parse().ok()?;
    (f.is_finite() && f.fract() == 0.0).then_some(f as i64)
}

pub(super) fn csv_err(path: &Path, e: csv::Error) -> DataError {
    let line = e.position().map(|p| p.line());
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("row has {len} fields, expected {expected_len} (ragged row)"),
        _ => e.to_string(),
    };
    match line {
        Some(line) => DataError::AtLine {
            path: path.to_path_buf(),
            line,
            message,
        },
        None => file_err(path, message),
    }
}

/// Reads a numeric .npy array as f64 values with its shape (C order).
fn read_npy(path: &Path) -> Result<(Vec<u64>, Vec<f64>), DataError> {
    let bad = |m: String| file_err(path, m);
    let file = open(path)?;
    let file_len = file
        .metadata()
        .map_err(|e| bad(format!("cannot read: {e}")))?
        .len();
    let npy = npyz::NpyFile::new(BufReader::new(file))
        .map_err(|e| bad(format!("not a valid .npy file: {e}")))?;
    let shape = npy.shape().to_vec();
    // The header's shape is checked against the file before anything is
    // allocated for it: its element count in checked arithmetic, its bytes within
    // the file's, its values (as f64) within this machine's memory.
    let elements = shape
        .iter()
        .try_fold(1u64, |n, &d| n.checked_mul(d))
        .ok_or_else(|| {
            bad(format!(
                "shape {shape:?}: its element count does not fit in 64 bits"
            ))
        })?;
    let item = match npy.dtype() {
        npyz::DType::Plain(ts) => ts.size_field(),
        _ => 0,
    };
    let data_bytes = elements.saturating_mul(item);
    if data_bytes > file_len {
        return Err(bad(format!(
            "shape {shape:?} of {item}-byte values needs {data_bytes} bytes of data, but the file has {file_len} bytes in all: a wrong header or a cut file"
        )));
    }
    let needed = elements as f64 * 8.0;
    if let Some(available) = crate::system::available_bytes() {
        if needed > available {
            return Err(bad(format!(
                "shape {shape:?}: its values as f64 take {needed:.3e} bytes, more than this machine's {available:.3e} bytes of available memory"
            )));
        }
    }
    let fortran = matches!(npy.order(), npyz::Order::Fortran);
    let dtype = npy.dtype();
    let ts = match &dtype {
        npyz::DType::Plain(ts) => ts.clone(),
        other => return Err(bad(format!("unsupported dtype {}", other.descr()))),
    };
    let io = |e: std::io::Error| bad(format!("cannot read array data: {e}"));
    let values: Vec<f64> = match (ts.type_char(), ts.size_field()) {
        (TypeChar::Float, 4) => npy
            .into_vec::<f32>()
            .map_err(io)?
            .into_iter()
            .map(f64::from)
            .collect(),
        (TypeChar::Float, 8) => npy.into_vec::<f64>().map_err(io)?,
        (TypeChar::Int, 8) => npy
            .into_vec::<i64>()
            .map_err(io)?
            .into_iter()
            .map(|v| v as f64)
            .collect(),
        (TypeChar::Int, 4) => npy
            .into_vec::<i32>()
            .map_err(io)?
            .into_iter()
            .map(f64::from)
            .collect(),
        (TypeChar::Uint, 8) => npy
            .into_vec::<u64>()
            .map_err(io)?
            .into_iter()
            .map(|v| v as f64)
            .collect(),
        (TypeChar::Uint, 4) => npy
            .into_vec::<u32>()
            .map_err(io)?
            .into_iter()
            .map(f64::from)
            .collect(),
        _ => {
            return Err(bad(format!(
                "unsupported dtype `{}`: expected float32/64 or int32/64",
                ts
            )))
        }
    };
    if fortran && shape.len() == 2 {
        let (r, c) = (shape[0] as usize, shape[1] as usize);
        let mut t = vec![0.0; values.len()];
        for i in 0..r {
            for j in 0..c {
                t[i * c + j] = values[j * r + i];
            }
        }
        return Ok((shape, t));
    }
    Ok((shape, values))
}

fn read_npy_matrix(path: &Path) -> Result<Matrix, DataError> {
    let (shape, values) = read_npy(path)?;
    if shape.len() != 2 {
        return Err(file_err(
            path,
            format!("expected a 2-D array (items × features), found shape {shape:?}"),
        ));
    }
    let cols = shape[1] as usize;
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(file_err(
            path,
            format!(
                "row {} column {}: value is not finite",
                i / cols.max(1),
                i % cols.max(1)
            ),
        ));
    }
    Ok(Matrix::new(
        shape[0] as usize,
        cols,
        values.into_iter().map(|v| v as f32).collect(),
    ))
}

/// Reads labels: a 1-D integer .npy, or a one-column CSV (header optional).
pub fn read_labels(path: &Path) -> Result<Vec<i64>, DataError> {
    match extension(path).as_str() {
        "npy" => {
            let (shape, values) = read_npy(path)?;
            if shape.len() != 1 {
                return Err(file_err(
                    path,
                    format!("expected a 1-D label array, found shape {shape:?}"),
                ));
            }
            values
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    (v.is_finite() && v.fract() == 0.0)
                        .then_some(v as i64)
                        .ok_or_else(|| {
                            file_err(path, format!("item {i}: label {v} is not an integer"))
                        })
                })
                .collect()
        }
        "csv" => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut open(path)?, &mut text).map_err(|source| {
                DataError::Io {
                    path: path.to_path_buf(),
                    source,
                }
            })?;
            let mut out = Vec::new();
            for (i, line) in text.lines().enumerate() {
                let cell = line.trim();
                if cell.is_empty() {
                    continue;
                }
                match parse_label(cell) {
                    Some(v) => out.push(v),
                    None if i == 0 => {} // a header
                    None => {
                        return Err(DataError::AtLine {
                            path: path.to_path_buf(),
                            line: i as u64 + 1,
                            message: format!("`{cell}` is not an integer label"),
                        })
                    }
                }
            }
            Ok(out)
        }
        other => Err(file_err(
            path,
            format!("unsupported label file type `.{other}`"),
        )),
    }
}

/// Writes a matrix as a 2-D float32 .npy (for tests, and for dumping embeddings).
pub fn write_npy(path: &Path, m: &Matrix) -> std::io::Result<()> {
    let mut w = npyz::WriteOptions::new()
        .default_dtype()
        .shape(&[m.rows as u64, m.cols as u64])
        .writer(BufWriter::new(File::create(path)?))
        .begin_nd()?;
    w.extend(m.data.iter().copied())?;
    w.finish()
}

pub(super) fn resolve(base_dir: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base_dir.join(p)
    }
}

/// Columns of `m` whose values all lie within 1e-12 of their first (relative to
/// its size): constant features.
pub fn constant_columns(m: &Matrix) -> Vec<usize> {
    (0..m.cols)
        .filter(|&j| {
            let first = m.data.get(j).copied().unwrap_or(0.0);
            let tol = 1e-12 * first.abs().max(1e-30);
            (0..m.rows).all(|i| (m.data[i * m.cols + j] - first).abs() <= tol)
        })
        .collect()
}

/// A warning naming a view's constant columns (0-based, as features are counted
/// after any label column is removed), or `None` when every column varies.
pub fn constant_columns_warning(m: &Matrix) -> Option<String> {
    let c = constant_columns(m);
    if c.is_empty() || m.rows < 2 {
        return None;
    }
    let shown: Vec<String> = c.iter().take(10).map(|j| j.to_string()).collect();
    let more = if c.len() > 10 {
        format!(" and {} more", c.len() - 10)
    } else {
        String::new()
    };
    let what = if c.len() == m.cols {
        "every feature column is constant: the view carries no information and its tower trains to chance".to_string()
    } else {
        format!(
            "{} of {} feature columns are constant and carry nothing",
            c.len(),
            m.cols
        )
    };
    Some(format!(
        "{what} (feature column{} {}{more})",
        if c.len() == 1 { "" } else { "s" },
        shown.join(", ")
    ))
}

/// Loads two views (and labels) of the same items, checking they agree.
pub fn load_pairs(
    spec: &FilesSpec,
    base_dir: &Path,
) -> Result<(Pairs, Option<Vec<i64>>), DataError> {
    let resolve = |p: &Path| resolve(base_dir, p);
    let (pa, pb) = (resolve(&spec.a), resolve(&spec.b));
    let a = read_view(&pa, &spec.label_column)?;
    let b = read_view(&pb, &spec.label_column)?;
    if a.features.rows != b.features.rows {
        return Err(DataError::Mismatch(format!(
            "views disagree on the number of items: {} has {} rows, {} has {}",
            pa.display(),
            a.features.rows,
            pb.display(),
            b.features.rows
        )));
    }
    let mut labels = match (&a.labels, &b.labels) {
        (Some(la), Some(lb)) => {
            if let Some(i) = la.iter().zip(lb).position(|(x, y)| x != y) {
                return Err(DataError::Mismatch(format!(
                    "label mismatch between views at item {i} (data line {}): {} says {}, {} says {}",
                    i + 2,
                    pa.display(),
                    la[i],
                    pb.display(),
                    lb[i]
                )));
            }
            Some(la.clone())
        }
        (Some(l), None) | (None, Some(l)) => Some(l.clone()),
        (None, None) => None,
    };
    if let Some(lp) = &spec.labels {
        let lp = resolve(lp);
        let l = read_labels(&lp)?;
        if l.len() != a.features.rows {
            return Err(DataError::Mismatch(format!(
                "{} has {} labels for {} items",
                lp.display(),
                l.len(),
                a.features.rows
            )));
        }
        labels = Some(l);
    }
    Ok((
        Pairs {
            a: a.features,
            b: b.features,
            labels: None,
        },
        labels,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_columns_are_found_and_named() {
        let m = Matrix::new(3, 3, vec![1.0, 5.0, 2.0, 1.0, 6.0, 2.0, 1.0, 7.0, 2.0]);
        assert_eq!(constant_columns(&m), vec![0, 2]);
        let w = constant_columns_warning(&m).unwrap();
        assert!(
            w.contains("2 of 3 feature columns are constant") && w.contains("columns 0, 2"),
            "{w}"
        );
        let all = Matrix::new(2, 2, vec![3.0, 3.0, 3.0, 3.0]);
        assert!(constant_columns_warning(&all)
            .unwrap()
            .contains("every feature column is constant"));
        let varied = Matrix::new(2, 1, vec![0.0, 1e-9]);
        assert!(constant_columns_warning(&varied).is_none());
    }
}
