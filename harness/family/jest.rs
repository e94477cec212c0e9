//! JEST, data selection: experiment files with a `dataset` (docs/methods.md §3),
//! configured by `train::RunConfig`, run by `run::jest`, logged as
//! `train::JestRow`, analysed by `analysis::jest`, reported by the report's world
//! map, headline figures and per-experiment sections.

use std::path::Path;

use super::Room;
use crate::analysis::{self, jest::JestAnalysis, Analysis};
use crate::experiment::{Experiment, ExperimentError};
use crate::log::RowSchema;
use crate::report::{self, Block, Part, ReportError};
use crate::run::Sweep;
use crate::stats::Estimator;
use crate::train::{schema, JestRow, RunConfig};

pub struct Jest;

impl Room for Jest {
    type Config = RunConfig;
    type Row = JestRow;
    type Part = JestAnalysis;

    fn schema(&self) -> &'static RowSchema<JestRow> {
        &schema::SCHEMA
    }

    /// A file with a `dataset` (a file no family recognises is JEST's to refuse:
    /// it is the first in `FAMILIES`).
    fn recognises(&self, file: &serde_yaml::Mapping) -> bool {
        file.contains_key("dataset")
    }

    fn parse(
        &self,
        source: &str,
        path: &Path,
        max_runs: usize,
    ) -> Result<Experiment<RunConfig>, ExperimentError> {
        Experiment::parse_limited(source, path, max_runs)
    }

    fn sweep(&self, exp: Experiment<RunConfig>) -> Box<dyn Sweep> {
        Box::new(exp)
    }

    fn analyse(
        &self,
        rows: Vec<JestRow>,
        est: &Estimator,
        combine: bool,
        a: &mut Analysis,
    ) -> JestAnalysis {
        analysis::jest::analyse(&rows, est, combine, a)
    }

    fn report(
        &self,
        _: &JestAnalysis,
        a: &Analysis,
        _: &Path,
        part: Part,
        body: &mut Vec<Block>,
    ) -> Result<(), ReportError> {
        match part {
            Part::Overview => {
                report::jest_overview(a, body);
                Ok(())
            }
            Part::Detail => report::jest_detail(a, body),
        }
    }
}
