//! Results layout 1 (docs/methods.md §4), read only: `results.csv` and
//! `summary.csv`, one header for every family, a row per run and evaluation. A
//! row's `family` names its schema; its common columns and its family's own are
//! read, and a value in another column (another family's, which that family's
//! rows left empty or zero) is refused. `jestbench migrate` converts such folders
//! to layout 2 (`tables`).

use super::records::{reader, record_error};
use super::schema::{self, common_columns, COMMON_OPTIONAL};
use super::Row;
use super::Schemas;

/// Whether a cell holds no value (another family's column in layout 1).
fn is_empty_cell(c: &str) -> bool {
    matches!(c, "" | "0" | "0.0")
}

/// Parses whole CSV text (header first) into rows, and names the optional columns
/// the file lacks (it predates them: their cells read as empty); errors name the
/// line. A header in a minimal schema that a family accepts is read by it.
pub fn parse(text: &str, schemas: Schemas) -> Result<(Vec<Row>, Vec<String>), String> {
    if text.trim().is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let (mut r, got) = reader(text)?;
    if !got.iter().any(|h| h == "run_id") {
        for s in schemas {
            if let Some(rows) = s.foreign(&got, text) {
                return rows.map(|rows| (rows, Vec::new()));
            }
        }
    }
    let col = |name: &str| got.iter().position(|g| g == name);
    if let Some(missing) = common_columns()
        .iter()
        .chain([&"family".to_string()])
        .filter(|c| !COMMON_OPTIONAL.contains(&c.as_str()))
        .find(|c| col(c).is_none())
    {
        return Err(format!("line 1: missing column `{missing}` (not a jestbench results file, or from another version; results from other tools use a minimal schema (README, \"Results from elsewhere\"))"));
    }
    let mut absent: Vec<String> = COMMON_OPTIONAL
        .iter()
        .filter(|c| col(c).is_none())
        .map(|c| c.to_string())
        .collect();
    let family_col = col("family").expect("checked");
    let mut rows = Vec::new();
    let mut checked: Vec<&str> = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(record_error)?;
        let line = rec.position().map_or(0, |p| p.line());
        let at = |m: String| format!("line {line}: {m}");
        let name = rec.get(family_col).unwrap_or("");
        let s = schema::find(schemas, name).map_err(at)?;
        let own = s.columns();
        if !checked.contains(&name) {
            checked.push(s.family().as_str());
            for c in own {
                if col(c).is_none() {
                    if s.optional_columns().contains(&c.as_str()) {
                        if !absent.contains(c) {
                            absent.push(c.clone());
                        }
                    } else {
                        return Err(format!(
                            "line 1: missing column `{c}` (rows of family `{name}` have it)"
                        ));
                    }
                }
            }
        }
        let cell = |c: &str| col(c).map_or("", |i| &rec[i]);
        for (i, h) in got.iter().enumerate() {
            let ours = h == "family"
                || common_columns().iter().any(|c| c == h)
                || own.iter().any(|c| c == h);
            if !ours && !is_empty_cell(&rec[i]) {
                return Err(at(format!(
                    "column `{h}` has a value, but rows of family `{name}` leave it empty"
                )));
            }
        }
        let common: csv::StringRecord = common_columns().iter().map(|c| cell(c)).collect();
        let common = schema::read_common(s, &common).map_err(at)?;
        let own: csv::StringRecord = own
            .iter()
            .zip(s.empty())
            .map(|(c, e)| col(c).map_or(e, |i| &rec[i]))
            .collect();
        rows.push(s.read(common, &own).map_err(at)?);
    }
    Ok((rows, absent))
}

/// `rows` as a layout 1 file (what versions before layout 2 wrote, for tests and
/// migrations): the common columns, `family`, then each family's own in the order
/// the families first appear; a row leaves other families' columns empty.
pub fn text(rows: &[Row]) -> String {
    let mut own: Vec<String> = Vec::new();
    let mut seen: Vec<crate::method::Family> = Vec::new();
    for r in rows {
        if !seen.contains(&r.family()) {
            seen.push(r.family());
            own.extend(r.schema().columns().iter().cloned());
        }
    }
    let mut header: csv::StringRecord = common_columns().iter().collect();
    header.push_field("family");
    for c in &own {
        header.push_field(c);
    }
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(&header).expect("in-memory write");
    for r in rows {
        let mut rec = schema::common_record(r);
        rec.push_field(r.family().as_str());
        let cols = r.schema().columns();
        let cells = r.own_record();
        for c in &own {
            rec.push_field(cols.iter().position(|x| x == c).map_or("", |i| &cells[i]));
        }
        w.write_record(&rec).expect("in-memory write");
    }
    String::from_utf8(w.into_inner().expect("in-memory write")).expect("utf-8")
}
