//! CSV text as records, with errors that name the line (the results layout and
//! the minimal foreign schema both read through these), and values as the cells
//! serde writes for them.

use csv::StringRecord;

/// A CSV reader over whole text, and its header.
pub fn reader(text: &str) -> Result<(csv::Reader<&[u8]>, Vec<String>), String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = r
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(str::to_string)
        .collect();
    Ok((r, header))
}

/// A record that does not parse, with its line.
pub fn record_error(e: csv::Error) -> String {
    match e.position() {
        Some(p) => format!("line {}: {e}", p.line()),
        None => e.to_string(),
    }
}

/// The header (field names) and cells serde writes for `value`.
pub(super) fn header_and_record<T: serde::Serialize>(value: &T) -> (StringRecord, StringRecord) {
    let mut w = csv::WriterBuilder::new()
        .has_headers(true)
        .from_writer(Vec::new());
    w.serialize(value).expect("rows serialise");
    let text = w.into_inner().expect("in-memory write");
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&text[..]);
    let mut recs = r.records().map(|r| r.expect("a written row reads back"));
    let header = recs.next().unwrap_or_default();
    let cells = recs.next().unwrap_or_default();
    (header, cells)
}

/// The cells serde writes for `value` (a row's own, or its common columns).
pub(super) fn record_of<T: serde::Serialize>(value: &T) -> StringRecord {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.serialize(value).expect("rows serialise");
    let text = w.into_inner().expect("in-memory write");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&text[..])
        .records()
        .next()
        .and_then(Result::ok)
        .unwrap_or_default()
}
