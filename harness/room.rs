//! What a family of experiments is to the core: a [`Room`] names its types (one
//! run's configuration, the row its runs log, its part of an analysis) and does
//! its work (parse, plan, analyse, report); the core asks it as a [`Family`]
//! (every `Room` is one). The families themselves are listed in
//! `family::FAMILIES`; this module, below them, names none.

use std::fmt::Debug;
use std::path::Path;

use serde::Serialize;

use crate::analysis::Analysis;
use crate::experiment::{Experiment, ExperimentError};
use crate::log::{ReadRow, Row, RowSchema, Schema};
use crate::method;
use crate::report::{self, Block, ReportError};
use crate::run::Sweep;
use crate::stats::Estimator;

/// A family of experiments, typed: what a family's module implements.
pub trait Room: Sync + 'static {
    /// One run's configuration (a cell of its sweep).
    type Config;
    /// The row its runs log at each evaluation.
    type Row: ReadRow;
    /// Its part of an analysis (serialised under its name in analysis.json).
    type Part: Serialize + Clone + Debug + Default + Send + Sync + 'static;

    /// Its rows' schema (its name is the family's).
    fn schema(&self) -> &'static RowSchema<Self::Row>;
    /// Whether an experiment file, by its top-level keys, is one of this family's
    /// (exactly one family says yes to any file).
    fn recognises(&self, file: &serde_yaml::Mapping) -> bool;
    /// Reads, validates and expands a file of this family into its runs.
    fn parse(
        &self,
        source: &str,
        path: &Path,
        max_runs: usize,
    ) -> Result<Experiment<Self::Config>, ExperimentError>;
    /// The plan the pipeline executes.
    fn sweep(&self, exp: Experiment<Self::Config>) -> Box<dyn Sweep>;
    /// Its part of `a` from its rows (adding claims and warnings to `a`).
    fn analyse(
        &self,
        rows: Vec<Self::Row>,
        est: &Estimator,
        combine: bool,
        a: &mut Analysis,
    ) -> Self::Part;
    /// Appends its blocks for `part` of a report of `a` written into `dir`.
    fn report(
        &self,
        own: &Self::Part,
        a: &Analysis,
        dir: &Path,
        part: report::Part,
        body: &mut Vec<Block>,
    ) -> Result<(), ReportError>;
}

/// A family as the core asks it (any [`Room`] is one).
pub trait Family: Sync {
    fn schema(&self) -> &'static dyn Schema;
    /// Its name in results (the `family` column).
    fn id(&self) -> method::Family {
        self.schema().family()
    }
    fn recognises(&self, file: &serde_yaml::Mapping) -> bool;
    fn parse(
        &self,
        source: &str,
        path: &Path,
        max_runs: usize,
    ) -> Result<Box<dyn Sweep>, ExperimentError>;
    /// Adds its part, claims and warnings to `a`, from its rows.
    fn analyse(&self, rows: Vec<Row>, est: &Estimator, combine: bool, a: &mut Analysis);
    fn report(
        &self,
        a: &Analysis,
        dir: &Path,
        part: report::Part,
        body: &mut Vec<Block>,
    ) -> Result<(), ReportError>;
}

impl<R: Room> Family for R {
    fn schema(&self) -> &'static dyn Schema {
        Room::schema(self)
    }
    fn recognises(&self, file: &serde_yaml::Mapping) -> bool {
        Room::recognises(self, file)
    }
    fn parse(
        &self,
        source: &str,
        path: &Path,
        max_runs: usize,
    ) -> Result<Box<dyn Sweep>, ExperimentError> {
        Ok(self.sweep(Room::parse(self, source, path, max_runs)?))
    }
    fn analyse(&self, rows: Vec<Row>, est: &Estimator, combine: bool, a: &mut Analysis) {
        let rows: Vec<R::Row> = rows.into_iter().filter_map(Row::take).collect();
        let own = Room::analyse(self, rows, est, combine, a);
        a.parts.insert(Family::id(self), own);
    }
    fn report(
        &self,
        a: &Analysis,
        dir: &Path,
        part: report::Part,
        body: &mut Vec<Block>,
    ) -> Result<(), ReportError> {
        let empty = R::Part::default();
        let own = a.parts.get::<R::Part>(Family::id(self)).unwrap_or(&empty);
        Room::report(self, own, a, dir, part, body)
    }
}
