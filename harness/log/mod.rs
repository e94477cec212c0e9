/*!
Results on disk: per results folder, `runs.csv` (one row per finished run) and an
evaluations table per family (`tables`; folders of layout 1, `results.csv` and
`summary.csv`, still read: `layout`). A family's rows ([`FamilyRow`]) and their
columns ([`Schema`]) are its own; this module names no family, and its readers take
the schemas they may meet.

Rows are appended whole and flushed one at a time. A run counts as done only once its
run row is written; reopening a folder drops the rows of runs that never got one
(and any torn last line) so that a rerun redoes them without duplicates.
*/

mod folder;
mod layout;
pub mod records;
mod row;
mod schema;
mod tables;
#[cfg(test)]
mod testing;
mod writer;

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

pub use folder::{
    last_rows, layout_of, migrate, pack, read_folder, read_source, results_bytes,
    results_bytes_on_disk, tables_text, write_folder, write_folder_lacking, Folder, Layout,
    Migration,
};
pub use layout::text as layout_1_text;
pub use row::{Common, FamilyRow, Row, RunStatus, Schema, Schemas, GIT_COMMIT, HARNESS_VERSION};
pub use schema::{
    common_columns, find, methods, named_cells, reread, ForeignReader, ReadRow, RowSchema,
    COMMON_OPTIONAL,
};
pub use tables::{
    check_partition, evaluation_columns, evaluations_file, PACK_ABOVE, RUNS_FILE, SWEEP_PREFIX,
};
pub use writer::ResultsWriter;

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

/// Takes `dir`'s lock (creating the folder): held until the returned file is
/// dropped, by `run` while it writes and by `merge` while it joins shards into it.
pub fn lock(dir: &Path) -> Result<File, LogError> {
    fs::create_dir_all(dir).map_err(io(dir))?;
    let lock_path = dir.join(LOCK_FILE);
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(io(&lock_path))?;
    match lock.try_lock() {
        Ok(()) => Ok(lock),
        Err(fs::TryLockError::WouldBlock) => Err(LogError::Locked {
            dir: dir.to_path_buf(),
        }),
        Err(fs::TryLockError::Error(e)) => Err(io(&lock_path)(e)),
    }
}

/// Whether some process holds `dir`'s lock now (a run or a merge writing into
/// it). A folder without a lock file is not being written by jestbench.
pub fn is_being_written(dir: &Path) -> bool {
    let lock_path = dir.join(LOCK_FILE);
    let Ok(f) = OpenOptions::new().read(true).open(&lock_path) else {
        return false;
    };
    match f.try_lock_shared() {
        Ok(()) => false,
        Err(fs::TryLockError::WouldBlock) => true,
        Err(fs::TryLockError::Error(_)) => false,
    }
}

pub(crate) fn append(path: &Path) -> Result<File, LogError> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io(path))
}

pub struct ReadRows {
    pub kept: Vec<Row>,
    /// The file ended in a partial line.
    pub torn: bool,
    /// Optional columns the file predates (their cells read as empty).
    pub absent_columns: Vec<String>,
}

/// The largest results file read: well above any sweep's (the committed ones are
/// under 8 MiB).
pub const MAX_RESULTS_BYTES: u64 = 256 << 20;

/// Bytes of memory the rows of one byte of results CSV take, read and analysed,
/// with a margin: measured 47 on world-sensitivity (7.2 MB of CSV, 339 MB peak
/// for `report`) and 13 on four copies of it (28.8 MB, 382 MB).
pub const MEMORY_PER_CSV_BYTE: u64 = 64;

/// The most bytes of results CSV read at once (all sources of one command
/// together): [`MAX_RESULTS_BYTES`], or less where this machine's available memory
/// could not hold their analysis. Checked before anything is read.
pub fn results_budget() -> u64 {
    let memory = crate::system::available_bytes()
        .map(|b| (b / MEMORY_PER_CSV_BYTE as f64) as u64)
        .unwrap_or(MAX_RESULTS_BYTES);
    MAX_RESULTS_BYTES.min(memory).max(16 << 20)
}

/// The most results rows read at once: 200 times the largest committed sweep's
/// (9,360 rows), and fewer where this machine's memory could not hold them.
pub const MAX_ROWS: usize = 2_000_000;

/// Bytes of memory a results row takes, read and analysed, with a margin: 1.5 KiB
/// measured (`report` on four copies of world-sensitivity, 37,440 rows, against
/// one, 9,360 rows: 382 MB against 339 MB peak).
pub const MEMORY_PER_ROW: usize = 4 << 10;

/// The most results rows one command reads ([`MAX_ROWS`], or what this machine's
/// available memory holds at [`MEMORY_PER_ROW`]); checked before rows are parsed.
pub fn rows_budget() -> usize {
    let memory = crate::system::available_bytes()
        .map(|b| (b / MEMORY_PER_ROW as f64) as usize)
        .unwrap_or(MAX_ROWS);
    MAX_ROWS.min(memory).max(100_000)
}

/// Reads a text file of at most `max_bytes`, only if it is a regular file: a FIFO,
/// a device or a folder is refused (never read until memory runs out, never waited
/// on), and a symbolic link is followed only to a regular file in the folder that
/// holds the link (or below it).
pub fn read_regular(path: &Path, max_bytes: u64) -> Result<String, LogError> {
    let bytes = read_regular_bytes(path, max_bytes)?;
    utf8(path, bytes)
}

fn utf8(path: &Path, bytes: Vec<u8>) -> Result<String, LogError> {
    String::from_utf8(bytes).map_err(|e| LogError::Format {
        path: path.to_path_buf(),
        message: format!(
            "not UTF-8 text (byte {} is not valid)",
            e.utf8_error().valid_up_to()
        ),
    })
}

/// Reads a gzip-compressed text file as [`read_regular`] reads a plain one, at
/// most `max_bytes` of it decompressed (a small file that inflates past that is
/// refused, not inflated).
pub fn read_regular_gz(path: &Path, max_bytes: u64) -> Result<String, LogError> {
    use std::io::Read;
    let packed = read_regular_bytes(path, max_bytes)?;
    let mut bytes = Vec::new();
    flate2::read::MultiGzDecoder::new(&packed[..])
        .take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| LogError::Format {
            path: path.to_path_buf(),
            message: format!("not a whole gzip file ({e})"),
        })?;
    if bytes.len() as u64 > max_bytes {
        return Err(LogError::Format {
            path: path.to_path_buf(),
            message: format!("over the {max_bytes} bytes this reader takes, decompressed"),
        });
    }
    utf8(path, bytes)
}

/// The bytes of a regular file of at most `max_bytes` ([`read_regular`]'s rules).
pub fn read_regular_bytes(path: &Path, max_bytes: u64) -> Result<Vec<u8>, LogError> {
    use std::io::Read;
    let (file, meta) = open_checked(path)?;
    let refuse = |message: String| LogError::Format {
        path: path.to_path_buf(),
        message,
    };
    if meta.len() > max_bytes {
        return Err(refuse(format!(
            "{} bytes, over the {} bytes this reader takes",
            meta.len(),
            max_bytes
        )));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The size can change while reading (a file still being written): read at
    // most one byte past the limit, and say so.
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(io(path))?;
    if bytes.len() as u64 > max_bytes {
        return Err(refuse(format!(
            "grew past {max_bytes} bytes while being read"
        )));
    }
    Ok(bytes)
}

/// The first line of a text file (at most its first 64 KiB), under
/// [`read_regular`]'s rules: what a header is sniffed from.
pub fn first_line(path: &Path) -> Result<String, LogError> {
    use std::io::Read;
    let (file, _) = open_checked(path)?;
    let mut bytes = Vec::new();
    file.take(64 << 10)
        .read_to_end(&mut bytes)
        .map_err(io(path))?;
    let end = bytes
        .iter()
        .position(|b| *b == b'\n')
        .unwrap_or(bytes.len());
    Ok(String::from_utf8_lossy(&bytes[..end]).into_owned())
}

/// Opens a regular file (a symbolic link only to one inside its folder).
fn open_checked(path: &Path) -> Result<(File, fs::Metadata), LogError> {
    let refuse = |message: String| LogError::Format {
        path: path.to_path_buf(),
        message,
    };
    let meta = fs::symlink_metadata(path).map_err(io(path))?;
    if meta.file_type().is_symlink() {
        let target = fs::canonicalize(path).map_err(io(path))?;
        let folder = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let folder = fs::canonicalize(folder).map_err(io(folder))?;
        if !target.starts_with(&folder) {
            return Err(refuse(format!(
                "a symbolic link to {}, outside its folder {}: refused (copy the file here instead)",
                target.display(),
                folder.display()
            )));
        }
    }
    crate::system::open_regular(path).map_err(|e| match e {
        Ok(kind) => refuse(format!("{kind}: only regular files are read")),
        Err(source) => io(path)(source),
    })
}

/// A run whose summary calls it complete but whose results rows do not end with
/// the summary's row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incomplete {
    pub run_id: String,
    /// The step its summary row gives.
    pub summary_step: usize,
    /// The last step its results rows reach (none: no rows).
    pub last_step: Option<usize>,
}

impl std::fmt::Display for Incomplete {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.last_step {
            None => write!(
                f,
                "{}: its run row ends at step {}, but it has no evaluation rows",
                self.run_id, self.summary_step
            ),
            Some(s) if s == self.summary_step => write!(
                f,
                "{}: its evaluation at step {s} is not the one its run row was written from (or it has another number of evaluations)",
                self.run_id
            ),
            Some(s) => write!(
                f,
                "{}: its run row ends at step {}, but its evaluations end at step {s}",
                self.run_id, self.summary_step
            ),
        }
    }
}

/// The runs of `summaries` whose rows in `results` do not end with their summary
/// row's step (a results file cut or torn after the run was marked done, a shard
/// copied without all its rows), in summary order.
pub fn incomplete_runs(summaries: &[Row], results: &[Row]) -> Vec<Incomplete> {
    // Per run: its last step, and whether its row at that step is the summary's.
    let mut last: std::collections::HashMap<&str, (usize, &Row)> = std::collections::HashMap::new();
    for r in results {
        let c = r.common();
        let e = last.entry(c.run_id.as_str()).or_insert((c.step, r));
        if c.step >= e.0 {
            *e = (c.step, r);
        }
    }
    summaries
        .iter()
        .filter(|s| {
            let c = s.common();
            !last
                .get(c.run_id.as_str())
                .is_some_and(|(step, row)| *step == c.step && *row == *s)
        })
        .map(|s| Incomplete {
            run_id: s.common().run_id.clone(),
            summary_step: s.common().step,
            last_step: last.get(s.common().run_id.as_str()).map(|(step, _)| *step),
        })
        .collect()
}

/// Whole lines of a text, and whether a cut last line was dropped.
pub(crate) fn whole_lines(text: &str) -> (&str, bool) {
    let torn = !text.is_empty() && !text.ends_with('\n');
    let whole = match text.rfind('\n') {
        Some(i) => &text[..=i],
        None => "",
    };
    (whole, torn)
}

/// Refuses more rows than this machine can analyse (counted before parsing:
/// short lines take as much memory per row as long ones).
pub(crate) fn too_many_rows(path: &Path, lines: usize) -> Result<(), LogError> {
    let limit = rows_budget();
    if lines > limit + 1 {
        return Err(LogError::Format {
            path: path.to_path_buf(),
            message: format!(
                "{} rows, over the {limit} rows this machine can analyse at once (about {} KiB of memory a row, read and analysed; at most {MAX_ROWS}); split the results",
                lines - 1,
                MEMORY_PER_ROW >> 10
            ),
        });
    }
    Ok(())
}

/// Reads every whole row of a results file (absent file: none).
pub fn read_rows(path: &Path, schemas: Schemas) -> Result<ReadRows, LogError> {
    let text = match read_regular(path, results_budget()) {
        Ok(t) => t,
        Err(LogError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            return Ok(ReadRows {
                kept: Vec::new(),
                torn: false,
                absent_columns: Vec::new(),
            })
        }
        Err(e) => return Err(e),
    };
    let (whole, torn) = whole_lines(&text);
    too_many_rows(path, whole.bytes().filter(|b| *b == b'\n').count())?;
    let (kept, absent_columns) =
        layout::parse(whole, schemas).map_err(|message| LogError::Format {
            path: path.to_path_buf(),
            message,
        })?;
    Ok(ReadRows {
        kept,
        torn,
        absent_columns,
    })
}

/// Parses the text of a results file (header and whole lines, layout 1 or a
/// minimal schema a family reads): its rows, and the optional columns it predates.
pub fn parse_rows(text: &str, schemas: Schemas) -> Result<(Vec<Row>, Vec<String>), String> {
    layout::parse(text, schemas)
}

/// Replaces a file atomically: written aside under a name of this process's own
/// (two writers of one folder, which its lock forbids but a folder shared by hand
/// allows, never write into one file), synced, then renamed into place.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), LogError> {
    let name = path
        .file_name()
        .map_or("results".into(), |n| n.to_string_lossy());
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let mut f = File::create(&tmp).map_err(io(&tmp))?;
    f.write_all(bytes).map_err(io(&tmp))?;
    f.sync_data().map_err(io(&tmp))?;
    fs::rename(&tmp, path).map_err(io(path))
}

#[cfg(test)]
mod tests {
    use super::testing::{alpha, beta, SCHEMAS};
    use super::*;

    /// A results folder of layout 1 from before an optional column existed:
    /// resuming into it converts it, so the rows appended next match the tables'
    /// headers and the folder stays readable; each family's rows read back as
    /// themselves, and a value in another family's column is refused.
    #[test]
    fn resuming_into_an_older_layout_upgrades_it_before_appending() {
        let dir = tempfile::tempdir().unwrap();
        let done = [alpha("a-s0", 0, false, ""), alpha("a-s0", 5, true, "")];
        let text = layout_1_text(&done);
        let (rows, absent) = parse_rows(&text, &SCHEMAS).unwrap();
        assert!(absent.is_empty());
        assert_eq!(rows, done);
        // Without the optional column `late`, and without `eval_metric`.
        let old: Vec<Vec<String>> = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        let gone: Vec<usize> = ["late", "eval_metric"]
            .iter()
            .map(|c| old[0].iter().position(|h| h == c).unwrap())
            .collect();
        let old_text: String = old
            .iter()
            .map(|r| {
                let kept: Vec<&str> = r
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !gone.contains(i))
                    .map(|(_, c)| c.as_str())
                    .collect();
                kept.join(",") + "\n"
            })
            .collect();
        let (_, absent) = parse_rows(&old_text, &SCHEMAS).unwrap();
        assert_eq!(absent, ["eval_metric", "late"]);
        fs::write(dir.path().join(RESULTS_FILE), &old_text).unwrap();
        let last = old_text.lines().next().unwrap().to_string()
            + "\n"
            + old_text.lines().last().unwrap()
            + "\n";
        fs::write(dir.path().join(SUMMARY_FILE), last).unwrap();
        let (mut w, ids) = ResultsWriter::open(dir.path(), &SCHEMAS).unwrap();
        assert!(ids.contains("a-s0"));
        let next = alpha("b-s0", 5, true, "");
        w.eval_row(&next).unwrap();
        w.summary_row(&next).unwrap();
        drop(w);
        // Migrated to layout 2 on opening, the rows appended after.
        assert!(!dir.path().join(RESULTS_FILE).exists());
        let folder = read_folder(dir.path(), &SCHEMAS).unwrap();
        assert_eq!(folder.layout, Some(Layout::Tables));
        let ids: Vec<&str> = folder
            .summaries
            .iter()
            .map(|r| r.common().run_id.as_str())
            .collect();
        assert_eq!(ids, ["a-s0", "b-s0"]);

        // Both families in one layout 1 file; a value in the other's column, a
        // method of the other family, an unknown family: named with the line.
        let both = [beta("c"), alpha("d", 0, true, "")];
        let text = layout_1_text(&both);
        assert_eq!(parse_rows(&text, &SCHEMAS).unwrap().0, both);
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        let header: Vec<&str> = lines[0].split(',').collect();
        let knob = header.iter().position(|h| *h == "knob").unwrap();
        let mut cells: Vec<String> = lines[1].split(',').map(String::from).collect();
        cells[knob] = "0.5".into();
        lines[1] = cells.join(",");
        let e = parse_rows(&(lines.join("\n") + "\n"), &SCHEMAS).unwrap_err();
        assert!(e.starts_with("line 2: column `knob` has a value"), "{e}");
        assert!(e.contains("family `beta`"), "{e}");
        let e = parse_rows(&text.replacen(",b_fit,", ",a_fit,", 1), &SCHEMAS).unwrap_err();
        assert!(
            e.contains("`a_fit` is not a method of family `beta`"),
            "{e}"
        );
        let e = parse_rows(&text.replacen(",beta,", ",gamma,", 1), &SCHEMAS).unwrap_err();
        assert!(
            e.contains("line 2") && e.contains("`gamma` is not a family"),
            "{e}"
        );
    }
}
