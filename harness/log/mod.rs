/*!
Results on disk: `results.csv` (one row per run × eval point) and `summary.csv` (one
row per finished run) in a results folder, one schema for every kind of run.

Rows are appended whole and flushed one at a time. A run counts as done only once its
summary row is written; reopening a folder drops the rows of runs that never got one
(and any torn last line) so that a rerun redoes them without duplicates.
*/

pub mod foreign;
mod layout;
pub mod methods;
mod records;
mod row;

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

pub use layout::header_line;
pub use row::{Common, JestRow, Row, RunIdentity, SwimRow, GIT_COMMIT, HARNESS_VERSION};

pub const RESULTS_FILE: &str = "results.csv";
pub const SUMMARY_FILE: &str = "summary.csv";

/// A results folder that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Format { path: PathBuf, message: String },
    #[error("{}: another jestbench run is writing to this results folder (it holds {}); wait for it, or pass another --out", dir.display(), LOCK_FILE)]
    Locked { dir: PathBuf },
}

/// Held (an OS file lock, released when the process ends, even by SIGKILL) while a
/// run writes into a results folder.
pub const LOCK_FILE: &str = ".jestbench.lock";

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> LogError + '_ {
    move |source| LogError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// An open results folder, appending; holds the folder's lock until dropped.
pub struct ResultsWriter {
    results: (PathBuf, File),
    summary: (PathBuf, File),
    _lock: File,
}

impl ResultsWriter {
    /// Opens (creating) `dir`; returns the writer and the ids of runs already done.
    pub fn open(dir: &Path) -> Result<(ResultsWriter, BTreeSet<String>), LogError> {
        fs::create_dir_all(dir).map_err(io(dir))?;
        let lock_path = dir.join(LOCK_FILE);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io(&lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(LogError::Locked {
                    dir: dir.to_path_buf(),
                })
            }
            Err(fs::TryLockError::Error(e)) => return Err(io(&lock_path)(e)),
        }
        let summary_path = dir.join(SUMMARY_FILE);
        let results_path = dir.join(RESULTS_FILE);
        let summaries = read_rows(&summary_path)?;
        let done: BTreeSet<String> = summaries
            .kept
            .iter()
            .map(|r| r.common().run_id.clone())
            .collect();
        // A file written before the newest optional columns existed is rewritten
        // in the current layout, so appended rows match its header.
        if summaries.torn || !summaries.absent_columns.is_empty() {
            rewrite(&summary_path, &summaries.kept)?;
        }
        let results = read_rows(&results_path)?;
        let kept: Vec<Row> = results
            .kept
            .iter()
            .filter(|r| done.contains(&r.common().run_id))
            .cloned()
            .collect();
        if results.torn || kept.len() != results.kept.len() || !results.absent_columns.is_empty() {
            rewrite(&results_path, &kept)?;
        }
        Ok((
            ResultsWriter {
                results: (results_path.clone(), append(&results_path)?),
                summary: (summary_path.clone(), append(&summary_path)?),
                _lock: lock,
            },
            done,
        ))
    }

    /// Appends an eval-point row.
    pub fn eval_row(&mut self, row: &Row) -> Result<(), LogError> {
        write_row(&mut self.results, row)
    }

    /// Appends a run's summary row: from now on the run counts as done. Its eval
    /// rows reach the disk first, so even a power loss cannot leave a run marked
    /// done with rows missing.
    pub fn summary_row(&mut self, row: &Row) -> Result<(), LogError> {
        let (path, file) = &self.results;
        file.sync_data().map_err(io(path))?;
        write_row(&mut self.summary, row)?;
        let (path, file) = &self.summary;
        file.sync_data().map_err(io(path))
    }
}

fn append(path: &Path) -> Result<File, LogError> {
    let new = fs::metadata(path).map(|m| m.len() == 0).unwrap_or(true);
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io(path))?;
    if new {
        f.write_all(layout::header_line().as_bytes())
            .map_err(io(path))?;
    }
    Ok(f)
}

fn write_row((path, file): &mut (PathBuf, File), row: &Row) -> Result<(), LogError> {
    // One write of one whole line: a crash leaves at most a torn last line.
    let line = row.to_line();
    file.write_all(line.as_bytes()).map_err(io(path))?;
    file.flush().map_err(io(path))
}

pub struct ReadRows {
    pub kept: Vec<Row>,
    /// The file ended in a partial line.
    pub torn: bool,
    /// Optional columns the file predates (their cells read as empty).
    pub absent_columns: Vec<String>,
}

/// Reads every whole row of a results file (absent file: none).
pub fn read_rows(path: &Path) -> Result<ReadRows, LogError> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(ReadRows {
                kept: Vec::new(),
                torn: false,
                absent_columns: Vec::new(),
            })
        }
        Err(e) => return Err(io(path)(e)),
    };
    let torn = !text.is_empty() && !text.ends_with('\n');
    let whole = match text.rfind('\n') {
        Some(i) => &text[..=i],
        None => "",
    };
    let (kept, absent_columns) = layout::parse(whole).map_err(|message| LogError::Format {
        path: path.to_path_buf(),
        message,
    })?;
    Ok(ReadRows {
        kept,
        torn,
        absent_columns,
    })
}

/// Parses the text of a results file (header and whole lines): its rows, and the
/// optional columns it predates.
pub fn parse_rows(text: &str) -> Result<(Vec<Row>, Vec<String>), String> {
    layout::parse(text)
}

/// Writes `rows` as a whole results file at `path` (creating its folder),
/// atomically: written aside, synced, then renamed into place.
pub fn write_rows(path: &Path, rows: &[Row]) -> Result<(), LogError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(io(dir))?;
    }
    rewrite(path, rows)
}

/// Replaces a file's rows atomically (write aside, then rename).
fn rewrite(path: &Path, rows: &[Row]) -> Result<(), LogError> {
    let tmp = path.with_extension("csv.tmp");
    let mut text = layout::header_line();
    for r in rows {
        text.push_str(&r.to_line());
    }
    let mut f = File::create(&tmp).map_err(io(&tmp))?;
    f.write_all(text.as_bytes()).map_err(io(&tmp))?;
    f.sync_data().map_err(io(&tmp))?;
    fs::rename(&tmp, path).map_err(io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A results folder from before the last optional columns existed: resuming
    /// into it rewrites it in the current layout, so the rows appended next match
    /// its header and the folder stays readable.
    /// The optional columns at the end of a row, after `eval_metric`.
    const TRAILING: usize = 14;

    #[test]
    fn resuming_into_an_older_layout_upgrades_it_before_appending() {
        let dir = tempfile::tempdir().unwrap();
        let old = |r: &Row| {
            // The line as a file without the trailing optional columns has it.
            let line = r.to_line();
            let fields: Vec<&str> = line.trim_end().split(',').collect();
            fields[..fields.len() - TRAILING].join(",") + "\n"
        };
        let header = layout::header_line();
        let cols: Vec<&str> = header.trim_end().split(',').collect();
        let old_header = cols[..cols.len() - TRAILING].join(",") + "\n";
        assert_eq!(
            cols[cols.len() - TRAILING..cols.len() - TRAILING + 3],
            ["val_loss", "grad_error", "energy_drift"]
        );
        assert_eq!(cols[cols.len() - 1], "zero_shot_tail");
        let row = |id: &str| {
            Row::Jest(JestRow {
                common: Common {
                    run_id: id.into(),
                    experiment: "e".into(),
                    ..Common::default()
                },
                ..JestRow::default()
            })
        };
        let done = row("a-s0");
        for f in [RESULTS_FILE, SUMMARY_FILE] {
            fs::write(dir.path().join(f), old_header.clone() + &old(&done)).unwrap();
        }
        let (mut w, ids) = ResultsWriter::open(dir.path()).unwrap();
        assert!(ids.contains("a-s0"));
        let next = row("b-s0");
        w.eval_row(&next).unwrap();
        w.summary_row(&next).unwrap();
        drop(w);
        for f in [RESULTS_FILE, SUMMARY_FILE] {
            let text = fs::read_to_string(dir.path().join(f)).unwrap();
            assert!(text.starts_with(&header), "{f}: {text}");
            let rows = read_rows(&dir.path().join(f)).unwrap().kept;
            let ids: Vec<&str> = rows.iter().map(|r| r.common().run_id.as_str()).collect();
            assert_eq!(ids, ["a-s0", "b-s0"], "{f}");
        }
    }
}
