/*!
The families of experiments behind one trait: JEST's data selection (`jest`) and
SWIM's sampled networks (`swim`). A family reads its experiment files into a
plan of runs that the pipeline executes (`run::Sweep`), analyses its own rows
(`log::JestRow`, `log::SwimRow`) into its part of an [`Analysis`], and writes its
sections of a report. The shared core (experiment loading, runs and results
folders, the CSV, statistics, the report's shell and claims table) knows no
family; it asks [`FAMILIES`].

Adding a family: a module here implementing [`Family`], one entry in
[`FAMILIES`], its row variant in `log`, and its part of `Analysis`.
*/

mod jest;
mod swim;

use std::path::{Path, PathBuf};

use crate::analysis::{Analysis, AnalysisError};
use crate::experiment::{self, ExperimentError};
use crate::log::Row;
use crate::method;
use crate::report::{Block, Part, ReportError};
use crate::run::Sweep;
use crate::stats::Estimator;

/// What a family provides: parse (and plan), analyse, and its report sections;
/// its plan executes through the [`Sweep`] that `parse` returns.
pub trait Family: Sync {
    /// Its name in results (the `family` column).
    fn id(&self) -> method::Family;
    /// Whether an experiment file, by its top-level keys, is one of this family's
    /// (exactly one family says yes to any file).
    fn recognises(&self, file: &serde_yaml::Mapping) -> bool;
    /// Reads, validates and expands a file of this family into its runs.
    fn parse(
        &self,
        source: &str,
        path: &Path,
        max_runs: usize,
    ) -> Result<Box<dyn Sweep>, ExperimentError>;
    /// Adds its cells, comparisons, claims and warnings to `a`, from its rows.
    fn analyse(&self, rows: Vec<Row>, est: &Estimator, combine: bool, a: &mut Analysis);
    /// Appends its blocks for `part` of a report of `a` written into `dir`.
    fn report(
        &self,
        a: &Analysis,
        dir: &Path,
        part: Part,
        body: &mut Vec<Block>,
    ) -> Result<(), ReportError>;
}

/// Every family, in the order analyses list their claims and reports their sections.
pub const FAMILIES: [&dyn Family; 2] = [&jest::Jest, &swim::Swim];

/// Reads the experiment file at `path`, refusing sweeps of more than `max_runs` runs
/// before expanding them.
pub fn load(path: &Path, max_runs: usize) -> Result<Box<dyn Sweep>, ExperimentError> {
    parse(&experiment::read(path)?, path, max_runs)
}

/// Parses `source` as the experiment file at `path`, with the family it belongs to.
pub fn parse(
    source: &str,
    path: &Path,
    max_runs: usize,
) -> Result<Box<dyn Sweep>, ExperimentError> {
    experiment::check_depth(source, path)?;
    // A file that is not a mapping is JEST's to refuse, with serde's position.
    let top = serde_yaml::from_str::<serde_yaml::Value>(source)
        .ok()
        .and_then(|v| v.as_mapping().cloned())
        .unwrap_or_default();
    let family = FAMILIES
        .into_iter()
        .find(|f| f.recognises(&top))
        .unwrap_or(FAMILIES[0]);
    family.parse(source, path, max_runs)
}

/// Analyses `rows` (read from `sources`): the shared checks, then each family's
/// part from its own rows; `combine` allows several experiments.
pub fn analyse(
    rows: Vec<Row>,
    sources: Vec<PathBuf>,
    combine: bool,
    est: &Estimator,
) -> Result<Analysis, AnalysisError> {
    let mut a = Analysis::begin(&rows, sources, combine, est)?;
    let mut rows = rows;
    for f in FAMILIES {
        let (own, rest): (Vec<Row>, Vec<Row>) =
            rows.into_iter().partition(|r| r.family() == f.id());
        rows = rest;
        f.analyse(own, est, combine, &mut a);
    }
    Ok(a)
}

/// Writes the report of `a` into `dir` (the shell's, with each family's sections);
/// returns the files written.
pub fn write_report(a: &Analysis, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    crate::report::write(a, dir, &|a, dir, part, body| {
        FAMILIES
            .into_iter()
            .try_for_each(|f| f.report(a, dir, part, body))
    })
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
            let which: Vec<method::Family> = FAMILIES
                .into_iter()
                .filter(|f| f.recognises(&top))
                .map(|f| f.id())
                .collect();
            assert_eq!(which.len(), 1, "{}: {which:?}", path.display());
            seen.insert(which[0]);
        }
        assert_eq!(seen.len(), FAMILIES.len());
    }

    /// One family per id, and every method a results file can name has its family
    /// here (a row of any method is analysed by someone).
    #[test]
    fn every_method_belongs_to_exactly_one_listed_family() {
        for m in crate::log::methods::all() {
            let n = FAMILIES
                .into_iter()
                .filter(|f| f.id() == m.family())
                .count();
            assert_eq!(n, 1, "{m}");
        }
    }
}
