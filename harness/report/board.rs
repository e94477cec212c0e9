//! The claims board (docs/methods.md §6 "one claim, one verdict"): each claim's verdict taken
//! from the rows of its designated evidence across every report of a folder (read
//! back from their `claims.csv`), and one figure of every ratio claim's value and
//! Holm-adjusted interval against its threshold on a log axis.
//!
//! A claim measured in several settings of its designated evidence ("up to 13x",
//! one row per filtering ratio) takes the setting whose adjusted interval reaches
//! highest; other claims take their one row, or say how the settings disagree.

use std::collections::BTreeMap;
use std::path::Path;

use plotters::prelude::*;

use super::ReportError;

/// One row of a report's claims.csv, as the board reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub report: String,
    pub id: String,
    pub short: String,
    pub claim: String,
    pub point: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub threshold: Option<f64>,
    pub verdict: String,
    pub detail: String,
    pub designated: bool,
    /// The row's two-sided p-value against its threshold, unadjusted.
    pub p_value: Option<f64>,
    /// Its sweep setting ("best of N settings: …" for an "up to" claim's best).
    pub setting: String,
}

/// One claim on the board.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub id: String,
    pub short: String,
    pub claim: String,
    pub verdict: String,
    pub detail: String,
    /// The row the verdict comes from (None: not measured by designated evidence).
    pub from: Option<Row>,
    /// Designated rows behind it (settings).
    pub rows: usize,
    /// Its p-value Holm-adjusted over the board's family (the protocol's claims
    /// with a threshold), where it belongs to it.
    pub board_p: Option<f64>,
}

fn num(s: Option<&str>) -> Option<f64> {
    s.and_then(|v| v.parse::<f64>().ok())
}

/// The rows of one claims.csv (`report`: its folder's name).
pub fn read(report: &str, text: &str) -> Result<Vec<Row>, csv::Error> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers()?.clone();
    let col = |name: &str| header.iter().position(|h| h == name);
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec?;
        let get = |name: &str| col(name).and_then(|i| rec.get(i));
        out.push(Row {
            report: report.to_string(),
            id: get("id").unwrap_or("").into(),
            short: get("short").unwrap_or("").into(),
            claim: get("claim").unwrap_or("").into(),
            point: num(get("point")),
            lower: num(get("holm_lower")).or(num(get("ci_lower"))),
            upper: num(get("holm_upper")).or(num(get("ci_upper"))),
            threshold: num(get("threshold")),
            verdict: get("verdict").unwrap_or("").into(),
            detail: get("verdict_detail").unwrap_or("").into(),
            designated: get("designated") == Some("yes"),
            p_value: num(get("p_value")),
            setting: get("setting").unwrap_or("").into(),
        });
    }
    Ok(out)
}

/// Verdicts that judge a claim (not "not measured here", not a diagnostic).
pub fn judges(verdict: &str) -> bool {
    !verdict.starts_with("not measured") && !verdict.starts_with("measured")
}

/// The board from every report's rows, claims in first-seen order.
pub fn board(rows: &[Row]) -> Vec<Line> {
    let mut order: Vec<String> = Vec::new();
    let mut by_id: BTreeMap<String, Vec<&Row>> = BTreeMap::new();
    for r in rows {
        if !by_id.contains_key(&r.id) {
            order.push(r.id.clone());
        }
        by_id.entry(r.id.clone()).or_default().push(r);
    }
    order
        .iter()
        .map(|id| {
            let all = &by_id[id];
            let first = all[0];
            // Designated rows that judge; a row repeated by a combined report (the
            // same claim, the same measurement) counts once.
            let mut chosen: Vec<&Row> = Vec::new();
            for r in all
                .iter()
                .copied()
                .filter(|r| r.designated && judges(&r.verdict))
            {
                if !chosen.iter().any(|c| {
                    c.point == r.point
                        && c.lower == r.lower
                        && c.upper == r.upper
                        && c.verdict == r.verdict
                        && c.setting == r.setting
                }) {
                    chosen.push(r);
                }
            }
            let measured: Vec<&Row> = all
                .iter()
                .copied()
                .filter(|r| r.designated && r.verdict.starts_with("measured"))
                .collect();
            let diagnostic = measured.first().copied();
            // A diagnostic measured by one pooled row (a scale trend) is shown
            // with its value and the direction its row reads; one over several
            // settings (the oracle share) only points to its report.
            let single = match measured.as_slice() {
                [r] => Some(*r),
                [r, rest @ ..]
                    if rest.iter().all(|o| {
                        o.point == r.point && o.lower == r.lower && o.upper == r.upper
                    }) =>
                {
                    Some(*r)
                }
                _ => None,
            };
            let up_to = first.claim.starts_with("Up to");
            // An "up to" claim's best of several settings, corrected for the choice,
            // stands for them when its report gives one (docs/methods.md §7).
            let best_of = chosen
                .iter()
                .copied()
                .filter(|r| up_to && r.setting.starts_with("best of"))
                .max_by(|a, b| {
                    a.lower
                        .unwrap_or(f64::NEG_INFINITY)
                        .total_cmp(&b.lower.unwrap_or(f64::NEG_INFINITY))
                });
            let best = best_of.or_else(|| {
                chosen.iter().copied().max_by(|a, b| {
                    a.lower
                        .unwrap_or(f64::NEG_INFINITY)
                        .total_cmp(&b.lower.unwrap_or(f64::NEG_INFINITY))
                })
            });
            let settings = match best_of {
                Some(b) => b
                    .setting
                    .strip_prefix("best of ")
                    .and_then(|t| t.split(' ').next())
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(1),
                None => chosen.len(),
            };
            let (verdict, detail) = match (best, up_to) {
                _ if single.is_some_and(|r| r.detail.starts_with("measured (no threshold): ")) => {
                    let r = single.expect("checked");
                    (r.detail.clone(), r.detail.clone())
                }
                _ if diagnostic.is_some() => (
                    "measured (no threshold)".to_string(),
                    format!(
                        "measured (no threshold): a diagnostic, see the {} report",
                        diagnostic.map_or("", |r| r.report.as_str())
                    ),
                ),
                (None, _) => {
                    let why = all
                        .iter()
                        .find(|r| r.verdict.starts_with("not measured"))
                        .map_or(String::new(), |r| r.detail.clone());
                    ("not measured".to_string(), why)
                }
                (Some(b), true) => (b.verdict.clone(), b.detail.clone()),
                (Some(b), false) => {
                    if chosen.iter().all(|r| r.verdict == b.verdict) {
                        (b.verdict.clone(), b.detail.clone())
                    } else {
                        let holds = chosen
                            .iter()
                            .filter(|r| r.verdict.starts_with("holds"))
                            .count();
                        (
                            "varies by setting".to_string(),
                            format!("holds in {holds} of {} designated settings", chosen.len()),
                        )
                    }
                }
            };
            Line {
                id: id.clone(),
                short: first.short.clone(),
                claim: first.claim.clone(),
                verdict,
                detail,
                from: if diagnostic.is_some() {
                    single.cloned()
                } else {
                    best.cloned()
                },
                rows: settings,
                board_p: None,
            }
        })
        .collect()
}

/// The verdicts that decide a claim (either way).
fn decided(verdict: &str) -> bool {
    verdict.starts_with("holds")
        || verdict.starts_with("does not hold")
        || verdict.starts_with("fails as a bound")
}

/// Holm's step-down over the board (the protocol's `multiplicity`): the family
/// is every line of a claim the protocol lists whose row has a threshold and a
/// p-value; a decided verdict whose adjusted p-value exceeds 0.05 becomes
/// "inconclusive over the board", with what its report alone reads.
pub fn holm_over_board(mut lines: Vec<Line>) -> Vec<Line> {
    let protocol = crate::analysis::claims::protocol::active();
    // A protocol whose family is each report's rows leaves the board's verdicts
    // as the reports give them.
    if protocol.multiplicity.family == crate::analysis::protocol::Scope::Report {
        return lines;
    }
    let family: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            let l = &lines[i];
            protocol.claims.contains_key(&l.id)
                && l.from
                    .as_ref()
                    .is_some_and(|r| r.threshold.is_some() && r.p_value.is_some())
        })
        .collect();
    let p: Vec<f64> = family
        .iter()
        .map(|&i| {
            lines[i]
                .from
                .as_ref()
                .and_then(|r| r.p_value)
                .expect("in the family")
        })
        .collect();
    let adjusted = crate::stats::holm(&p);
    let m = family.len();
    for (&i, &q) in family.iter().zip(&adjusted) {
        let l = &mut lines[i];
        l.board_p = Some(q);
        if decided(&l.verdict) && q > 0.05 {
            let report = l.from.as_ref().map_or(String::new(), |r| r.report.clone());
            let alone = if l.detail.is_empty() {
                l.verdict.clone()
            } else {
                l.detail.clone()
            };
            l.verdict = "inconclusive over the board".into();
            l.detail = format!(
                "inconclusive over the board: Holm's step-down over the board's {m} rows gives p = {q:.3} > 0.05 (the {report} report alone reads: {alone})"
            );
        }
    }
    lines
}

/// Every report's claims.csv under `dir` (report folders in name order).
pub fn gather(dir: &Path, names: &[String]) -> Result<Vec<Row>, ReportError> {
    let mut out = Vec::new();
    for name in names {
        let p = dir.join(name).join(super::CLAIMS_CSV);
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        out.extend(read(name, &text).map_err(|e| ReportError::Io {
            path: p.clone(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        })?);
    }
    Ok(out)
}

/// Claims to which two reports give different verdicts from their designated
/// rows (what "one claim, one verdict" forbids), as "id: report says …; …".
pub fn contradictions(rows: &[Row]) -> Vec<String> {
    let mut reports: Vec<&str> = rows.iter().map(|r| r.report.as_str()).collect();
    reports.dedup();
    let mut by_id: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for rep in reports {
        let own: Vec<Row> = rows.iter().filter(|r| r.report == rep).cloned().collect();
        for l in board(&own).into_iter().filter(|l| l.from.is_some()) {
            by_id
                .entry(l.id)
                .or_default()
                .push((rep.to_string(), l.verdict));
        }
    }
    by_id
        .into_iter()
        .filter(|(_, v)| v.iter().any(|(_, x)| *x != v[0].1))
        .map(|(id, v)| {
            format!(
                "{id}: {}",
                v.iter()
                    .map(|(r, x)| format!("{r} says {x}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        })
        .collect()
}

/// Each line's label on the figure, unique: its short name, then its report and
/// setting where two would read alike.
fn labels(lines: &[&Line]) -> Vec<String> {
    let extra = |f: fn(&Row) -> String| -> Vec<String> {
        lines
            .iter()
            .map(|l| {
                l.from
                    .as_ref()
                    .map_or(String::new(), |r| format!(" · {}", f(r)))
            })
            .map(|s| if s == " · " { String::new() } else { s })
            .collect()
    };
    distinct(
        lines.iter().map(|l| l.short.clone()).collect(),
        &[extra(|r| r.report.clone()), extra(|r| r.setting.clone())],
    )
}

/// Labels made distinct: each column of `suffixes` in turn is appended to the
/// labels that still read alike (an empty suffix leaves its label), and any left
/// alike after them are numbered (" #2", " #3").
pub fn distinct(mut labels: Vec<String>, suffixes: &[Vec<String>]) -> Vec<String> {
    for column in suffixes {
        let snapshot = labels.clone();
        for (i, l) in labels.iter_mut().enumerate() {
            if !column[i].is_empty() && snapshot.iter().filter(|x| **x == snapshot[i]).count() > 1 {
                l.push_str(&column[i]);
            }
        }
    }
    for i in 0..labels.len() {
        let mut k = 1;
        for j in i + 1..labels.len() {
            if labels[j] == labels[i] {
                k += 1;
                labels[j] = format!("{} #{k}", labels[j]);
            }
        }
    }
    labels
}

/// Pixels per row of the figure, and the font sizes (plotters writes 1/1.24 of
/// the size asked for: 14 is 11.3 px on the page, whatever the board's height).
const ROW_PX: u32 = 30;
const FONT: f64 = super::svg::TEXT;

/// Every ratio claim's value and interval against its threshold, log x axis,
/// clamped to the informative range: an interval end far beyond the values and
/// thresholds (or at 0, or infinite) is drawn as an arrow at the axis's edge. The
/// verdict colours are the board's own (never a method's); the legend sits under
/// the title; the axis's labels are at the top as well as the bottom, so they are
/// in view wherever the board starts on a page.
pub fn figure(lines: &[Line]) -> Result<Option<String>, ReportError> {
    let pts: Vec<(&Line, f64, f64, f64, f64)> = lines
        .iter()
        .filter_map(|l| {
            let r = l.from.as_ref()?;
            let t = r.threshold.filter(|t| *t > 0.0)?;
            let lo = r.lower.unwrap_or(0.0);
            let hi = r.upper.unwrap_or(f64::INFINITY);
            Some((l, r.point.unwrap_or(f64::NAN), lo, hi, t))
        })
        .collect();
    if pts.is_empty() {
        return Ok(None);
    }
    // The informative range: points and thresholds, and interval ends within a
    // factor of 4 of them.
    let core: Vec<f64> = pts
        .iter()
        .flat_map(|p| [p.1, p.4])
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    let (cmin, cmax) = core
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let (mut xmin, mut xmax) = (cmin.min(1.0), cmax);
    for p in &pts {
        for v in [p.2, p.3] {
            if v.is_finite() && v > 0.0 && v >= cmin / 4.0 && v <= cmax * 4.0 {
                xmin = xmin.min(v);
                xmax = xmax.max(v);
            }
        }
    }
    let (x0, x1) = ((xmin / 1.3).log10(), (xmax * 1.3).log10());
    let n = pts.len();
    let rows: Vec<&Line> = pts.iter().map(|p| p.0).collect();
    let labels = labels(&rows);
    let mut out = String::new();
    let (plot, legend);
    {
        let top = 64;
        let height = top + 86 + ROW_PX * n as u32;
        // The label column fits the longest row label (about 7 px a character).
        let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        let label_w = (longest as u32 * 7 + 24).clamp(150, 440);
        let width = 560 + label_w;
        let root = SVGBackend::with_string(&mut out, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(super::svg::err)?;
        // Title and legend on the first lines.
        let title = ("sans-serif", FONT + 3.0).into_font().color(&BLACK);
        root.draw(&Text::new(
            "Claims: measured (Holm-adjusted 95% CI) against the paper's figure",
            (12, 8),
            title,
        ))
        .map_err(super::svg::err)?;
        let font = ("sans-serif", FONT).into_font().color(&BLACK);
        let mut x = 12;
        for (name, col) in [
            ("holds", HOLDS),
            ("does not hold", FAILS),
            ("open or a bound", OPEN),
        ] {
            root.draw(&Circle::new((x + 5, 40), 5, col.filled()))
                .map_err(super::svg::err)?;
            root.draw(&Text::new(name, (x + 14, 33), font.clone()))
                .map_err(super::svg::err)?;
            x += 24 + 8 * name.chars().count() as i32;
        }
        root.draw(&PathElement::new(
            vec![(x + 4, 32), (x + 4, 48)],
            BLACK.stroke_width(2),
        ))
        .map_err(super::svg::err)?;
        root.draw(&Text::new("the paper's figure", (x + 12, 33), font.clone()))
            .map_err(super::svg::err)?;
        legend = ((0, 28), (width as i32, 52));
        let (_, area) = root.split_vertically(top - 12);
        let mut c = ChartBuilder::on(&area)
            .margin(12)
            .margin_top(30)
            .x_label_area_size(44)
            .y_label_area_size(label_w)
            .build_cartesian_2d(x0..x1, -0.5..(n as f64 - 0.5))
            .map_err(super::svg::err)?;
        c.configure_mesh()
            .x_desc("factor (log scale)")
            .axis_desc_style(("sans-serif", FONT))
            .label_style(("sans-serif", FONT))
            .x_labels(0)
            .disable_x_mesh()
            .y_labels(n)
            .y_label_formatter(&|v| {
                let i = v.round() as usize;
                if (v - v.round()).abs() < 1e-6 && i < labels.len() {
                    labels[n - 1 - i].clone()
                } else {
                    String::new()
                }
            })
            .disable_y_mesh()
            .draw()
            .map_err(super::svg::err)?;
        // Ticks in the whole picture's pixels (the chart's coordinates are).
        super::svg::log_x_axis(&mut c, &root)?;
        super::svg::log_x_axis_top(&mut c, &root)?;
        let (xs, ys) = c.plotting_area().get_pixel_range();
        plot = ((xs.start, ys.start), (xs.end, ys.end));
        for (i, (l, point, lo, hi, t)) in pts.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            let col = colour(&l.verdict);
            let edge = 0.01 * (x1 - x0);
            let (a, left_open) = if *lo > 0.0 && lo.log10() >= x0 {
                (lo.log10(), false)
            } else {
                (x0 + edge, true)
            };
            let (b, right_open) = if hi.is_finite() && hi.log10() <= x1 {
                (hi.log10(), false)
            } else {
                (x1 - edge, true)
            };
            c.draw_series(std::iter::once(PathElement::new(
                vec![(a, y), (b, y)],
                col.stroke_width(3),
            )))
            .map_err(super::svg::err)?;
            for (open, at, s) in [(left_open, a, -1), (right_open, b, 1)] {
                if open {
                    c.draw_series(std::iter::once(
                        EmptyElement::at((at, y))
                            + Polygon::new(vec![(0, -6), (0, 6), (9 * s, 0)], col.filled()),
                    ))
                    .map_err(super::svg::err)?;
                }
            }
            if point.is_finite() && *point > 0.0 && (x0..=x1).contains(&point.log10()) {
                c.draw_series(std::iter::once(Circle::new(
                    (point.log10(), y),
                    5,
                    col.filled(),
                )))
                .map_err(super::svg::err)?;
            }
            let tx = t.log10();
            c.draw_series(std::iter::once(PathElement::new(
                vec![(tx, y - 0.38), (tx, y + 0.38)],
                BLACK.stroke_width(2),
            )))
            .map_err(super::svg::err)?;
        }
    }
    super::svg::plot_metadata(
        &mut out,
        plot,
        legend,
        &[("holds", HOLDS), ("does not hold", FAILS), ("open", OPEN)],
        &labels,
    );
    Ok(Some(out))
}

/// Which side a verdict's words come down on: holds, does not hold (or fails as
/// a bound), or neither (open, a bound, a diagnostic).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Holds,
    Fails,
    Open,
}

impl Side {
    pub fn of(verdict: &str) -> Side {
        if verdict.starts_with("holds") {
            Side::Holds
        } else if verdict.starts_with("does not") || verdict.starts_with("fails") {
            Side::Fails
        } else {
            Side::Open
        }
    }
}

/// A verdict's colour on the board.
fn colour(verdict: &str) -> RGBColor {
    match Side::of(verdict) {
        Side::Holds => HOLDS,
        Side::Fails => FAILS,
        Side::Open => OPEN,
    }
}

/// The verdicts' colours (Okabe–Ito's bluish green and vermillion, and a grey):
/// the board's alone, never a method's in a plot (`svg::legend`).
pub const HOLDS: RGBColor = RGBColor(0x00, 0x9E, 0x73);
pub const FAILS: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
pub const OPEN: RGBColor = RGBColor(0x77, 0x77, 0x77);

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "id,short,claim,point,ci_lower,ci_upper,holm_lower,holm_upper,threshold,verdict,verdict_detail,designated\n\
        13x,13x,Up to 13x,20,16,inf,15,inf,13,holds as a bound,holds as a bound (at least 15x),yes\n\
        13x,13x,Up to 13x,9,7,11,6,12,13,does not hold at this scale,does not hold,yes\n\
        a,(a),(a) grows,2,1,3,0.5,3.5,0,holds at this scale,holds,yes\n\
        a,(a),(a) grows,-1,-2,0,-2.5,0.5,0,inconclusive,inconclusive,no\n\
        10x,10x,Up to 10x,,,,,,10,not measured here,— (needs a cheap-scoring sweep),no\n";

    #[test]
    fn the_board_takes_designated_rows_and_the_best_setting_of_an_up_to_claim() {
        let rows = read("horizon", CSV).unwrap();
        let b = board(&rows);
        assert_eq!(b.len(), 3);
        assert_eq!(b[0].verdict, "holds as a bound");
        assert_eq!(b[0].rows, 2);
        assert_eq!(b[1].verdict, "holds at this scale");
        assert_eq!(b[1].rows, 1);
        assert_eq!(b[2].verdict, "not measured");
        assert!(b[2].detail.contains("cheap-scoring"));
        assert!(figure(&b).unwrap().unwrap().contains("<svg"));
    }

    /// An "up to" claim's best-of-settings row stands for its settings, even where
    /// its numbers equal one setting's; Holm over the board's protocol rows turns a
    /// report's "holds" whose adjusted p-value exceeds 0.05 into "inconclusive over
    /// the board", and leaves rows outside the protocol alone.
    #[test]
    fn the_best_of_row_stands_for_its_settings_and_holm_runs_over_the_board() {
        let csv = "id,claim,point,holm_lower,holm_upper,threshold,verdict,verdict_detail,designated,setting,p_value\n\
            13x-iterations,Up to 13x,,32,inf,13,holds as a bound,holds as a bound,yes,f=0.8,0.001\n\
            13x-iterations,Up to 13x,,32,inf,13,holds as a bound,holds as a bound,yes,best of 3 settings: f=0.8,0.002\n\
            same-data-0.5,f = 0.5,2.8,2.4,3.1,1.5,holds at this scale,holds,yes,,0.001\n\
            c-learnability,(c),0.8,0.2,1.5,0,holds at this scale,holds,yes,,0.013\n\
            d-reference-quality,(d),,1.2,5.4,0,holds as a bound,holds as a bound,yes,,0.02\n\
            swim-100x,SWIM,50,20,80,100,does not hold at this scale,does not hold,yes,,0.2\n";
        let b = board(&read("r", csv).unwrap());
        assert_eq!(b[0].rows, 3);
        assert!(b[0].from.as_ref().unwrap().setting.starts_with("best of"));
        let b = holm_over_board(b);
        // Four protocol rows: p = 0.001, 0.002, 0.013, 0.02 → Holm 0.004, 0.006,
        // 0.026, 0.026: all stay decided.
        assert!(
            b.iter()
                .take(4)
                .all(|l| !l.verdict.contains("over the board")),
            "{b:?}"
        );
        assert!((b[2].board_p.unwrap() - 0.026).abs() < 1e-12);
        assert_eq!(b[4].board_p, None);
        assert_eq!(b[4].verdict, "does not hold at this scale");
        // With (c) at 0.03 and (d) at 0.028, Holm gives both 0.056: inconclusive
        // over the board.
        let worse = csv
            .replace(",0.013\n", ",0.03\n")
            .replace(",0.02\n", ",0.028\n");
        let b = holm_over_board(board(&read("r", &worse).unwrap()));
        assert_eq!(b[2].verdict, "inconclusive over the board");
        assert_eq!(b[3].verdict, "inconclusive over the board");
        assert!(
            b[2].detail.contains("the r report alone reads: holds"),
            "{}",
            b[2].detail
        );
    }

    #[test]
    fn two_reports_disagreeing_on_a_designated_claim_are_found() {
        let mut rows = read("horizon", CSV).unwrap();
        assert!(contradictions(&rows).is_empty());
        let mut other = read("ablations", CSV).unwrap();
        other[2].verdict = "does not hold at this scale".into();
        rows.extend(read("flexi", CSV).unwrap());
        rows.extend(other);
        let c = contradictions(&rows);
        assert_eq!(c.len(), 1, "{c:?}");
        assert!(c[0].starts_with("a: "));
    }
}
