//! SVG plots (plotters) of what an analysis holds: learning curves with 95% bands,
//! iso-accuracy speed-up curves and horizon speed-ups with the paper's same-data
//! figures drawn on them, speed-up against a swept key, the learnability and the
//! kinds of the pairs each selector trained on, and how well it filtered.
//!
//! Every plot: speed-ups on a log axis with round ticks and no cap; colour for the
//! method, a point mark for the setting (`legend::Palette`: never one pair twice);
//! the legend in a column of its own; censored speed-ups as arrows at their bound
//! (up: at least, reached within the first evaluation interval; down: below, never
//! reached), and an interval's infinite end as an arrowhead at the plot's edge;
//! nothing drawn outside the plotting area. The geometry goes into the SVG's
//! `<metadata>` so a test can check all of that on every committed plot.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::ReportError;
use crate::analysis::{Axis, Cell, Comparison, HorizonComparison, Target};
use crate::stats::{Bounds, CensoredInterval};

mod curves;
mod diagnostics;
pub mod heatmap;
pub mod legend;
mod scale;
mod speedups;
mod ticks;

pub use curves::learning_curves;
pub use diagnostics::{clean_shares, filtering, learnability, tail_shares};
pub use scale::scale_extrapolation;
pub use speedups::{horizon_finals, horizon_speedups, iso_curves, panels, speedup_vs, PANEL};

use legend::{Legend, Palette, Style, LEGEND_W, LINE};

const W: u32 = 720;
const H: u32 = 440;

/// The colour of the legend's keys to censored arrows (the arrows themselves take
/// their series' colour).
const CENSORED_KEY: RGBColor = RGBColor(90, 90, 90);

/// The font size every plot's text is asked for: plotters writes 1/1.24 of it,
/// so 14 is 11.3 px in the SVG, and pages show SVGs at their own size (they are
/// never wider than a page's column), so no text on a page is under 11 px.
pub const TEXT: f64 = 14.0;

/// A speed-up series: method, setting, and (x, interval) points.
type SpeedupSeries = (String, String, Vec<(f64, CensoredInterval)>);

/// A chart being drawn (what `chart`'s closure draws on).
pub type Chart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

pub fn err<E: std::fmt::Debug>(e: E) -> ReportError {
    ReportError::Plot(format!("{e:?}"))
}

/// The range of finite values, padded; (0, 1) when there are none; a constant
/// series gets a range around its value.
pub fn bounds(values: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if hi <= lo {
        let half = if lo == 0.0 { 0.5 } else { 0.1 * lo.abs() };
        return (lo - half, hi + half);
    }
    let p = (hi - lo) * pad;
    (lo - p, hi + p)
}

/// 1234567 → "1.23e6"; small numbers as they are.
fn short_number(v: f64) -> String {
    if v.abs() >= 1e5 {
        format!("{v:.2e}")
    } else {
        format!("{v:.3}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}

/// A series' legend label: the method, then its setting with each key by its last
/// name (`dataset.synthetic.zipf=1.5;train.steps=500` → `zipf=1.5, steps=500`).
fn series_label(method: &str, setting: &str) -> String {
    if setting.is_empty() {
        return method.to_string();
    }
    let short: Vec<String> = setting
        .split(';')
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => format!("{}={v}", k.rsplit('.').next().unwrap_or(k)),
            None => kv.to_string(),
        })
        .collect();
    format!("{method} | {}", short.join(", "))
}

/// log10 of a positive value (−∞ otherwise): the coordinate on a log axis.
fn log_or_neg_inf(v: f64) -> f64 {
    if v > 0.0 {
        v.log10()
    } else {
        f64::NEG_INFINITY
    }
}

/// What every chart shares: a title, axes and their ranges.
pub struct Frame<'a> {
    pub title: &'a str,
    pub x_desc: &'a str,
    pub y_desc: &'a str,
    pub x: (f64, f64),
    pub y: (f64, f64),
    /// x holds log10 of the values shown.
    pub log_x: bool,
    /// y holds log10 of the values shown.
    pub log_y: bool,
}

/// What a chart's series closure gets: the chart, the legend to add to and the
/// palette to take styles from.
pub struct Canvas<'c, 'a, 'b> {
    pub c: &'c mut Chart<'a, 'b>,
    pub legend: Legend,
    pub palette: Palette,
    /// Censored estimates drawn as arrows (up: at least; down: below): the legend
    /// says what they are.
    pub censored: (bool, bool),
}

/// Draws one chart: the frame, then the series `draw` adds, then the legend in its
/// column; drawn again taller when the legend needs more room than the default.
pub fn chart(
    f: Frame,
    draw: impl Fn(&mut Canvas) -> Result<(), ReportError>,
) -> Result<String, ReportError> {
    let mut height = H;
    loop {
        let (svg, lines) = chart_at(&f, height, &draw)?;
        let need = 50 + lines as u32 * (LINE as u32 + 1);
        if need <= height {
            return Ok(svg);
        }
        height = need;
    }
}

fn chart_at(
    f: &Frame,
    height: u32,
    draw: &impl Fn(&mut Canvas) -> Result<(), ReportError>,
) -> Result<(String, usize), ReportError> {
    let mut out = String::new();
    let (plot, legend_rect, series, lines);
    {
        let root = SVGBackend::with_string(&mut out, (W + LEGEND_W, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (left, right) = root.split_horizontally(W);
        let mut c = ChartBuilder::on(&left)
            .caption(f.title, ("sans-serif", TEXT + 3.0))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(f.x.0..f.x.1, f.y.0..f.y.1)
            .map_err(err)?;
        let mut mesh = c.configure_mesh();
        // Major grid lines only: the minor ones made up most of every SVG's bytes.
        mesh.light_line_style(TRANSPARENT)
            .label_style(("sans-serif", TEXT))
            .axis_desc_style(("sans-serif", TEXT))
            .x_desc(f.x_desc)
            .y_desc(f.y_desc)
            .x_label_formatter(&|v: &f64| short_number(*v));
        if f.log_x {
            mesh.disable_x_mesh().x_labels(0);
        }
        if f.log_y {
            mesh.disable_y_mesh().y_labels(0);
        }
        mesh.draw().map_err(err)?;
        if f.log_x {
            ticks::draw_log_axis(&mut c, &left, false)?;
        }
        if f.log_y {
            ticks::draw_log_axis(&mut c, &left, true)?;
        }
        let mut canvas = Canvas {
            c: &mut c,
            legend: Legend::default(),
            palette: Palette::default(),
            censored: (false, false),
        };
        draw(&mut canvas)?;
        let mut legend = canvas.legend;
        let key = |mark| Style {
            colour: CENSORED_KEY,
            mark,
            dashed: true,
        };
        if canvas.censored.0 {
            legend.add(
                "arrow up: at least (censored: reached within the first evaluation interval)",
                key(legend::Mark::Up),
            );
        }
        if canvas.censored.1 {
            legend.add(
                "arrow down: below (censored: never reached)",
                key(legend::Mark::Down),
            );
        }
        let (xs, ys) = c.plotting_area().get_pixel_range();
        plot = ((xs.start, ys.start), (xs.end, ys.end));
        legend.draw(&right)?;
        legend_rect = ((W as i32, 0), ((W + LEGEND_W) as i32, height as i32));
        lines = legend.lines();
        series = legend.entries;
        root.present().map_err(err)?;
    }
    legend::metadata(&mut out, plot, legend_rect, &series, &[]);
    Ok((out, lines))
}

/// The y range of the chart, and `v` clamped into it (NaN and −∞ to the bottom,
/// +∞ to the top).
pub fn clamp_y(c: &Chart, v: f64) -> f64 {
    let (bottom, top) = (c.y_range().start, c.y_range().end);
    if v.is_nan() || v == f64::NEG_INFINITY {
        bottom
    } else if v.is_finite() {
        v.clamp(bottom, top)
    } else {
        top
    }
}

/// A labelled line with its style's marks at its points; points outside the y
/// range are clamped to its edge (callers size ranges to hold every finite value).
fn line(
    cv: &mut Canvas,
    pts: Vec<(f64, f64)>,
    style: Style,
    label: &str,
) -> Result<(), ReportError> {
    let pts: Vec<(f64, f64)> = pts
        .into_iter()
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .map(|(x, y)| (x, clamp_y(cv.c, y)))
        .collect();
    cv.c.draw_series(LineSeries::new(pts.clone(), style.colour.stroke_width(2)))
        .map_err(err)?;
    legend::marks(cv.c, &pts, style)?;
    cv.legend.add(label, style);
    Ok(())
}

/// A dashed reference line across the chart, labelled.
fn reference(cv: &mut Canvas, y: f64, label: &str, col: RGBColor) -> Result<(), ReportError> {
    let c = &mut cv.c;
    let (x0, x1) = (c.x_range().start, c.x_range().end);
    let (bottom, top) = (c.y_range().start, c.y_range().end);
    if !(bottom..=top).contains(&y) {
        return Ok(());
    }
    let n = 40;
    let segs = (0..n).step_by(2).map(move |k| {
        let a = x0 + (x1 - x0) * k as f64 / n as f64;
        let b = x0 + (x1 - x0) * (k + 1) as f64 / n as f64;
        PathElement::new(vec![(a, y), (b, y)], col.mix(0.7).stroke_width(1))
    });
    c.draw_series(segs).map_err(err)?;
    cv.legend.add(label, Style::reference(col));
    Ok(())
}

/// An arrow at `at` (data coordinates) pointing up or down, 14 px long, starting
/// at the bound: up for "at least", down for "below".
fn arrow(c: &mut Chart, at: (f64, f64), up: bool, col: RGBColor) -> Result<(), ReportError> {
    let s = if up { -1 } else { 1 };
    c.draw_series(std::iter::once(
        EmptyElement::at(at)
            + PathElement::new(vec![(0, 0), (0, 12 * s)], col.stroke_width(2))
            + Polygon::new(vec![(-4, 8 * s), (4, 8 * s), (0, 14 * s)], col.filled()),
    ))
    .map_err(err)?;
    Ok(())
}

/// Censored estimates with their intervals: exact values as the series' marks
/// (a circle where the series has none), censored ones as arrows at their bound,
/// interval bars with a short open-headed stub where an end is infinite.
/// `ty` maps a value to the chart's y (log10 on a log axis).
fn censored_points(
    cv: &mut Canvas,
    pts: &[(f64, CensoredInterval)],
    style: Style,
    ty: fn(f64) -> f64,
) -> Result<(), ReportError> {
    let col = style.colour;
    let c = &mut *cv.c;
    let (bottom, top) = (c.y_range().start, c.y_range().end);
    for &(x, ci) in pts {
        let (lo, hi) = (ty(ci.lower_bound), ty(ci.upper_bound));
        let open_up = hi == f64::INFINITY || hi > top;
        let open_down = lo.is_nan() || lo == f64::NEG_INFINITY || lo < bottom;
        let bar = col.mix(0.6);
        match (open_down, open_up) {
            (true, true) => {}
            (false, false) => {
                c.draw_series(std::iter::once(PathElement::new(
                    vec![(x, lo), (x, hi)],
                    bar.stroke_width(1),
                )))
                .map_err(err)?;
            }
            // An open end: a short stub from the finite end with an open
            // arrowhead, never a bar to the plot's edge.
            (open_down, _) => {
                let (from, s) = if open_down { (hi, 1) } else { (lo, -1) };
                c.draw_series(std::iter::once(
                    EmptyElement::at((x, from))
                        + PathElement::new(vec![(0, 0), (0, 18 * s)], bar.stroke_width(1))
                        + PathElement::new(
                            vec![(-3, 14 * s), (0, 18 * s), (3, 14 * s)],
                            bar.stroke_width(1),
                        ),
                ))
                .map_err(err)?;
            }
        }
        let b: Bounds = ci.point;
        if !b.is_censored() {
            let at = (x, clamp_y(c, ty(b.mid)));
            let mark = if style.mark == legend::Mark::None {
                legend::Mark::Circle
            } else {
                style.mark
            };
            mark.draw(c, &[at], col)?;
        } else if b.hi.is_infinite() {
            arrow(c, (x, clamp_y(c, ty(b.lo))), true, col)?;
            cv.censored.0 = true;
        } else {
            arrow(c, (x, clamp_y(c, ty(b.hi))), false, col)?;
            cv.censored.1 = true;
        }
    }
    Ok(())
}

/// The log-axis range of speed-ups: every finite positive value, 1x and the
/// reference figures, padded so arrows and marks at the ends stay inside.
fn speedup_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let logs: Vec<f64> = values
        .filter(|v| v.is_finite() && *v > 0.0)
        .chain([1.0])
        .map(f64::log10)
        .collect();
    let (lo, hi) = bounds(logs.into_iter(), 0.08);
    let span = (hi - lo).max(0.3);
    (lo - 0.06 * span, hi + 0.08 * span)
}

/// The colour of the i-th paper reference line (distinct within a plot): greys,
/// dashed, never a method's colour.
fn paper_colour(i: usize) -> RGBColor {
    const P: [RGBColor; 3] = [
        RGBColor(40, 40, 40),
        RGBColor(115, 115, 115),
        RGBColor(165, 165, 165),
    ];
    P[i % P.len()]
}

/// For charts drawn elsewhere (the claims board): round ticks on a log x axis.
pub(crate) fn log_x_axis(
    c: &mut Chart,
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
) -> Result<(), ReportError> {
    ticks::draw_log_axis(c, area, false)
}

/// The same ticks' labels above the plot (tall boards: the axis in view at the top).
pub(crate) fn log_x_axis_top(
    c: &mut Chart,
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
) -> Result<(), ReportError> {
    ticks::draw_log_axis_labels_top(c, area)
}

/// Their metadata: the plotting area, the legend's box and the colours that mark
/// data.
pub(crate) fn plot_metadata(
    svg: &mut String,
    plot: ((i32, i32), (i32, i32)),
    legend: ((i32, i32), (i32, i32)),
    series: &[(&str, RGBColor)],
    rows: &[String],
) {
    let s: Vec<(String, Style)> = series
        .iter()
        .map(|(l, c)| {
            (
                l.to_string(),
                Style {
                    colour: *c,
                    mark: legend::Mark::None,
                    dashed: false,
                },
            )
        })
        .collect();
    legend::metadata(svg, plot, legend, &s, rows);
}

pub use crate::analysis::claims::paper_speedup;
