//! Concept frequency buckets of the pool (head, torso, tail), for the diagnostic
//! that shows whether a selector rebalances a skewed stream.
//!
//! Concepts are ranked by how often they occur in the pool (most frequent first,
//! ties by label) and cut into three equal-mass buckets: a concept belongs to the
//! head when the pool items of the concepts ranked above it make up less than a third
//! of the pool, to the torso when less than two thirds, to the tail otherwise. A
//! uniform draw from the pool therefore sees roughly a third of each (exactly, up to
//! the concept that straddles a cut), whatever the skew: a selector's shares say how
//! far it moves away from the stream. Items are bucketed by their label (a misaligned
//! pair by its A view's concept; a near-duplicate by its source's).

/// A concept's frequency bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Bucket {
    Head = 0,
    Torso = 1,
    Tail = 2,
}

/// Shares of the three buckets, in `Bucket` order; they sum to 1.
pub type BucketShares = [f64; 3];

/// The bucket of each item, from the items' labels (the pool's frequencies).
pub fn buckets(labels: &[usize]) -> Vec<Bucket> {
    let by_concept = concept_buckets(labels);
    labels.iter().map(|l| by_concept[l]).collect()
}

/// The bucket of each concept that occurs in `labels`.
pub fn concept_buckets(labels: &[usize]) -> std::collections::BTreeMap<usize, Bucket> {
    let mut counts = std::collections::BTreeMap::<usize, u64>::new();
    for &l in labels {
        *counts.entry(l).or_default() += 1;
    }
    let mut ranked: Vec<(usize, u64)> = counts.into_iter().collect();
    // Most frequent first; ties by label (the BTreeMap's order, kept by a stable sort).
    ranked.sort_by_key(|&(_, count)| std::cmp::Reverse(count));
    let n = labels.len() as u64;
    let mut before = 0u64;
    let mut out = std::collections::BTreeMap::new();
    for (label, count) in ranked {
        // before < n/3 and before < 2n/3, in integers: 3·before < n, 3·before < 2n.
        let bucket = if 3 * before < n {
            Bucket::Head
        } else if 3 * before < 2 * n {
            Bucket::Torso
        } else {
            Bucket::Tail
        };
        out.insert(label, bucket);
        before += count;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_mass_buckets_on_a_hand_made_pool() {
        // 12 items: concept 7 ×5, concept 3 ×3, concept 1 ×2, concepts 4 and 9 ×1.
        let labels = [7, 3, 7, 1, 7, 9, 3, 7, 1, 4, 7, 3];
        let by = concept_buckets(&labels);
        // Ranked 7 (0 before), 3 (5 before ≥ 4: torso), 1 (8 before ≥ 8: tail), 4, 9.
        assert_eq!(by[&7], Bucket::Head);
        assert_eq!(by[&3], Bucket::Torso);
        assert_eq!(by[&1], Bucket::Tail);
        assert_eq!(by[&4], Bucket::Tail);
        assert_eq!(by[&9], Bucket::Tail);
        let items = buckets(&labels);
        assert_eq!(items[0], Bucket::Head);
        assert_eq!(items[1], Bucket::Torso);
        assert_eq!(items[9], Bucket::Tail);
        // Ties go by label: four concepts of three items each, 12 items; the first
        // (label 0) starts at 0, label 2 at 3 (< 4: head), label 5 at 6 (torso),
        // label 8 at 9 (tail).
        let tied = [8, 8, 8, 5, 5, 5, 2, 2, 2, 0, 0, 0];
        let by = concept_buckets(&tied);
        assert_eq!(
            [by[&0], by[&2], by[&5], by[&8]],
            [Bucket::Head, Bucket::Head, Bucket::Torso, Bucket::Tail]
        );
        assert!(buckets(&[]).is_empty());
    }
}
