/*!
Reports format an [`Analysis`] and compute nothing: `blocks` lays its numbers out
as one list of blocks, `doc` renders that list as Markdown and as self-contained
HTML (SVGs inline), `svg` draws the curves and intervals the analysis holds, and
`summary` writes the speed-ups as CSV. Beside them goes `analysis.json`, the whole
analysis the pages were made from.
*/

pub mod answer;
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
pub use blocks::{bracket, jest_detail, jest_overview, plain_bracket, slug};
pub use doc::Block;

/// The answer of an analysis as terminal lines of at most `width` characters:
/// one claim a line (the report's answer table).
pub fn answer_lines(analysis: &Analysis, width: usize) -> Vec<String> {
    answer::terminal(&blocks::answers(analysis), width)
}

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
    /// A file of an earlier report that cannot be read as one.
    #[error("{}: {reason}", path.display())]
    Unreadable { path: PathBuf, reason: String },
    /// A report asked to go into a folder that holds other files.
    #[error("{}: this folder holds files but no jestbench report (no {MANIFEST}, report.html or analysis.json); a report replaces only the files of an earlier report, so give a new or empty folder, or a report folder, as --out", path.display())]
    NotAReport { path: PathBuf },
}

impl ReportError {
    /// Whether the results given are at fault (rather than the disk).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            ReportError::Analysis(_)
                | ReportError::Unlinkable { .. }
                | ReportError::NotAReport { .. }
                | ReportError::Unreadable { .. }
        )
    }
}

/// The files of one report.
pub const REPORT_MD: &str = "report.md";
pub const REPORT_HTML: &str = "report.html";
pub const SUMMARY_CSV: &str = "summary.csv";
pub const ANALYSIS_JSON: &str = "analysis.json";
pub const CLAIMS_CSV: &str = "claims.csv";

/// The list of files a report wrote, one name a line, beside them: a later report
/// into the same folder removes only files named there (an earlier report's
/// figures), never a file that some other hand put in the folder.
pub const MANIFEST: &str = "report-files.txt";

/// The files an earlier report wrote into `dir`: its manifest's names, or for a
/// report that predates manifests, the figures its report.md shows. `None`: `dir`
/// holds files but no report (a folder that is not ours to write into).
fn earlier_report(dir: &Path) -> Result<Option<Vec<String>>, ReportError> {
    let io = |path: PathBuf| move |source| ReportError::Io { path, source };
    let names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<Result<_, _>>()
            .map_err(io(dir.to_path_buf()))?,
        // No folder yet (or a path through a file, which creating it will say):
        // nothing there to keep.
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            return Ok(Some(Vec::new()))
        }
        Err(e) => return Err(io(dir.to_path_buf())(e)),
    };
    if names.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let read = |name: &str| -> Result<Option<String>, ReportError> {
        let p = dir.join(name);
        match crate::log::read_regular(&p, 64 << 20) {
            Ok(t) => Ok(Some(t)),
            Err(crate::log::LogError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                Ok(None)
            }
            Err(e) => Err(ReportError::Unreadable {
                path: p,
                reason: e.to_string(),
            }),
        }
    };
    if let Some(text) = read(MANIFEST)? {
        return Ok(Some(text.lines().map(str::to_string).collect()));
    }
    let legacy = names.iter().any(|n| n == REPORT_HTML) && names.iter().any(|n| n == ANALYSIS_JSON);
    if !legacy {
        return Ok(None);
    }
    // A report from before manifests: the figures its Markdown shows.
    let md = read(REPORT_MD)?.unwrap_or_default();
    let mut files: Vec<String> = md
        .match_indices("](")
        .filter_map(|(i, _)| md[i + 2..].split(')').next())
        .filter(|f| f.ends_with(".svg") && !f.contains('/'))
        .map(str::to_string)
        .collect();
    files.extend(
        [
            REPORT_MD,
            REPORT_HTML,
            SUMMARY_CSV,
            CLAIMS_CSV,
            ANALYSIS_JSON,
        ]
        .map(String::from),
    );
    Ok(Some(files))
}

/// Checks, before any work, that a report may be written into `dir`: a new or
/// empty folder, or one holding an earlier jestbench report (whose files the new
/// one replaces). Any other folder (`--out .`, a folder of one's own files) is
/// refused: a report never deletes or overwrites what it did not write.
pub fn check_out(dir: &Path) -> Result<(), ReportError> {
    if dir.exists() && !dir.is_dir() {
        return Err(ReportError::Unreadable {
            path: dir.to_path_buf(),
            reason: "not a folder; a report is written into a folder".into(),
        });
    }
    match earlier_report(dir)? {
        Some(_) => Ok(()),
        None => Err(ReportError::NotAReport {
            path: dir.to_path_buf(),
        }),
    }
}

/// Writes report.md, report.html, the SVGs, summary.csv and analysis.json into `dir`,
/// with the families' `sections`, and the manifest of those files; removes the files
/// an earlier report there wrote that this one does not (and nothing else).
pub fn write(
    analysis: &Analysis,
    dir: &Path,
    sections: &Sections,
) -> Result<Vec<PathBuf>, ReportError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ReportError::Io { path, source }
    };
    let Some(earlier) = earlier_report(dir)? else {
        return Err(ReportError::NotAReport {
            path: dir.to_path_buf(),
        });
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let blocks = blocks::blocks(analysis, dir, sections)?;
    let mut files: Vec<(String, String)> = doc::Block::figures(&blocks)
        .into_iter()
        .map(|(file, svg)| (file.to_string(), doc::xml_clean(svg).into_owned()))
        .collect();
    let title = format!("jestbench report: {}", analysis.experiments.join(", "));
    for (file, page_title, page) in doc::Block::pages(&blocks) {
        let back = vec![doc::Block::Para(format!(
            "Part of [{title}]({REPORT_HTML}) ([Markdown]({REPORT_MD}))."
        ))];
        let full: Vec<doc::Block> = std::iter::once(doc::Block::Heading(1, page_title.to_string()))
            .chain(back)
            .chain(page.iter().cloned())
            .collect();
        files.push((format!("{file}.md"), doc::markdown(&full)));
        files.push((format!("{file}.html"), doc::html(page_title, &full)));
    }
    files.push((REPORT_MD.into(), doc::markdown(&blocks)));
    files.push((REPORT_HTML.into(), doc::html(&title, &blocks)));
    files.push((SUMMARY_CSV.into(), summary::csv(analysis)));
    files.push((CLAIMS_CSV.into(), summary::claims_csv(analysis)));
    files.push((ANALYSIS_JSON.into(), analysis.to_json()));
    let names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    files.push((MANIFEST.into(), names.join("\n") + "\n"));
    let mut written = Vec::new();
    for (name, text) in &files {
        let p = dir.join(name);
        // Written aside and renamed: a reader never sees half a page, and a link
        // planted where the page goes is replaced, not followed.
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        std::fs::write(&tmp, text).map_err(io(&tmp))?;
        std::fs::rename(&tmp, &p).map_err(io(&p))?;
        written.push(p);
    }
    // Files an earlier report of this folder wrote and this one does not (a
    // setting gone, a plot split into parts) would sit beside it unlinked: gone.
    // Only plain names it listed, never a path out of the folder.
    for name in earlier {
        let plain = !name.is_empty()
            && !name.contains(['/', '\\'])
            && name != "."
            && name != ".."
            && name != MANIFEST;
        if plain && !names.contains(&name) {
            let p = dir.join(&name);
            match std::fs::symlink_metadata(&p) {
                Ok(m) if m.is_file() => std::fs::remove_file(&p).map_err(io(&p))?,
                _ => {}
            }
        }
    }
    Ok(written)
}
