//! A results folder as a whole: read in either layout (2: `runs.csv` and the
//! evaluations tables, `tables`; 1: `results.csv` and `summary.csv`, or a
//! `results.csv` in the minimal schema of other tools), written in layout 2,
//! packed and unpacked, migrated from layout 1.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::schema::{self, COMMON_OPTIONAL};
use super::tables::{self, RunCells, Splitter, PACK_ABOVE, RUNS_FILE};
use super::Schemas;
use super::{
    incomplete_runs, io, read_regular, read_regular_gz, read_rows, too_many_rows, whole_lines,
    write_atomic, Incomplete, LogError, Row, RESULTS_FILE, SUMMARY_FILE,
};
use crate::method::Family;

/// How a folder lays its results out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `runs.csv` and `evaluations-<family>.csv[.gz]`.
    Tables,
    /// `results.csv` (and `summary.csv`): jestbench before layout 2.
    Rows,
    /// `results.csv` in the minimal schema of other tools.
    Foreign,
}

/// What a results folder holds.
#[derive(Debug, Default)]
pub struct Folder {
    pub layout: Option<Layout>,
    /// Every evaluation row of the finished runs, in file order.
    pub rows: Vec<Row>,
    /// One row per finished run (its last evaluation), in file order.
    pub summaries: Vec<Row>,
    /// Runs marked finished whose evaluations do not end where their run row says.
    pub incomplete: Vec<Incomplete>,
    /// Runs with evaluation rows but not finished (no run row), in file order.
    pub unfinished: Vec<String>,
    /// Files whose last line was cut (it is ignored).
    pub torn: Vec<PathBuf>,
    /// Optional columns the files predate (their cells read as empty).
    pub absent_columns: Vec<String>,
    /// Layout 1 files beside layout 2's, ignored.
    pub ignored: Vec<PathBuf>,
}

/// The evaluations tables in `dir`: per family name (in name order), its file and
/// whether it is packed (the plain file first: when both are there, an
/// interrupted pack or unpack left them with the same rows).
fn tables_in(dir: &Path) -> Result<Vec<(String, PathBuf, bool)>, LogError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let entries = fs::read_dir(dir).map_err(io(dir))?;
    let mut found: BTreeMap<String, (PathBuf, bool)> = BTreeMap::new();
    for e in entries {
        let e = e.map_err(io(dir))?;
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(family) = tables::family_of_file(name) else {
            continue;
        };
        let is_packed = name.ends_with(".gz");
        let slot = found
            .entry(family.to_string())
            .or_insert((e.path(), is_packed));
        if !is_packed {
            *slot = (e.path(), false);
        }
    }
    Ok(found.into_iter().map(|(f, (p, z))| (f, p, z)).collect())
}

fn packed(plain: &Path) -> PathBuf {
    let mut p = plain.as_os_str().to_owned();
    p.push(".gz");
    PathBuf::from(p)
}

/// The layout of the folder `dir` (none: no results in it).
pub fn layout_of(dir: &Path) -> Result<Option<Layout>, LogError> {
    if fs::symlink_metadata(dir.join(RUNS_FILE)).is_ok() || !tables_in(dir)?.is_empty() {
        return Ok(Some(Layout::Tables));
    }
    // Layout 1 is a results.csv (a summary.csv alone is a report's, not results).
    let results = dir.join(RESULTS_FILE);
    if fs::symlink_metadata(&results).is_err() {
        return Ok(None);
    }
    // The header says which.
    let first = super::first_line(&results)?;
    let header: Vec<String> = first.split(',').map(|c| c.trim().to_string()).collect();
    Ok(Some(if header.iter().any(|h| h == "run_id") {
        Layout::Rows
    } else {
        Layout::Foreign
    }))
}

/// The bytes of results text a folder (or file) holds, decompressed: what its
/// reading costs in memory. Packed tables count their gzip trailer's size.
pub fn results_bytes(path: &Path) -> u64 {
    let size = |p: &Path| {
        fs::metadata(p)
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len())
    };
    if !path.is_dir() {
        return size(path).unwrap_or(0);
    }
    let mut total = 0;
    for name in [RUNS_FILE, RESULTS_FILE, SUMMARY_FILE] {
        total += size(&path.join(name)).unwrap_or(0);
    }
    for (_, p, is_packed) in tables_in(path).unwrap_or_default() {
        total += if is_packed { gz_size(&p) } else { size(&p) }.unwrap_or(0);
    }
    total
}

/// The uncompressed size a gzip file's trailer gives (modulo 2^32).
fn gz_size(path: &Path) -> Option<u64> {
    use std::io::{Read, Seek, SeekFrom};
    let (mut f, meta) = crate::system::open_regular(path).ok()?;
    if meta.len() < 18 {
        return None;
    }
    f.seek(SeekFrom::End(-4)).ok()?;
    let mut b = [0u8; 4];
    f.read_exact(&mut b).ok()?;
    Some(u32::from_le_bytes(b) as u64)
}

/// Reads a results folder in whichever layout it has (an empty or absent folder:
/// nothing).
pub fn read_folder(dir: &Path, schemas: Schemas) -> Result<Folder, LogError> {
    match layout_of(dir)? {
        None => Ok(Folder::default()),
        Some(Layout::Tables) => read_tables(dir, schemas),
        Some(l) => read_rows_folder(dir, l, schemas),
    }
}

/// Reads a results source: a folder (either layout), or a file: `results.csv`
/// with its folder's `summary.csv`, or any other file of rows (every run in it
/// counted as finished).
pub fn read_source(path: &Path, schemas: Schemas) -> Result<Folder, LogError> {
    if path.is_dir() {
        return read_folder(path, schemas);
    }
    let folder = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if path.file_name() == Some(RESULTS_FILE.as_ref()) {
        if let Some(l @ (Layout::Rows | Layout::Foreign)) = layout_of(folder)? {
            return read_rows_folder(folder, l, schemas);
        }
    }
    let read = read_rows(path, schemas)?;
    Ok(Folder {
        layout: Some(Layout::Rows),
        summaries: last_rows(&read.kept),
        torn: if read.torn {
            vec![path.to_path_buf()]
        } else {
            Vec::new()
        },
        absent_columns: read.absent_columns,
        rows: read.kept,
        ..Folder::default()
    })
}

fn read_rows_folder(dir: &Path, layout: Layout, schemas: Schemas) -> Result<Folder, LogError> {
    let results_path = dir.join(RESULTS_FILE);
    let summary_path = dir.join(SUMMARY_FILE);
    let results = read_rows(&results_path, schemas)?;
    let mut out = Folder {
        layout: Some(layout),
        absent_columns: results.absent_columns.clone(),
        ..Folder::default()
    };
    if results.torn {
        out.torn.push(results_path.clone());
    }
    if layout == Layout::Rows && fs::symlink_metadata(&summary_path).is_ok() {
        let summaries = read_rows(&summary_path, schemas)?;
        if summaries.torn {
            out.torn.push(summary_path);
        }
        out.incomplete = incomplete_runs(&summaries.kept, &results.kept);
        let left_out: BTreeSet<&str> = out.incomplete.iter().map(|i| i.run_id.as_str()).collect();
        let summarised: BTreeSet<&str> = summaries
            .kept
            .iter()
            .map(|r| r.common().run_id.as_str())
            .collect();
        let mut unfinished = Vec::new();
        for r in &results.kept {
            let id = r.common().run_id.as_str();
            if !summarised.contains(id) && !unfinished.contains(&id) {
                unfinished.push(id);
            }
        }
        out.unfinished = unfinished.into_iter().map(str::to_string).collect();
        let done: BTreeSet<String> = summarised
            .into_iter()
            .filter(|id| !left_out.contains(id))
            .map(str::to_string)
            .collect();
        out.summaries = summaries
            .kept
            .into_iter()
            .filter(|r| done.contains(&r.common().run_id))
            .collect();
        out.rows = results
            .kept
            .into_iter()
            .filter(|r| done.contains(&r.common().run_id))
            .collect();
    } else {
        // Without summaries (other tools' results, synthetic designs) every run
        // counts as finished: its last row is its summary.
        out.summaries = last_rows(&results.kept);
        out.rows = results.kept;
    }
    Ok(out)
}

/// Each run's row at its largest step, in the order runs first appear.
pub fn last_rows(rows: &[Row]) -> Vec<Row> {
    let mut order: Vec<&str> = Vec::new();
    let mut last: BTreeMap<&str, &Row> = BTreeMap::new();
    for r in rows {
        let id = r.common().run_id.as_str();
        match last.get(id) {
            None => {
                order.push(id);
                last.insert(id, r);
            }
            Some(prev) if r.common().step >= prev.common().step => {
                last.insert(id, r);
            }
            Some(_) => {}
        }
    }
    order.into_iter().map(|id| last[id].clone()).collect()
}

pub(super) fn read_tables(dir: &Path, schemas: Schemas) -> Result<Folder, LogError> {
    let budget = super::results_budget();
    let mut out = Folder {
        layout: Some(Layout::Tables),
        ..Folder::default()
    };
    for name in [RESULTS_FILE, SUMMARY_FILE] {
        if fs::symlink_metadata(dir.join(name)).is_ok() {
            out.ignored.push(dir.join(name));
        }
    }
    let runs_path = dir.join(RUNS_FILE);
    let fmt = |path: &Path| {
        let path = path.to_path_buf();
        move |message: String| LogError::Format { path, message }
    };
    // Each table's family first: a folder of a family this reader does not know
    // is named as such, before its columns are.
    let mut tables = Vec::new();
    for (name, path, is_packed) in tables_in(dir)? {
        let f = schema::find(schemas, &name).map_err(|_| {
            let known: Vec<&str> = schemas.iter().map(|s| s.family().as_str()).collect();
            fmt(&path)(format!(
                "no family `{name}` is known here (known: {})",
                known.join(", ")
            ))
        })?;
        tables.push((f, path, is_packed));
    }
    let runs = match read_regular(&runs_path, budget) {
        Ok(text) => {
            let (whole, torn) = whole_lines(&text);
            if torn {
                out.torn.push(runs_path.clone());
            }
            let (runs, absent) = tables::parse_runs(whole, schemas).map_err(fmt(&runs_path))?;
            out.absent_columns.extend(absent);
            runs
        }
        Err(LogError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            Vec::new()
        }
        Err(e) => return Err(e),
    };
    let mut lines = 0;
    let mut evaluations = Vec::new();
    for (f, path, is_packed) in tables {
        let text = if is_packed {
            read_regular_gz(&path, budget)?
        } else {
            read_regular(&path, budget)?
        };
        let (whole, torn) = whole_lines(&text);
        if torn {
            out.torn.push(path.clone());
        }
        lines += whole.bytes().filter(|b| *b == b'\n').count();
        // Rows are counted before they are parsed.
        too_many_rows(&path, lines)?;
        let ev = tables::parse_evaluations(f, whole).map_err(fmt(&path))?;
        for a in &ev.absent {
            if !out.absent_columns.contains(a) {
                out.absent_columns.push(a.clone());
            }
        }
        evaluations.push((f.family(), path, ev));
    }
    // Each finished run's evaluations: as many as its run row says, ending at its
    // last step.
    let mut complete: BTreeMap<String, &RunCells> = BTreeMap::new();
    let groups: Vec<BTreeMap<String, Vec<usize>>> = evaluations
        .iter()
        .map(|(_, _, ev)| tables::by_run(ev))
        .collect();
    for run in &runs {
        let c = &run.cells;
        let found = evaluations
            .iter()
            .zip(&groups)
            .find(|((f, _, _), _)| *f == c.family)
            .and_then(|((_, _, ev), g)| g.get(&c.run_id).map(|idx| (ev, idx)));
        let last_step =
            found.and_then(|(ev, idx)| idx.iter().filter_map(|i| ev.key(&ev.rows[*i].1).1).max());
        let ok = found.is_some_and(|(ev, idx)| {
            idx.len() == c.evaluations
                && idx
                    .last()
                    .and_then(|i| ev.key(&ev.rows[*i].1).1)
                    .is_some_and(|s| s == c.last_step)
        });
        if ok {
            complete.insert(c.run_id.clone(), c);
        } else {
            out.incomplete.push(Incomplete {
                run_id: c.run_id.clone(),
                summary_step: c.last_step,
                last_step,
            });
        }
    }
    let mut last_of: BTreeMap<&str, Row> = BTreeMap::new();
    for ((_, path, ev), g) in evaluations.iter().zip(&groups) {
        for (i, (line, rec)) in ev.rows.iter().enumerate() {
            let (id, _) = ev.key(rec);
            let Some(run) = complete.get(&id) else {
                if !runs.iter().any(|r| r.cells.run_id == id) && !out.unfinished.contains(&id) {
                    out.unfinished.push(id);
                }
                continue;
            };
            let last = g[&id].last() == Some(&i);
            let row = ev
                .join(rec, run)
                .map_err(|m| fmt(path)(format!("line {line}: {m}")))?;
            if last {
                last_of.insert(run.run_id.as_str(), row.clone());
            }
            out.rows.push(row);
        }
    }
    out.summaries = runs
        .iter()
        .filter_map(|r| last_of.remove(r.cells.run_id.as_str()))
        .collect();
    Ok(out)
}

/// The two tables' text for these rows: the evaluations of every row (in order;
/// those of runs without a summary too), a run row per summary.
pub(super) struct Built {
    pub(super) runs: Vec<RunCells>,
    pub(super) evaluations: BTreeMap<Family, String>,
    /// The optional columns of the families written.
    pub(super) optional: Vec<&'static str>,
    /// runs.csv's text when it is not `tables::runs_text(runs)` (columns left out).
    pub(super) runs_text: Option<String>,
}

pub(super) fn build(rows: &[Row], summaries: &[Row]) -> Result<Built, String> {
    let mut split = Splitter::default();
    let mut evaluations: BTreeMap<Family, String> = BTreeMap::new();
    let mut optional: Vec<&'static str> = COMMON_OPTIONAL.to_vec();
    for r in rows {
        let line = split.evaluation(r)?;
        evaluations
            .entry(r.family())
            .or_insert_with(|| {
                optional.extend(r.schema().optional_columns());
                tables::evaluations_header(r.schema())
            })
            .push_str(&line);
    }
    let runs = summaries
        .iter()
        .map(|s| split.summary(s))
        .collect::<Result<_, _>>()?;
    Ok(Built {
        runs,
        evaluations,
        optional,
        runs_text: None,
    })
}

/// The text of the two tables for `rows` and `summaries` (as [`write_folder`]
/// would write them, unpacked): runs.csv's, and each family's evaluations.
pub fn tables_text(
    rows: &[Row],
    summaries: &[Row],
) -> Result<(String, Vec<(Family, String)>), String> {
    let built = build(rows, summaries)?;
    Ok((
        tables::runs_text(&built.runs).1,
        built.evaluations.into_iter().collect(),
    ))
}

/// Writes `rows` (every evaluation) and `summaries` (one per finished run, its
/// last row) into `dir` in layout 2, each file atomically, evaluations tables
/// over [`PACK_ABOVE`] packed; layout 2 files of families without rows removed.
/// The caller holds the folder's lock.
pub fn write_folder(dir: &Path, rows: &[Row], summaries: &[Row]) -> Result<(), LogError> {
    write_folder_lacking(dir, rows, summaries, &[])
}

/// [`write_folder`], leaving out the optional columns in `absent` wherever every
/// cell of theirs is empty: results written before those columns existed keep
/// saying so (a reproduction then does not compare them), rather than claiming
/// empty values.
pub fn write_folder_lacking(
    dir: &Path,
    rows: &[Row],
    summaries: &[Row],
    absent: &[String],
) -> Result<(), LogError> {
    fs::create_dir_all(dir).map_err(io(dir))?;
    let fail = |message: String| LogError::Format {
        path: dir.to_path_buf(),
        message,
    };
    let mut built = build(rows, summaries).map_err(fail)?;
    let absent: Vec<&str> = absent
        .iter()
        .map(String::as_str)
        .filter(|c| built.optional.contains(c))
        .collect();
    if !absent.is_empty() {
        for text in built.evaluations.values_mut() {
            *text = without_empty_columns(text, &absent).map_err(fail)?;
        }
        built.runs_text =
            Some(without_empty_columns(&tables::runs_text(&built.runs).1, &absent).map_err(fail)?);
    }
    write_built(dir, &built)?;
    pack(dir)
}

/// CSV text without the named columns whose cells are all empty.
fn without_empty_columns(text: &str, names: &[&str]) -> Result<String, String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let recs: Vec<csv::StringRecord> = r
        .records()
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let Some(header) = recs.first() else {
        return Ok(text.to_string());
    };
    let keep: Vec<usize> = (0..header.len())
        .filter(|&i| !names.contains(&&header[i]) || recs[1..].iter().any(|r| !r[i].is_empty()))
        .collect();
    Ok(recs
        .iter()
        .map(|r| tables::line(&keep.iter().map(|&i| &r[i]).collect()))
        .collect())
}

pub(super) fn write_built(dir: &Path, built: &Built) -> Result<(), LogError> {
    for (f, text) in &built.evaluations {
        let plain = dir.join(tables::evaluations_file(*f));
        write_atomic(&plain, text.as_bytes())?;
        remove_if_there(&packed(&plain))?;
    }
    for (name, _, _) in tables_in(dir)? {
        if !built.evaluations.keys().any(|f| f.as_str() == name) {
            let plain = dir.join(format!("evaluations-{name}.csv"));
            remove_if_there(&plain)?;
            remove_if_there(&packed(&plain))?;
        }
    }
    write_atomic(
        &dir.join(RUNS_FILE),
        built
            .runs_text
            .clone()
            .unwrap_or_else(|| tables::runs_text(&built.runs).1)
            .as_bytes(),
    )
}

fn remove_if_there(path: &Path) -> Result<(), LogError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(path)(e)),
        _ => Ok(()),
    }
}

/// Compresses each evaluations table over [`PACK_ABOVE`] into `.csv.gz`
/// (deterministic bytes: no name or time in the gzip header). The caller holds the
/// folder's lock.
pub fn pack(dir: &Path) -> Result<(), LogError> {
    for (_, plain, is_packed) in tables_in(dir)? {
        if is_packed {
            continue;
        }
        let Ok(meta) = fs::metadata(&plain) else {
            continue;
        };
        if meta.len() <= PACK_ABOVE {
            continue;
        }
        let text = read_regular(&plain, super::results_budget())?;
        let mut enc = flate2::GzBuilder::new()
            .mtime(0)
            .write(Vec::new(), flate2::Compression::best());
        enc.write_all(text.as_bytes()).map_err(io(&plain))?;
        let bytes = enc.finish().map_err(io(&plain))?;
        // Packed first, plain removed after: in between both hold the same rows.
        write_atomic(&packed(&plain), &bytes)?;
        fs::remove_file(&plain).map_err(io(&plain))?;
    }
    Ok(())
}

/// Decompresses packed evaluations tables back to plain ones, to append to them.
pub(super) fn unpack(dir: &Path) -> Result<(), LogError> {
    for (name, _, _) in tables_in(dir)? {
        let plain = dir.join(format!("evaluations-{name}.csv"));
        let gz = packed(&plain);
        if fs::symlink_metadata(&gz).is_err() {
            continue;
        }
        if fs::symlink_metadata(&plain).is_err() {
            let text = read_regular_gz(&gz, super::results_budget())?;
            write_atomic(&plain, text.as_bytes())?;
        }
        fs::remove_file(&gz).map_err(io(&gz))?;
    }
    Ok(())
}

/// What [`migrate`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Migration {
    pub runs: usize,
    pub rows: usize,
    /// Runs left with their evaluations but no run row (unfinished, or their rows
    /// did not end with their summary row).
    pub unfinished: usize,
    pub bytes_before: u64,
    pub bytes_after: u64,
}

/// Converts a layout 1 folder to layout 2 in place, under its lock: the tables
/// are written, read back and compared with the rows read from layout 1, and only
/// then are results.csv and summary.csv removed. A layout 2 folder is left as it
/// is (`None`).
pub fn migrate(dir: &Path, schemas: Schemas) -> Result<Option<Migration>, LogError> {
    let _lock = super::lock(dir)?;
    migrate_locked(dir, schemas)
}

pub(super) fn migrate_locked(dir: &Path, schemas: Schemas) -> Result<Option<Migration>, LogError> {
    let refuse = |message: String| LogError::Format {
        path: dir.to_path_buf(),
        message,
    };
    match layout_of(dir)? {
        Some(Layout::Rows) => {}
        Some(Layout::Foreign) => {
            return Err(refuse(format!(
                "{RESULTS_FILE} is in the minimal schema of other tools: jestbench reads it as it is and does not convert it"
            )))
        }
        None | Some(Layout::Tables) => return Ok(None),
    }
    let bytes_before = results_bytes(dir);
    let old = read_rows_folder(dir, Layout::Rows, schemas)?;
    // The rows of runs not finished stay, as evaluations without a run row.
    let all = read_rows(&dir.join(RESULTS_FILE), schemas)?.kept;
    let done: BTreeSet<&str> = old
        .summaries
        .iter()
        .map(|s| s.common().run_id.as_str())
        .collect();
    let rows: Vec<Row> = all
        .into_iter()
        .filter(|r| {
            done.contains(r.common().run_id.as_str()) || old.unfinished.contains(&r.common().run_id)
        })
        .collect();
    write_folder_lacking(dir, &rows, &old.summaries, &old.absent_columns)?;
    let new = read_tables(dir, schemas)?;
    if new.rows != old.rows || new.summaries != old.summaries {
        for (name, _, _) in tables_in(dir).unwrap_or_default() {
            let plain = dir.join(format!("evaluations-{name}.csv"));
            let _ = remove_if_there(&plain);
            let _ = remove_if_there(&packed(&plain));
        }
        let _ = remove_if_there(&dir.join(RUNS_FILE));
        return Err(refuse(
            "the rows read back from the converted tables differ from results.csv's; the folder is left in layout 1".into(),
        ));
    }
    for name in [RESULTS_FILE, SUMMARY_FILE] {
        remove_if_there(&dir.join(name))?;
    }
    Ok(Some(Migration {
        runs: new.summaries.len(),
        rows: new.rows.len(),
        unfinished: old.unfinished.len() + old.incomplete.len(),
        bytes_before,
        bytes_after: results_bytes_on_disk(dir),
    }))
}

/// The bytes a folder's results files take on disk (packed tables as packed).
pub fn results_bytes_on_disk(dir: &Path) -> u64 {
    let mut paths: Vec<PathBuf> = [RUNS_FILE, RESULTS_FILE, SUMMARY_FILE]
        .iter()
        .map(|n| dir.join(n))
        .collect();
    if let Ok(entries) = fs::read_dir(dir) {
        paths.extend(
            entries
                .filter_map(Result::ok)
                .filter(|e| {
                    e.file_name()
                        .to_str()
                        .and_then(tables::family_of_file)
                        .is_some()
                })
                .map(|e| e.path()),
        );
    }
    paths
        .iter()
        .filter_map(|p| fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::testing::{alpha as jest, beta as swim, AlphaRow, ALPHA, SCHEMAS};
    use crate::log::ResultsWriter;

    /// Rows written through the writer read back as themselves, both families,
    /// a swept key that appears late included; reopening keeps finished runs,
    /// drops an unfinished one's rows; packing and unpacking keep every row.
    #[test]
    fn the_writer_round_trips_resumes_and_packs() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let a = [jest("a", 0, false, "x=1"), jest("a", 5, true, "x=1")];
        let b = [
            jest("b", 0, false, "x=2;y=z"),
            jest("b", 5, true, "x=2;y=z"),
        ];
        let c = [swim("c")];
        {
            let (mut w, done) = ResultsWriter::open(d, &SCHEMAS).unwrap();
            assert!(done.is_empty());
            for r in a.iter().chain(&b) {
                w.eval_row(r).unwrap();
            }
            w.summary_row(&a[1]).unwrap();
            w.summary_row(&b[1]).unwrap();
            w.eval_row(&c[0]).unwrap();
            w.summary_row(&c[0]).unwrap();
            w.eval_row(&jest("u", 0, false, "x=3")).unwrap();
        }
        let f = read_folder(d, &SCHEMAS).unwrap();
        assert_eq!(f.layout, Some(Layout::Tables));
        let want: Vec<Row> = a.iter().chain(&b).chain(&c).cloned().collect();
        assert_eq!(f.rows, want);
        assert_eq!(f.summaries, vec![a[1].clone(), b[1].clone(), c[0].clone()]);
        assert_eq!(f.unfinished, vec!["u".to_string()]);
        let runs = fs::read_to_string(d.join(RUNS_FILE)).unwrap();
        assert!(
            runs.starts_with(
                "experiment,run_id,family,method,seed,config_hash,sweep:x,sweep:y,batch_size,knob"
            ),
            "{runs}"
        );
        let (_, done) = ResultsWriter::open(d, &SCHEMAS).unwrap();
        assert_eq!(done.len(), 3);
        let after = read_folder(d, &SCHEMAS).unwrap();
        assert!(after.unfinished.is_empty());
        assert_eq!(after.rows, want);
        // Packed: the same rows from the .gz; opened again: plain.
        let evals = d.join(tables::evaluations_file(ALPHA));
        let text = fs::read_to_string(&evals).unwrap();
        let mut enc = flate2::GzBuilder::new().write(Vec::new(), flate2::Compression::fast());
        enc.write_all(text.as_bytes()).unwrap();
        fs::write(packed(&evals), enc.finish().unwrap()).unwrap();
        fs::remove_file(&evals).unwrap();
        assert_eq!(read_folder(d, &SCHEMAS).unwrap().rows, want);
        assert_eq!(
            results_bytes(d),
            results_bytes_on_disk(d) - fs::metadata(packed(&evals)).unwrap().len()
                + text.len() as u64
        );
        drop(ResultsWriter::open(d, &SCHEMAS).unwrap());
        assert!(evals.is_file() && !packed(&evals).exists());
    }

    /// A run row whose evaluations were cut is incomplete; a row whose run column
    /// changes between evaluations, or a summary that is not the last row, is
    /// refused.
    #[test]
    fn cut_evaluations_and_inconsistent_runs_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let rows = [jest("a", 0, false, ""), jest("a", 5, true, "")];
        write_folder(d, &rows, &rows[1..]).unwrap();
        let evals = d.join(tables::evaluations_file(ALPHA));
        let text = fs::read_to_string(&evals).unwrap();
        let cut: Vec<&str> = text.lines().take(2).collect();
        fs::write(&evals, cut.join("\n") + "\n").unwrap();
        let f = read_folder(d, &SCHEMAS).unwrap();
        assert!(f.rows.is_empty());
        assert_eq!(
            f.incomplete[0].to_string(),
            "a: its run row ends at step 5, but its evaluations end at step 0"
        );

        let mut other = jest("a", 5, true, "");
        other.get_mut::<AlphaRow>().unwrap().knob = 0.5;
        let e = write_folder(d, &[rows[0].clone(), other.clone()], &[other]).unwrap_err();
        assert!(e.to_string().contains("column `knob` changes"), "{e}");
        let e = write_folder(d, &rows, &rows[..1]).unwrap_err();
        assert!(
            e.to_string().contains("is not its last evaluation row"),
            "{e}"
        );
    }

    /// Tables that are not what the writer writes are refused with the file, the
    /// line and the column or value; a gzip that is cut, or that inflates past
    /// the reader's limit, is refused without inflating it all.
    #[test]
    fn hostile_tables_are_named_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let rows = [jest("a", 0, false, "k=v"), jest("a", 5, true, "k=v")];
        write_folder(d, &rows, &rows[1..]).unwrap();
        let runs = d.join(RUNS_FILE);
        let text = fs::read_to_string(&runs).unwrap();
        let err = |d: &Path| read_folder(d, &SCHEMAS).unwrap_err().to_string();
        fs::write(
            &runs,
            text.replacen("config_hash", "config_hash,x", 1)
                .replacen("\n", ",1\n", 2),
        )
        .unwrap();
        let e = err(d);
        assert!(
            e.contains("runs.csv") && e.contains("unknown column `x`"),
            "{e}"
        );
        fs::write(&runs, text.replacen(",alpha,", ",nope,", 1)).unwrap();
        let e = err(d);
        assert!(
            e.contains("line 2") && e.contains("`nope` is not a family"),
            "{e}"
        );
        fs::write(&runs, text.replace(",5,2,", ",five,2,")).unwrap();
        let e = err(d);
        assert!(
            e.contains("column `last_step`: `five` is not a count"),
            "{e}"
        );
        fs::write(&runs, &text).unwrap();

        let evals = d.join(tables::evaluations_file(ALPHA));
        let plain = fs::read(&evals).unwrap();
        fs::remove_file(&evals).unwrap();
        let mut z = flate2::GzBuilder::new().write(Vec::new(), flate2::Compression::fast());
        z.write_all(&plain).unwrap();
        let gz = z.finish().unwrap();
        fs::write(packed(&evals), &gz[..gz.len() - 9]).unwrap();
        let e = err(d);
        assert!(
            e.contains(".csv.gz") && e.contains("not a whole gzip file"),
            "{e}"
        );
        // 64 MiB of zeros in about 64 KiB: refused at a 1 MiB limit.
        let bomb = d.join("bomb.gz");
        let mut z = flate2::GzBuilder::new().write(Vec::new(), flate2::Compression::best());
        z.write_all(&vec![b'0'; 64 << 20]).unwrap();
        fs::write(&bomb, z.finish().unwrap()).unwrap();
        let e = super::super::read_regular_gz(&bomb, 1 << 20)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("over the 1048576 bytes this reader takes, decompressed"),
            "{e}"
        );
    }

    /// A layout 1 folder migrates to the same rows, its unfinished runs kept as
    /// evaluations without a run row.
    #[test]
    fn layout_1_migrates_to_the_same_rows() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let rows = [
            jest("a", 0, false, "k=v"),
            jest("u", 0, false, "k=w"),
            jest("a", 5, true, "k=v"),
        ];
        fs::write(d.join(RESULTS_FILE), super::super::layout_1_text(&rows)).unwrap();
        fs::write(
            d.join(SUMMARY_FILE),
            super::super::layout_1_text(&rows[2..]),
        )
        .unwrap();
        let before = read_folder(d, &SCHEMAS).unwrap();
        assert_eq!(before.layout, Some(Layout::Rows));
        let m = migrate(d, &SCHEMAS).unwrap().unwrap();
        assert_eq!((m.runs, m.rows, m.unfinished), (1, 2, 1));
        assert!(!d.join(RESULTS_FILE).exists() && !d.join(SUMMARY_FILE).exists());
        let after = read_folder(d, &SCHEMAS).unwrap();
        assert_eq!(
            (after.rows, after.summaries),
            (before.rows, before.summaries)
        );
        assert_eq!(after.unfinished, vec!["u".to_string()]);
        assert_eq!(migrate(d, &SCHEMAS).unwrap(), None);
    }
}
