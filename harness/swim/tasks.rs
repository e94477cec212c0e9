//! SWIM tasks: smooth synthetic regression, a pendulum's vector field, the
//! Hénon–Heiles Hamiltonian as a plain regression, Hamiltonian learning from time
//! derivatives (`hamiltonian`), and labelled tables from files (classification).

use faer::Mat;
use std::path::Path;

use rand::Rng;

use crate::data::files::{read_view, DataError};
use crate::data::rng::{self, stream};
use crate::swim::{HamiltonianSpec, HamiltonianSystem, TaskSpec, TrajectorySpec};

/// Train and test data of a task, in f64.
#[derive(Clone, Debug)]
pub struct TaskData {
    pub x_train: Mat<f64>,
    pub y_train: Mat<f64>,
    pub x_test: Mat<f64>,
    pub y_test: Mat<f64>,
    /// Classification: the number of classes (targets are one-hot).
    pub classes: Option<usize>,
    /// Hamiltonian learning: the targets are the time derivatives (q', p').
    pub hamiltonian: Option<HamiltonianTask>,
}

/// What a Hamiltonian task knows beyond its states and derivatives.
#[derive(Clone, Debug)]
pub struct HamiltonianTask {
    pub system: HamiltonianSystem,
    /// ∇H on the training states (n × d): (−p', q').
    pub grad_train: Mat<f64>,
    pub h_test: Vec<f64>,
    pub grad_test: Mat<f64>,
    /// H at x₀ = 0, which fixes the learned H's constant.
    pub h0: f64,
    pub trajectory: TrajectorySpec,
}

/// States drawn uniformly from the spec's domain, their time derivatives, and
/// the true H and ∇H on the test states.
fn hamiltonian(spec: &HamiltonianSpec, r: &mut impl Rng) -> TaskData {
    let sys = spec.system;
    let domain: Vec<(f64, f64)> = spec.domain().iter().map(|[a, b]| (*a, *b)).collect();
    let x_train = uniform_box(r, spec.train, &domain);
    let x_test = uniform_box(r, spec.test, &domain);
    let d = domain.len();
    let grad = |x: &Mat<f64>| {
        rows_map(x, d, |s| {
            let mut g = vec![0.0; d];
            sys.gradient(s, &mut g);
            g
        })
    };
    let field = |x: &Mat<f64>| {
        rows_map(x, d, |s| {
            let mut f = vec![0.0; d];
            sys.vector_field(s, &mut f);
            f
        })
    };
    let h_test: Vec<f64> = (0..spec.test)
        .map(|i| sys.energy(&crate::linalg::row(x_test.as_ref(), i)))
        .collect();
    TaskData {
        y_train: field(&x_train),
        y_test: field(&x_test),
        hamiltonian: Some(HamiltonianTask {
            system: sys,
            grad_train: grad(&x_train),
            h_test,
            grad_test: grad(&x_test),
            h0: sys.energy(&vec![0.0; d]),
            trajectory: spec.trajectory(),
        }),
        x_train,
        x_test,
        classes: None,
    }
}

fn uniform_box(r: &mut impl Rng, n: usize, bounds: &[(f64, f64)]) -> Mat<f64> {
    Mat::from_fn(n, bounds.len(), |_, j| {
        r.gen_range(bounds[j].0..bounds[j].1)
    })
}

fn rows_map(x: &Mat<f64>, out: usize, f: impl Fn(&[f64]) -> Vec<f64>) -> Mat<f64> {
    let mut y = Mat::<f64>::zeros(x.nrows(), out);
    for i in 0..x.nrows() {
        let row: Vec<f64> = crate::linalg::row(x.as_ref(), i);
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
            hamiltonian: None,
        }
    };
    if let Some(s) = &spec.regression {
        let a: Vec<f64> = (0..s.dim).map(|_| rng::normal(&mut r)).collect();
        let norm = a.iter().map(|v| v * v).sum::<f64>().sqrt();
        let a: Vec<f64> = a.iter().map(|v| v / norm).collect();
        let f = move |x: &[f64]| {
            let dot: f64 = x.iter().zip(&a).map(|(p, q)| p * q).sum();
            let sq: f64 = x.iter().map(|v| v * v).sum();
            vec![libm::sin(std::f64::consts::PI * dot) + 0.5 * libm::cos(sq)]
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
        let f = |x: &[f64]| vec![x[1], -libm::sin(x[0])];
        return Ok(both(
            &mut r,
            s.train,
            s.test,
            &[(-pi, pi), (-2.0, 2.0)],
            2,
            &f,
        ));
    }
    if let Some(h) = &spec.hamiltonian {
        return Ok(hamiltonian(h, &mut r));
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
    let x = Mat::from_fn(n, d, |i, j| view.features.row(i)[j] as f64);
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
        let xs = Mat::from_fn(idx.len(), d, |i, j| x[(idx[i], j)]);
        let ys = Mat::from_fn(idx.len(), k, |i, c| {
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
        hamiltonian: None,
    })
}
