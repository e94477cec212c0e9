//! SWIM tasks: smooth synthetic regression, a pendulum's vector field, the
//! Hénon–Heiles Hamiltonian, and labelled tables from files (classification).

use std::path::Path;

use nalgebra::DMatrix;
use rand::Rng;

use crate::data::files::{read_view, DataError};
use crate::data::rng::{self, stream};
use crate::experiment::swim::TaskSpec;

/// Train and test data of a task, in f64.
#[derive(Clone, Debug)]
pub struct TaskData {
    pub x_train: DMatrix<f64>,
    pub y_train: DMatrix<f64>,
    pub x_test: DMatrix<f64>,
    pub y_test: DMatrix<f64>,
    /// Classification: the number of classes (targets are one-hot).
    pub classes: Option<usize>,
}

fn uniform_box(r: &mut impl Rng, n: usize, bounds: &[(f64, f64)]) -> DMatrix<f64> {
    DMatrix::from_fn(n, bounds.len(), |_, j| {
        r.gen_range(bounds[j].0..bounds[j].1)
    })
}

fn rows_map(x: &DMatrix<f64>, out: usize, f: impl Fn(&[f64]) -> Vec<f64>) -> DMatrix<f64> {
    let mut y = DMatrix::zeros(x.nrows(), out);
    for i in 0..x.nrows() {
        let row: Vec<f64> = x.row(i).iter().copied().collect();
        for (j, v) in f(&row).into_iter().enumerate() {
            y[(i, j)] = v;
        }
    }
    y
}

/// The Hénon–Heiles Hamiltonian of (q1, q2, p1, p2).
pub fn henon_heiles(s: &[f64]) -> f64 {
    let (q1, q2, p1, p2) = (s[0], s[1], s[2], s[3]);
    0.5 * (p1 * p1 + p2 * p2) + 0.5 * (q1 * q1 + q2 * q2) + q1 * q1 * q2 - q2 * q2 * q2 / 3.0
}

pub fn build(spec: &TaskSpec, base_dir: &Path) -> Result<TaskData, DataError> {
    let mut r = rng::chacha(spec.seed, stream::WORLD);
    let both = |r: &mut rand_chacha::ChaCha8Rng,
                train: usize,
                test: usize,
                bounds: &[(f64, f64)],
                out: usize,
                f: &dyn Fn(&[f64]) -> Vec<f64>| {
        let x_train = uniform_box(r, train, bounds);
        let x_test = uniform_box(r, test, bounds);
        TaskData {
            y_train: rows_map(&x_train, out, f),
            y_test: rows_map(&x_test, out, f),
            x_train,
            x_test,
            classes: None,
        }
    };
    if let Some(s) = &spec.regression {
        let a: Vec<f64> = (0..s.dim).map(|_| rng::normal(&mut r)).collect();
        let norm = a.iter().map(|v| v * v).sum::<f64>().sqrt();
        let a: Vec<f64> = a.iter().map(|v| v / norm).collect();
        let f = move |x: &[f64]| {
            let dot: f64 = x.iter().zip(&a).map(|(p, q)| p * q).sum();
            let sq: f64 = x.iter().map(|v| v * v).sum();
            vec![(std::f64::consts::PI * dot).sin() + 0.5 * sq.cos()]
        };
        return Ok(both(
            &mut r,
            s.train,
            s.test,
            &vec![(-1.0, 1.0); s.dim],
            1,
            &f,
        ));
    }
    if let Some(s) = &spec.pendulum {
        let pi = std::f64::consts::PI;
        let f = |x: &[f64]| vec![x[1], -x[0].sin()];
        return Ok(both(
            &mut r,
            s.train,
            s.test,
            &[(-pi, pi), (-2.0, 2.0)],
            2,
            &f,
        ));
    }
    if let Some(s) = &spec.henon_heiles {
        let f = |x: &[f64]| vec![henon_heiles(x)];
        return Ok(both(&mut r, s.train, s.test, &[(-1.0, 1.0); 4], 1, &f));
    }
    let t = spec.table.as_ref().expect("validated: one task");
    let path = if t.file.is_absolute() {
        t.file.clone()
    } else {
        base_dir.join(&t.file)
    };
    let view = read_view(&path, &t.label_column)?;
    let labels = view.labels.ok_or_else(|| DataError::File {
        path: path.clone(),
        message: format!(
            "no label column `{}`: a table task needs class labels",
            t.label_column
        ),
    })?;
    let mut classes: Vec<i64> = labels.clone();
    classes.sort_unstable();
    classes.dedup();
    let class_of = |l: i64| classes.binary_search(&l).expect("from the same labels");
    let n = view.features.rows;
    let order = rng::permutation(&mut rng::chacha(spec.seed, stream::SPLIT), n);
    let n_test = ((t.test_fraction * n as f64).round() as usize).clamp(1, n - 2);
    let (test, train) = order.split_at(n_test);
    let d = view.features.cols;
    let x = DMatrix::from_fn(n, d, |i, j| view.features.row(i)[j] as f64);
    // Standardise on the training rows.
    let mut x = x;
    for j in 0..d {
        let mean = train.iter().map(|&i| x[(i, j)]).sum::<f64>() / train.len() as f64;
        let var = train
            .iter()
            .map(|&i| (x[(i, j)] - mean).powi(2))
            .sum::<f64>()
            / train.len() as f64;
        let sd = if var > 0.0 { var.sqrt() } else { 1.0 };
        for i in 0..n {
            x[(i, j)] = (x[(i, j)] - mean) / sd;
        }
    }
    let k = classes.len();
    let pick = |idx: &[usize]| {
        let xs = DMatrix::from_fn(idx.len(), d, |i, j| x[(idx[i], j)]);
        let ys = DMatrix::from_fn(idx.len(), k, |i, c| {
            if class_of(labels[idx[i]]) == c {
                1.0
            } else {
                0.0
            }
        });
        (xs, ys)
    };
    let (x_train, y_train) = pick(train);
    let (x_test, y_test) = pick(test);
    Ok(TaskData {
        x_train,
        y_train,
        x_test,
        y_test,
        classes: Some(k),
    })
}
