/*!
Reports format an [`Analysis`] and compute nothing: `blocks` lays its numbers out
as one list of blocks, `doc` renders that list as Markdown and as self-contained
HTML (SVGs inline), `svg` draws the curves and intervals the analysis holds, and
`summary` writes the speed-ups as CSV. Beside them goes `analysis.json`, the whole
analysis the pages were made from.
*/

mod blocks;
pub mod board;
pub mod change;
pub mod doc;
pub mod index;
mod summary;
pub mod svg;

use std::path::{Path, PathBuf};

use crate::analysis::{Analysis, AnalysisError};

/// Results that cannot be reported, or a report that cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    #[error("plotting failed: {0}")]
    Plot(String),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl ReportError {
    /// Whether the results given are at fault (rather than the disk).
    pub fn is_bad_input(&self) -> bool {
        matches!(self, ReportError::Analysis(_))
    }
}

/// The files of one report.
pub const REPORT_MD: &str = "report.md";
pub const REPORT_HTML: &str = "report.html";
pub const SUMMARY_CSV: &str = "summary.csv";
pub const ANALYSIS_JSON: &str = "analysis.json";
pub const CLAIMS_CSV: &str = "claims.csv";

/// Writes report.md, report.html, the SVGs, summary.csv and analysis.json into `dir`.
pub fn write(analysis: &Analysis, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ReportError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let blocks = blocks::blocks(analysis, dir)?;
    let mut written = Vec::new();
    let mut put = |name: &str, text: &str| -> Result<(), ReportError> {
        let p = dir.join(name);
        std::fs::write(&p, text).map_err(io(&p))?;
        written.push(p);
        Ok(())
    };
    for (file, svg) in doc::Block::figures(&blocks) {
        put(file, svg)?;
    }
    let title = format!("jestbench report: {}", analysis.experiments.join(", "));
    put(REPORT_MD, &doc::markdown(&blocks))?;
    put(REPORT_HTML, &doc::html(&title, &blocks))?;
    put(SUMMARY_CSV, &summary::csv(analysis))?;
    put(CLAIMS_CSV, &summary::claims_csv(analysis))?;
    put(ANALYSIS_JSON, &analysis.to_json())?;
    Ok(written)
}
