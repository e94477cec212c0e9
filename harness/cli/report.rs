//! `jestbench report` and `jestbench check`: the analysis of results CSVs, written
//! as a report or held against gates.

use std::path::{Path, PathBuf};

use super::UsageError;
use crate::analysis::{gates, Analysis};
use crate::log::{self, Row};
use crate::report;
use crate::stats::Estimator;

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// Results folders (or results files).
    #[arg(required = true)]
    pub results: Vec<PathBuf>,
    /// Report folder [default: reports/<experiment name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Allow results of several experiments in one report.
    #[arg(long)]
    pub combine: bool,
    /// Compute the verdicts under this analysis protocol instead of the committed
    /// experiments/protocol.yaml (docs/methods.md §7); the report names its
    /// SHA-256 and whether it was committed before the results.
    #[arg(long, value_name = "FILE")]
    pub protocol: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct IndexArgs {
    /// The folder of reports.
    #[arg(default_value = "reports")]
    pub reports: PathBuf,
    /// Also write the index's answer table into this Markdown file (README.md),
    /// between its `<!-- answer:begin -->` and `<!-- answer:end -->` lines, its
    /// links made relative to the file's folder.
    #[arg(long, value_name = "FILE")]
    pub readme: Option<PathBuf>,
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
        say!("{}: {}", e.name, e.summary);
    }
    say!("index: {}", args.reports.join("index.html").display());
    if let Some(readme) = &args.readme {
        let md = std::fs::read_to_string(args.reports.join("index.md"))?;
        let text = log::read_regular(readme, 4 << 20)?;
        // The reports folder as the README's folder sees it.
        let base = readme.parent().unwrap_or(Path::new(""));
        let prefix = args
            .reports
            .strip_prefix(base)
            .unwrap_or(&args.reports)
            .display()
            .to_string();
        let table = report::index::answer_table(&md, &prefix).ok_or_else(|| {
            UsageError(format!(
                "{}/index.md: no answer table",
                args.reports.display()
            ))
        })?;
        let updated = report::index::with_answer(&text, &table).ok_or_else(|| {
            UsageError(format!(
                "{}: no `{}` … `{}` lines to write the answer between",
                readme.display(),
                report::index::BEGIN,
                report::index::END
            ))
        })?;
        if updated != text {
            std::fs::write(readme, updated)?;
        }
        say!("answer table: {}", readme.display());
    }
    Ok(())
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Results folders (or results files).
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

/// Reads the rows of every results folder or file, and says what the analysis
/// leaves out: runs not finished (no summary row: a run still going, or stopped),
/// runs whose rows do not end with their summary row, a folder a run is writing.
pub fn load(paths: &[PathBuf]) -> anyhow::Result<(Vec<Row>, Vec<PathBuf>, Vec<String>)> {
    let mut warnings = Vec::new();
    let mut rows = Vec::new();
    let mut sources = Vec::new();
    for p in paths {
        if std::fs::symlink_metadata(p).is_err()
            || (p.is_dir()
                && log::layout_of(p)
                    .map_err(|e| UsageError(e.to_string()))?
                    .is_none())
        {
            return Err(
                UsageError(format!("{}: no such results file or folder", p.display())).into(),
            );
        }
    }
    // The sizes together, before any is read: the rows of every source are held
    // at once, so the budget is for all of them.
    let budget = log::results_budget();
    let total: u64 = paths.iter().map(|p| log::results_bytes(p)).sum();
    if total > budget {
        return Err(UsageError(format!(
            "{} bytes of results in {} sources, over the {} bytes this machine can analyse at once (its available memory over {} bytes per byte of CSV, at most {} bytes); report fewer folders at a time",
            total,
            paths.len(),
            budget,
            log::MEMORY_PER_CSV_BYTE,
            log::MAX_RESULTS_BYTES
        ))
        .into());
    }
    for p in paths {
        let read = log::read_source(p, &crate::family::schemas())
            .map_err(|e| UsageError(e.to_string()))?;
        for t in &read.torn {
            warnings.push(format!(
                "{}: its last line is incomplete (an interrupted run?) and is ignored",
                t.display()
            ));
        }
        for t in &read.ignored {
            warnings.push(format!(
                "{}: ignored (a layout 1 file beside the tables of layout 2; remove it)",
                t.display()
            ));
        }
        let folder = if p.is_dir() {
            p.as_path()
        } else {
            p.parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
        };
        if log::is_being_written(folder) {
            warnings.push(format!(
                "{}: a jestbench run is writing into this folder now (it holds {}): this report reads only the runs finished so far; report again when it ends",
                folder.display(),
                log::LOCK_FILE
            ));
        }
        let said = |ids: Vec<String>| {
            let n = ids.len();
            let mut shown: Vec<String> = ids.into_iter().take(5).collect();
            if n > 5 {
                shown.push(format!("and {} more", n - 5));
            }
            shown.join("; ")
        };
        if !read.incomplete.is_empty() {
            warnings.push(format!(
                "{}: {} runs left out, their evaluations do not end where their run row says (a file cut or copied in part; `jestbench run` again redoes them): {}",
                p.display(),
                read.incomplete.len(),
                said(read.incomplete.iter().map(|i| i.to_string()).collect())
            ));
        }
        if !read.unfinished.is_empty() {
            warnings.push(format!(
                "{}: {} runs left out, not finished (no run row): {}",
                p.display(),
                read.unfinished.len(),
                said(read.unfinished.clone())
            ));
        }
        rows.extend(read.rows);
        sources.push(p.clone());
        if rows.len() > log::rows_budget() {
            return Err(UsageError(format!(
                "{} rows in {} results sources, over the {} rows this machine can analyse at once; report fewer folders at a time",
                rows.len(),
                sources.len(),
                log::rows_budget()
            ))
            .into());
        }
    }
    Ok((rows, sources, warnings))
}

/// The analysis of one results folder, its warnings not printed (for `compare`).
pub fn analyse_quiet(paths: &[PathBuf]) -> anyhow::Result<Analysis> {
    let (rows, sources, warnings) = load(paths)?;
    let mut analysis = crate::family::analyse(rows, sources, true, &Estimator::CHOSEN)
        .map_err(report::ReportError::from)?;
    analysis.warnings.splice(0..0, warnings);
    Ok(analysis)
}

fn analyse(paths: &[PathBuf], combine: bool) -> anyhow::Result<Analysis> {
    let (rows, sources, warnings) = load(paths)?;
    let analysis = crate::family::analyse(rows, sources, combine, &Estimator::CHOSEN)
        .map_err(report::ReportError::from);
    let mut analysis = match analysis {
        Ok(a) => a,
        Err(e) => {
            // What was left out may be why nothing is left.
            for w in &warnings {
                eprintln!("warning: {}", crate::report::doc::clean(w));
            }
            return Err(e.into());
        }
    };
    analysis.warnings.splice(0..0, warnings);
    register(&mut analysis);
    for w in &analysis.warnings {
        eprintln!("warning: {}", crate::report::doc::clean(w));
    }
    Ok(analysis)
}

/// The protocol the verdicts were computed under, checked against the rows'
/// commits in this repository's history.
fn register(analysis: &mut Analysis) {
    use crate::analysis::registration;
    let (sha, path) = crate::analysis::claims::protocol::active_source();
    let git = super::protocol::Git;
    let r = registration::check(&sha, &path, &analysis.commits, &git);
    let text = crate::analysis::claims::protocol::active_text();
    let ids: Vec<&str> = crate::analysis::claims::protocol::active()
        .claims
        .keys()
        .map(String::as_str)
        .collect();
    let per = registration::check_claims(&ids, &text, &path, &analysis.commits, &git);
    analysis.register(r, per);
}

/// Makes the protocol file at `path` the one every verdict of this process is
/// computed under.
pub fn use_protocol(path: &Path) -> anyhow::Result<()> {
    let p = crate::experiment::protocol::read(path)?;
    crate::analysis::claims::protocol::set_active(p, path)
        .map_err(|_| UsageError("a protocol was already chosen".into()))?;
    Ok(())
}

/// Reads results and writes their report into `dir`.
pub fn write_report(paths: &[PathBuf], dir: &Path, combine: bool) -> anyhow::Result<Analysis> {
    let analysis = analyse(paths, combine)?;
    crate::family::write_report(&analysis, dir)?;
    Ok(analysis)
}

/// The answer in a few lines (one a claim, wrapped to the terminal's width), and
/// where the rows behind it are.
pub fn print_answer(analysis: &Analysis, out: &Path) {
    let lines = crate::report::answer_lines(analysis, terminal_width());
    if lines.is_empty() {
        return;
    }
    say!("answer (measured [Holm-adjusted 95% CI], the paper's figure, verdict):");
    for l in lines {
        say!("  {}", crate::report::doc::clean(&l));
    }
    say!(
        "every claim row with its evidence: {}#claims",
        out.join(crate::report::REPORT_HTML).display()
    );
}

/// The terminal's width in columns: `COLUMNS` where set, else 100.
pub fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .filter(|&c| c >= 40)
        .unwrap_or(100)
        .min(160)
        - 2
}

pub fn report(args: ReportArgs) -> anyhow::Result<()> {
    if let Some(p) = &args.protocol {
        use_protocol(p)?;
    }
    let analysis = analyse(&args.results, args.combine)?;
    let out = args.out.clone().unwrap_or_else(|| {
        let name = if analysis.experiments.len() == 1 {
            analysis.experiments[0].clone()
        } else {
            "combined".into()
        };
        Path::new("reports").join(name)
    });
    crate::report::check_out(&out)?;
    let written = crate::family::write_report(&analysis, &out)?;
    print_answer(&analysis, &out);
    say!(
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
        say!(
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
    say!("all {} gates passed", results.len());
    Ok(())
}
