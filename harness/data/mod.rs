/*!
Paired two-view data: the web pool the learner trains on, the curated set the
reference model trains on, and the held-out clean split it is evaluated on.

`synthetic` generates docs/methods.md §3 data from a seed; `files` loads features a user brings
(CSV or .npy); `noise` applies the web knobs (misaligned pairs, heavy noise,
near-duplicates) to either. Everything is plain host memory (`Matrix`, row-major
f32); the training code moves it to the device once.
*/

pub mod concepts;
pub mod files;
pub mod noise;
pub mod paired;
pub mod rng;
mod spec;
pub mod synthetic;
pub mod text;
pub mod text_pairs;

use std::path::Path;

use sha2::{Digest, Sha256};

pub use concepts::{Bucket, BucketShares};
pub use files::DataError;
pub use noise::PairKind;
pub use spec::{
    CuratedConcepts, DatasetSpec, FilesSpec, SyntheticSpec, TextKind, TextSpec, TextView,
};

/// A dense row-major f32 matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f32>,
}

impl Matrix {
    pub fn new(rows: usize, cols: usize, data: Vec<f32>) -> Matrix {
        assert_eq!(
            data.len(),
            rows * cols,
            "matrix data does not match its shape"
        );
        Matrix { rows, cols, data }
    }

    pub fn zeros(rows: usize, cols: usize) -> Matrix {
        Matrix::new(rows, cols, vec![0.0; rows * cols])
    }

    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    pub fn row_mut(&mut self, i: usize) -> &mut [f32] {
        &mut self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// The rows at `idx`, in that order.
    pub fn gather(&self, idx: &[usize]) -> Matrix {
        let mut data = Vec::with_capacity(idx.len() * self.cols);
        for &i in idx {
            data.extend_from_slice(self.row(i));
        }
        Matrix::new(idx.len(), self.cols, data)
    }

    /// Root mean square of all entries.
    pub fn rms(&self) -> f64 {
        if self.data.is_empty() {
            return 0.0;
        }
        let ss: f64 = self.data.iter().map(|&x| (x as f64) * (x as f64)).sum();
        libm::sqrt(ss / self.data.len() as f64)
    }
}

/// Row i of `a` and row i of `b` are two views of the same item.
#[derive(Clone, Debug, PartialEq)]
pub struct Pairs {
    pub a: Matrix,
    pub b: Matrix,
    /// Class of each item (concept for synthetic data), when known.
    pub labels: Option<Vec<usize>>,
}

impl Pairs {
    pub fn len(&self) -> usize {
        self.a.rows
    }

    pub fn is_empty(&self) -> bool {
        self.a.rows == 0
    }

    pub fn gather(&self, idx: &[usize]) -> Pairs {
        Pairs {
            a: self.a.gather(idx),
            b: self.b.gather(idx),
            labels: self
                .labels
                .as_ref()
                .map(|l| idx.iter().map(|&i| l[i]).collect()),
        }
    }

    /// Concatenates two sets with the same view widths.
    pub fn concat(&self, other: &Pairs) -> Pairs {
        let join = |x: &Matrix, y: &Matrix| {
            let mut data = x.data.clone();
            data.extend_from_slice(&y.data);
            Matrix::new(x.rows + y.rows, x.cols, data)
        };
        let labels = match (&self.labels, &other.labels) {
            (Some(x), Some(y)) => Some(x.iter().chain(y).copied().collect()),
            _ => None,
        };
        Pairs {
            a: join(&self.a, &other.a),
            b: join(&self.b, &other.b),
            labels,
        }
    }
}

/// How zero-shot class prototypes are formed in B-embedding space (docs/methods.md §3).
#[derive(Clone, Debug, PartialEq)]
pub enum Prototypes {
    /// One B-view input per class (synthetic: the concept's noise-free B view),
    /// embedded by tower B.
    Inputs(Matrix),
    /// The normalised mean B-embedding of each class's clean training items
    /// (real data): B-view inputs with their class labels.
    ClassMeans { b: Matrix, labels: Vec<usize> },
    /// No labels: zero-shot accuracy is not defined, only retrieval.
    None,
}

/// Everything a run needs, generated or loaded once per dataset seed.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// The noisy web pool: the learner's training stream.
    pub pool: Pairs,
    /// What happened to each pool pair (clean, misaligned, heavy noise, duplicate).
    pub pool_kinds: Vec<PairKind>,
    /// Each pool pair's concept frequency bucket (empty when the pool has no labels).
    pub pool_buckets: Vec<Bucket>,
    /// Clean curated pairs for the reference model.
    pub curated: Pairs,
    /// Held-out clean pairs; labels index the classes of `prototypes`.
    pub eval: Pairs,
    pub prototypes: Prototypes,
    pub n_classes: usize,
    /// The label (concept) of each evaluation class, in class order.
    pub eval_concepts: Vec<usize>,
}

impl Dataset {
    /// Builds the dataset a spec describes; relative file paths resolve against `base_dir`.
    pub fn build(spec: &DatasetSpec, base_dir: &Path) -> Result<Dataset, DataError> {
        let mut ds = match (&spec.synthetic, &spec.files, &spec.text) {
            (Some(s), _, _) => synthetic::generate(s, spec.seed),
            (None, Some(f), _) => paired::paired_dataset(f, spec.seed, base_dir)?,
            (None, None, Some(t)) => text_pairs::text_dataset(t, spec.seed, base_dir)?,
            (None, None, None) => return Err(DataError::NoSource),
        };
        if let Some(n) = spec.pool {
            if n > ds.pool.len() {
                return Err(DataError::Mismatch(format!(
                    "dataset.pool = {n} exceeds the {} pairs the pool holds",
                    ds.pool.len()
                )));
            }
            let order = rng::permutation(
                &mut rng::chacha(spec.seed, rng::stream::POOL_SUBSET),
                ds.pool.len(),
            );
            let mut keep = order[..n].to_vec();
            keep.sort_unstable();
            ds.pool = ds.pool.gather(&keep);
        }
        ds.pool_kinds = noise::apply(&mut ds.pool, &noise::Knobs::from(spec), spec.seed);
        ds.pool_buckets = ds
            .pool
            .labels
            .as_deref()
            .map_or(Vec::new(), concepts::buckets);
        Ok(ds)
    }

    /// The concept bucket of each evaluation class (by its concept's frequency in
    /// the pool; a concept the pool lacks is in the tail), when the pool has labels.
    pub fn eval_class_buckets(&self) -> Option<Vec<Bucket>> {
        let labels = self.pool.labels.as_deref()?;
        let by = concepts::concept_buckets(labels);
        Some(
            self.eval_concepts
                .iter()
                .map(|k| by.get(k).copied().unwrap_or(Bucket::Tail))
                .collect(),
        )
    }

    pub fn dim_a(&self) -> usize {
        self.pool.a.cols
    }

    pub fn dim_b(&self) -> usize {
        self.pool.b.cols
    }

    /// The reference model's training set at quality `q` (docs/methods.md §3): `round(q·n)`
    /// curated pairs and the rest drawn from the web pool, n = curated size.
    pub fn reference_set(&self, quality: f64, seed: u64) -> Pairs {
        let mut r = rng::chacha(seed, rng::stream::REFERENCE_SET);
        let n = self.curated.len();
        let n_curated = (quality * n as f64).round() as usize;
        let cur = rng::permutation(&mut r, n);
        let web = rng::permutation(&mut r, self.pool.len());
        let n_web = (n - n_curated).min(self.pool.len());
        let curated = self.curated.gather(&cur[..n_curated]);
        let web = self.pool.gather(&web[..n_web]);
        curated.concat(&web)
    }

    /// SHA-256 over every array, in a fixed order: equal on every machine for a seed.
    pub fn checksum(&self) -> String {
        let mut h = Sha256::new();
        let mut put = |m: &Matrix| {
            h.update((m.rows as u64).to_le_bytes());
            h.update((m.cols as u64).to_le_bytes());
            for x in &m.data {
                h.update(x.to_le_bytes());
            }
        };
        for p in [&self.pool, &self.curated, &self.eval] {
            put(&p.a);
            put(&p.b);
        }
        if let Prototypes::Inputs(m) | Prototypes::ClassMeans { b: m, .. } = &self.prototypes {
            put(m);
        }
        for p in [&self.pool, &self.curated, &self.eval] {
            if let Some(l) = &p.labels {
                for &x in l {
                    h.update((x as u64).to_le_bytes());
                }
            }
        }
        for k in &self.pool_kinds {
            h.update([*k as u8]);
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}
