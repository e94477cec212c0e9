//! SWIM, sampled networks against iterative training: experiment files with a
//! `task` (docs/methods.md §2 "SWIM"), run by `run::swim`, analysed by `analysis::swim`,
//! reported in the report's SWIM section.

use std::path::Path;

use super::Family;
use crate::analysis::{self, Analysis};
use crate::experiment::{self, ExperimentError};
use crate::log::Row;
use crate::method;
use crate::report::{self, Block, Part, ReportError};
use crate::run::Sweep;
use crate::stats::Estimator;

pub struct Swim;

impl Family for Swim {
    fn id(&self) -> method::Family {
        method::Family::Swim
    }

    fn recognises(&self, file: &serde_yaml::Mapping) -> bool {
        file.contains_key("task")
    }

    fn parse(
        &self,
        source: &str,
        path: &Path,
        max_runs: usize,
    ) -> Result<Box<dyn Sweep>, ExperimentError> {
        Ok(Box::new(experiment::parse_swim(source, path, max_runs)?))
    }

    fn analyse(&self, rows: Vec<Row>, _: &Estimator, _: bool, a: &mut Analysis) {
        let rows: Vec<_> = rows.into_iter().filter_map(Row::into_swim).collect();
        analysis::swim::analyse(&rows, a);
    }

    fn report(
        &self,
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
