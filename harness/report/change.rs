//! `jestbench compare`'s output: a Markdown summary and JUnit XML (one test case
//! per claim row; a regression or a verdict that got worse is a failure).

use crate::analysis::change::{Change, Movement, RowChange};
use crate::stats::Scale;

fn num(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{v:.3}"))
}

fn change_text(r: &RowChange) -> String {
    match r.change {
        None => "—".into(),
        Some((d, lo, hi)) => match r.scale {
            Scale::Log => format!("×{d:.3} [{lo:.3}, {hi:.3}]"),
            Scale::Linear => format!("{d:+.3} [{lo:+.3}, {hi:+.3}]"),
        },
    }
}

fn verdicts(r: &RowChange) -> String {
    let o = r.old_verdict.as_deref().unwrap_or("—");
    let n = r.new_verdict.as_deref().unwrap_or("—");
    if o == n {
        o.to_string()
    } else {
        format!("{o} → **{n}**")
    }
}

/// One line per claim row, for a terminal.
pub fn lines(c: &Change) -> Vec<String> {
    c.rows
        .iter()
        .map(|r| {
            format!(
                "{:<44} {:>8} → {:<8} {:<30} {:<10} {}",
                r.claim,
                num(r.old_estimate),
                num(r.new_estimate),
                change_text(r),
                r.movement.text(),
                verdicts(r).replace("**", "")
            )
        })
        .collect()
}

/// The Markdown summary (a CI job page, a review).
pub fn markdown(c: &Change, old: &str, new: &str) -> String {
    let mut s = format!(
        "# jestbench compare\n\nOLD `{old}` (commits {}) against NEW `{new}` (commits {}): {}, {} improved, {} regressed, {} changed. Changes are NEW over OLD for ratios and NEW minus OLD for differences, with 95% intervals (independent seeds: bootstrap standard errors combined, Student's t).\n\n| claim | OLD | NEW | change (95% CI) | movement | verdict |\n|---|---|---|---|---|---|\n",
        c.old_commits.join(", "),
        c.new_commits.join(", "),
        count(c.rows.len(), "claim row"),
        c.rows.iter().filter(|r| r.movement == Movement::Improved).count(),
        c.regressions(),
        count(c.rows.iter().filter(|r| r.verdict_changed()).count(), "verdict"),
    );
    for r in &c.rows {
        s += &format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            r.claim.replace('|', "\\|"),
            num(r.old_estimate),
            num(r.new_estimate),
            change_text(r),
            r.movement.text(),
            verdicts(r)
        );
    }
    if !c.cells_only_old.is_empty() || !c.cells_only_new.is_empty() {
        s += "\nConfigurations that differ (sweep cells by configuration hash):\n\n";
        for x in &c.cells_only_old {
            s += &format!("- only in OLD: {x}\n");
        }
        for x in &c.cells_only_new {
            s += &format!("- only in NEW: {x}\n");
        }
    }
    s
}

/// Text escaped for XML attributes and content.
pub(crate) fn xml(s: &str) -> String {
    // Characters XML forbids (U+0001 in a setting) as visible escapes first.
    super::doc::xml_clean(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// JUnit XML: one test case per claim row; a regression fails it.
pub fn junit(c: &Change) -> String {
    let failures = c.regressions();
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"jestbench compare\" tests=\"{}\" failures=\"{failures}\">\n",
        c.rows.len()
    );
    for r in &c.rows {
        s += &format!(
            "  <testcase classname=\"claims\" name=\"{}\">",
            xml(&format!("{} {}", r.key, r.claim))
        );
        if r.movement == Movement::Regressed {
            s += &format!(
                "<failure message=\"{}\">{}</failure>",
                xml(&format!("regressed: {}", change_text(r))),
                xml(&verdicts(r).replace("**", ""))
            );
        } else {
            s += &format!(
                "<system-out>{}</system-out>",
                xml(&format!(
                    "{}; {}",
                    r.movement.text(),
                    verdicts(r).replace("**", "")
                ))
            );
        }
        s += "</testcase>\n";
    }
    s += "</testsuite>\n";
    s
}

/// "1 verdict", "2 verdicts".
pub fn count(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}
