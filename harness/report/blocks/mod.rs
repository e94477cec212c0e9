//! The report's content as blocks (`doc`), every number read from the analysis:
//! the shell (provenance, contents, the answer, the claims table with its rules,
//! warnings) and the families' sections it is given: JEST's (`jest`: the map of
//! worlds, headline figures, per experiment its cells, speed-ups, horizons,
//! diagnostics and figures); another family's are its own (SWIM's: `swim::report`).

use std::path::Path;

use super::doc::Block;
use super::{svg, Part, ReportError};
use crate::analysis::claims::show_bounds;
use crate::analysis::{Analysis, Axis, Cell, Comparison, Speedup};
use crate::stats::{CensoredInterval, Interval};

mod claims;
mod figures;
mod front;
mod jest;
mod world;

use claims::claims;
use figures::figures;
pub(super) use front::answers;
use front::{answer, provenance};
pub use jest::{jest_detail, jest_overview};

/// The report of `a` written into `dir`, as blocks: the answer (a table of one row
/// per claim, the claims figure, the glossary), provenance and contents, the claims
/// table,
/// then each family's overview, the warnings, and each family's detail
/// (`sections` adds the families' parts).
pub(super) fn blocks(
    a: &Analysis,
    dir: &Path,
    sections: &super::Sections,
) -> Result<Vec<Block>, ReportError> {
    let mut b = vec![Block::Heading(
        1,
        format!("jestbench report: {}", a.experiments.join(", ")),
    )];
    // The answer first (a table, the figure, the words it uses), then where it
    // comes from and the contents.
    if !a.claims.is_empty() {
        answer(a, &mut b)?;
    }
    b.push(Block::Para(provenance(a, dir)));
    let mut body = Vec::new();
    if !a.claims.is_empty() {
        claims(a, &mut body);
    }
    sections(a, dir, Part::Overview, &mut body)?;
    if !a.warnings.is_empty() {
        body.push(Block::Heading(2, "Warnings".into()));
        body.push(Block::List(a.warnings.clone()));
    }
    sections(a, dir, Part::Detail, &mut body)?;
    let toc: Vec<String> = body
        .iter()
        .filter_map(|x| match x {
            // Link text without code spans: the HTML writer does not nest them in links.
            Block::Heading(2, t) => Some(format!(
                "[{}](#{})",
                t.replace('`', ""),
                super::doc::anchor(t)
            )),
            _ => None,
        })
        .collect();
    b.push(Block::Para(format!("Contents: {}.", toc.join(" · "))));
    b.extend(body);
    Ok(b)
}

pub fn slug(s: &str) -> String {
    crate::names::file_part(s)
}

/// "[lo, hi]" of a censored interval ("n.r." where a bound is undefined).
pub fn bracket(ci: &CensoredInterval) -> String {
    let f = |v: f64| {
        if v.is_nan() {
            "n.r.".to_string()
        } else if v == f64::NEG_INFINITY {
            "−∞".to_string()
        } else if v.is_infinite() {
            "∞".to_string()
        } else {
            format!("{v:.2}")
        }
    };
    format!("[{}, {}]", f(ci.lower_bound), f(ci.upper_bound))
}

pub fn plain_bracket(i: &Interval, digits: usize) -> String {
    format!(
        "[{:.*}, {:.*}]",
        digits, i.lower_bound, digits, i.upper_bound
    )
}

fn speedup_text(s: &Speedup) -> String {
    match s.interval {
        Some(ci) => {
            let censored = if ci.censored_share > 0.0 {
                format!(" ({:.0}% censored)", 100.0 * ci.censored_share)
            } else {
                String::new()
            };
            format!("{} {}{censored}", show_bounds(ci.point, "x"), bracket(&ci))
        }
        None if !s.logged => "— (not logged)".into(),
        None => "— (uniform has it from the start)".into(),
    }
}
