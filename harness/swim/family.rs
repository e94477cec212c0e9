//! SWIM, sampled networks against iterative training, as a family: experiment
//! files with a `task` (docs/methods.md §2 "SWIM"), configured by [`SwimConfig`]
//! (`config`), run by `run`, logged as [`SwimRow`] (`row`), analysed by
//! `analysis`, reported by `report`.

use std::path::Path;

use super::analysis::SwimAnalysis;
use super::{config, report, row, SwimConfig, SwimRow};
use crate::analysis::Analysis;
use crate::experiment::{Experiment, ExperimentError};
use crate::log::RowSchema;
use crate::report::{Block, Part, ReportError};
use crate::room::Room;
use crate::run::Sweep;
use crate::stats::Estimator;

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
        config::parse(source, path, max_runs)
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
        super::analysis::analyse(&rows, a)
    }

    fn report(
        &self,
        _: &SwimAnalysis,
        a: &Analysis,
        _: &Path,
        part: Part,
        body: &mut Vec<Block>,
    ) -> Result<(), ReportError> {
        if part == Part::Detail && !a.swim().cells.is_empty() {
            report::swim(a, body);
        }
        Ok(())
    }
}
