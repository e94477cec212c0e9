//! SWIM, sampled networks against iterative training: experiment files with a
//! `task` (docs/methods.md §2 "SWIM"), configured by `swim::SwimConfig`, run by
//! `run::swim`, logged as `swim::SwimRow`, analysed by `analysis::swim`, reported
//! in the report's SWIM section.

use std::path::Path;

use super::Room;
use crate::analysis::{self, swim::SwimAnalysis, Analysis};
use crate::experiment::{self, Experiment, ExperimentError};
use crate::log::RowSchema;
use crate::report::{self, Block, Part, ReportError};
use crate::run::Sweep;
use crate::stats::Estimator;
use crate::swim::{row, SwimConfig, SwimRow};

pub struct Swim;

impl Room for Swim {
    type Config = SwimConfig;
    type Row = SwimRow;
    type Part = SwimAnalysis;

    fn schema(&self) -> &'static RowSchema<SwimRow> {
        &row::SCHEMA
    }

    fn recognises(&self, file: &serde_yaml::Mapping) -> bool {
        file.contains_key("task")
    }

    fn parse(
        &self,
        source: &str,
        path: &Path,
        max_runs: usize,
    ) -> Result<Experiment<SwimConfig>, ExperimentError> {
        experiment::parse_swim(source, path, max_runs)
    }

    fn sweep(&self, exp: Experiment<SwimConfig>) -> Box<dyn Sweep> {
        Box::new(exp)
    }

    fn analyse(
        &self,
        rows: Vec<SwimRow>,
        _: &Estimator,
        _: bool,
        a: &mut Analysis,
    ) -> SwimAnalysis {
        analysis::swim::analyse(&rows, a)
    }

    fn report(
        &self,
        _: &SwimAnalysis,
        a: &Analysis,
        _: &Path,
        part: Part,
        body: &mut Vec<Block>,
    ) -> Result<(), ReportError> {
        if part == Part::Detail {
            report::swim_detail(a, body);
        }
        Ok(())
    }
}
