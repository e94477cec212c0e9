/*!
Experiment files: parse (`RawExperiment`, mirrors the YAML), validate, expand the
sweep into [`Cell`]s, and pair each cell with each seed into a [`Run`].

Errors are [`ExperimentError`]s that name `file:line:col`, the dotted key at fault, and what
was expected. Nothing here touches data, devices or results.
*/

mod locate;
pub mod protocol;
mod replicates;
pub use replicates::{Level, Replicates, World};
mod sweep;
mod types;
mod validate;
pub use validate::data_path;
mod words;

use std::fmt;
use std::path::{Path, PathBuf};

pub use crate::data::{CuratedConcepts, DatasetSpec, FilesSpec, SyntheticSpec};
pub use crate::method::{Family, Method};
pub use crate::model::ModelSpec;
pub use crate::score::Scoring;
pub use crate::select::{IndependentMode, SelectorName, SelectorWord};
pub use crate::train::{EvalSpec, FlexiSpec, ReferenceSpec, RunConfig, TrainSpec};
pub use locate::{KeyIndex, Pos};
pub use types::*;

/// An experiment file, validated, its sweep expanded: a JEST file's cells are
/// [`RunConfig`]s, another family's its own configuration (SWIM's
/// `swim::SwimConfig`s, read by [`parse_cells`]).
#[derive(Clone, Debug)]
pub struct Experiment<T = RunConfig> {
    pub name: String,
    pub path: PathBuf,
    /// Relative data paths in the file are resolved against this folder.
    pub base_dir: PathBuf,
    pub seeds: Vec<u64>,
    pub cells: Vec<Cell<T>>,
    /// Seeds that only some cells run (`extra_seeds`), and which: per cell, whether
    /// it does.
    pub extra_seeds: Vec<u64>,
    pub extra_cells: Vec<bool>,
    /// Worlds × learners (`seeds` are then 0 .. worlds × learners_per_world).
    pub replicates: Option<Replicates>,
}

/// One point of the sweep's cartesian product.
#[derive(Clone, Debug)]
pub struct Cell<T = RunConfig> {
    pub config: T,
    /// The swept keys and the values this cell takes, in file order.
    pub swept: Vec<(String, String)>,
    /// Stable hash of `config` (independent of key order in the file).
    pub config_hash: String,
}

/// One (cell, seed) pair: the unit of work and of results.
#[derive(Clone, Debug)]
pub struct Run<'a, T = RunConfig> {
    pub cell: &'a Cell<T>,
    pub seed: u64,
    /// The world it runs in, where the file draws worlds (`replicates`).
    pub world: Option<World>,
}

impl<T> Run<'_, T> {
    /// `<config hash>-s<seed>`: the same run always has the same id.
    pub fn id(&self) -> String {
        format!("{}-s{}", self.cell.config_hash, self.seed)
    }

    /// `key=value;...` of the swept keys, for the results' `sweep` column.
    pub fn sweep_label(&self) -> String {
        self.cell
            .swept
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(";")
    }
}

impl<T> Experiment<T> {
    /// How many seeds cell `i` runs (its extra seeds included).
    pub fn seeds_of(&self, i: usize) -> usize {
        self.seeds.len()
            + if self.extra_cells.get(i).copied().unwrap_or(false) {
                self.extra_seeds.len()
            } else {
                0
            }
    }

    /// Every run's id, in the order of [`Experiment::runs`].
    pub fn run_ids(&self) -> Vec<String> {
        self.runs().iter().map(Run::id).collect()
    }

    /// Every (cell, seed), cells outermost; a cell's extra seeds after its own.
    pub fn runs(&self) -> Vec<Run<'_, T>> {
        self.cells
            .iter()
            .enumerate()
            .flat_map(|(i, cell)| {
                let extra: &[u64] = if self.extra_cells.get(i).copied().unwrap_or(false) {
                    &self.extra_seeds
                } else {
                    &[]
                };
                let replicates = self.replicates.as_ref();
                self.seeds.iter().chain(extra).map(move |&seed| Run {
                    cell,
                    seed,
                    world: replicates.map(|r| r.world_of(seed)),
                })
            })
            .collect()
    }
}

impl Experiment {
    pub fn load(path: &Path) -> Result<Experiment, ExperimentError> {
        Experiment::load_limited(path, DEFAULT_MAX_RUNS)
    }

    /// As `load`, refusing sweeps of more than `max_runs` runs before expanding them.
    pub fn load_limited(path: &Path, max_runs: usize) -> Result<Experiment, ExperimentError> {
        Experiment::parse_limited(&read(path)?, path, max_runs)
    }

    /// Parses `source` as if read from `path` (used for messages and relative paths).
    pub fn parse(source: &str, path: &Path) -> Result<Experiment, ExperimentError> {
        Experiment::parse_limited(source, path, DEFAULT_MAX_RUNS)
    }

    pub fn parse_limited(
        source: &str,
        path: &Path,
        max_runs: usize,
    ) -> Result<Experiment, ExperimentError> {
        check_depth(source, path)?;
        let index = KeyIndex::build(source);
        check_tags(&index, path)?;
        let err = |key: &str, message: String| ExperimentError::at(path, &index, key, message);
        let raw: RawExperiment = from_yaml(source, path)?;
        let seeds = seeds_or_replicates(&raw, max_runs, &err)?;
        let mut cells = expand_checked(
            source,
            (&raw.name, &seeds, max_runs),
            &raw.sweep,
            &err,
            validate::config,
        )?;
        if let Some(r) = &raw.replicates {
            // A run's id changes with the world its seed draws.
            for c in &mut cells {
                c.config_hash = config_hash(&(&c.config, r.identity()));
            }
        }
        missing_files(&cells, &base_dir(path), &err)?;
        let (extra_seeds, extra_cells) = match &raw.extra_seeds {
            None => (Vec::new(), vec![false; cells.len()]),
            Some(e) => extra_seeds(e, &seeds, &raw.sweep, &cells, &err)?,
        };
        let runs = cells.len() * seeds.len()
            + extra_cells.iter().filter(|&&x| x).count() * extra_seeds.len();
        if runs > max_runs {
            return Err(err(
                "extra_seeds",
                format!("{runs} runs with the extra seeds exceed the limit of {max_runs}; pass --max-runs to raise it"),
            ));
        }
        Ok(Experiment {
            name: raw.name,
            path: path.to_path_buf(),
            base_dir: base_dir(path),
            seeds,
            cells,
            extra_seeds,
            extra_cells,
            replicates: raw.replicates,
        })
    }

    /// The configuration `run` trains with: its cell's, in its world.
    pub fn config_of(&self, run: &Run) -> RunConfig {
        match run.world {
            Some(w) => run.cell.config.in_world(w.dataset_seed, w.reference_seed),
            None => run.cell.config.clone(),
        }
    }
}

/// The seeds the file lists, or those its `replicates` draw (checked, and counted
/// against the run limit, before any list is made).
fn seeds_or_replicates(
    raw: &RawExperiment,
    max_runs: usize,
    err: &dyn Fn(&str, String) -> ExperimentError,
) -> Result<Vec<u64>, ExperimentError> {
    match (&raw.seeds, &raw.replicates) {
        (Some(_), Some(_)) => Err(err(
            "replicates",
            "give `seeds` (learner seeds on the file's one world) or `replicates` (worlds × learners), not both".into(),
        )),
        (None, None) => Err(err(
            "name",
            "missing field `seeds`: give `seeds` (learner seeds on the file's one world) or `replicates: {worlds: W, learners_per_world: L}`".into(),
        )),
        (Some(s), None) => Ok(s.clone()),
        (None, Some(r)) => {
            r.check(max_runs).map_err(|(k, m)| err(&k, m))?;
            if raw.extra_seeds.is_some() {
                return Err(err(
                    "extra_seeds",
                    "`extra_seeds` adds learner seeds on one world; with `replicates`, every cell runs worlds × learners".into(),
                ));
            }
            Ok(r.seeds())
        }
    }
}

/// Names the key of a data file that is not there (before anything is built), as
/// the file is read: relative to the experiment file's folder.
fn missing_files(
    cells: &[Cell],
    base: &Path,
    err: &dyn Fn(&str, String) -> ExperimentError,
) -> Result<(), ExperimentError> {
    for c in cells {
        let d = &c.config.dataset;
        let mut paths: Vec<(&str, Option<&std::path::PathBuf>)> = Vec::new();
        if let Some(f) = &d.files {
            paths.extend(f.keyed_paths());
        }
        if let Some(t) = &d.text {
            paths.push(("dataset.text.csv", Some(&t.csv)));
        }
        for (key, p) in paths {
            let Some(p) = p else { continue };
            // A file of a type the loader does not read is its error to name.
            let readable = p
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "csv" | "npy"));
            if !readable {
                continue;
            }
            let full = if p.is_absolute() {
                p.clone()
            } else {
                base.join(p)
            };
            if !full.exists() {
                return Err(err(
                    key,
                    format!(
                        "{}: no such file (paths are read relative to the experiment file's folder, {})",
                        full.display(),
                        base.display()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Checks `extra_seeds` against the seeds and the sweep; per cell, whether it runs them.
fn extra_seeds(
    e: &ExtraSeeds,
    seeds: &[u64],
    sweep: &serde_yaml::Mapping,
    cells: &[Cell],
    err: &dyn Fn(&str, String) -> ExperimentError,
) -> Result<(Vec<u64>, Vec<bool>), ExperimentError> {
    validate::seeds(&e.seeds).map_err(|(_, m)| err("extra_seeds.seeds", m))?;
    if let Some(s) = e.seeds.iter().find(|s| seeds.contains(s)) {
        return Err(err(
            "extra_seeds.seeds",
            format!("seed {s} is already in `seeds`: extra seeds must be new"),
        ));
    }
    let mut only: Vec<(String, Vec<String>)> = Vec::new();
    for (k, v) in &e.only {
        let key = k.as_str().unwrap_or("").to_string();
        let at = format!("extra_seeds.where.{key}");
        let Some(values) = sweep.get(k).and_then(|v| v.as_sequence()) else {
            return Err(err(
                &at,
                format!("`{key}` is not a swept key: `where` names sweep keys"),
            ));
        };
        let Some(wanted) = v.as_sequence() else {
            return Err(err(&at, "expected a list of swept values".into()));
        };
        let have: Vec<String> = values.iter().map(sweep::shown).collect();
        let mut list = Vec::new();
        for w in wanted {
            let s = sweep::shown(w);
            if !have.contains(&s) {
                return Err(err(
                    &at,
                    format!("{s} is not among the swept values ({})", have.join(", ")),
                ));
            }
            list.push(s);
        }
        only.push((key, list));
    }
    let picks = cells
        .iter()
        .map(|c| {
            only.iter()
                .all(|(k, vs)| c.swept.iter().any(|(ck, cv)| ck == k && vs.contains(cv)))
        })
        .collect();
    Ok((e.seeds.clone(), picks))
}

/// An experiment of any family's configuration `T` from its file's text: `name`,
/// `seeds` and `sweep` as the file (already read whole by the family, with
/// [`from_yaml`]) gives them, each cell's `T` read from the document with the
/// cell's swept values and checked by `check` (its errors name a key of the file).
/// Refuses sweeps of more than `max_runs` runs before expanding them.
pub fn parse_cells<T: serde::de::DeserializeOwned + serde::Serialize>(
    source: &str,
    path: &Path,
    (name, seeds, max_runs): (&str, &[u64], usize),
    sweep: &serde_yaml::Mapping,
    check: fn(&T) -> Result<(), (String, String)>,
) -> Result<Experiment<T>, ExperimentError> {
    check_depth(source, path)?;
    let index = KeyIndex::build(source);
    check_tags(&index, path)?;
    let err = |key: &str, message: String| ExperimentError::at(path, &index, key, message);
    let cells = expand_checked(source, (name, seeds, max_runs), sweep, &err, check)?;
    Ok(Experiment {
        name: name.to_string(),
        path: path.to_path_buf(),
        base_dir: base_dir(path),
        seeds: seeds.to_vec(),
        extra_cells: vec![false; cells.len()],
        cells,
        extra_seeds: Vec::new(),
        replicates: None,
    })
}

fn label<T>(cell: &Cell<T>) -> String {
    cell.swept
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The folder relative data paths resolve against.
fn base_dir(path: &Path) -> PathBuf {
    path.parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Deserialises a whole experiment file; errors carry serde_yaml's position.
pub fn from_yaml<T: serde::de::DeserializeOwned>(
    source: &str,
    path: &Path,
) -> Result<T, ExperimentError> {
    serde_yaml::from_str(source).map_err(|e| {
        let message = strip_location(&e.to_string());
        // A section that checks itself as a whole (`model`'s two forms) names its
        // key first: point at that key rather than where serde stopped.
        if let Some((key, rest)) = message.split_once(": ") {
            let index = KeyIndex::build(source);
            if key.starts_with("model") && index.find(key).is_some() {
                return ExperimentError::at(path, &index, key, rest.to_string());
            }
        }
        ExperimentError {
            file: path.to_path_buf(),
            pos: e.location().map(|l| Pos {
                line: l.line(),
                col: l.column(),
            }),
            key: None,
            message,
        }
    })
}

/// How many runs a sweep may expand to unless a caller raises it (`--max-runs`).
pub const DEFAULT_MAX_RUNS: usize = 100_000;

/// The largest experiment file read (the committed ones are under 3 KiB; a list
/// of 100,000 seeds, the run limit, is about 0.7 MiB).
pub const MAX_FILE_BYTES: u64 = 4 << 20;

/// The deepest nesting of collections an experiment file may have (the schema's
/// is 4; a parser's time grows with the square of the depth).
pub const MAX_DEPTH: usize = 32;

/// The text of an experiment file: a regular file of at most [`MAX_FILE_BYTES`],
/// without a leading byte-order mark.
pub fn read(path: &Path) -> Result<String, ExperimentError> {
    use std::io::Read;
    let fail = |message: String| ExperimentError {
        file: path.to_path_buf(),
        pos: None,
        key: None,
        message,
    };
    // A FIFO is never waited on (the old `File::open` blocked for a writer).
    let (file, _) = crate::system::open_regular(path).map_err(|e| match e {
        Ok(kind) => fail(format!("{kind}; an experiment is a YAML file")),
        Err(e) => fail(format!("cannot read experiment file: {e}")),
    })?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(format!("cannot read experiment file: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(fail(format!(
            "over {MAX_FILE_BYTES} bytes; an experiment file is a few KiB (seeds beyond the run limit cannot run anyway)"
        )));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        fail(format!(
            "not UTF-8 text (byte {} is not valid)",
            e.utf8_error().valid_up_to()
        ))
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// Refuses, before any YAML parser sees it, a text whose flow collections
/// (`[`/`{`) nest deeper than [`MAX_DEPTH`], naming where the limit is passed (the
/// scan skips quoted strings and comments). Block nesting needs indentation that
/// grows with depth, which [`MAX_FILE_BYTES`] bounds.
pub fn check_depth(source: &str, path: &Path) -> Result<(), ExperimentError> {
    let fail = |line: usize, col: usize, what: &str| ExperimentError {
        file: path.to_path_buf(),
        pos: Some(Pos { line, col }),
        key: None,
        message: format!(
            "{what} nested more than {MAX_DEPTH} deep; an experiment file's schema nests 4 deep"
        ),
    };
    let mut depth = 0usize;
    for (l, line) in source.lines().enumerate() {
        let (mut quote, mut escaped, mut prev) = (None, false, ' ');
        for (i, c) in line.chars().enumerate() {
            if let Some(q) = quote {
                if q == '"' {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        quote = None;
                    }
                } else if c == '\'' {
                    quote = None;
                }
            } else {
                match c {
                    '#' if i == 0 || prev.is_whitespace() => break,
                    '"' | '\'' if depth > 0 || i == 0 || prev.is_whitespace() || prev == ':' => {
                        quote = Some(c)
                    }
                    '[' | '{' => {
                        depth += 1;
                        if depth > MAX_DEPTH {
                            return Err(fail(l + 1, i + 1, "flow collections ([…], {…})"));
                        }
                    }
                    ']' | '}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
            prev = c;
        }
    }
    Ok(())
}

/// Refuses a YAML tag anywhere in the file (`!!str 60`, `!custom`): the schema
/// has plain values only, and a tag would change what a value means (or be
/// dropped without a word).
fn check_tags(index: &KeyIndex, path: &Path) -> Result<(), ExperimentError> {
    match &index.tagged {
        None => Ok(()),
        Some((key, pos, tag)) => Err(ExperimentError {
            file: path.to_path_buf(),
            pos: Some(*pos),
            key: (!key.is_empty()).then(|| key.clone()),
            message: format!(
                "the YAML tag `{tag}` is not read: experiment files hold plain values (write the value without the tag)"
            ),
        }),
    }
}

/// Checks name and seeds, counts the runs the sweep would expand to (refusing more
/// than `max_runs` before expanding), expands it, and checks every cell; a bad value
/// that a sweep sets is reported where the sweep sets it.
fn expand_checked<T: serde::de::DeserializeOwned + serde::Serialize>(
    source: &str,
    (name, seeds, max_runs): (&str, &[u64], usize),
    sweep: &serde_yaml::Mapping,
    err: &dyn Fn(&str, String) -> ExperimentError,
    check: fn(&T) -> Result<(), (String, String)>,
) -> Result<Vec<Cell<T>>, ExperimentError> {
    // The name becomes results/<name>, reports/<name> and a Slurm job's name:
    // nothing is built from it before this check.
    crate::names::identifier(name).map_err(|m| err("name", m))?;
    // More seeds than runs allowed cannot run whatever the sweep: said before the
    // seeds are checked one by one or the sweep expanded.
    if seeds.len() > max_runs {
        return Err(err(
            "seeds",
            format!(
                "{} seeds exceed the limit of {max_runs} runs; pass --max-runs to raise it",
                seeds.len()
            ),
        ));
    }
    validate::seeds(seeds).map_err(|(k, m)| err(&k, m))?;
    let document: serde_yaml::Value = serde_yaml::from_str(source).expect("parsed before");
    let cells: Vec<Cell<T>> = sweep::expand(&document, sweep, seeds.len(), max_runs, err)?;
    for cell in &cells {
        check(&cell.config).map_err(|(key, message)| {
            let swept = cell.swept.iter().any(|(k, _)| *k == key);
            let shown = if swept {
                format!("sweep.{key}")
            } else {
                key.clone()
            };
            let mut e = err(&shown, message);
            e.key = Some(key);
            if swept {
                e.message = format!("{} (in sweep cell {})", e.message, label(cell));
            }
            e
        })?;
    }
    Ok(cells)
}

/// A name of one of the schema's enums (selector, scoring, mode) as a user types it
/// on the command line; the error lists the valid names.
pub fn parse_name<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, String> {
    serde_yaml::from_value(serde_yaml::Value::String(s.to_string()))
        .map_err(|e| strip_location(&e.to_string()))
}

pub use crate::names::config_hash;

/// serde_yaml appends " at line L column C"; we print the position up front instead.
fn strip_location(msg: &str) -> String {
    words::plain(match msg.rfind(" at line ") {
        Some(i) => &msg[..i],
        None => msg,
    })
}

/// A bad experiment file: where, which key, what was expected.
#[derive(Clone, Debug, thiserror::Error)]
pub struct ExperimentError {
    pub file: PathBuf,
    pub pos: Option<Pos>,
    pub key: Option<String>,
    pub message: String,
}

impl ExperimentError {
    fn at(file: &Path, index: &KeyIndex, key: &str, message: String) -> ExperimentError {
        ExperimentError {
            file: file.to_path_buf(),
            pos: index.find(key),
            key: Some(key.to_string()),
            message,
        }
    }
}

impl fmt::Display for ExperimentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(p) = self.pos {
            write!(f, ":{}:{}", p.line, p.col)?;
        }
        if let Some(k) = &self.key {
            write!(f, ": {k}")?;
        }
        write!(f, ": {}", self.message)
    }
}
