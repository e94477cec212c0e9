//! What the batches were worth, kept per evaluation window (docs/methods.md §5 "Selection
//! diagnostics"): the training loss, the learnability of the trained batches and of
//! a uniform draw from the same super-batches, the share of each pair kind
//! (clean, misaligned, heavy noise, duplicate) and of each concept frequency bucket
//! (head, torso, tail; `data::concepts`) picked and offered.

use crate::data::{Bucket, PairKind};

/// Shares of the four pair kinds, in `PairKind` order; they sum to 1.
pub type KindShares = [f64; 4];

/// Sums over the iterations since the last record.
#[derive(Default)]
pub(super) struct Window {
    pub loss: (f64, usize),
    pub selected: (f64, usize),
    pub superbatch: (f64, usize),
    pub selected_kinds: [u64; 4],
    pub superbatch_kinds: [u64; 4],
    pub selected_buckets: [u64; 3],
    pub superbatch_buckets: [u64; 3],
    pub selected_same_concept: (f64, usize),
    pub superbatch_same_concept: (f64, usize),
}

impl Window {
    /// Counts the kinds of the pool items `items`.
    pub fn count(into: &mut [u64; 4], kinds: &[PairKind], items: impl Iterator<Item = usize>) {
        for i in items {
            into[kinds[i] as usize] += 1;
        }
    }

    /// Counts the concept buckets of the pool items `items`.
    pub fn count_buckets(
        into: &mut [u64; 3],
        buckets: &[Bucket],
        items: impl Iterator<Item = usize>,
    ) {
        for i in items {
            into[buckets[i] as usize] += 1;
        }
    }
}

/// The share of the ordered pairs (i, j), i ≠ j, of `items` whose labels are equal:
/// Σ_c n_c (n_c − 1) / (n (n − 1)); NaN for fewer than two items.
pub(super) fn same_label_share(labels: &[usize], items: impl Iterator<Item = usize>) -> f64 {
    let mut counts = std::collections::BTreeMap::<usize, u64>::new();
    let mut n = 0u64;
    for i in items {
        *counts.entry(labels[i]).or_default() += 1;
        n += 1;
    }
    if n < 2 {
        return f64::NAN;
    }
    let same: u64 = counts.values().map(|&c| c * (c - 1)).sum();
    same as f64 / (n * (n - 1)) as f64
}

pub(super) fn mean((sum, n): (f64, usize)) -> f64 {
    if n == 0 {
        f64::NAN
    } else {
        sum / n as f64
    }
}

/// Counts as shares (None when nothing was counted).
pub(super) fn shares<const K: usize>(counts: &[u64; K]) -> Option<[f64; K]> {
    let total: u64 = counts.iter().sum();
    (total > 0).then(|| counts.map(|c| c as f64 / total as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_shares_on_a_hand_made_pool() {
        use PairKind::*;
        let kinds = [
            Clean, Misaligned, Clean, HeavyNoise, Duplicate, Clean, Misaligned, Clean,
        ];
        let mut w = Window::default();
        // A batch of 4: items 0, 1, 3, 5 → clean 2, misaligned 1, heavy 1.
        Window::count(&mut w.selected_kinds, &kinds, [0, 1, 3, 5].into_iter());
        // The whole super-batch: clean 4, misaligned 2, heavy 1, duplicate 1.
        Window::count(&mut w.superbatch_kinds, &kinds, 0..8);
        assert_eq!(shares(&w.selected_kinds), Some([0.5, 0.25, 0.25, 0.0]));
        assert_eq!(shares(&w.superbatch_kinds), Some([0.5, 0.25, 0.125, 0.125]));
        assert_eq!(shares(&[0; 4]), None);
    }

    #[test]
    fn same_label_share_counts_ordered_pairs() {
        let labels = [4, 4, 1, 4, 2, 1];
        // Items 0..6: label 4 ×3, 1 ×2, 2 ×1 → (6 + 2) / 30.
        assert_eq!(same_label_share(&labels, 0..6), 8.0 / 30.0);
        // Items 0, 2, 4: all different.
        assert_eq!(same_label_share(&labels, [0, 2, 4].into_iter()), 0.0);
        assert!(same_label_share(&labels, [3].into_iter()).is_nan());
    }

    #[test]
    fn bucket_shares_on_a_hand_made_pool() {
        use Bucket::*;
        let buckets = [Head, Head, Tail, Torso, Head, Tail];
        let mut w = Window::default();
        Window::count_buckets(&mut w.selected_buckets, &buckets, [2, 3, 5, 0].into_iter());
        Window::count_buckets(&mut w.superbatch_buckets, &buckets, 0..6);
        assert_eq!(shares(&w.selected_buckets), Some([0.25, 0.25, 0.5]));
        assert_eq!(
            shares(&w.superbatch_buckets),
            Some([0.5, 1.0 / 6.0, 2.0 / 6.0])
        );
    }
}
