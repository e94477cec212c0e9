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
    // Building a reader builds its parser's tables (a tenth of the time of
    // analysing synthetic results): one per thread reads every record, each
    // text a whole line that it consumes to its end, so no state carries over.
    // A text that yields no record (or an error) leaves a fresh reader behind.
    thread_local! {
        static READER: std::cell::RefCell<csv::Reader<std::io::Cursor<Vec<u8>>>> =
            std::cell::RefCell::new(line_reader());
    }
    READER.with(|r| {
        let mut r = r.borrow_mut();
        *r.get_mut() = std::io::Cursor::new(text);
        let mut record = StringRecord::new();
        match r.read_record(&mut record) {
            Ok(true) => record,
            _ => {
                *r = line_reader();
                StringRecord::new()
            }
        }
    })
}

/// A reader of single CSV lines without a header, of any number of fields.
fn line_reader() -> csv::Reader<std::io::Cursor<Vec<u8>>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(std::io::Cursor::new(Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What one fresh reader makes of the text serde writes for `value`.
    fn fresh<T: serde::Serialize>(value: &T) -> StringRecord {
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        w.serialize(value).unwrap();
        let text = w.into_inner().unwrap();
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&text[..])
            .records()
            .next()
            .and_then(Result::ok)
            .unwrap_or_default()
    }

    #[test]
    fn the_shared_reader_reads_each_record_as_a_fresh_one_would() {
        #[derive(serde::Serialize)]
        struct Wide {
            a: f64,
            b: String,
            c: Option<u32>,
            d: bool,
        }
        #[derive(serde::Serialize)]
        struct Narrow {
            x: String,
        }
        #[derive(serde::Serialize)]
        struct Nothing {}
        let texts = [
            "plain",
            "a,comma",
            "a \"quote\"",
            "two\nlines",
            "cr\r\nlf",
            "",
        ];
        for (i, t) in texts.iter().cycle().take(30).enumerate() {
            let wide = Wide {
                a: i as f64 / 7.0,
                b: t.to_string(),
                c: (i % 2 == 0).then_some(i as u32),
                d: i % 3 == 0,
            };
            assert_eq!(record_of(&wide), fresh(&wide), "{t:?}");
            let narrow = Narrow { x: t.to_string() };
            assert_eq!(record_of(&narrow), fresh(&narrow), "{t:?}");
            if i % 5 == 0 {
                assert_eq!(record_of(&Nothing {}), fresh(&Nothing {}));
            }
        }
    }
}
