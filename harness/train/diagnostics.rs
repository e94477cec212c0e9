//! What the batches were worth, kept per evaluation window (SPEC §5 "Selection
//! diagnostics"): the training loss, the learnability of the trained batches and of
//! a uniform draw from the same super-batches, and the share of each pair kind
//! (clean, misaligned, heavy noise, duplicate) picked and offered.

use crate::data::PairKind;

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
}

impl Window {
    /// Counts the kinds of the pool items `items`.
    pub fn count(into: &mut [u64; 4], kinds: &[PairKind], items: impl Iterator<Item = usize>) {
        for i in items {
            into[kinds[i] as usize] += 1;
        }
    }
}

pub(super) fn mean((sum, n): (f64, usize)) -> f64 {
    if n == 0 {
        f64::NAN
    } else {
        sum / n as f64
    }
}

/// Counts as shares (None when nothing was counted).
pub(super) fn shares(counts: &[u64; 4]) -> Option<KindShares> {
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
}
