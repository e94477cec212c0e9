//! Selection diagnostics of a cell (docs/methods.md §5): the seed-mean kind shares of its
//! selected and offered batches per evaluation window, filtering precision and
//! recall, the shares of head, torso and tail concepts, and the learnability of the
//! batches it trained on.

use serde::Serialize;

use crate::stats;
use crate::train::JestRow;

/// Seed-mean shares of each pair kind over one evaluation window, and what they say
/// about filtering: of the pairs a selector dropped, the share that were corrupted
/// (precision), and of the corrupted pairs offered, the share it dropped (recall).
#[derive(Clone, Debug, Serialize)]
pub struct KindWindow {
    pub step: f64,
    pub selected: [f64; 4],
    pub superbatch: [f64; 4],
    pub precision: f64,
    pub recall: f64,
}

impl KindWindow {
    fn new(step: f64, selected: [f64; 4], superbatch: [f64; 4], b: f64, big_b: f64) -> Self {
        // Per step: B·s_k offered, b·c_k kept, of each kind k; the rest dropped.
        let corrupted = |v: &[f64; 4], n: f64| n * (1.0 - v[0]);
        let dropped = big_b - b;
        let dropped_corrupted = corrupted(&superbatch, big_b) - corrupted(&selected, b);
        let offered_corrupted = corrupted(&superbatch, big_b);
        KindWindow {
            step,
            selected,
            superbatch,
            precision: if dropped > 0.0 {
                dropped_corrupted / dropped
            } else {
                f64::NAN
            },
            recall: if offered_corrupted > 0.0 {
                dropped_corrupted / offered_corrupted
            } else {
                f64::NAN
            },
        }
    }
}

/// The seed-mean learnability of the trained batches at each evaluation step:
/// `steps` are the evaluation steps, `runs` each complete run's values there.
pub fn learnability_curve(steps: &[f64], runs: &[&[f64]]) -> Vec<(f64, f64)> {
    (0..steps.len())
        .filter_map(|k| {
            let v: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.get(k).copied())
                .filter(|v| v.is_finite())
                .collect();
            (!v.is_empty()).then(|| (steps[k], stats::mean(&v)))
        })
        .collect()
}

/// Kind shares per evaluation window (after the first evaluation): `selected` and
/// `offered` hold each complete run's shares at every evaluation step; b and B are
/// the cell's batch and super-batch sizes.
pub fn kind_windows(
    steps: &[f64],
    selected: &[&[Option<[f64; 4]>]],
    offered: &[&[Option<[f64; 4]>]],
    b: f64,
    big_b: f64,
) -> Vec<KindWindow> {
    (1..steps.len())
        .filter_map(|k| {
            let (sel, sup) = (seed_mean(k, selected)?, seed_mean(k, offered)?);
            Some(KindWindow::new(steps[k], sel, sup, b, big_b))
        })
        .collect()
}

/// Seed-mean shares of the head, torso and tail concepts (by pool frequency,
/// equal-mass thirds) over one evaluation window, picked and offered.
#[derive(Clone, Debug, Serialize)]
pub struct ConceptWindow {
    pub step: f64,
    pub selected: [f64; 3],
    pub superbatch: [f64; 3],
    /// The share of same-concept pairs in the trained batches and in the
    /// super-batches (NaN where not logged).
    pub same_concept: [f64; 2],
}

/// Concept-bucket shares per evaluation window (after the first evaluation), as
/// `kind_windows` for the pair kinds.
pub fn concept_windows(
    steps: &[f64],
    selected: &[&[Option<[f64; 3]>]],
    offered: &[&[Option<[f64; 3]>]],
    same_concept: &[&[Option<[f64; 2]>]],
) -> Vec<ConceptWindow> {
    (1..steps.len())
        .filter_map(|k| {
            Some(ConceptWindow {
                step: steps[k],
                selected: seed_mean(k, selected)?,
                superbatch: seed_mean(k, offered)?,
                same_concept: seed_mean(k, same_concept).unwrap_or([f64::NAN; 2]),
            })
        })
        .collect()
}

/// The mean over runs of their shares at evaluation index k (None when no run has
/// them there).
fn seed_mean<const K: usize>(k: usize, runs: &[&[Option<[f64; K]>]]) -> Option<[f64; K]> {
    let v: Vec<[f64; K]> = runs
        .iter()
        .filter_map(|r| r.get(k).copied().flatten())
        .collect();
    (!v.is_empty())
        .then(|| std::array::from_fn(|i| v.iter().map(|x| x[i]).sum::<f64>() / v.len() as f64))
}

/// A row's concept-bucket shares (selected or offered), when it has them.
pub fn buckets(r: &JestRow, selected: bool) -> Option<[f64; 3]> {
    let v = if selected {
        [r.selected_head, r.selected_torso, r.selected_tail]
    } else {
        [r.superbatch_head, r.superbatch_torso, r.superbatch_tail]
    };
    Some([v[0]?, v[1]?, v[2]?])
}

/// A row's kind shares (selected or offered), when it has them.
pub fn kinds(r: &JestRow, selected: bool) -> Option<[f64; 4]> {
    let v = if selected {
        [
            r.selected_clean,
            r.selected_misaligned,
            r.selected_heavy_noise,
            r.selected_duplicate,
        ]
    } else {
        [
            r.superbatch_clean,
            r.superbatch_misaligned,
            r.superbatch_heavy_noise,
            r.superbatch_duplicate,
        ]
    };
    Some([v[0]?, v[1]?, v[2]?, v[3]?])
}
