//! JEST, data selection: experiment files without a `task` (docs/methods.md §3), run by
//! `run::jest`, analysed by `analysis::jest`, reported by the report's world map,
//! headline figures and per-experiment sections.

use std::path::Path;

use super::Family;
use crate::analysis::{self, Analysis};
use crate::experiment::{Experiment, ExperimentError};
use crate::log::Row;
use crate::method;
use crate::report::{self, Block, Part, ReportError};
use crate::run::Sweep;
use crate::stats::Estimator;

pub struct Jest;

impl Family for Jest {
    fn id(&self) -> method::Family {
        method::Family::Jest
    }

    fn recognises(&self, file: &serde_yaml::Mapping) -> bool {
        !file.contains_key("task")
    }

    fn parse(
        &self,
        source: &str,
        path: &Path,
        max_runs: usize,
    ) -> Result<Box<dyn Sweep>, ExperimentError> {
        Ok(Box::new(Experiment::parse_limited(source, path, max_runs)?))
    }

    fn analyse(&self, rows: Vec<Row>, est: &Estimator, combine: bool, a: &mut Analysis) {
        let rows: Vec<_> = rows.into_iter().filter_map(Row::into_jest).collect();
        analysis::jest::analyse(&rows, est, combine, a);
    }

    fn report(
        &self,
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
