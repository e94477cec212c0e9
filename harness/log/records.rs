//! CSV text as records, with errors that name the line (the results layout and
//! the minimal foreign schema both read through these).

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
