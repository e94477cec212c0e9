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
pub mod gates;
pub mod index;
mod summary;
pub mod svg;

use std::path::{Path, PathBuf};

use crate::analysis::{Analysis, AnalysisError};
pub use blocks::{jest_detail, jest_overview, swim_detail};
pub use doc::Block;

/// Where in a report a family's blocks go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Beside the answer and the claims table, before the warnings.
    Overview,
    /// After the warnings: the family's own sections.
    Detail,
}

/// Adds the families' blocks for a part of the report of an analysis written
/// into a folder (`family::write_report` passes every family's).
pub type Sections<'a> =
    dyn Fn(&Analysis, &Path, Part, &mut Vec<Block>) -> Result<(), ReportError> + 'a;

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
    /// A report folder the index cannot link (no report.html, a name that is no
    /// link, no claims table).
    #[error("{}: cannot be linked from the index: {reason}", path.display())]
    Unlinkable { path: PathBuf, reason: String },
}

impl ReportError {
    /// Whether the results given are at fault (rather than the disk).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            ReportError::Analysis(_) | ReportError::Unlinkable { .. }
        )
    }
}

/// The files of one report.
pub const REPORT_MD: &str = "report.md";
pub const REPORT_HTML: &str = "report.html";
pub const SUMMARY_CSV: &str = "summary.csv";
pub const ANALYSIS_JSON: &str = "analysis.json";
pub const CLAIMS_CSV: &str = "claims.csv";

/// Writes report.md, report.html, the SVGs, summary.csv and analysis.json into `dir`,
/// with the families' `sections`, and removes SVGs there that this report does not
/// draw (an earlier report's).
pub fn write(
    analysis: &Analysis,
    dir: &Path,
    sections: &Sections,
) -> Result<Vec<PathBuf>, ReportError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ReportError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let blocks = blocks::blocks(analysis, dir, sections)?;
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
    // Figures an earlier report of this folder drew and this one does not (a
    // setting gone, a plot split into parts) would sit beside it unlinked: gone.
    let entries = std::fs::read_dir(dir).map_err(io(dir))?;
    for e in entries.flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "svg") && !written.contains(&p) {
            std::fs::remove_file(&p).map_err(io(&p))?;
        }
    }
    Ok(written)
}
