//! `replicates: {worlds, learners_per_world, seed, vary}`: a replicate draws
//! everything random (docs/methods.md §7). Run seed s is learner s of world
//! s / learners_per_world; world w's data seed and reference seed derive from the
//! one experiment seed, so every world is the same on every machine, and adding
//! worlds keeps the runs of the first ones (their ids and their draws).
//!
//! What a world draws (`vary`, default both):
//! - `data`: the dataset seed. Synthetic data: the concepts and view maps, the web
//!   pool and its noise, the curated set and the evaluation set. Files: the
//!   seeded evaluation split (a `split` file keeps its own) and which training
//!   items are curated and which are pool.
//! - `reference`: the reference's seed (its initialisation, order and the draw of
//!   its training set). The reference is retrained per world whenever the data
//!   varies, whatever this says: it is trained on that world's curated set.
//!
//! The learner's initialisation and data order vary with the run seed always.

use serde::{Deserialize, Serialize};

/// The file's `replicates` section.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Replicates {
    /// Independent draws of the data (and reference).
    pub worlds: usize,
    /// Learner seeds per world.
    pub learners_per_world: usize,
    /// The experiment seed every world's seeds derive from.
    #[serde(default)]
    pub seed: u64,
    /// Which draws vary across worlds (the learner's always does).
    #[serde(default = "every_level")]
    pub vary: Vec<Level>,
}

/// A draw that a world may hold fixed.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Data,
    Reference,
}

fn every_level() -> Vec<Level> {
    vec![Level::Data, Level::Reference]
}

/// One world's seeds: `None` where the file's own seed is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct World {
    pub index: u64,
    pub dataset_seed: Option<u64>,
    pub reference_seed: Option<u64>,
}

/// Stream constants of the two derived seeds.
const DATA: u64 = 0xda7a_5eed;
const REFERENCE: u64 = 0x4ef_5eed;

/// SplitMix64's finaliser: a bijection that spreads nearby inputs apart.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A seed of `stream` for world `w` of experiment seed `seed`. Kept below 2^53 so
/// that it reads back exactly from any tool that parses numbers as doubles.
fn derive(seed: u64, stream: u64, w: u64) -> u64 {
    mix(mix(seed ^ stream).wrapping_add(w)) >> 11
}

impl Replicates {
    /// How many runs each cell makes.
    pub fn runs_per_cell(&self) -> Option<usize> {
        self.worlds.checked_mul(self.learners_per_world)
    }

    /// The run seeds: 0 .. worlds × learners_per_world.
    pub fn seeds(&self) -> Vec<u64> {
        (0..self.runs_per_cell().unwrap_or(0) as u64).collect()
    }

    pub fn varies(&self, level: Level) -> bool {
        self.vary.contains(&level)
    }

    /// The world of run seed `seed`, and its seeds.
    pub fn world_of(&self, seed: u64) -> World {
        let w = seed / self.learners_per_world.max(1) as u64;
        World {
            index: w,
            dataset_seed: self.varies(Level::Data).then(|| derive(self.seed, DATA, w)),
            reference_seed: self
                .varies(Level::Reference)
                .then(|| derive(self.seed, REFERENCE, w)),
        }
    }

    /// What a run's id must change with beyond its configuration: how its seed
    /// maps to a world and that world's seeds (not the number of worlds, so that
    /// adding worlds keeps the runs done).
    pub fn identity(&self) -> String {
        format!(
            "replicates: seed {} learners_per_world {} vary {:?}",
            self.seed, self.learners_per_world, self.vary
        )
    }

    /// Checks the section (`err` gets the key under `replicates` and a message).
    pub fn check(&self, max_runs: usize) -> Result<(), (String, String)> {
        if self.worlds == 0 {
            return Err(("replicates.worlds".into(), "give at least 1 world".into()));
        }
        if self.learners_per_world == 0 {
            return Err((
                "replicates.learners_per_world".into(),
                "give at least 1 learner per world".into(),
            ));
        }
        match self.runs_per_cell() {
            Some(n) if n <= max_runs => {}
            _ => {
                return Err((
                    "replicates".into(),
                    format!(
                        "{} worlds × {} learners exceed the limit of {max_runs} runs; pass --max-runs to raise it",
                        self.worlds, self.learners_per_world
                    ),
                ))
            }
        }
        for (i, l) in self.vary.iter().enumerate() {
            if self.vary[..i].contains(l) {
                return Err((
                    format!("replicates.vary.{i}"),
                    format!("`{}` is listed twice", l.as_str()),
                ));
            }
        }
        Ok(())
    }
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Data => "data",
            Level::Reference => "reference",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(worlds: usize, l: usize, vary: Vec<Level>) -> Replicates {
        Replicates {
            worlds,
            learners_per_world: l,
            seed: 7,
            vary,
        }
    }

    #[test]
    fn seeds_map_to_worlds_and_worlds_to_distinct_seeds() {
        let r = spec(5, 2, every_level());
        assert_eq!(r.seeds(), (0..10).collect::<Vec<_>>());
        let w: Vec<u64> = r.seeds().iter().map(|&s| r.world_of(s).index).collect();
        assert_eq!(w, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
        // Two learners of a world share its draws; worlds differ, and the data and
        // reference seeds of a world are different streams.
        assert_eq!(r.world_of(2), r.world_of(3));
        let data: std::collections::BTreeSet<u64> = (0..5)
            .map(|w| r.world_of(2 * w).dataset_seed.unwrap())
            .collect();
        assert_eq!(data.len(), 5);
        assert_ne!(r.world_of(0).dataset_seed, r.world_of(0).reference_seed);
        // Another experiment seed draws other worlds.
        let other = Replicates {
            seed: 8,
            ..r.clone()
        };
        assert_ne!(other.world_of(0).dataset_seed, r.world_of(0).dataset_seed);
        // More worlds keep the first ones, and their runs' ids.
        let more = spec(10, 2, every_level());
        assert_eq!(more.world_of(9), r.world_of(9));
        assert_eq!(more.identity(), r.identity());
        assert_ne!(spec(5, 3, every_level()).identity(), r.identity());
        for s in r.seeds() {
            assert!(r.world_of(s).dataset_seed.unwrap() < 1 << 53);
        }
    }

    #[test]
    fn a_level_held_fixed_keeps_the_files_seed() {
        let r = spec(3, 1, vec![Level::Reference]);
        assert_eq!(r.world_of(1).dataset_seed, None);
        assert!(r.world_of(1).reference_seed.is_some());
        let r = spec(3, 1, vec![]);
        assert_eq!(r.world_of(2).reference_seed, None);
        assert_eq!(r.world_of(2).index, 2);
    }

    #[test]
    fn bad_sections_are_named() {
        assert_eq!(
            spec(0, 2, every_level()).check(100).unwrap_err().0,
            "replicates.worlds"
        );
        assert_eq!(
            spec(2, 0, every_level()).check(100).unwrap_err().0,
            "replicates.learners_per_world"
        );
        let e = spec(usize::MAX, 3, every_level()).check(100).unwrap_err();
        assert!(e.1.contains("exceed the limit"), "{}", e.1);
        let e = spec(11, 10, every_level()).check(100).unwrap_err();
        assert!(e.1.contains("11 worlds × 10 learners"), "{}", e.1);
        let e = spec(2, 2, vec![Level::Data, Level::Data])
            .check(100)
            .unwrap_err();
        assert_eq!(e.0, "replicates.vary.1");
        assert!(spec(5, 2, every_level()).check(10).is_ok());
    }
}
