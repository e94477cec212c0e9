/*!
The families of experiments, each in a room of its own behind one trait: JEST's
data selection (`jest`, over the per-concern modules: experiment, data, model,
score, select, train, and JEST's parts of run, analysis and report) and SWIM's
sampled networks (`swim::family`, all of it in `swim/`). A [`Room`] names
its types: the configuration of a run (`Config`), the row its runs log (`Row`,
with its on-disk schema), and its part of an [`Analysis`] (`Part`); it reads its
experiment files into a plan of runs that the pipeline executes (`run::Sweep`),
analyses its own rows into its part, and writes its sections of a report. The
shared core (experiment loading, runs and results folders, statistics, the
report's shell and claims table) names no family; it asks a [`Families`] list.

Adding a family: a module implementing [`Room`] (its folder holds its
configuration, execution, rows, analysis and report blocks), and one entry in
[`FAMILIES`]. A family outside this crate (tests/family.rs has one) goes into
`Families::standard().with(...)` instead.
*/

mod jest;

use std::path::{Path, PathBuf};

use crate::analysis::{Analysis, AnalysisError};
use crate::experiment::{self, ExperimentError};
use crate::log::{Row, Schema};
use crate::report::ReportError;
use crate::run::Sweep;
use crate::stats::Estimator;

pub use crate::room::{Family, Room};

/// Every family of this crate, in the order analyses list their claims and
/// reports their sections.
pub const FAMILIES: [&dyn Family; 2] = [&jest::Jest, &crate::swim::family::Swim];

/// The families a command knows: [`FAMILIES`], and any added.
#[derive(Clone)]
pub struct Families(Vec<&'static dyn Family>);

impl Default for Families {
    fn default() -> Families {
        Families::standard()
    }
}

impl Families {
    /// This crate's families.
    pub fn standard() -> Families {
        Families(FAMILIES.to_vec())
    }

    /// These and `family` (after them).
    pub fn with(mut self, family: &'static dyn Family) -> Families {
        self.0.push(family);
        self
    }

    pub fn iter(&self) -> impl Iterator<Item = &'static dyn Family> + '_ {
        self.0.iter().copied()
    }

    /// Their rows' schemas (what results readers take).
    pub fn schemas(&self) -> Vec<&'static dyn Schema> {
        self.0.iter().map(|f| f.schema()).collect()
    }

    /// Reads the experiment file at `path`, refusing sweeps of more than
    /// `max_runs` runs before expanding them.
    pub fn load(&self, path: &Path, max_runs: usize) -> Result<Box<dyn Sweep>, ExperimentError> {
        self.parse(&experiment::read(path)?, path, max_runs)
    }

    /// Parses `source` as the experiment file at `path`, with the family it
    /// belongs to.
    pub fn parse(
        &self,
        source: &str,
        path: &Path,
        max_runs: usize,
    ) -> Result<Box<dyn Sweep>, ExperimentError> {
        experiment::check_depth(source, path)?;
        // A file that is not a mapping is the first family's to refuse, with
        // serde's position.
        let top = serde_yaml::from_str::<serde_yaml::Value>(source)
            .ok()
            .and_then(|v| v.as_mapping().cloned())
            .unwrap_or_default();
        let family = self
            .0
            .iter()
            .find(|f| f.recognises(&top))
            .unwrap_or(&self.0[0]);
        family.parse(source, path, max_runs)
    }

    /// Analyses `rows` (read from `sources`): the shared checks, then each
    /// family's part from its own rows; `combine` allows several experiments.
    pub fn analyse(
        &self,
        rows: Vec<Row>,
        sources: Vec<PathBuf>,
        combine: bool,
        est: &Estimator,
    ) -> Result<Analysis, AnalysisError> {
        let mut a = Analysis::begin(&rows, sources, combine, est)?;
        let mut rows = rows;
        for f in &self.0 {
            let (own, rest): (Vec<Row>, Vec<Row>) =
                rows.into_iter().partition(|r| r.family() == f.id());
            rows = rest;
            f.analyse(own, est, combine, &mut a);
        }
        Ok(a)
    }

    /// Writes the report of `a` into `dir` (the shell's, with each family's
    /// sections); returns the files written.
    pub fn write_report(&self, a: &Analysis, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
        crate::report::write(a, dir, &|a, dir, part, body| {
            self.0.iter().try_for_each(|f| f.report(a, dir, part, body))
        })
    }
}

/// This crate's families' schemas.
pub fn schemas() -> Vec<&'static dyn Schema> {
    Families::standard().schemas()
}

/// [`Families::load`] of this crate's families.
pub fn load(path: &Path, max_runs: usize) -> Result<Box<dyn Sweep>, ExperimentError> {
    Families::standard().load(path, max_runs)
}

/// [`Families::parse`] of this crate's families.
pub fn parse(
    source: &str,
    path: &Path,
    max_runs: usize,
) -> Result<Box<dyn Sweep>, ExperimentError> {
    Families::standard().parse(source, path, max_runs)
}

/// [`Families::analyse`] of this crate's families.
pub fn analyse(
    rows: Vec<Row>,
    sources: Vec<PathBuf>,
    combine: bool,
    est: &Estimator,
) -> Result<Analysis, AnalysisError> {
    Families::standard().analyse(rows, sources, combine, est)
}

/// [`Families::write_report`] of this crate's families.
pub fn write_report(a: &Analysis, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    Families::standard().write_report(a, dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every committed experiment file belongs to exactly one family, and every
    /// family has a committed experiment.
    #[test]
    fn each_committed_experiment_file_has_exactly_one_family() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments");
        let mut seen = std::collections::BTreeSet::new();
        for e in std::fs::read_dir(&root).unwrap() {
            let path = e.unwrap().path();
            if path.extension().and_then(|x| x.to_str()) != Some("yaml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let top: serde_yaml::Mapping = serde_yaml::from_str(&text).unwrap();
            if top.contains_key("gates") || top.contains_key("protocol") {
                continue; // a gates file (`check --gate`) or the analysis protocol
            }
            let which: Vec<crate::method::Family> = FAMILIES
                .into_iter()
                .filter(|f| f.recognises(&top))
                .map(|f| f.id())
                .collect();
            assert_eq!(which.len(), 1, "{}: {which:?}", path.display());
            seen.insert(which[0]);
        }
        assert_eq!(seen.len(), FAMILIES.len());
    }

    /// One family per id; each family's methods are its own, named and ranked
    /// apart from every other's; each family's columns split into the two tables.
    #[test]
    fn families_have_their_own_names_methods_and_columns() {
        let schemas = schemas();
        let all = crate::log::methods(&schemas);
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a.as_str(), b.as_str());
                assert_ne!(a.rank(), b.rank(), "{a} and {b} share a rank");
            }
            assert!(crate::names::is_identifier(a.as_str()), "{a}");
            let n = FAMILIES.iter().filter(|f| f.id() == a.family()).count();
            assert_eq!(n, 1, "{a}");
        }
        for s in &schemas {
            assert!(s.methods().iter().all(|m| m.family() == s.family()));
            crate::log::check_partition(*s).unwrap();
            assert!(crate::names::is_identifier(s.family().as_str()));
        }
        let names: std::collections::BTreeSet<_> = schemas.iter().map(|s| s.family()).collect();
        assert_eq!(names.len(), FAMILIES.len());
    }
}
