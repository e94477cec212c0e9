//! The SigLIP sigmoid loss (Zhai et al. 2023; docs/methods.md §2).
//!
//! Pair loss l_ij = −log σ(z_ij · logits_ij), z_ij = +1 on the diagonal (matching pairs)
//! and −1 elsewhere. That is binary cross-entropy with logits against the identity
//! matrix as target probabilities, which dfdx computes stably. The batch loss sums the
//! n×n matrix and divides by n (not n²), as big_vision and open_clip do.

use dfdx::prelude::*;

use super::Mat;

/// The n×n identity on the device: the targets of `pair_loss`.
pub fn identity<D: Device<f32>>(dev: &D, n: usize) -> Mat<D> {
    let mut v = vec![0.0f32; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    dev.tensor_from_vec(v, (n, n))
}

/// l_ij = −log σ(z_ij · logits_ij) for every pair.
pub fn pair_loss<D: Device<f32>, T: Tape<f32, D>>(logits: Mat<D, T>, eye: &Mat<D>) -> Mat<D, T> {
    logits.bce_with_logits(eye.clone())
}

/// (1/n) Σ_ij l_ij.
pub fn batch_loss<D: Device<f32>, T: Tape<f32, D>>(
    logits: Mat<D, T>,
    eye: &Mat<D>,
) -> Tensor<(), f32, D, T> {
    let n = logits.shape().0 as f32;
    pair_loss(logits, eye).sum::<(), _>() / n
}

/// The pair loss of an n×n logits matrix on the host, in f64 (the `select` command
/// and the tests' oracle).
pub fn pair_loss_host(logits: &[f64], n: usize) -> Vec<f64> {
    (0..n * n)
        .map(|k| {
            let z = if k / n == k % n { 1.0 } else { -1.0 };
            let x = z * logits[k];
            // −log σ(x) = log(1 + e^{−x}), written stably.
            if x > 0.0 {
                libm::log1p(libm::exp(-x))
            } else {
                -x + libm::log1p(libm::exp(x))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_loss_matches_hand_values() {
        let dev = Cpu::default();
        // Hand-computed: −log σ(2) = 0.126928, −log σ(−(−1)) = −log σ(1) = 0.313262,
        // −log σ(−0.5) = 0.974077, −log σ(0) = ln 2 = 0.693147.
        let logits: Mat<Cpu> = dev.tensor_from_vec(vec![2.0, -1.0, 0.5, 0.0], (2, 2));
        let eye = identity(&dev, 2);
        let l = pair_loss(logits.clone(), &eye).as_vec();
        let want = [0.126928, 0.313262, 0.974077, std::f64::consts::LN_2];
        for (g, w) in l.iter().zip(want) {
            assert!((*g as f64 - w).abs() < 1e-5, "{l:?}");
        }
        // Batch loss divides the sum by n = 2, not n² = 4.
        let b = batch_loss(logits, &eye).array();
        assert!((b as f64 - want.iter().sum::<f64>() / 2.0).abs() < 1e-5);
    }

    #[test]
    fn pair_loss_matches_oracle_on_extreme_logits() {
        let dev = Cpu::default();
        let n = 3;
        let x = [30.0, -40.0, 5.0, 12.0, -0.3, 80.0, -25.0, 0.0, -60.0];
        let logits: Mat<Cpu> = dev.tensor_from_vec(x.iter().map(|&v| v as f32).collect(), (n, n));
        let got = pair_loss(logits, &identity(&dev, n)).as_vec();
        let want = pair_loss_host(&x, n);
        for (g, w) in got.iter().zip(&want) {
            assert!(g.is_finite());
            assert!(
                (*g as f64 - w).abs() <= 1e-4 * w.abs().max(1.0),
                "{got:?} vs {want:?}"
            );
        }
    }
}
