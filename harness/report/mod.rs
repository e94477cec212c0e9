/*!
Reports from results CSVs alone: `analysis` turns rows into cells, baselines and
bootstrap speed-ups (every number from `stats`); `claims` judges SPEC §1's claims;
`svg` draws; `doc` renders Markdown and HTML from one list of blocks. `gates`
checks thresholds for CI.
*/

pub mod analysis;
mod blocks;
pub mod claims;
pub mod doc;
pub mod gates;
pub mod svg;
pub mod swim;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use analysis::{Cell, Comparison};
use claims::Claim;
use doc::Block;

use crate::log::Row;
use crate::stats::Reached;

/// Everything a report shows, computed once.
pub struct Report {
    pub experiments: Vec<String>,
    pub sources: Vec<PathBuf>,
    pub rows: usize,
    pub cells: Vec<Cell>,
    pub comparisons: Vec<Comparison>,
    pub claims: Vec<Claim>,
    pub swim_cells: Vec<swim::SwimCell>,
    pub swim_comparisons: Vec<swim::SwimComparison>,
    pub warnings: Vec<String>,
}

/// Results that cannot be reported as asked.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("these results mix {n} experiments ({names}); pass --combine to report them together")]
    Mixed { n: usize, names: String },
    #[error("run {run_id} of {experiment} appears with two configurations ({a} and {b}): the results mix different experiment files under one name")]
    Conflict {
        experiment: String,
        run_id: String,
        a: String,
        b: String,
    },
    #[error("run {run_id} has two rows for step {step}: the results were merged twice")]
    Duplicate { run_id: String, step: usize },
    #[error("no results rows to report")]
    Empty,
}

impl Report {
    /// Analyses `rows` (read from `sources`).
    pub fn build(
        rows: Vec<Row>,
        sources: Vec<PathBuf>,
        combine: bool,
    ) -> Result<Report, ReportError> {
        if rows.is_empty() {
            return Err(ReportError::Empty);
        }
        let experiments: Vec<String> = rows
            .iter()
            .map(|r| r.experiment.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if experiments.len() > 1 && !combine {
            return Err(ReportError::Mixed {
                n: experiments.len(),
                names: experiments.join(", "),
            });
        }
        let mut configs: BTreeMap<(&str, &str), &str> = BTreeMap::new();
        let mut steps: BTreeSet<(&str, &str, usize)> = BTreeSet::new();
        for r in &rows {
            let prev = configs
                .entry((&r.experiment, &r.run_id))
                .or_insert(&r.config_hash);
            if *prev != r.config_hash {
                return Err(ReportError::Conflict {
                    experiment: r.experiment.clone(),
                    run_id: r.run_id.clone(),
                    a: prev.to_string(),
                    b: r.config_hash.clone(),
                });
            }
            if !steps.insert((&r.experiment, &r.run_id, r.step)) {
                return Err(ReportError::Duplicate {
                    run_id: r.run_id.clone(),
                    step: r.step,
                });
            }
        }
        let mut warnings = Vec::new();
        let commits: BTreeSet<&str> = rows.iter().map(|r| r.git_commit.as_str()).collect();
        if commits.len() > 1 {
            warnings.push(format!(
                "rows come from {} different commits ({}): results may not be comparable",
                commits.len(),
                commits.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
        let n_rows = rows.len();
        let (swim_rows, rows): (Vec<Row>, Vec<Row>) =
            rows.into_iter().partition(|r| r.family == "swim");
        let swim_cells = swim::cells(&swim_rows.iter().collect::<Vec<_>>());
        let swim_comparisons = swim::comparisons(&swim_cells);
        let cells = analysis::cells(&rows);
        for c in &cells {
            if c.diverged > 0 {
                warnings.push(format!(
                    "{} ({}): {} of {} runs diverged and are left out of the statistics",
                    c.label(),
                    c.experiment,
                    c.diverged,
                    c.runs.len()
                ));
            }
        }
        let comparisons = analysis::comparisons(&cells);
        let mut claims = if cells.is_empty() {
            Vec::new()
        } else {
            claims::claims(&cells, &comparisons)
        };
        claims.extend(swim::claims(&swim_comparisons));
        Ok(Report {
            experiments,
            sources,
            rows: n_rows,
            cells,
            comparisons,
            claims,
            swim_cells,
            swim_comparisons,
            warnings,
        })
    }

    /// Writes report.md, report.html, the SVGs and summary.csv into `dir`.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let blocks = self.blocks()?;
        let mut written = Vec::new();
        let mut put = |name: &str, text: &str| -> Result<(), String> {
            let p = dir.join(name);
            std::fs::write(&p, text).map_err(|e| format!("{}: {e}", p.display()))?;
            written.push(p);
            Ok(())
        };
        for b in &blocks {
            if let Block::Figure { file, svg, .. } = b {
                put(file, svg)?;
            }
        }
        let title = format!("jestbench report: {}", self.experiments.join(", "));
        put("report.md", &doc::markdown(&blocks))?;
        put("report.html", &doc::html(&title, &blocks))?;
        put("summary.csv", &self.summary_csv())?;
        Ok(written)
    }

    fn summary_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "experiment",
            "method",
            "setting",
            "baseline",
            "target",
            "target_score",
            "axis",
            "baseline_reached",
            "method_reached",
            "speedup",
            "speedup_lower",
            "speedup_upper",
            "not_reached_share",
            "final_score",
            "final_lower",
            "final_upper",
            "baseline_final_score",
            "welch_t",
            "welch_df",
            "p_value",
            "p_holm",
            "hedges_g",
        ])
        .expect("in-memory csv");
        let num = |v: f64| {
            if v.is_finite() {
                v.to_string()
            } else {
                String::new()
            }
        };
        let reached = |r: Reached| match r {
            Reached::At(x) => x.to_string(),
            Reached::Never => "never".into(),
        };
        for c in &self.comparisons {
            let (cell, base) = (&self.cells[c.method], &self.cells[c.baseline]);
            for s in &c.speedups {
                let (pt, lo, hi, share) = match s.interval {
                    Some(i) => (
                        num(i.point_estimate),
                        num(i.lower_bound),
                        num(i.upper_bound),
                        num(i.undefined_share),
                    ),
                    None => (
                        "not reached".into(),
                        String::new(),
                        String::new(),
                        String::new(),
                    ),
                };
                w.write_record([
                    cell.experiment.clone(),
                    cell.method.clone(),
                    cell.setting.clone(),
                    base.label(),
                    s.target.name().into(),
                    num(s.target_score),
                    s.axis.name().into(),
                    reached(s.baseline_reached),
                    reached(s.method_reached),
                    pt,
                    lo,
                    hi,
                    share,
                    num(c.final_score.point_estimate),
                    num(c.final_score.lower_bound),
                    num(c.final_score.upper_bound),
                    num(c.baseline_final_score.point_estimate),
                    c.welch.map_or(String::new(), |x| num(x.t)),
                    c.welch.map_or(String::new(), |x| num(x.df)),
                    c.welch.map_or(String::new(), |x| num(x.p_value)),
                    num(c.holm_p),
                    c.hedges_g.map_or(String::new(), num),
                ])
                .expect("in-memory csv");
            }
        }
        String::from_utf8(w.into_inner().expect("in-memory csv")).expect("utf-8")
    }
}
