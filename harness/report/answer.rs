//! The answer first: one row per claim — the claim, the paper's figure, what was
//! measured with its interval, the verdict, where the evidence is — for the top of
//! the index and of every report, the glossary of the verdict words it uses, and the
//! same rows as short terminal lines (`run`, `report`).
//!
//! The sampled networks' 100x claim, judged per task and method, is one row: how
//! many of its settings hold, and the range of the measured factors.

use super::board::{Line, Row};
use super::doc::Block;
use crate::analysis::claims::{paper_figure, Verdict};

/// One row of an answer table.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// The claim in a few words.
    pub claim: String,
    /// The paper's figure, in a few words.
    pub paper: String,
    /// The measured value with its (Holm-adjusted) 95% interval, or a range over
    /// settings.
    pub measured: String,
    /// The verdict's words (`Verdict::text`, or a count over settings).
    pub verdict: String,
    /// Where the row comes from: a Markdown link (a report, or a row anchor).
    pub link: String,
}

/// A number as the answer shows it.
fn num(v: f64) -> String {
    if v.is_infinite() {
        if v > 0.0 { "∞" } else { "−∞" }.into()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// "x" where the rows are ratios (a threshold that is a factor), else nothing.
fn unit(rows: &[&Row]) -> &'static str {
    if rows.iter().any(|r| r.threshold.is_some_and(|t| t > 0.0)) {
        "x"
    } else {
        ""
    }
}

/// "2.49x [1.87, 3.21]" (a ratio: its threshold is a factor) or "0.46 [−0.1, 1.0]".
fn measured(r: &Row) -> String {
    let unit = unit(&[r]);
    let ci = match (r.lower, r.upper) {
        (Some(lo), Some(hi)) => format!(" [{}, {}]", num(lo), num(hi)),
        _ => String::new(),
    };
    match r.point.filter(|p| p.is_finite()) {
        Some(p) => format!("{}{unit}{ci}", num(p)),
        None if !ci.is_empty() => format!("censored{ci}"),
        None => "—".into(),
    }
}

/// The range of several rows' measured values: "0.80–35.30x over 15 settings".
fn range(rows: &[&Row]) -> String {
    let pts: Vec<f64> = rows
        .iter()
        .filter_map(|r| r.point)
        .filter(|p| p.is_finite())
        .collect();
    let unit = unit(rows);
    let n = rows.len();
    let settings = if n == 1 { "setting" } else { "settings" };
    if pts.is_empty() {
        return format!("censored in all {n} {settings}");
    }
    let (lo, hi) = pts
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    if pts.len() == 1 || lo == hi {
        format!("{}{unit} over {n} {settings}", num(lo))
    } else {
        format!("{}–{}{unit} over {n} {settings}", num(lo), num(hi))
    }
}

/// The verdict of several rows: their common words, else how many hold.
fn over(rows: &[&Row]) -> String {
    if let Some(first) = rows
        .first()
        .filter(|f| rows.iter().all(|r| r.verdict == f.verdict))
    {
        return first.verdict.clone();
    }
    let holds = rows
        .iter()
        .filter(|r| r.verdict.starts_with("holds"))
        .count();
    format!("holds in {holds} of {} settings", rows.len())
}

/// A claim's few words: its short name where that says what it is ("3x at f =
/// 0.8", "13x iterations"), its sentence up to any aside where the short name is a
/// label ("(a)").
pub fn claim_words(short: &str, claim: &str) -> String {
    if !short.starts_with('(') {
        return short.to_string();
    }
    let cut = [" (paper", " (the paper", ": "]
        .iter()
        .filter_map(|p| claim.find(p))
        .min()
        .unwrap_or(claim.len());
    claim[..cut].to_string()
}

/// Whether a row is one of the sampled networks' 100x rows (one collapsed row).
pub fn swim(id: &str) -> bool {
    id.starts_with("swim-")
}

/// The index's rows from the board's lines, in board order; `link` gives a line's
/// evidence link (a report), `swim_link` the one of the collapsed 100x row.
pub fn from_board(lines: &[Line], link: &dyn Fn(&Line) -> String, swim_link: &str) -> Vec<Answer> {
    let mut out = Vec::new();
    let mut swim_rows: Vec<&Row> = Vec::new();
    let mut swim_at = None;
    for l in lines {
        if swim(&l.id) {
            swim_at.get_or_insert(out.len());
            swim_rows.extend(l.from.as_ref());
            continue;
        }
        let verdict = if l.verdict.starts_with("not measured") {
            "not measured".to_string()
        } else {
            l.verdict.clone()
        };
        out.push(Answer {
            claim: claim_words(&l.short, &l.claim),
            paper: paper_figure(&l.id).into(),
            measured: match &l.from {
                Some(r) if l.rows > 1 => format!("{} (best of {} settings)", measured(r), l.rows),
                Some(r) => measured(r),
                None => "—".into(),
            },
            verdict,
            link: link(l),
        });
    }
    if let Some(at) = swim_at {
        out.insert(at, swim_row(&swim_rows, swim_link.to_string()));
    }
    out
}

/// The one row of the sampled networks' 100x claim.
fn swim_row(rows: &[&Row], link: String) -> Answer {
    Answer {
        claim: "100x (sampled networks)".into(),
        paper: paper_figure("swim-").into(),
        measured: range(rows),
        verdict: over(rows),
        link,
    }
}

/// A report's rows from its claim rows (`rows`: one per claim row, with the
/// claim's id): per claim, its designated rows as the board reads them, else its
/// secondary rows (said so), a diagnostic as its count of rows; claims with no
/// judged row are left out. `anchor` gives a claim's row link.
pub fn from_rows(rows: &[Row], anchor: &dyn Fn(&str) -> String) -> Vec<Answer> {
    let lines = super::board::board(rows);
    let mut out = Vec::new();
    let mut swim_rows: Vec<&Row> = Vec::new();
    let mut swim_at = None;
    for l in &lines {
        let all: Vec<&Row> = rows.iter().filter(|r| r.id == l.id).collect();
        if swim(&l.id) {
            swim_at.get_or_insert(out.len());
            swim_rows.extend(
                all.iter()
                    .copied()
                    .filter(|r| super::board::judges(&r.verdict)),
            );
            continue;
        }
        let designated: Vec<&Row> = all
            .iter()
            .copied()
            .filter(|r| r.designated && super::board::judges(&r.verdict))
            .collect();
        let secondary: Vec<&Row> = all
            .iter()
            .copied()
            .filter(|r| !r.designated && super::board::judges(&r.verdict))
            .collect();
        let diagnostic = all.iter().any(|r| r.verdict.starts_with("measured"));
        let (measured_text, verdict) = if let Some(r) = l.from.as_ref() {
            let m = if designated.len() > 1 && l.rows > 1 {
                format!("{} (best of {} settings)", measured(r), l.rows)
            } else if designated.len() > 1 {
                range(&designated)
            } else {
                measured(r)
            };
            (m, l.verdict.clone())
        } else if !secondary.is_empty() {
            let m = if secondary.len() == 1 {
                measured(secondary[0])
            } else {
                range(&secondary)
            };
            (m, format!("{} (secondary)", over(&secondary)))
        } else if diagnostic {
            let n = all.len();
            (
                format!("{n} {}", if n == 1 { "row" } else { "rows" }),
                Verdict::Measured.text().to_string(),
            )
        } else {
            continue;
        };
        out.push(Answer {
            claim: claim_words(&l.short, &l.claim),
            paper: paper_figure(&l.id).into(),
            measured: measured_text,
            verdict,
            link: anchor(&l.id),
        });
    }
    if let Some(at) = swim_at {
        let link = anchor(swim_rows.first().map_or("", |r| r.id.as_str()));
        out.insert(at, swim_row(&swim_rows, link));
    }
    out
}

/// The answer table.
pub fn table(rows: &[Answer]) -> Block {
    Block::Table {
        header: ["claim", "paper", "measured [95% CI]", "verdict", "evidence"]
            .map(String::from)
            .to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.claim.clone(),
                    r.paper.clone(),
                    r.measured.clone(),
                    format!("**{}**", r.verdict),
                    r.link.clone(),
                ]
            })
            .collect(),
    }
}

/// The verdict words a set of verdict texts uses, each with its meaning in one
/// line, in the glossary's order (and "inconclusive over the board", "holds in k
/// of n settings", "(secondary)" where used).
pub fn glossary(verdicts: &[&str]) -> Block {
    let mut items = Vec::new();
    let uses = |words: &str| verdicts.iter().any(|v| v.starts_with(words));
    for v in Verdict::ALL {
        let words = match v {
            Verdict::NotMeasured => "not measured",
            _ => v.text(),
        };
        if uses(words) {
            items.push(format!("**{}**: {}.", v.text(), v.meaning()));
        }
    }
    if uses("inconclusive over the board") {
        items.push("**inconclusive over the board**: its report decides it, but not once Holm's correction runs over every claim on the board (p > 0.05).".into());
    }
    if verdicts.iter().any(|v| v.starts_with("holds in ")) {
        items.push("**holds in k of n settings**: the claim's rows disagree across the swept settings; each setting's verdict is in its row.".into());
    }
    if verdicts.iter().any(|v| v.ends_with("(secondary)")) {
        items.push("**(secondary)**: these runs are not the claim's designated evidence (docs/methods.md §7); the claims board judges it on those.".into());
    }
    Block::List(items)
}

/// The rows as terminal lines, each at most `width` characters where the words
/// allow: "3x at f = 0.8: 2.49x [1.87, 3.21] (paper: 3x fewer iterations) — inconclusive".
pub fn terminal(rows: &[Answer], width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for r in rows {
        let text = format!(
            "{}: {} (paper: {}) — {}",
            r.claim, r.measured, r.paper, r.verdict
        );
        out.extend(wrap(&text, width.max(40), "    "));
    }
    out
}

/// `text` in lines of at most `width` characters, broken at spaces, continuation
/// lines indented.
pub fn wrap(text: &str, width: usize, indent: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let fresh = cur.is_empty() || cur == indent;
        if !fresh && cur.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
            cur.push_str(indent);
        } else if !fresh {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.trim().is_empty() {
        lines.push(cur);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, point: f64, lo: f64, hi: f64, t: f64, verdict: &str, designated: bool) -> Row {
        Row {
            report: "r".into(),
            id: id.into(),
            short: if id.starts_with("swim") {
                "100x".into()
            } else {
                id.into()
            },
            claim: format!("{id} claim"),
            point: Some(point),
            lower: Some(lo),
            upper: Some(hi),
            threshold: Some(t),
            verdict: verdict.into(),
            detail: String::new(),
            designated,
            p_value: None,
            setting: String::new(),
        }
    }

    #[test]
    fn one_row_per_claim_swim_collapsed_secondary_said() {
        let rows = vec![
            row("3x", 2.49, 1.87, 3.21, 3.0, "inconclusive", true),
            row("4.5x", 4.0, 3.0, 5.0, 4.5, "holds at this scale", false),
            row(
                "4.5x",
                2.0,
                1.5,
                2.5,
                4.5,
                "does not hold at this scale",
                false,
            ),
            row(
                "swim-a",
                14.4,
                10.0,
                20.0,
                100.0,
                "does not hold at this scale",
                true,
            ),
            row(
                "swim-b",
                35.3,
                20.0,
                50.0,
                100.0,
                "does not hold at this scale",
                true,
            ),
            row(
                "swim-c",
                150.0,
                120.0,
                200.0,
                100.0,
                "holds at this scale",
                true,
            ),
        ];
        let a = from_rows(&rows, &|id| format!("[row](#{id})"));
        assert_eq!(a.len(), 3, "{a:?}");
        assert_eq!(a[0].measured, "2.49x [1.87, 3.21]");
        assert_eq!(a[0].verdict, "inconclusive");
        assert_eq!(a[1].verdict, "holds in 1 of 2 settings (secondary)");
        assert_eq!(a[1].measured, "2.00–4.00x over 2 settings");
        assert_eq!(a[2].verdict, "holds in 1 of 3 settings");
        assert_eq!(a[2].paper, "≥ 100x faster than Adam");
        let g = glossary(&a.iter().map(|r| r.verdict.as_str()).collect::<Vec<_>>());
        let Block::List(items) = g else { panic!() };
        assert!(items.iter().any(|i| i.starts_with("**inconclusive**")));
        assert!(items.iter().any(|i| i.starts_with("**(secondary)**")));
        assert!(!items
            .iter()
            .any(|i| i.starts_with("**holds at this scale**")));
        for l in terminal(&a, 60) {
            assert!(l.chars().count() <= 60, "{l}");
        }
    }

    #[test]
    fn lines_wrap_at_spaces() {
        let w = wrap("aaa bbb ccc ddd eee", 8, "  ");
        assert_eq!(w, vec!["aaa bbb", "  ccc", "  ddd", "  eee"]);
        assert_eq!(wrap("short", 80, "  "), vec!["short"]);
    }
}
