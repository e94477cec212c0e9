//! The low-resolution view of Flexi-JEST's analog (docs/methods.md §5): each modality's features
//! averaged in groups of r (d → ⌈d/r⌉; the last group may be smaller), fed through
//! the same tower with its first-layer weights summed over each group. On inputs
//! constant within each group the low-resolution first layer gives exactly the
//! full-resolution output, and no parameter is added.

/// The number of groups of r among d features.
pub fn groups(d: usize, r: usize) -> usize {
    d.div_ceil(r.max(1))
}

/// Rows of n×d features averaged in groups of r: n×⌈d/r⌉.
pub fn average_groups<T: num_traits::Float>(x: &[T], n: usize, d: usize, r: usize) -> Vec<T> {
    let g = groups(d, r);
    let mut out = Vec::with_capacity(n * g);
    for row in x.chunks(d).take(n) {
        for k in 0..g {
            let part = &row[k * r..((k + 1) * r).min(d)];
            let sum = part.iter().fold(T::zero(), |s, &v| s + v);
            out.push(sum / T::from(part.len()).expect("a count"));
        }
    }
    out
}

/// A d×h weight matrix with its rows summed in groups of r: ⌈d/r⌉×h.
pub fn sum_weights<T: num_traits::Float>(w: &[T], d: usize, h: usize, r: usize) -> Vec<T> {
    let g = groups(d, r);
    let mut out = vec![T::zero(); g * h];
    for i in 0..d {
        let k = i / r;
        for j in 0..h {
            out[k * h + j] = out[k * h + j] + w[i * h + j];
        }
    }
    out
}

/// The gradient of the summed weights, back to the full ones: every row of a group
/// gets the group's gradient.
pub fn scatter_grad<T: num_traits::Float>(
    dw_low: &[T],
    d: usize,
    h: usize,
    r: usize,
    grad: &mut [T],
) {
    for i in 0..d {
        let k = i / r;
        for j in 0..h {
            grad[i * h + j] = grad[i * h + j] + dw_low[k * h + j];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_constant_input_gives_the_full_resolution_output_exactly() {
        let (d, h) = (10, 3);
        for r in [2, 3, 4] {
            let w: Vec<f64> = (0..d * h).map(|i| ((i * 7) % 11) as f64 - 5.0).collect();
            // Constant within each group of r (the last group of 10 % r, too).
            let x: Vec<f64> = (0..d).map(|i| (i / r) as f64 * 0.5 - 1.0).collect();
            let full: Vec<f64> = (0..h)
                .map(|j| (0..d).map(|i| x[i] * w[i * h + j]).sum())
                .collect();
            let xl = average_groups(&x, 1, d, r);
            let wl = sum_weights(&w, d, h, r);
            assert_eq!(xl.len(), groups(d, r));
            let low: Vec<f64> = (0..h)
                .map(|j| (0..xl.len()).map(|k| xl[k] * wl[k * h + j]).sum())
                .collect();
            assert_eq!(low, full, "r = {r}");
        }
    }

    #[test]
    fn the_gradient_of_summed_weights_reaches_every_row_of_its_group() {
        let (d, h, r) = (5, 2, 2);
        let dw_low = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let mut g = vec![0.0; d * h];
        scatter_grad(&dw_low, d, h, r, &mut g);
        assert_eq!(g, vec![1.0, 2.0, 1.0, 2.0, 3.0, 4.0, 3.0, 4.0, 5.0, 6.0]);
    }
}
