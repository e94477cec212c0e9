//! The results file's layout (docs/methods.md §4): one header for every family of run, a
//! [`CsvRow`] with every family's columns; the columns of another family than
//! the row's are empty or zero. Rows are read into, and written from, the
//! in-memory rows of `row`, and a value in another family's column is refused.

use serde::{Deserialize, Serialize};

use super::records::{reader, record_error};
use super::row::{Common, JestRow, Row, SwimRow};
use crate::method::{Family, Method};
use crate::train::RunStatus;

/// Columns a results file may lack (added after the first files were written).
pub(super) const OPTIONAL_COLUMNS: [&str; 15] = [
    "eval_metric",
    "val_loss",
    "grad_error",
    "energy_drift",
    "selected_head",
    "selected_torso",
    "selected_tail",
    "superbatch_head",
    "superbatch_torso",
    "superbatch_tail",
    "selected_same_concept",
    "superbatch_same_concept",
    "zero_shot_head",
    "zero_shot_torso",
    "zero_shot_tail",
];

/// A row as the file lays it out: every family's columns, in the order of the
/// header (docs/methods.md §4); the columns of another family than the row's are empty or
/// zero. Only `log` sees it: rows in memory are [`Row`]s.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct CsvRow {
    experiment: String,
    run_id: String,
    config_hash: String,
    seed: u64,
    family: Family,
    #[serde(deserialize_with = "super::methods::deserialize")]
    method: Method,
    scoring: String,
    filter_ratio: f64,
    batch_size: usize,
    super_batch: usize,
    n_chunks: usize,
    gain: f64,
    reference_quality: f64,
    score_resolution: usize,
    low_resolution: usize,
    low_res_share: f64,
    sweep: String,
    step: usize,
    examples_trained: u64,
    examples_scored: u64,
    flops_train: u64,
    flops_learner_scoring: u64,
    flops_pairs: u64,
    flops_paper: u64,
    flops_reference_scoring_uncached: u64,
    flops_reference_embedding: u64,
    flops_reference_training: u64,
    train_seconds: f64,
    select_seconds: f64,
    eval_seconds: f64,
    train_loss: Option<f64>,
    eval_loss: Option<f64>,
    zero_shot_accuracy: Option<f64>,
    recall_at1_a2b: Option<f64>,
    recall_at1_b2a: Option<f64>,
    /// The headline metric of the family (jest: zero-shot accuracy).
    eval_score: Option<f64>,
    selected_learnability: Option<f64>,
    superbatch_learnability: Option<f64>,
    /// Shares of the pair kinds (clean, misaligned, heavily noised, near-duplicate)
    /// in the trained batches and in the super-batches over the evaluation window.
    selected_clean: Option<f64>,
    selected_misaligned: Option<f64>,
    selected_heavy_noise: Option<f64>,
    selected_duplicate: Option<f64>,
    superbatch_clean: Option<f64>,
    superbatch_misaligned: Option<f64>,
    superbatch_heavy_noise: Option<f64>,
    superbatch_duplicate: Option<f64>,
    /// The reference model's held-out zero-shot accuracy.
    reference_score: Option<f64>,
    /// Seconds spent training and embedding the reference (once, shared).
    reference_seconds: f64,
    /// The reference checkpoint's step (its last, or the one its held-out
    /// validation chose).
    reference_step: Option<usize>,
    status: RunStatus,
    device: String,
    harness_version: String,
    git_commit: String,
    /// What `eval_score` measures: `zero_shot_accuracy` (jest), `accuracy` or
    /// `rel_l2_error` (swim). Absent in files written before it existed.
    #[serde(default)]
    eval_metric: String,
    /// Swim family, Adam: the validation loss of this epoch's weights (what early
    /// stopping watches; `eval_score` is the checkpoint's test metric).
    #[serde(default)]
    val_loss: Option<f64>,
    /// Swim family, Hamiltonian tasks: the relative L2 error of the learned
    /// gradient (the vector field's) on the test set.
    #[serde(default)]
    grad_error: Option<f64>,
    /// Swim family, Hamiltonian tasks, a run's last row: max |H(x_t) − H(x₀)| of
    /// the true H along the trajectory integrated with the learned H (`inf`: it
    /// blew up).
    #[serde(default)]
    energy_drift: Option<f64>,
    /// Shares of the head, torso and tail concepts (equal-mass thirds of the pool
    /// by concept frequency, `data::concepts`) in the trained batches and in the
    /// super-batches over the evaluation window; empty without labels.
    #[serde(default)]
    selected_head: Option<f64>,
    #[serde(default)]
    selected_torso: Option<f64>,
    #[serde(default)]
    selected_tail: Option<f64>,
    #[serde(default)]
    superbatch_head: Option<f64>,
    #[serde(default)]
    superbatch_torso: Option<f64>,
    #[serde(default)]
    superbatch_tail: Option<f64>,
    /// The share of a trained batch's off-diagonal pairs whose items share a
    /// concept (false in-batch negatives), window mean; the same over super-batches.
    #[serde(default)]
    selected_same_concept: Option<f64>,
    #[serde(default)]
    superbatch_same_concept: Option<f64>,
    /// Zero-shot accuracy over the eval items of head, torso and tail concepts.
    #[serde(default)]
    zero_shot_head: Option<f64>,
    #[serde(default)]
    zero_shot_torso: Option<f64>,
    #[serde(default)]
    zero_shot_tail: Option<f64>,
}

/// Moves fields between a file's row and a family's, naming each once: the
/// common columns, then each family's own.
macro_rules! families {
    (common: [$($c:ident),*], jest: [$($j:ident),*], swim: [$($s:ident),*]) => {
        /// The columns every family's rows fill, then each family's own.
        pub(super) const COMMON_COLUMNS: &[&str] = &[$(stringify!($c)),*];
        pub(super) const JEST_COLUMNS: &[&str] = &[$(stringify!($j)),*];
        pub(super) const SWIM_COLUMNS: &[&str] = &[$(stringify!($s)),*];

        impl From<&Row> for CsvRow {
            fn from(row: &Row) -> CsvRow {
                let c = row.common();
                let mut out = CsvRow {
                    family: row.family(),
                    $($c: c.$c.clone(),)*
                    ..CsvRow::default()
                };
                match row {
                    Row::Jest(r) => {
                        $(out.$j = r.$j.clone();)*
                    }
                    Row::Swim(r) => {
                        $(out.$s = r.$s.clone();)*
                    }
                }
                out
            }
        }

        impl CsvRow {
            /// The row of its family; refuses a value in another family's column.
            fn into_row(self) -> Result<Row, String> {
                let empty = CsvRow::default();
                let family = self.family.as_str();
                let not_ours = |col: &str| {
                    format!("column `{col}` has a value, but rows of family `{family}` leave it empty")
                };
                if self.method.family() != self.family {
                    return Err(format!(
                        "method `{}` is not of family `{family}`",
                        self.method
                    ));
                }
                match self.family {
                    Family::Jest => {
                        $(if self.$s != empty.$s {
                            return Err(not_ours(stringify!($s)));
                        })*
                        Ok(Row::Jest(JestRow {
                            common: Common { $($c: self.$c,)* },
                            $($j: self.$j,)*
                        }))
                    }
                    Family::Swim => {
                        $(if self.$j != empty.$j {
                            return Err(not_ours(stringify!($j)));
                        })*
                        Ok(Row::Swim(SwimRow {
                            common: Common { $($c: self.$c,)* },
                            $($s: self.$s,)*
                        }))
                    }
                }
            }
        }
    };
}

families! {
    common: [experiment, run_id, config_hash, seed, method, batch_size, sweep, step,
        examples_trained, flops_train, train_seconds, eval_seconds, train_loss, eval_loss,
        eval_score, eval_metric, status, device, harness_version, git_commit],
    jest: [scoring, filter_ratio, super_batch, n_chunks, gain, reference_quality,
        score_resolution, low_resolution, low_res_share, examples_scored,
        flops_learner_scoring, flops_pairs, flops_paper, flops_reference_scoring_uncached,
        flops_reference_embedding, flops_reference_training, select_seconds,
        zero_shot_accuracy, recall_at1_a2b, recall_at1_b2a, selected_learnability,
        superbatch_learnability, selected_clean, selected_misaligned, selected_heavy_noise,
        selected_duplicate, superbatch_clean, superbatch_misaligned, superbatch_heavy_noise,
        superbatch_duplicate, reference_score, reference_seconds, reference_step,
        selected_head, selected_torso, selected_tail, superbatch_head, superbatch_torso,
        superbatch_tail, selected_same_concept, superbatch_same_concept, zero_shot_head,
        zero_shot_torso, zero_shot_tail],
    swim: [val_loss, grad_error, energy_drift]
}

impl Row {
    /// The row as one CSV line, newline included.
    pub fn to_line(&self) -> String {
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        w.serialize(CsvRow::from(self)).expect("rows serialise");
        String::from_utf8(w.into_inner().expect("in-memory write")).expect("utf-8")
    }
}

/// The header line of both files.
pub fn header_line() -> String {
    let mut w = csv::WriterBuilder::new()
        .has_headers(true)
        .from_writer(Vec::new());
    // Serialising any row makes csv write the header from the field names.
    w.serialize(CsvRow::default()).expect("rows serialise");
    let text = String::from_utf8(w.into_inner().expect("in-memory write")).expect("utf-8");
    text.lines().next().expect("a header line").to_string() + "\n"
}

/// The header's column names, in order.
pub(super) fn columns() -> &'static [String] {
    static COLUMNS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    COLUMNS.get_or_init(|| {
        header_line()
            .trim_end()
            .split(',')
            .map(String::from)
            .collect()
    })
}

/// A row's cells in layout 1's column order, as text (what `reproduce` compares).
pub fn row_cells(row: &Row) -> Vec<String> {
    cells(row).iter().map(String::from).collect()
}

/// A row's cells in the header's order, as the file writes them.
pub(super) fn cells(row: &Row) -> csv::StringRecord {
    let line = row.to_line();
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes());
    r.records()
        .next()
        .and_then(Result::ok)
        .expect("a written row reads back")
}

/// The cells of a row with no value (another family's columns read as these).
pub(super) fn empty_cells() -> &'static csv::StringRecord {
    static EMPTY: std::sync::OnceLock<csv::StringRecord> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| {
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        w.serialize(CsvRow::default()).expect("rows serialise");
        let text = w.into_inner().expect("in-memory write");
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&text[..])
            .records()
            .next()
            .and_then(Result::ok)
            .expect("a written row reads back")
    })
}

/// The row whose cells (in the header's order) are `rec`, with the checks a file's
/// row gets: its family's columns only, a method of its family, an experiment name
/// that can name files.
pub(super) fn from_cells(rec: &csv::StringRecord) -> Result<Row, String> {
    static HEADER: std::sync::OnceLock<csv::StringRecord> = std::sync::OnceLock::new();
    let header = HEADER.get_or_init(|| csv::StringRecord::from(columns().to_vec()));
    let row: CsvRow = rec.deserialize(Some(header)).map_err(|e| e.to_string())?;
    let row = row.into_row()?;
    crate::names::identifier(&row.common().experiment)
        .map_err(|m| format!("column `experiment`: {m}"))?;
    Ok(row)
}

/// Parses whole CSV text (header first) into rows, and names the optional columns
/// the file lacks (it predates them: their cells read as empty); errors name the line.
pub fn parse(text: &str) -> Result<(Vec<Row>, Vec<String>), String> {
    if text.trim().is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let (mut r, got) = reader(text)?;
    if super::foreign::is_foreign(&got) {
        return super::foreign::read(&got, r).map(|rows| (rows, Vec::new()));
    }
    let want = header_line();
    let want: Vec<&str> = want.trim_end().split(',').collect();
    if let Some(missing) = want
        .iter()
        .filter(|c| !OPTIONAL_COLUMNS.contains(c))
        .find(|c| !got.iter().any(|g| g == *c))
    {
        return Err(format!("line 1: missing column `{missing}` (not a jestbench results file, or from another version; results from other tools use the minimal schema, {})", super::foreign::REQUIRED.join(", ")));
    }
    let absent = OPTIONAL_COLUMNS
        .iter()
        .filter(|c| !got.iter().any(|g| g == *c))
        .map(|c| c.to_string())
        .collect();
    let mut rows = Vec::new();
    let headers = r.headers().map_err(|e| e.to_string())?.clone();
    for rec in r.records() {
        let rec = rec.map_err(record_error)?;
        let line = rec.position().map_or(0, |p| p.line());
        let row: CsvRow = rec
            .deserialize(Some(&headers))
            .map_err(|e| format!("line {line}: {e}"))?;
        let row = row.into_row().map_err(|e| format!("line {line}: {e}"))?;
        // The experiment names report folders and files: the same rule as the
        // experiment file's `name`.
        crate::names::identifier(&row.common().experiment)
            .map_err(|m| format!("line {line}: column `experiment`: {m}"))?;
        rows.push(row);
    }
    Ok((rows, absent))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn swim_row() -> Row {
        Row::Swim(SwimRow {
            common: Common {
                experiment: "e".into(),
                run_id: "a-s0".into(),
                method: crate::swim::SwimMethod::Swim.method(),
                eval_score: Some(0.5),
                ..Common::default()
            },
            grad_error: Some(0.25),
            ..SwimRow::default()
        })
    }

    /// Each family's row reads back as itself; a value in a column of the other
    /// family, or a method of the other family, is named with its line.
    #[test]
    fn rows_read_back_as_their_family_and_refuse_the_other_familys_columns() {
        let jest = Row::Jest(JestRow {
            common: Common {
                experiment: "e".into(),
                run_id: "b-s0".into(),
                method: Method::JEST,
                ..Common::default()
            },
            filter_ratio: 0.8,
            zero_shot_tail: Some(0.1),
            ..JestRow::default()
        });
        let text = header_line() + &swim_row().to_line() + &jest.to_line();
        let (rows, absent) = parse(&text).unwrap();
        assert!(absent.is_empty());
        assert_eq!(rows, vec![swim_row(), jest.clone()]);

        let mut bad = CsvRow::from(&swim_row());
        bad.filter_ratio = 0.5;
        let line = |c: &CsvRow| {
            let mut w = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(Vec::new());
            w.serialize(c).unwrap();
            String::from_utf8(w.into_inner().unwrap()).unwrap()
        };
        let e = parse(&(header_line() + &line(&bad))).unwrap_err();
        assert!(e.starts_with("line 2: column `filter_ratio`"), "{e}");
        assert!(e.contains("family `swim`"), "{e}");

        let mut bad = CsvRow::from(&jest);
        bad.energy_drift = Some(1.0);
        let e = parse(&(header_line() + &jest.to_line() + &line(&bad))).unwrap_err();
        assert!(e.starts_with("line 3: column `energy_drift`"), "{e}");

        let mut bad = CsvRow::from(&jest);
        bad.family = Family::Swim;
        let e = parse(&(header_line() + &line(&bad))).unwrap_err();
        assert!(e.contains("method `jest` is not of family `swim`"), "{e}");
    }
}
