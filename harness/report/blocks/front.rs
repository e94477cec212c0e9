//! The front of a report: where it comes from (provenance and links) and the
//! answer (a verdict paragraph and the claims figure), before any detail.

use std::collections::BTreeMap;
use std::path::Path;

use super::{bracket, Block, ReportError};
use crate::analysis::claims::show_bounds;
use crate::analysis::Analysis;

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

/// The answer first: how the report's claims came out, in one paragraph, and the
/// figure of every ratio claim against its threshold.
pub(super) fn answer(a: &Analysis, b: &mut Vec<Block>) -> Result<(), ReportError> {
    use crate::analysis::Verdict;
    b.push(Block::Heading(2, "Answer".into()));
    let judged: Vec<&crate::analysis::Claim> = a
        .claims
        .iter()
        .filter(|c| !matches!(c.verdict, Verdict::NotMeasured | Verdict::Measured))
        .collect();
    let designated: Vec<&&crate::analysis::Claim> =
        judged.iter().filter(|c| c.designated).collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &judged {
        *counts.entry(c.verdict.text()).or_default() += 1;
    }
    let summary = counts
        .iter()
        .map(|(v, n)| format!("{n} {v}"))
        .collect::<Vec<_>>()
        .join(", ");
    let main = designated
        .iter()
        .map(|c| {
            let value = c
                .adjusted
                .map(|ci| {
                    format!(
                        " ({}, adjusted CI {})",
                        show_bounds(ci.point, ""),
                        bracket(&ci)
                    )
                })
                .unwrap_or_default();
            format!("{}: **{}**{value}", c.short, c.verdict.text())
        })
        .collect::<Vec<_>>()
        .join("; ");
    b.push(Block::Para(format!(
        "{} claim rows judged here ({summary}); not measured here: {}. {}",
        judged.len(),
        a.claims.iter().filter(|c| c.verdict == Verdict::NotMeasured).count(),
        if designated.is_empty() {
            "None of them is a claim's designated evidence: the claims board (`reports/index.md`) judges each claim on the experiment docs/methods.md §6 designates, and these rows are secondary evidence.".to_string()
        } else {
            format!("As each claim's designated evidence: {main}.")
        }
    )));
    let rows: Vec<crate::report::board::Row> = a
        .claims
        .iter()
        .map(|c| crate::report::board::Row {
            report: String::new(),
            id: format!("{}|{}", c.id, c.measured),
            // One row per setting: the setting names it on the figure.
            short: label(c),
            claim: c.claim.clone(),
            point: c.adjusted.and_then(|e| e.point.value()),
            lower: c.adjusted.map(|e| e.lower_bound),
            upper: c.adjusted.map(|e| e.upper_bound),
            threshold: c.threshold,
            verdict: c.verdict.text().into(),
            detail: c.verdict_text.clone(),
            designated: true,
            p_value: c.p_value,
            setting: c.setting.clone(),
        })
        .collect();
    if let Some(svg) = crate::report::board::figure(&crate::report::board::board(&rows))? {
        b.push(Block::Figure {
            file: "claims.svg".into(),
            svg,
            caption: "Every ratio claim row: measured value (dot) and Holm-adjusted 95% interval (bar) against its threshold (tick), log axis; green holds, red fails, grey undecided or a bound. Differences and slopes (threshold 0) are in the table below.".into(),
        });
    }
    Ok(())
}

/// A claim row's label on the report's claims figure: its short name and the
/// setting it measures (SWIM rows: the method and the task their claim names).
fn label(c: &crate::analysis::Claim) -> String {
    if !c.setting.is_empty() {
        return format!("{} · {}", c.short, super::world::world_name(&c.setting));
    }
    if c.id.starts_with("swim-") {
        let method = c.claim.split_whitespace().next().unwrap_or("");
        if let (Some(open), true) = (c.claim.rfind('('), c.claim.ends_with(')')) {
            return format!(
                "{method} {} · {}",
                c.short,
                &c.claim[open + 1..c.claim.len() - 1]
            );
        }
    }
    c.short.clone()
}
