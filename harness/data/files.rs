//! Paired features from files a user brings: two views of the same items, as CSV
//! (with a header; a `label` column is taken as the class) or .npy (2-D float or
//! integer arrays; labels from a separate 1-D .npy or one-column CSV).
//!
//! Errors name the file, and the line and column where there is one.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};

use npyz::{TypeChar, WriterBuilder};

use super::rng::{self, stream};
use super::{Dataset, Matrix, Pairs, Prototypes};
use crate::spec::FilesSpec;

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
    #[error("the dataset names no source: give `synthetic` or `files`")]
    NoSource,
}

fn file_err(path: &Path, message: impl Into<String>) -> DataError {
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

fn open(path: &Path) -> Result<File, DataError> {
    File::open(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })
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

fn csv_err(path: &Path, e: csv::Error) -> DataError {
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
    let npy = npyz::NpyFile::new(BufReader::new(open(path)?))
        .map_err(|e| bad(format!("not a valid .npy file: {e}")))?;
    let shape = npy.shape().to_vec();
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
            let text = std::fs::read_to_string(path).map_err(|source| DataError::Io {
                path: path.to_path_buf(),
                source,
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

fn resolve(base_dir: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base_dir.join(p)
    }
}

/// (test items, train items) from a split file's `column` of `train` / `test`.
fn read_split(path: &Path, column: &str, n: usize) -> Result<(Vec<usize>, Vec<usize>), DataError> {
    let mut reader = csv::Reader::from_reader(BufReader::new(open(path)?));
    let header = reader.headers().map_err(|e| csv_err(path, e))?.clone();
    let at = header
        .iter()
        .position(|h| h.trim() == column)
        .ok_or_else(|| {
            file_err(
                path,
                format!(
                    "no column `{column}` (the header has {})",
                    header.iter().collect::<Vec<_>>().join(", ")
                ),
            )
        })?;
    let (mut test, mut train) = (Vec::new(), Vec::new());
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| csv_err(path, e))?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        match record
            .get(at)
            .map(|v| v.trim().to_ascii_lowercase())
            .as_deref()
        {
            Some("train") => train.push(i),
            Some("test") => test.push(i),
            other => {
                return Err(DataError::AtLine {
                    path: path.to_path_buf(),
                    line,
                    message: format!(
                        "column `{column}`: `{}` is neither `train` nor `test`",
                        other.unwrap_or("")
                    ),
                })
            }
        }
    }
    if train.len() + test.len() != n {
        return Err(DataError::Mismatch(format!(
            "{} assigns {} items to a split, but the views hold {n}",
            path.display(),
            train.len() + test.len()
        )));
    }
    if test.is_empty() || train.len() < 2 {
        return Err(file_err(
            path,
            "the split needs at least one test and two train items",
        ));
    }
    Ok((test, train))
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

/// Standardises each column with the mean and standard deviation of `train` rows.
fn standardise(m: &mut Matrix, train: &[usize]) {
    for j in 0..m.cols {
        let n = train.len() as f64;
        let mean = train
            .iter()
            .map(|&i| m.data[i * m.cols + j] as f64)
            .sum::<f64>()
            / n;
        let var = train
            .iter()
            .map(|&i| {
                let d = m.data[i * m.cols + j] as f64 - mean;
                d * d
            })
            .sum::<f64>()
            / n;
        let sd = if var > 0.0 { libm::sqrt(var) } else { 1.0 };
        for i in 0..m.rows {
            let x = &mut m.data[i * m.cols + j];
            *x = ((*x as f64 - mean) / sd) as f32;
        }
    }
}

/// A dataset from paired files: a seeded split into eval and train; views
/// standardised on the train split; a clean curated part of train; the rest is the pool.
pub fn paired_dataset(spec: &FilesSpec, seed: u64, base_dir: &Path) -> Result<Dataset, DataError> {
    let (mut pairs, raw_labels) = load_pairs(spec, base_dir)?;
    let n = pairs.len();
    if n < 3 {
        return Err(DataError::Mismatch(format!(
            "{n} items are too few to split"
        )));
    }
    let (eval_idx, train_idx) = match &spec.split {
        Some(p) => read_split(&resolve(base_dir, p), &spec.split_column, n)?,
        None => {
            let mut r = rng::chacha(seed, stream::SPLIT);
            let order = rng::permutation(&mut r, n);
            let n_eval = ((spec.eval_fraction * n as f64).round() as usize).clamp(1, n - 2);
            let (e, t) = order.split_at(n_eval);
            (e.to_vec(), t.to_vec())
        }
    };
    let (eval_idx, train_idx) = (&eval_idx[..], &train_idx[..]);
    standardise(&mut pairs.a, train_idx);
    standardise(&mut pairs.b, train_idx);

    // Dense class indices 0..n_classes, in sorted label order.
    let (labels, n_classes) = match &raw_labels {
        Some(l) => {
            let classes: BTreeMap<i64, usize> = {
                let mut u: Vec<i64> = l.clone();
                u.sort_unstable();
                u.dedup();
                u.into_iter().enumerate().map(|(i, v)| (v, i)).collect()
            };
            (
                Some(l.iter().map(|v| classes[v]).collect::<Vec<_>>()),
                classes.len(),
            )
        }
        None => (None, 0),
    };
    pairs.labels = labels;
    let train = pairs.gather(train_idx);
    let eval = pairs.gather(eval_idx);
    let n_cur =
        ((spec.curated_fraction * train.len() as f64).round() as usize).clamp(1, train.len() - 1);
    let idx: Vec<usize> = (0..train.len()).collect();
    let curated = train.gather(&idx[..n_cur]);
    let pool = train.gather(&idx[n_cur..]);
    let prototypes = match &train.labels {
        Some(l) => Prototypes::ClassMeans {
            b: train.b.clone(),
            labels: l.clone(),
        },
        None => Prototypes::None,
    };
    Ok(Dataset {
        pool,
        pool_kinds: Vec::new(),
        curated,
        eval,
        prototypes,
        n_classes,
        eval_concepts: (0..n_classes).collect(),
    })
}
