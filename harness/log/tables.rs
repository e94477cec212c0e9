//! Results layout 2 (docs/methods.md §4): two tidy tables per results folder.
//!
//! - `runs.csv`: one row per finished run: its identity (experiment, run id,
//!   family, method, seed, configuration hash), each swept key in a column of its
//!   own (`sweep:<key>`), its family's configuration and reference, its status,
//!   the step its evaluations end at and how many there are, and provenance.
//! - `evaluations-<family>.csv` (gzip-compressed as `.csv.gz` when over
//!   [`PACK_ABOVE`]): one row per evaluation: the run id, the step, and only what
//!   varies from one evaluation to the next.
//!
//! The rows in memory are the same [`Row`]s as layout 1's (`layout`): an
//! evaluation's row is its cells joined with its run's; a run's summary is its
//! evaluation at its last step. Layout 1 names each column by the same name, so the
//! tables are column projections of its rows, cell for cell.

use std::collections::{BTreeMap, HashMap};

use csv::StringRecord;

use super::records::record_error;
use super::schema::{self, common_columns, COMMON_OPTIONAL};
use super::Row;
use super::{Schema, Schemas};
use crate::method::Family;

pub const RUNS_FILE: &str = "runs.csv";

/// An evaluations table over this many bytes is stored gzip-compressed (a 3 to 4
/// times smaller file that pandas and polars read directly; below it, plain CSV
/// that `git diff` shows). 1 MiB keeps the committed results under 10 MB.
pub const PACK_ABOVE: u64 = 1 << 20;

/// The evaluations table of a family (plain; `.gz` appended when packed).
pub fn evaluations_file(family: Family) -> String {
    format!("{EVALUATIONS_PREFIX}{}.csv", family.as_str())
}

const EVALUATIONS_PREFIX: &str = "evaluations-";

/// The family whose evaluations table a file name is (plain or packed).
pub(super) fn family_of_file(name: &str) -> Option<&str> {
    let rest = name.strip_prefix(EVALUATIONS_PREFIX)?;
    let rest = rest.strip_suffix(".gz").unwrap_or(rest);
    rest.strip_suffix(".csv").filter(|f| !f.is_empty())
}

/// The prefix of a swept key's column in runs.csv.
pub const SWEEP_PREFIX: &str = "sweep:";

/// Run columns that come first, then the swept keys, then `batch_size` and the
/// family's, then [`RUN_TAIL`].
const RUN_HEAD: [&str; 6] = [
    "experiment",
    "run_id",
    "family",
    "method",
    "seed",
    "config_hash",
];
const RUN_TAIL: [&str; 7] = [
    "eval_metric",
    "status",
    "last_step",
    "evaluations",
    "device",
    "harness_version",
    "git_commit",
];

/// Whether a column of a family's rows is kept once per run (in runs.csv):
/// the common run columns, and those its schema names; `sweep` and `status` are
/// laid out apart.
fn is_run_column(schema: &dyn Schema, c: &str) -> bool {
    is_common_run_column(c) || schema.run_columns().contains(&c)
}

fn is_common_run_column(c: &str) -> bool {
    (RUN_HEAD.contains(&c) || RUN_TAIL.contains(&c)) && c != "status"
        || c == "batch_size"
        || c == "sweep"
}

/// Checks that every column of a family's rows lands in exactly one table
/// (`run_id` and `step` key the evaluations; `status` is each evaluation's, the
/// run's is its last's), and that its run columns are columns of its rows: a test
/// of each listed family asks.
pub fn check_partition(schema: &dyn Schema) -> Result<(), String> {
    let evals = evaluation_columns(schema);
    let family = schema.family();
    for c in common_columns().iter().chain(schema.columns()) {
        let in_runs = is_run_column(schema, c);
        let in_evals = evals.contains(c);
        if in_runs == in_evals && !["run_id", "step", "status"].contains(&c.as_str()) {
            return Err(format!(
                "{family}: column {c} in runs {in_runs}, evaluations {in_evals}"
            ));
        }
        if common_columns().contains(c) && schema.columns().contains(c) {
            return Err(format!("{family}: column {c} is a common one"));
        }
    }
    if let Some(c) = schema
        .run_columns()
        .iter()
        .find(|c| !schema.columns().iter().any(|x| x == *c))
    {
        return Err(format!(
            "{family}: run column {c} is not one of its columns"
        ));
    }
    if let Some(c) = schema.columns().iter().find(|c| {
        c.as_str() == "family" || c.starts_with(SWEEP_PREFIX) || RUN_TAIL.contains(&c.as_str())
    }) {
        return Err(format!("{family}: column {c} is the layout's own"));
    }
    Ok(())
}

/// How a family's rows split: every column of its rows (the common ones, then its
/// own), and which of them go where.
struct Plan {
    columns: Vec<String>,
    /// Positions in `columns` of the evaluations table's columns.
    evaluation: Vec<usize>,
    /// (name, position) of the run columns but `sweep`, in `columns`' order.
    run: Vec<(&'static str, usize)>,
    sweep: usize,
}

fn plan(schema: &'static dyn Schema) -> std::sync::Arc<Plan> {
    static PLANS: std::sync::Mutex<BTreeMap<Family, std::sync::Arc<Plan>>> =
        std::sync::Mutex::new(BTreeMap::new());
    let mut plans = PLANS.lock().unwrap_or_else(|e| e.into_inner());
    plans
        .entry(schema.family())
        .or_insert_with(|| {
            let columns: Vec<String> = common_columns()
                .iter()
                .chain(schema.columns())
                .cloned()
                .collect();
            let at = |c: &str| columns.iter().position(|x| x == c).expect("a column");
            let evaluation = evaluation_columns(schema).iter().map(|c| at(c)).collect();
            let run = columns
                .iter()
                .enumerate()
                .filter(|(_, c)| is_run_column(schema, c) && *c != "sweep")
                .map(|(i, c)| (run_name(schema, c), i))
                .collect();
            std::sync::Arc::new(Plan {
                sweep: at("sweep"),
                columns,
                evaluation,
                run,
            })
        })
        .clone()
}

/// A family's evaluations table columns: `run_id`, `step`, then what varies per
/// evaluation (the common columns', then its own, in their order).
pub fn evaluation_columns(schema: &dyn Schema) -> Vec<String> {
    let mut cols = vec!["run_id".to_string(), "step".to_string()];
    // The status of each evaluation stays here (SWIM's Adam marks every epoch's
    // row complete; a JEST run's rows are `running` until its last).
    cols.extend(
        common_columns()
            .iter()
            .chain(schema.columns())
            .filter(|c| !is_run_column(schema, c) && *c != "step")
            .cloned(),
    );
    cols
}

/// A finished run's row of runs.csv, before it is laid out against a header.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct RunCells {
    pub(super) family: Family,
    /// Its family's run columns (runs.csv's header holds them).
    run_columns: &'static [&'static str],
    pub(super) run_id: String,
    /// (column, cell) of the run's columns but `sweep`, in its rows' order.
    fixed: Vec<(&'static str, String)>,
    sweep: String,
    pub(super) last_step: usize,
    pub(super) evaluations: usize,
}

/// The `'static` name of a run column.
fn run_name(schema: &'static dyn Schema, c: &str) -> &'static str {
    RUN_HEAD
        .iter()
        .chain(&RUN_TAIL)
        .filter(|c| **c != "status")
        .chain(&["batch_size"])
        .chain(schema.run_columns())
        .find(|n| **n == c)
        .copied()
        .expect("a run column")
}

/// `key=value` pairs of a sweep label, if it splits into distinct keys that way.
fn sweep_pairs(sweep: &str) -> Option<Vec<(&str, &str)>> {
    if sweep.is_empty() {
        return Some(Vec::new());
    }
    let pairs: Vec<(&str, &str)> = sweep
        .split(';')
        .map(|kv| kv.split_once('='))
        .collect::<Option<_>>()?;
    let mut keys: Vec<&str> = pairs.iter().map(|p| p.0).collect();
    keys.sort_unstable();
    keys.dedup();
    (keys.len() == pairs.len() && pairs.iter().all(|(k, v)| !k.is_empty() && !v.is_empty()))
        .then_some(pairs)
}

/// The header of runs.csv for these runs: the swept keys in the order they first
/// appear, a `sweep` column only if some run's label cannot be rebuilt from them,
/// the run columns of the families present.
fn runs_header(runs: &[RunCells]) -> Vec<String> {
    let mut keys: Vec<&str> = Vec::new();
    for r in runs {
        for (k, _) in sweep_pairs(&r.sweep).unwrap_or_default() {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    let raw = runs
        .iter()
        .any(|r| rebuilt(&r.sweep, &keys).as_deref() != Some(r.sweep.as_str()));
    let mut h: Vec<String> = RUN_HEAD.iter().map(|c| c.to_string()).collect();
    h.extend(keys.iter().map(|k| format!("{SWEEP_PREFIX}{k}")));
    if raw {
        h.push("sweep".into());
    }
    h.push("batch_size".into());
    let mut families: Vec<(Family, &[&str])> =
        runs.iter().map(|r| (r.family, r.run_columns)).collect();
    families.sort_by_key(|f| f.0);
    families.dedup_by_key(|f| f.0);
    for (_, cols) in families {
        h.extend(cols.iter().map(|c| c.to_string()));
    }
    h.extend(RUN_TAIL.iter().map(|c| c.to_string()));
    h
}

/// The label rebuilt from a run's swept-key cells in `keys`' order.
fn rebuilt(sweep: &str, keys: &[&str]) -> Option<String> {
    let pairs = sweep_pairs(sweep)?;
    let out: Vec<String> = keys
        .iter()
        .filter_map(|k| pairs.iter().find(|p| p.0 == *k))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    Some(out.join(";"))
}

/// Whether a run's row can be written under `header` as it is.
pub(super) fn fits(header: &[String], run: &RunCells) -> bool {
    let keys: Vec<&str> = header
        .iter()
        .filter_map(|h| h.strip_prefix(SWEEP_PREFIX))
        .collect();
    let raw = header.iter().any(|h| h == "sweep");
    let sweep_fits = raw
        || (rebuilt(&run.sweep, &keys).as_deref() == Some(run.sweep.as_str())
            && sweep_pairs(&run.sweep)
                .unwrap_or_default()
                .iter()
                .all(|(k, _)| keys.contains(k)));
    sweep_fits
        && run
            .run_columns
            .iter()
            .all(|c| header.iter().any(|h| h == c))
}

/// A run's cells under `header`.
pub(super) fn run_record(header: &[String], run: &RunCells) -> StringRecord {
    let pairs = sweep_pairs(&run.sweep).unwrap_or_default();
    let mut rec = StringRecord::new();
    for h in header {
        let cell = if let Some(k) = h.strip_prefix(SWEEP_PREFIX) {
            pairs
                .iter()
                .find(|p| p.0 == k)
                .map_or(String::new(), |p| p.1.to_string())
        } else if h == "sweep" {
            run.sweep.clone()
        } else if h == "family" {
            run.family.as_str().to_string()
        } else if h == "last_step" {
            run.last_step.to_string()
        } else if h == "evaluations" {
            run.evaluations.to_string()
        } else if h == "status" {
            run.fixed
                .iter()
                .find(|c| c.0 == "status")
                .map_or(String::new(), |c| c.1.clone())
        } else {
            run.fixed
                .iter()
                .find(|c| c.0 == h)
                .map_or(String::new(), |c| c.1.clone())
        };
        rec.push_field(&cell);
    }
    rec
}

pub(super) fn line(rec: &StringRecord) -> String {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(rec).expect("in-memory write");
    String::from_utf8(w.into_inner().expect("in-memory write")).expect("utf-8")
}

fn header_text(cols: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    line(&cols.into_iter().map(|c| c.as_ref().to_string()).collect())
}

/// The whole text of runs.csv for `runs`.
pub(super) fn runs_text(runs: &[RunCells]) -> (Vec<String>, String) {
    let header = runs_header(runs);
    let mut text = header_text(&header);
    for r in runs {
        text.push_str(&line(&run_record(&header, r)));
    }
    (header, text)
}

/// The header line of a family's evaluations table.
pub(super) fn evaluations_header(schema: &dyn Schema) -> String {
    header_text(evaluation_columns(schema))
}

/// Turns rows into the two tables, checking what layout 2 takes for granted: a
/// run's run columns are the same on each of its rows, and its summary row is its
/// last row.
#[derive(Default)]
pub(super) struct Splitter {
    open: HashMap<String, OpenRun>,
}

struct OpenRun {
    family: Family,
    fixed: Vec<(&'static str, String)>,
    sweep: String,
    count: usize,
    last: StringRecord,
}

/// Every cell of a row: the common columns, then its family's own.
fn all_cells(row: &Row) -> StringRecord {
    let mut cells = schema::common_record(row);
    for c in &row.own_record() {
        cells.push_field(c);
    }
    cells
}

impl Splitter {
    /// The line of the evaluations table for an evaluation row (newline included).
    pub(super) fn evaluation(&mut self, row: &Row) -> Result<String, String> {
        let family = row.family();
        let plan = plan(row.schema());
        let cells = all_cells(row);
        let fixed: Vec<(&'static str, String)> = plan
            .run
            .iter()
            .map(|(c, i)| (*c, cells[*i].to_string()))
            .collect();
        let sweep = cells[plan.sweep].to_string();
        let id = row.common().run_id.clone();
        let step = row.common().step;
        match self.open.get_mut(&id) {
            Some(open) => {
                if open.family != family {
                    return Err(format!(
                        "run {id}: rows of families `{}` and `{}`",
                        open.family.as_str(),
                        family.as_str()
                    ));
                }
                if let Some((c, _)) = fixed
                    .iter()
                    .zip(&open.fixed)
                    .find(|(a, b)| a != b)
                    .map(|(a, b)| (a.0, b))
                {
                    return Err(format!(
                        "run {id}: column `{c}` changes between its evaluations (step {step}); the results layout keeps it once per run"
                    ));
                }
                if sweep != open.sweep {
                    return Err(format!(
                        "run {id}: column `sweep` changes between its evaluations (step {step})"
                    ));
                }
                open.count += 1;
                open.last = cells.clone();
            }
            None => {
                self.open.insert(
                    id,
                    OpenRun {
                        family,
                        fixed,
                        sweep,
                        count: 1,
                        last: cells.clone(),
                    },
                );
            }
        }
        let rec: StringRecord = plan.evaluation.iter().map(|i| &cells[*i]).collect();
        Ok(line(&rec))
    }

    /// The runs.csv row of a finished run, from its summary row (its last row).
    pub(super) fn summary(&mut self, row: &Row) -> Result<RunCells, String> {
        let id = &row.common().run_id;
        let Some(open) = self.open.remove(id) else {
            return Err(format!("run {id}: a summary row but no evaluation rows"));
        };
        if all_cells(row) != open.last {
            return Err(format!(
                "run {id}: its summary row (step {}) is not its last evaluation row",
                row.common().step
            ));
        }
        let mut fixed = open.fixed;
        fixed.push(("status", row.common().status.as_str().to_string()));
        Ok(RunCells {
            family: open.family,
            run_columns: row.schema().run_columns(),
            run_id: id.clone(),
            fixed,
            sweep: open.sweep,
            last_step: row.common().step,
            evaluations: open.count,
        })
    }
}

/// The header of a file, checked against what the table takes: every column
/// known, none twice, the required ones there; the optional ones it lacks.
fn check_header(
    header: &StringRecord,
    known: &dyn Fn(&str) -> bool,
    required: &[&str],
    optional: &dyn Fn(&str) -> bool,
) -> Result<Vec<String>, String> {
    let mut seen = std::collections::HashSet::new();
    for h in header {
        if !known(h) {
            return Err(format!("line 1: unknown column `{h}`"));
        }
        if !seen.insert(h) {
            return Err(format!("line 1: column `{h}` appears twice"));
        }
    }
    let mut absent = Vec::new();
    for r in required {
        if !seen.contains(r) {
            if optional(r) {
                absent.push(r.to_string());
            } else {
                return Err(format!("line 1: missing column `{r}`"));
            }
        }
    }
    Ok(absent)
}

/// A finished run as runs.csv gives it.
pub(super) struct RunRow {
    pub(super) cells: RunCells,
}

/// Parses runs.csv text (whole lines), of runs of the families in `schemas`.
pub(super) fn parse_runs(
    text: &str,
    schemas: Schemas,
) -> Result<(Vec<RunRow>, Vec<String>), String> {
    if text.trim().is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = r.headers().map_err(record_error)?.clone();
    let known = |h: &str| {
        h.starts_with(SWEEP_PREFIX)
            || h == "status"
            || is_common_run_column(h)
            || schemas.iter().any(|s| s.run_columns().contains(&h))
    };
    let mut required: Vec<&str> = RUN_HEAD.to_vec();
    required.extend(RUN_TAIL);
    required.push("batch_size");
    let optional = |c: &str| {
        COMMON_OPTIONAL.contains(&c) || schemas.iter().any(|s| s.optional_columns().contains(&c))
    };
    let mut absent = check_header(&header, &known, &required, &optional)?;
    // A family's run columns added after a file was written are absent from it.
    for s in schemas {
        for c in s.run_columns() {
            if s.optional_columns().contains(c)
                && !header.iter().any(|h| h == *c)
                && !absent.iter().any(|a| a == c)
            {
                absent.push(c.to_string());
            }
        }
    }
    let col = |name: &str| header.iter().position(|h| h == name);
    let mut out = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for rec in r.records() {
        let rec = rec.map_err(record_error)?;
        let line = rec.position().map_or(0, |p| p.line());
        let at = |m: String| format!("line {line}: {m}");
        let get = |name: &str| col(name).map(|i| rec[i].to_string());
        let name = get("family").unwrap_or_default();
        let schema = schema::find(schemas, &name).map_err(at)?;
        for c in schema.run_columns() {
            if col(c).is_none() && !schema.optional_columns().contains(c) {
                return Err(at(format!(
                    "column `{c}` is missing, and a `{name}` run needs it"
                )));
            }
        }
        let number = |name: &str| -> Result<usize, String> {
            let cell = get(name).unwrap_or_default();
            cell.parse()
                .map_err(|_| at(format!("column `{name}`: `{cell}` is not a count")))
        };
        let keys: Vec<&str> = header
            .iter()
            .filter_map(|h| h.strip_prefix(SWEEP_PREFIX))
            .collect();
        let raw = get("sweep").unwrap_or_default();
        let sweep = if raw.is_empty() {
            keys.iter()
                .filter_map(|k| {
                    let v = get(&format!("{SWEEP_PREFIX}{k}")).unwrap_or_default();
                    (!v.is_empty()).then(|| format!("{k}={v}"))
                })
                .collect::<Vec<_>>()
                .join(";")
        } else {
            raw
        };
        let mut fixed: Vec<(&'static str, String)> = plan(schema)
            .run
            .iter()
            .filter(|(c, _)| *c != "status")
            .map(|(c, _)| (*c, get(c).unwrap_or_default()))
            .collect();
        fixed.push(("status", get("status").unwrap_or_default()));
        let run_id = get("run_id").unwrap_or_default();
        if !ids.insert(run_id.clone()) {
            return Err(at(format!("run {run_id} appears twice")));
        }
        out.push(RunRow {
            cells: RunCells {
                family: schema.family(),
                run_columns: schema.run_columns(),
                run_id,
                fixed,
                sweep,
                last_step: number("last_step")?,
                evaluations: number("evaluations")?,
            },
        });
    }
    Ok((out, absent))
}

/// A family's evaluation rows, each with its file line.
pub(super) struct Evaluations {
    schema: &'static dyn Schema,
    /// Each header column's position among the family's columns.
    positions: Vec<usize>,
    pub(super) rows: Vec<(u64, StringRecord)>,
    pub(super) absent: Vec<String>,
    header: Vec<String>,
}

/// Parses a family's evaluations table text (whole lines).
pub(super) fn parse_evaluations(
    schema: &'static dyn Schema,
    text: &str,
) -> Result<Evaluations, String> {
    let cols = evaluation_columns(schema);
    if text.trim().is_empty() {
        return Ok(Evaluations {
            schema,
            positions: Vec::new(),
            rows: Vec::new(),
            absent: Vec::new(),
            header: cols,
        });
    }
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = r.headers().map_err(record_error)?.clone();
    let required: Vec<&str> = cols.iter().map(String::as_str).collect();
    let optional = |c: &str| COMMON_OPTIONAL.contains(&c) || schema.optional_columns().contains(&c);
    let absent = check_header(&header, &|h| required.contains(&h), &required, &optional)?;
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(record_error)?;
        let line = rec.position().map_or(0, |p| p.line());
        rows.push((line, rec));
    }
    let all = &plan(schema).columns;
    let positions = header
        .iter()
        .map(|h| all.iter().position(|c| c == h).expect("checked above"))
        .collect();
    Ok(Evaluations {
        schema,
        positions,
        rows,
        absent,
        header: header.iter().map(String::from).collect(),
    })
}

impl Evaluations {
    /// The run id and step of a row.
    pub(super) fn key(&self, rec: &StringRecord) -> (String, Option<usize>) {
        let get = |name: &str| {
            self.header
                .iter()
                .position(|h| h == name)
                .map(|i| rec[i].to_string())
                .unwrap_or_default()
        };
        (get("run_id"), get("step").parse().ok())
    }

    /// The row of an evaluation joined with its run's cells.
    pub(super) fn join(&self, rec: &StringRecord, run: &RunCells) -> Result<Row, String> {
        let plan = plan(self.schema);
        let n = common_columns().len();
        let mut cells: Vec<&str> = vec![""; n];
        cells.extend(self.schema.empty().iter());
        // `fixed` holds the plan's run columns in its order, then `status`.
        for ((_, i), (_, v)) in plan.run.iter().zip(&run.fixed) {
            cells[*i] = v;
        }
        cells[plan.sweep] = &run.sweep;
        for (&i, v) in self.positions.iter().zip(rec) {
            cells[i] = v;
        }
        let common: StringRecord = cells[..n].iter().collect();
        let own: StringRecord = cells[n..].iter().collect();
        let common = schema::read_common(self.schema, &common)?;
        self.schema.read(common, &own)
    }
}

/// Groups evaluation rows by run, in file order.
pub(super) fn by_run(ev: &Evaluations) -> BTreeMap<String, Vec<usize>> {
    let mut out: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, (_, rec)) in ev.rows.iter().enumerate() {
        out.entry(ev.key(rec).0).or_default().push(i);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweep_labels_rebuild_or_keep_their_own_column() {
        let run = |sweep: &str| RunCells {
            family: Family::new("f"),
            run_columns: &[],
            run_id: "a".into(),
            fixed: Vec::new(),
            sweep: sweep.into(),
            last_step: 0,
            evaluations: 1,
        };
        let tidy = [run("a=1;b=x"), run("a=2;b=y"), run("")];
        let h = runs_header(&tidy);
        assert!(h.contains(&"sweep:a".to_string()) && !h.contains(&"sweep".to_string()));
        assert!(tidy.iter().all(|r| fits(&h, r)));
        // Keys in another order, a key twice, a value with `;`: the label is kept.
        for odd in ["b=x;a=1", "a=1;a=2", "a=1;2", "c"] {
            assert!(!fits(&h, &run(odd)), "{odd}");
            let h = runs_header(&[tidy[0].clone(), run(odd)]);
            assert!(h.contains(&"sweep".to_string()), "{odd}");
        }
        assert!(!fits(&h, &run("a=1;b=x;c=3")));
    }
}
