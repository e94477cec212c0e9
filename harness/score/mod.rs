/*!
Score matrices of a super-batch (SPEC §2 "Scores"): the learner's pair-loss matrix
L, the reference's R, and A by the scoring rule — `learnability` (L − R),
`hard_learner` (L), `easy_reference` (−R).

L needs a forward pass of the learner over the B candidates; R needs only the
reference's cached per-example embeddings (one B×B matmul). Each matrix is computed
only if the rule uses it. A crosses to the host once per iteration (B² floats), where
the selectors run; only chosen indices go back.
*/

use dfdx::prelude::*;

use crate::data::Matrix;
use crate::experiment::Scoring;
use crate::model::{loss, Mat, TwoTower};

/// A's B×B values on the host, row-major: `get(i, j)` = A_ij.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreMatrix {
    pub n: usize,
    pub values: Vec<f32>,
}

impl ScoreMatrix {
    pub fn new(n: usize, values: Vec<f32>) -> ScoreMatrix {
        assert_eq!(values.len(), n * n, "a score matrix is square");
        ScoreMatrix { n, values }
    }

    #[inline]
    pub fn get(&self, i: usize, j: usize) -> f32 {
        self.values[i * self.n + j]
    }

    /// Learnability of a batch S: Σ_{i,j ∈ S} A_ij / |S| (SPEC §2, "Selectors").
    pub fn batch_learnability(&self, batch: &[usize]) -> f64 {
        let mut sum = 0.0f64;
        for &i in batch {
            for &j in batch {
                sum += self.get(i, j) as f64;
            }
        }
        sum / batch.len() as f64
    }

    /// The expected learnability of a uniformly drawn batch of b from the whole
    /// matrix: mean(A_ii) + (b − 1)·mean(A_ij, i ≠ j). The super-batch's mean, on the
    /// same footing as `batch_learnability`.
    pub fn mean_learnability(&self, b: usize) -> f64 {
        let n = self.n;
        let diag: f64 = (0..n).map(|i| self.get(i, i) as f64).sum();
        let total: f64 = self.values.iter().map(|&x| x as f64).sum();
        let mean_diag = diag / n as f64;
        let mean_off = if n > 1 {
            (total - diag) / (n * (n - 1)) as f64
        } else {
            0.0
        };
        mean_diag + (b as f64 - 1.0) * mean_off
    }
}

/// A trained reference model's embeddings of every pool example, computed once.
pub struct CachedReference<D: Device<f32>> {
    pub a: Mat<D>,
    pub b: Mat<D>,
    /// Its temperature t and bias c.
    pub temperature: f32,
    pub bias: f32,
}

/// The learner's pair-loss matrix L over candidates (xa, xb), without gradients.
pub fn learner_matrix<D: Device<f32>>(
    learner: &TwoTower<D>,
    xa: Mat<D>,
    xb: Mat<D>,
    eye: &Mat<D>,
) -> Mat<D> {
    let emb = learner.embed(&learner.theta, xa, xb);
    loss::pair_loss(learner.logits(&learner.theta, emb), eye)
}

/// The reference's pair-loss matrix R over the candidates at `idx` (one B×B matmul).
pub fn reference_matrix<D: Device<f32>>(
    reference: &CachedReference<D>,
    idx: &Tensor<(usize,), usize, D>,
    eye: &Mat<D>,
) -> Mat<D> {
    let a: Mat<D> = reference.a.clone().gather(idx.clone());
    let b: Mat<D> = reference.b.clone().gather(idx.clone());
    let logits = a.matmul(b.permute::<(usize, usize), Axes2<1, 0>>()) * reference.temperature
        + reference.bias;
    loss::pair_loss(logits, eye)
}

/// Which of L and R a rule needs.
pub fn needs(rule: Scoring) -> (bool, bool) {
    match rule {
        Scoring::Learnability => (true, true),
        Scoring::HardLearner => (true, false),
        Scoring::EasyReference => (false, true),
    }
}

/// A from the matrices the rule needs (the other may be `None`).
pub fn combine<D: Device<f32>>(
    rule: Scoring,
    learner: Option<Mat<D>>,
    reference: Option<Mat<D>>,
) -> Mat<D> {
    match (rule, learner, reference) {
        (Scoring::Learnability, Some(l), Some(r)) => l - r,
        (Scoring::HardLearner, Some(l), _) => l,
        (Scoring::EasyReference, _, Some(r)) => r.negate(),
        (rule, _, _) => panic!(
            "scoring rule {} is missing a matrix it needs",
            rule.as_str()
        ),
    }
}

/// The pair-loss matrix of one model's embeddings on the host (f64 sums):
/// l_ij = −log σ(z_ij (t⟨a_i, b_j⟩ + c)). Rows are used as given.
pub fn pair_losses_host(a: &Matrix, b: &Matrix, temperature: f64, bias: f64) -> Vec<f32> {
    assert_eq!(
        a.rows, b.rows,
        "one embedding row per candidate in each view"
    );
    let n = a.rows;
    let mut logits = vec![0.0f64; n * n];
    for i in 0..n {
        for j in 0..n {
            let dot: f64 = a
                .row(i)
                .iter()
                .zip(b.row(j))
                .map(|(x, y)| *x as f64 * *y as f64)
                .sum();
            logits[i * n + j] = temperature * dot + bias;
        }
    }
    loss::pair_loss_host(&logits, n)
        .into_iter()
        .map(|x| x as f32)
        .collect()
}

/// Host-side A from host L and R, for tests and the `select` command.
pub fn combine_host(rule: Scoring, learner: &[f32], reference: &[f32]) -> Vec<f32> {
    match rule {
        Scoring::Learnability => learner.iter().zip(reference).map(|(l, r)| l - r).collect(),
        Scoring::HardLearner => learner.to_vec(),
        Scoring::EasyReference => reference.iter().map(|r| -r).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_forms_a_as_specified_on_device_and_host() {
        let dev = Cpu::default();
        let l = vec![1.0, 2.0, 3.0, 4.0];
        let r = vec![0.5, 2.5, -1.0, 1.0];
        let want = [
            (Scoring::Learnability, vec![0.5, -0.5, 4.0, 3.0]),
            (Scoring::HardLearner, vec![1.0, 2.0, 3.0, 4.0]),
            (Scoring::EasyReference, vec![-0.5, -2.5, 1.0, -1.0]),
        ];
        for (rule, w) in want {
            assert_eq!(combine_host(rule, &l, &r), w);
            let (ln, rn) = needs(rule);
            let lt: Option<Mat<Cpu>> = ln.then(|| dev.tensor_from_vec(l.clone(), (2, 2)));
            let rt: Option<Mat<Cpu>> = rn.then(|| dev.tensor_from_vec(r.clone(), (2, 2)));
            assert_eq!(combine(rule, lt, rt).as_vec(), w);
        }
    }

    #[test]
    fn batch_and_mean_learnability() {
        // A = [[1, 2, 0], [4, 5, 1], [0, 0, 3]].
        let a = ScoreMatrix::new(3, vec![1.0, 2.0, 0.0, 4.0, 5.0, 1.0, 0.0, 0.0, 3.0]);
        // {0, 1}: (1 + 2 + 4 + 5) / 2 = 6.
        assert_eq!(a.batch_learnability(&[0, 1]), 6.0);
        assert_eq!(a.batch_learnability(&[2]), 3.0);
        // mean diag = 3, mean off-diagonal = 7/6; b = 2: 3 + 7/6.
        assert!((a.mean_learnability(2) - (3.0 + 7.0 / 6.0)).abs() < 1e-12);
        // The mean over all 2-subsets equals it.
        let subsets = [[0, 1], [0, 2], [1, 2]];
        let avg: f64 = subsets.iter().map(|s| a.batch_learnability(s)).sum::<f64>() / 3.0;
        assert!((avg - a.mean_learnability(2)).abs() < 1e-12);
    }
}
