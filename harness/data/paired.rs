//! A dataset from paired files: a split (from a file, or seeded), views standardised
//! on the training split, a clean curated part of it for the reference, the rest the
//! web pool; class-mean prototypes when labels are given.

use std::collections::BTreeMap;
use std::io::BufReader;
use std::path::Path;

use super::files::{csv_err, file_err, load_pairs, open, resolve, DataError};
use super::rng::{self, stream};
use super::FilesSpec;
use super::{Dataset, Matrix, Prototypes};

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
    let idx: Vec<usize> = if spec.seeded_curated {
        rng::permutation(&mut rng::chacha(seed, stream::CURATED), train.len())
    } else {
        (0..train.len()).collect()
    };
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
        pool_buckets: Vec::new(),
        curated,
        eval,
        prototypes,
        n_classes,
        eval_concepts: (0..n_classes).collect(),
    })
}
