//! `jestbench report` and `jestbench check`: the analysis of results CSVs, written
//! as a report or held against gates.

use std::path::{Path, PathBuf};

use super::UsageError;
use crate::analysis::{gates, Analysis};
use crate::log::{self, Row, RESULTS_FILE};
use crate::report;
use crate::stats::Estimator;

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// Results folders (or results.csv files).
    #[arg(required = true)]
    pub results: Vec<PathBuf>,
    /// Report folder [default: reports/<experiment name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Allow results of several experiments in one report.
    #[arg(long)]
    pub combine: bool,
}

#[derive(clap::Args, Debug)]
pub struct IndexArgs {
    /// The folder of reports.
    #[arg(default_value = "reports")]
    pub reports: PathBuf,
}

/// `jestbench index`: the reports folder's index pages.
pub fn index(args: IndexArgs) -> anyhow::Result<()> {
    if !args.reports.is_dir() {
        return Err(UsageError(format!(
            "{}: not a folder of reports",
            args.reports.display()
        ))
        .into());
    }
    if report::index::entries(&args.reports)?.is_empty() {
        return Err(UsageError(format!(
            "{}: holds no report (no subfolder with a report.html)",
            args.reports.display()
        ))
        .into());
    }
    let entries = report::index::write(&args.reports)?;
    for e in &entries {
        println!("{}: {}", e.name, e.summary);
    }
    println!("index: {}", args.reports.join("index.html").display());
    Ok(())
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Results folders (or results.csv files).
    #[arg(required = true)]
    pub results: Vec<PathBuf>,
    /// A YAML file with `gates: ["jest.speedup_iterations.lower_ci >= 1.5", ...]`.
    #[arg(long)]
    pub gate: PathBuf,
    /// Allow results of several experiments.
    #[arg(long)]
    pub combine: bool,
    /// Write JUnit XML here: one test case per gate, a failed gate a failure.
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// Write a short Markdown summary here (for a CI job's page).
    #[arg(long)]
    pub markdown: Option<PathBuf>,
}

/// Reads the rows of every results folder or file.
pub fn load(paths: &[PathBuf]) -> anyhow::Result<(Vec<Row>, Vec<PathBuf>)> {
    let mut rows = Vec::new();
    let mut sources = Vec::new();
    for p in paths {
        let file = if p.is_dir() {
            p.join(RESULTS_FILE)
        } else {
            p.clone()
        };
        if !file.exists() {
            return Err(UsageError(format!(
                "{}: no such results file or folder",
                file.display()
            ))
            .into());
        }
        let read = log::read_rows(&file).map_err(|e| UsageError(e.to_string()))?;
        if read.torn {
            eprintln!(
                "warning: {}: its last line is incomplete (an interrupted run?) and is ignored",
                file.display()
            );
        }
        rows.extend(read.kept);
        sources.push(file);
    }
    Ok((rows, sources))
}

/// The analysis of one results folder, its warnings not printed (for `compare`).
pub fn analyse_quiet(paths: &[PathBuf]) -> anyhow::Result<Analysis> {
    let (rows, sources) = load(paths)?;
    Ok(
        crate::family::analyse(rows, sources, true, &Estimator::CHOSEN)
            .map_err(report::ReportError::from)?,
    )
}

fn analyse(paths: &[PathBuf], combine: bool) -> anyhow::Result<Analysis> {
    let (rows, sources) = load(paths)?;
    let analysis = crate::family::analyse(rows, sources, combine, &Estimator::CHOSEN)
        .map_err(report::ReportError::from)?;
    for w in &analysis.warnings {
        eprintln!("warning: {w}");
    }
    Ok(analysis)
}

/// Reads results and writes their report into `dir`.
pub fn write_report(paths: &[PathBuf], dir: &Path, combine: bool) -> anyhow::Result<Analysis> {
    let analysis = analyse(paths, combine)?;
    crate::family::write_report(&analysis, dir)?;
    Ok(analysis)
}

pub fn report(args: ReportArgs) -> anyhow::Result<()> {
    let analysis = analyse(&args.results, args.combine)?;
    let out = args.out.clone().unwrap_or_else(|| {
        let name = if analysis.experiments.len() == 1 {
            analysis.experiments[0].clone()
        } else {
            "combined".into()
        };
        Path::new("reports").join(name)
    });
    let written = crate::family::write_report(&analysis, &out)?;
    println!("claims:");
    for c in &analysis.claims {
        println!("  {:<72} {:<28} {}", c.claim, c.measured, c.verdict_text);
    }
    println!(
        "wrote {} files to {} (report.md, report.html, summary.csv, analysis.json, SVGs)",
        written.len(),
        out.display()
    );
    Ok(())
}

/// A gate that did not pass (exit code 1).
#[derive(Debug, thiserror::Error)]
#[error("{failed} of {total} gates failed")]
pub struct GatesFailed {
    pub failed: usize,
    pub total: usize,
}

pub fn check(args: CheckArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.gate).map_err(|e| {
        UsageError(format!(
            "{}: cannot read gates file: {e}",
            args.gate.display()
        ))
    })?;
    let file: gates::GatesFile = serde_yaml::from_str(&text)
        .map_err(|e| UsageError(format!("{}: {e}", args.gate.display())))?;
    if file.gates.is_empty() {
        return Err(UsageError(format!("{}: `gates` lists no gate", args.gate.display())).into());
    }
    let analysis = analyse(&args.results, args.combine)?;
    let results = gates::check(&analysis, &file.gates)
        .map_err(|e| UsageError(format!("{}: {e}", args.gate.display())))?;
    let failed = results.iter().filter(|r| !r.passed).count();
    // The CI files first: a failing check still leaves its record.
    for (path, text) in [
        (&args.junit, report::gates::junit(&results)),
        (&args.markdown, report::gates::markdown(&results)),
    ] {
        if let Some(p) = path {
            std::fs::write(p, text)
                .map_err(|e| UsageError(format!("{}: cannot write: {e}", p.display())))?;
        }
    }
    for r in &results {
        println!(
            "{} {}  ({})",
            if r.passed { "PASS" } else { "FAIL" },
            r.gate,
            r.detail
        );
    }
    if failed > 0 {
        return Err(GatesFailed {
            failed,
            total: results.len(),
        }
        .into());
    }
    println!("all {} gates passed", results.len());
    Ok(())
}
