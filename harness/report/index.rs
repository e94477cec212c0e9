//! `reports/index.html` (and `index.md`): every report under a folder, with a
//! one-line summary of its claims table read back from its `claims.csv`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::doc::{self, Block};
use super::{ReportError, CLAIMS_CSV, REPORT_HTML, REPORT_MD};

/// One report's entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The report's folder name.
    pub name: String,
    /// Its experiments (the report's title).
    pub title: String,
    /// One line: each claim's verdict, or how many of its rows hold.
    pub summary: String,
}

/// Verdict texts (`Verdict::text`) in a few words.
fn short_verdict(text: &str) -> &'static str {
    match text {
        t if t.starts_with("holds as a bound") => "holds as a bound",
        t if t.starts_with("holds") => "holds",
        t if t.starts_with("does not hold") => "does not hold",
        t if t.starts_with("fails as a bound") => "fails as a bound",
        t if t.starts_with("bounded by the sweep") => "bounded by the sweep",
        t if t.starts_with("definition-sensitive") => "definition-sensitive",
        t if t.starts_with("a higher ceiling") => "a higher ceiling",
        t if t.starts_with("undecided") => "undecided",
        t if t.starts_with("undefined") => "undefined",
        t if t.starts_with("inconclusive") => "inconclusive",
        t if t.starts_with("measured") => "measured",
        _ => "not measured",
    }
}

/// The one-line summary of a claims table: per claim (in table order), its verdict
/// when every row agrees, else how many rows hold; "(secondary)" where the claim is
/// judged on another report's rows. Diagnostics without a threshold and claims not
/// measured are left out.
pub fn summarise(claims_csv: &str) -> Result<String, csv::Error> {
    let mut r = csv::Reader::from_reader(claims_csv.as_bytes());
    let header = r.headers()?.clone();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(short), Some(verdict)) = (col("short"), col("verdict")) else {
        return Ok(String::new());
    };
    let designated = col("designated");
    let mut order: Vec<String> = Vec::new();
    // Per claim: its verdicts, and whether they are secondary evidence (the claim
    // is judged on another report's rows: the claims board).
    let mut verdicts: BTreeMap<String, (Vec<&'static str>, bool)> = BTreeMap::new();
    for rec in r.records() {
        let rec = rec?;
        let secondary = designated.and_then(|i| rec.get(i)) == Some("no");
        let (s, v) = (rec.get(short).unwrap_or(""), rec.get(verdict).unwrap_or(""));
        let v = short_verdict(v);
        if v == "measured" || v == "not measured" {
            continue;
        }
        if !verdicts.contains_key(s) {
            order.push(s.to_string());
        }
        let e = verdicts.entry(s.to_string()).or_insert((Vec::new(), true));
        e.0.push(v);
        e.1 &= secondary;
    }
    let parts: Vec<String> = order
        .iter()
        .map(|s| {
            let (v, secondary) = &verdicts[s];
            let tag = if *secondary { " (secondary)" } else { "" };
            if v.iter().all(|x| *x == v[0]) {
                format!("{s}: {}{tag}", v[0])
            } else {
                let holds = v.iter().filter(|x| x.starts_with("holds")).count();
                format!("{s}: holds in {holds} of {} settings{tag}", v.len())
            }
        })
        .collect();
    Ok(parts.join("; "))
}

/// The reports directly under `dir`, by name: every folder holding any of a
/// report's files (report.html, report.md, claims.csv, analysis.json). One the
/// index cannot link — its report.html or claims.csv missing, or a name that is
/// not an identifier (it becomes a link) — is an error, never a silent gap.
pub fn entries(dir: &Path) -> Result<Vec<Entry>, ReportError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ReportError::Io { path, source }
    };
    let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            [REPORT_HTML, REPORT_MD, CLAIMS_CSV, super::ANALYSIS_JSON]
                .iter()
                .any(|f| p.join(f).is_file())
        })
        .collect();
    folders.sort();
    let mut out = Vec::new();
    for f in folders {
        let name = f
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned());
        let unlinkable = |reason: String| ReportError::Unlinkable {
            path: f.clone(),
            reason,
        };
        if !crate::names::is_identifier(&name) {
            return Err(unlinkable(format!(
                "its name {}",
                crate::names::IDENTIFIER_RULE
            )));
        }
        for needed in [REPORT_HTML, CLAIMS_CSV] {
            if !f.join(needed).is_file() {
                return Err(unlinkable(format!(
                    "{needed} is missing (a partial or foreign report folder: rerun `jestbench report` into it, or move it away)"
                )));
            }
        }
        let md_path = f.join(REPORT_MD);
        let md = std::fs::read_to_string(&md_path).unwrap_or_default();
        let title = md
            .lines()
            .find_map(|l| l.strip_prefix("# "))
            .unwrap_or(&name)
            .to_string();
        let claims_path = f.join(CLAIMS_CSV);
        let summary = match std::fs::read_to_string(&claims_path) {
            Ok(text) => summarise(&text).map_err(|e| ReportError::Io {
                path: claims_path.clone(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            })?,
            Err(_) => String::new(),
        };
        out.push(Entry {
            name,
            title,
            summary: if summary.is_empty() {
                "no claims judged".into()
            } else {
                summary
            },
        });
    }
    Ok(out)
}

/// The lines a README marks its answer table with.
pub const BEGIN: &str = "<!-- answer:begin -->";
pub const END: &str = "<!-- answer:end -->";

/// The answer table of an `index.md` (its first table), its relative links
/// prefixed with `prefix/` (the reports folder as another page sees it).
pub fn answer_table(index_md: &str, prefix: &str) -> Option<String> {
    let lines: Vec<&str> = index_md
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .collect();
    if lines.is_empty() {
        return None;
    }
    let prefix = prefix.trim_end_matches('/');
    let mut out = String::new();
    for l in lines {
        let mut line = String::new();
        let mut rest = l;
        while let Some(at) = rest.find("](") {
            line += &rest[..at + 2];
            rest = &rest[at + 2..];
            let relative = !(rest.starts_with('#')
                || rest.starts_with("http://")
                || rest.starts_with("https://"));
            if relative && !prefix.is_empty() {
                line += prefix;
                line.push('/');
            }
        }
        line += rest;
        out += &line;
        out.push('\n');
    }
    Some(out)
}

/// `text` with the lines between its `BEGIN` and `END` lines replaced by
/// `table` (None: no such lines).
pub fn with_answer(text: &str, table: &str) -> Option<String> {
    let b = text.find(BEGIN)?;
    let after = b + BEGIN.len();
    let e = after + text[after..].find(END)?;
    Some(format!("{}\n\n{table}\n{}", &text[..after], &text[e..]))
}

/// What the answer says of verdicts that re-read results older than the protocol.
fn predate(lines: &[super::board::Line]) -> String {
    let n = lines
        .iter()
        .filter(|l| l.detail.contains("[results predate the protocol"))
        .count();
    if n > 0 {
        format!(" {n} of these verdicts re-read results that predate the analysis protocol (docs/methods.md §7): none of them is registered until its runs are made again.")
    } else {
        String::new()
    }
}

/// Writes `index.html` and `index.md` into `dir`, linking every report there.
pub fn write(dir: &Path) -> Result<Vec<Entry>, ReportError> {
    let list = entries(dir)?;
    let rows = list
        .iter()
        .map(|e| {
            vec![
                format!(
                    "[{}]({}/{REPORT_HTML}) ([md]({}/{REPORT_MD}))",
                    e.name, e.name, e.name
                ),
                e.title.clone(),
                e.summary.clone(),
            ]
        })
        .collect();
    let names: Vec<String> = list.iter().map(|e| e.name.clone()).collect();
    let claim_rows = super::board::gather(dir, &names)?;
    let lines = super::board::holm_over_board(super::board::board(&claim_rows));
    let clash = super::board::contradictions(&claim_rows);
    let fmt = |v: Option<f64>| match v {
        Some(v) if v.is_infinite() => "∞".to_string(),
        Some(v) => format!("{v:.2}"),
        None => "—".to_string(),
    };
    let board_rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            let (value, ci, evidence) = match &l.from {
                Some(r) => (
                    fmt(r.point),
                    format!("[{}, {}]", fmt(r.lower), fmt(r.upper)),
                    format!(
                        "[{}]({}/{REPORT_HTML}){}",
                        r.report,
                        r.report,
                        if l.rows > 1 {
                            format!(" (best of {} settings)", l.rows)
                        } else {
                            String::new()
                        }
                    ),
                ),
                None => ("—".into(), "—".into(), "—".into()),
            };
            vec![
                l.claim.clone(),
                format!(
                    "**{}**",
                    if l.detail.is_empty() {
                        &l.verdict
                    } else {
                        &l.detail
                    }
                ),
                value,
                ci,
                l.from
                    .as_ref()
                    .and_then(|r| r.threshold)
                    .map_or("—".into(), |t| format!("{t}")),
                l.board_p.map_or("—".into(), |p| format!("{p:.3}")),
                evidence,
            ]
        })
        .collect();
    let link = |l: &super::board::Line| {
        // A diagnostic's line names its report in words ("see the horizon report").
        let report = l.from.as_ref().map(|r| r.report.clone()).or_else(|| {
            l.detail
                .split("see the ")
                .nth(1)
                .and_then(|t| t.strip_suffix(" report"))
                .filter(|n| names.iter().any(|m| m == n))
                .map(str::to_string)
        });
        match report {
            Some(r) => format!("[{r}]({r}/{REPORT_HTML})"),
            None => "—".into(),
        }
    };
    let swim_report = names
        .iter()
        .find(|n| n.as_str() == "swim")
        .or_else(|| names.iter().find(|n| n.starts_with("swim")));
    let swim_link = swim_report.map_or("—".to_string(), |n| format!("[{n}]({n}/{REPORT_HTML})"));
    let answers = super::answer::from_board(&lines, &link, &swim_link);
    let mut blocks = vec![
        Block::Heading(1, "jestbench reports".into()),
        Block::Para(format!(
            "One verdict per claim, each from the evidence the analysis protocol designates for it (docs/methods.md §7); the measured value with its Holm-adjusted 95% interval.{}",
            predate(&lines)
        )),
        super::answer::table(&answers),
    ];
    let (jest, swim): (Vec<super::board::Line>, Vec<super::board::Line>) = lines
        .iter()
        .cloned()
        .partition(|l| !l.id.starts_with("swim-"));
    if let Some(svg) = super::board::figure(&jest)? {
        blocks.push(Block::Figure {
            file: "claims-board.svg".into(),
            svg,
            caption: "Every ratio claim's measured value (dot) and Holm-adjusted 95% interval (bar) against the paper's figure (black tick), log axis; colour is the verdict (the glossary below); an interval that runs off the axis ends in an arrow. Claims about differences and slopes (threshold 0) are in the table.".into(),
        });
    }
    let verdicts: Vec<&str> = answers.iter().map(|x| x.verdict.as_str()).collect();
    blocks.push(super::answer::glossary(&verdicts));
    blocks.extend([
        Block::Heading(2, "Claims board".into()),
        Block::Para(format!(
            "One verdict per claim, each from the evidence the analysis protocol designates for it (docs/methods.md §7; experiments/protocol.yaml, sha256 {}: 13x: the horizon sweep, read over its budgets; 10x: the cheap-scoring horizon sweep; same-data figures: the horizon sweep at the protocol's forward budget; (a)–(e): their ablations); rows of other reports are secondary evidence there. An \"up to\" claim measured in several settings is the best of them with a max-statistic band over the settings. Intervals are Holm-adjusted over each report's claim rows; the board's claims form one family as well: the p-value column is Holm-adjusted over the board's {} rows of the protocol's claims, and a verdict whose adjusted p-value exceeds 0.05 reads \"inconclusive over the board\" (the sampled networks' 100x rows lie outside the protocol and keep their report's verdicts). Made by `jestbench index {}`.",
            &crate::analysis::claims::protocol::active().sha256[..12],
            lines.iter().filter(|l| l.board_p.is_some()).count(),
            dir.display()
        )),
        Block::Table {
            header: ["claim", "verdict", "measured", "CI (Holm, its report)", "threshold", "p (Holm, board)", "evidence"]
                .map(String::from)
                .to_vec(),
            rows: board_rows,
        },
    ]);
    if let Some(svg) = super::board::figure(&swim)? {
        blocks.push(Block::Figure {
            file: "claims-board-swim.svg".into(),
            svg,
            caption: "The sampled networks' 100x claim, one row per task and method: the measured factor (Adam's time over the sampled network's, dot) and its 95% interval (bar) against 100x (black tick), log axis.".into(),
        });
    }
    if !clash.is_empty() {
        blocks.push(Block::Para(format!(
            "**Reports disagree** (rerun `jestbench report` on the same results): {}",
            clash.join("; ")
        )));
    }
    blocks.extend([
        Block::Heading(2, "Reports".into()),
        Block::Para(
            "Every report in this folder, with a one-line summary of its claims table (each claim's verdict at this scale, or in how many of its settings it holds; see each report for the intervals).".into(),
        ),
        Block::Table {
            header: vec!["report".into(), "contents".into(), "verdicts".into()],
            rows,
        },
    ]);
    for (file, svg) in Block::figures(&blocks) {
        let p = dir.join(file);
        std::fs::write(&p, svg).map_err(|source| ReportError::Io {
            path: p.clone(),
            source,
        })?;
    }
    let mut written = Vec::new();
    for (file, text) in [
        ("index.html", doc::html("jestbench reports", &blocks)),
        ("index.md", doc::markdown(&blocks)),
    ] {
        let p = dir.join(file);
        std::fs::write(&p, text).map_err(|source| ReportError::Io {
            path: p.clone(),
            source,
        })?;
        written.push(p);
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claims_table_in_one_line() {
        let csv = "id,short,spec,claim,measured,ci_lower,ci_upper,verdict,designated\n\
            same-data-0.8,3x at f = 0.8,s,c,m,1,2,does not hold at this scale,yes\n\
            same-data-0.8,3x at f = 0.8,s,c,m,3,4,holds at this scale,yes\n\
            same-data-0.9,4.5x at f = 0.9,s,c,m,3,4,holds at this scale,no\n\
            13x-iterations,13x iterations,s,c,m,1,30,bounded by the sweep,yes\n\
            13x-iterations,13x iterations,s,c,m,16,inf,holds as a bound,yes\n\
            10x-flops,10x FLOPs,s,c,m,,,not measured here,no\n\
            a,(a),s,c,m,0.1,0.2,definition-sensitive,yes\n\
            oracle-share,oracle share,s,c,m,0.5,0.6,measured (no threshold),yes\n";
        // Secondary rows (another report's claim) say so.
        assert_eq!(
            summarise(csv).unwrap(),
            "3x at f = 0.8: holds in 1 of 2 settings; 4.5x at f = 0.9: holds (secondary); 13x iterations: holds in 1 of 2 settings; (a): definition-sensitive"
        );
        assert_eq!(summarise("id,verdict\n").unwrap(), "");
    }
}
