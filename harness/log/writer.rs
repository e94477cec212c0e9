//! Appending to a results folder while runs finish: evaluations as they come,
//! a run's row once its evaluations are on disk (layout 2, `tables`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::folder::{build, migrate_locked, read_tables, unpack, write_built};
use super::tables::{self, RunCells, Splitter, RUNS_FILE};
use super::{io, write_atomic, LogError, Row, Schemas};
use crate::method::Family;

/// An open results folder, appending; holds the folder's lock until dropped.
pub struct ResultsWriter {
    dir: PathBuf,
    split: Splitter,
    runs: Vec<RunCells>,
    header: Vec<String>,
    runs_file: File,
    evaluations: BTreeMap<Family, File>,
    _lock: File,
}

impl ResultsWriter {
    /// Opens (creating) `dir`; returns the writer and the ids of runs already
    /// done. A layout 1 folder is migrated first; packed tables are unpacked; rows
    /// of runs not finished (or whose evaluations do not end with their run row)
    /// are dropped, so the runs are redone without duplicates.
    /// `schemas`: the families whose rows the folder may hold.
    pub fn open(
        dir: &Path,
        schemas: Schemas,
    ) -> Result<(ResultsWriter, BTreeSet<String>), LogError> {
        let lock = super::lock(dir)?;
        migrate_locked(dir, schemas)?;
        unpack(dir)?;
        let folder = read_tables(dir, schemas)?;
        let built = build(&folder.rows, &folder.summaries).map_err(|message| LogError::Format {
            path: dir.to_path_buf(),
            message,
        })?;
        // Rewritten unless it is already exactly what the kept rows give (a cut
        // line, a run not finished, an older set of columns: all gone after).
        let runs_path = dir.join(RUNS_FILE);
        let (header, runs_text) = tables::runs_text(&built.runs);
        let same =
            |p: &Path, text: &str| fs::read(p).map(|b| b == text.as_bytes()).unwrap_or(false);
        let mut unchanged = same(&runs_path, &runs_text);
        for s in schemas {
            let p = dir.join(tables::evaluations_file(s.family()));
            unchanged &= match built.evaluations.get(&s.family()) {
                Some(text) => same(&p, text),
                None => fs::symlink_metadata(&p).is_err(),
            };
        }
        if !unchanged {
            write_built(dir, &built)?;
        }
        let done = folder
            .summaries
            .iter()
            .map(|r| r.common().run_id.clone())
            .collect();
        let mut evaluations = BTreeMap::new();
        for f in built.evaluations.keys() {
            let p = dir.join(tables::evaluations_file(*f));
            evaluations.insert(*f, super::append(&p)?);
        }
        // The runs already finished are known to the splitter's checks only as run
        // rows: their evaluations are not reopened.
        Ok((
            ResultsWriter {
                dir: dir.to_path_buf(),
                split: Splitter::default(),
                runs: built.runs,
                header,
                runs_file: super::append(&runs_path)?,
                evaluations,
                _lock: lock,
            },
            done,
        ))
    }

    fn format(&self, path: PathBuf) -> impl FnOnce(String) -> LogError {
        move |message| LogError::Format { path, message }
    }

    /// Appends an evaluation row.
    pub fn eval_row(&mut self, row: &Row) -> Result<(), LogError> {
        let family = row.family();
        let path = self.dir.join(tables::evaluations_file(family));
        let line = self
            .split
            .evaluation(row)
            .map_err(self.format(path.clone()))?;
        let f = match self.evaluations.entry(family) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                let mut f = super::append(&path)?;
                f.write_all(tables::evaluations_header(row.schema()).as_bytes())
                    .map_err(io(&path))?;
                e.insert(f)
            }
        };
        // One write of one whole line: a crash leaves at most a torn last line.
        f.write_all(line.as_bytes()).map_err(io(&path))?;
        f.flush().map_err(io(&path))
    }

    /// Appends a finished run's row (from its summary row, its last evaluation):
    /// from now on the run counts as done. Its evaluation rows reach the disk
    /// first, so even a power loss cannot leave a run marked done with rows
    /// missing.
    pub fn summary_row(&mut self, row: &Row) -> Result<(), LogError> {
        let runs_path = self.dir.join(RUNS_FILE);
        let eval_path = self.dir.join(tables::evaluations_file(row.family()));
        if let Some(f) = self.evaluations.get(&row.family()) {
            f.sync_data().map_err(io(&eval_path))?;
        }
        let run = self.split.summary(row).map_err(self.format(eval_path))?;
        if tables::fits(&self.header, &run) {
            let line = tables::line(&tables::run_record(&self.header, &run));
            self.runs_file
                .write_all(line.as_bytes())
                .map_err(io(&runs_path))?;
            self.runs.push(run);
        } else {
            // A swept key or a family the header lacks: the table is rewritten
            // under a header that has it.
            self.runs.push(run);
            let (header, text) = tables::runs_text(&self.runs);
            write_atomic(&runs_path, text.as_bytes())?;
            self.header = header;
            self.runs_file = super::append(&runs_path)?;
        }
        self.runs_file.sync_data().map_err(io(&runs_path))
    }
}
