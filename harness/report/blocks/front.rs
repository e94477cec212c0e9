//! The front of a report: where it comes from (provenance and links) and the
//! answer (a verdict paragraph and the claims figure), before any detail.

use std::path::Path;

use super::{Block, ReportError};
use crate::analysis::{Analysis, Verdict};

/// Where the report comes from and what sits beside it: the command that makes it,
/// the binary's and the rows' commits, this machine, and links to its files.
pub(super) fn provenance(a: &Analysis, dir: &Path) -> String {
    let up = |p: &Path| -> String {
        if p.is_absolute() || dir.is_absolute() {
            return p.display().to_string();
        }
        let depth = dir
            .components()
            .filter(|c| matches!(c, std::path::Component::Normal(_)))
            .count();
        format!("{}{}", "../".repeat(depth), p.display())
    };
    let sources: Vec<String> = a
        .sources
        .iter()
        .map(|p| format!("[{}]({})", p.display(), up(p)))
        .collect();
    let command = format!(
        "jestbench report {}{} --out {}",
        a.sources
            .iter()
            .map(|p| {
                // A results folder as given; a layout 1 results.csv as its folder.
                match p.file_name() {
                    Some(n) if n == crate::log::RESULTS_FILE => p.parent().unwrap_or(p),
                    _ => p.as_path(),
                }
                .display()
                .to_string()
            })
            .collect::<Vec<_>>()
            .join(" "),
        if a.experiments.len() > 1 {
            " --combine"
        } else {
            ""
        },
        dir.display()
    );
    format!(
        "Made by `{command}` with jestbench {} (commit {}) on {}; results rows from commits {}. {} rows, {} sweep cells; speed-up intervals are bootstrap-t 95% CIs ({}) from {} seeded bootstrap resamples over seeds (nested: worlds, then learners within them, where the runs drew worlds; docs/methods.md §7), other intervals percentile ones (how verdicts are made and calibrated: docs/statistics.md). Files: {}; [summary.csv](summary.csv), [claims.csv](claims.csv), [analysis.json](analysis.json); [all reports](../index.html).",
        crate::log::HARNESS_VERSION,
        crate::log::GIT_COMMIT,
        crate::system::machine(),
        a.commits.join(", "),
        a.rows,
        a.cells,
        a.estimator.name(),
        a.resamples,
        sources.join(", ")
    ) + &match &a.registration {
        Some(r) => format!(" The verdicts follow the analysis protocol (docs/methods.md §7): {}.", r.words),
        None => String::new(),
    }
}

/// The claim rows as the board reads them: for the figure (`unique_ids`), one
/// line a row with a label naming its setting; for the answer, one line a claim
/// (`id`: the claim's) named by the claim's short name.
fn board_rows(a: &Analysis, unique_ids: bool) -> Vec<crate::report::board::Row> {
    let shorts = if unique_ids {
        labels(&a.claims)
    } else {
        a.claims.iter().map(|c| c.short.clone()).collect()
    };
    a.claims
        .iter()
        .zip(shorts)
        .map(|(c, short)| crate::report::board::Row {
            report: String::new(),
            id: if unique_ids {
                format!("{}|{}", c.id, c.measured)
            } else {
                c.id.clone()
            },
            short,
            claim: c.claim.clone(),
            point: c.adjusted.and_then(|e| e.point.value()),
            lower: c.adjusted.map(|e| e.lower_bound),
            upper: c.adjusted.map(|e| e.upper_bound),
            threshold: c.threshold,
            verdict: c.verdict.text().into(),
            detail: c.verdict_text.clone(),
            // The figure draws every row (unique ids); the answer, the claim's
            // designated rows first.
            designated: unique_ids || c.designated,
            p_value: c.p_value,
            setting: c.setting.clone(),
        })
        .collect()
}

/// The answer's rows: one per claim judged here, each linking to its claim's
/// section of the claims table.
pub(in crate::report) fn answers(a: &Analysis) -> Vec<crate::report::answer::Answer> {
    let rows = board_rows(a, false);
    crate::report::answer::from_rows(&rows, &|id| {
        if id == super::claims::SHARE {
            return format!(
                "[rows](#{})",
                super::super::doc::anchor(super::claims::SHARE_HEADING)
            );
        }
        let heading = a
            .claims
            .iter()
            .find(|c| c.id == id)
            .map_or(String::new(), super::claims::heading);
        format!("[rows](#{})", super::super::doc::anchor(&heading))
    })
}

/// The answer first: one row per claim (the paper's figure, the measured value,
/// the verdict, a link to the claim's rows), the figure of every ratio claim row
/// against its threshold right below, and the verdict words the table uses.
pub(super) fn answer(a: &Analysis, b: &mut Vec<Block>) -> Result<(), ReportError> {
    use crate::report::answer;
    let answers = answers(a);
    // Claims every row of which is "not measured here".
    let mut not_measured: Vec<String> = Vec::new();
    for c in &a.claims {
        let none = a
            .claims
            .iter()
            .filter(|d| d.id == c.id)
            .all(|d| d.verdict == Verdict::NotMeasured);
        if none && !not_measured.contains(&c.short) {
            not_measured.push(c.short.clone());
        }
    }
    b.push(answer::table(&answers));
    let fig_rows = board_rows(a, true);
    let lines = crate::report::board::board(&fig_rows);
    if let Some(svg) = crate::report::board::figure(&lines)? {
        b.push(Block::Figure {
            file: "claims.svg".into(),
            svg,
            caption: "Every ratio claim row: measured value (dot) and Holm-adjusted 95% interval (bar) against the paper's figure (black tick), log axis; colour is the row's verdict (the glossary below). An interval that runs off the axis ends in an arrow. Differences and slopes (threshold 0) are in the claims table.".into(),
        });
    }
    let verdicts: Vec<&str> = answers.iter().map(|x| x.verdict.as_str()).collect();
    b.push(answer::glossary(&verdicts));
    if !not_measured.is_empty() {
        b.push(Block::Para(format!(
            "Not measured by these results: {} (the claims board, `reports/index.md`, gives every claim's verdict from its designated evidence).",
            not_measured.join("; ")
        )));
    }
    Ok(())
}

/// Each claim row's label on the report's claims figure, unique: its short name
/// and setting, and its experiment where two rows would read alike.
fn labels(claims: &[crate::analysis::Claim]) -> Vec<String> {
    crate::report::board::distinct(
        claims.iter().map(super::claims::label).collect(),
        &[claims
            .iter()
            .map(|c| format!(" ({})", c.experiments.join(", ")))
            .collect()],
    )
}
