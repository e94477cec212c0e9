//! SVG plots (plotters) of what an analysis holds: learning curves with 95% bands,
//! iso-accuracy speed-up curves and horizon speed-ups with the paper's same-data
//! figures drawn on them, speed-up against a swept key, the learnability and the
//! kinds of the pairs each selector trained on, and how well it filtered. Censored
//! speed-ups are drawn at their bound: a triangle for at least, a cross for below
//! (did not reach).

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::ReportError;
use crate::analysis::{Axis, Cell, Comparison, HorizonComparison, Target};
use crate::stats::{Bounds, CensoredInterval};

mod diagnostics;
mod speedups;
mod swim;

pub use diagnostics::{clean_shares, filtering, learnability, tail_shares};
pub use speedups::{horizon_finals, horizon_speedups, iso_curves};
pub use swim::{time_to_accuracy, TimeAccuracy};

const W: u32 = 720;
const H: u32 = 440;

type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A distinct colour per series index.
fn colour(i: usize) -> RGBColor {
    const C: [RGBColor; 8] = [
        RGBColor(31, 119, 180),
        RGBColor(214, 39, 40),
        RGBColor(44, 160, 44),
        RGBColor(255, 127, 14),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(23, 190, 207),
    ];
    C[i % C.len()]
}

pub(crate) fn err<E: std::fmt::Debug>(e: E) -> ReportError {
    ReportError::Plot(format!("{e:?}"))
}

/// The range of finite values, padded; (0, 1) when there are none.
fn bounds(values: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if hi <= lo {
        hi = lo + 1.0;
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

/// What every chart shares: a title, axes and their ranges, a legend corner.
struct Frame<'a> {
    title: &'a str,
    x_desc: &'a str,
    y_desc: &'a str,
    x: (f64, f64),
    y: (f64, f64),
    /// x holds log10 of the values shown.
    log_x: bool,
    /// y holds log10 of the values shown.
    log_y: bool,
    legend: SeriesLabelPosition,
}

/// Draws one chart: the frame, then the series `draw` adds, then the legend.
fn chart(
    f: Frame,
    draw: impl FnOnce(&mut Chart) -> Result<(), ReportError>,
) -> Result<String, ReportError> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (W, H)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut c = ChartBuilder::on(&root)
            .caption(f.title, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(f.x.0..f.x.1, f.y.0..f.y.1)
            .map_err(err)?;
        let log_x = f.log_x;
        let fmt_x = move |v: &f64| {
            if log_x {
                short_number(10f64.powf(*v).round())
            } else {
                short_number(*v)
            }
        };
        let fmt_y = |v: &f64| short_number((10f64.powf(*v) * 100.0).round() / 100.0);
        let mut mesh = c.configure_mesh();
        // Major grid lines only: the minor ones made up most of every SVG's bytes.
        mesh.light_line_style(TRANSPARENT)
            .x_desc(f.x_desc)
            .y_desc(f.y_desc)
            .x_label_formatter(&fmt_x);
        if f.log_y {
            mesh.y_label_formatter(&fmt_y);
        }
        mesh.draw().map_err(err)?;
        draw(&mut c)?;
        c.configure_series_labels()
            .position(f.legend)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(out)
}

/// A labelled line.
fn line(
    c: &mut Chart,
    pts: Vec<(f64, f64)>,
    col: RGBColor,
    label: &str,
) -> Result<(), ReportError> {
    c.draw_series(LineSeries::new(pts, col.stroke_width(2)))
        .map_err(err)?
        .label(label)
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], col.stroke_width(2)));
    Ok(())
}

/// A dashed reference line across the chart, labelled.
fn reference(c: &mut Chart, y: f64, label: &str, col: RGBColor) -> Result<(), ReportError> {
    let (x0, x1) = {
        let r = c.x_range();
        (r.start, r.end)
    };
    let n = 40;
    let segs = (0..n).step_by(2).map(move |k| {
        let a = x0 + (x1 - x0) * k as f64 / n as f64;
        let b = x0 + (x1 - x0) * (k + 1) as f64 / n as f64;
        PathElement::new(vec![(a, y), (b, y)], col.mix(0.7).stroke_width(1))
    });
    c.draw_series(segs)
        .map_err(err)?
        .label(label)
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], col.mix(0.7)));
    Ok(())
}

/// Points of censored estimates with their intervals, clipped to the chart; `ty`
/// maps a value to the chart's y (log10 on a log axis).
fn censored_points(
    c: &mut Chart,
    pts: &[(f64, CensoredInterval)],
    col: RGBColor,
    ty: fn(f64) -> f64,
) -> Result<(), ReportError> {
    let (bottom, top) = (c.y_range().start, c.y_range().end);
    let clip = move |v: f64| {
        let y = ty(v);
        if y.is_nan() || y == f64::NEG_INFINITY {
            bottom
        } else if y.is_finite() {
            y.clamp(bottom, top)
        } else {
            top
        }
    };
    c.draw_series(
        pts.iter()
            .filter(|(_, ci)| ci.lower_bound.is_finite())
            .map(|&(x, ci)| {
                PathElement::new(
                    vec![(x, clip(ci.lower_bound)), (x, clip(ci.upper_bound))],
                    col.mix(0.6),
                )
            }),
    )
    .map_err(err)?;
    for &(x, ci) in pts {
        let b: Bounds = ci.point;
        let el: DynElement<SVGBackend, (f64, f64)> = if !b.is_censored() {
            Circle::new((x, clip(b.mid)), 3, col.filled()).into_dyn()
        } else if b.hi.is_infinite() {
            TriangleMarker::new((x, clip(b.lo)), 5, col.filled()).into_dyn()
        } else {
            Cross::new((x, clip(b.hi)), 5, col.stroke_width(2)).into_dyn()
        };
        c.draw_series(std::iter::once(el)).map_err(err)?;
    }
    Ok(())
}

/// Seed-mean learning curves of `cells` on `axis`, with point-wise 95% bootstrap bands.
pub fn learning_curves(title: &str, cells: &[&Cell], axis: Axis) -> Result<String, ReportError> {
    let series: Vec<_> = cells
        .iter()
        .filter_map(|c| Some((c.method.to_string(), c.band(axis)?)))
        .collect();
    let x = bounds(
        series.iter().flat_map(|(_, b)| b.mean.x.iter().copied()),
        0.0,
    );
    let y = bounds(
        series
            .iter()
            .flat_map(|(_, b)| b.lower.iter().chain(&b.upper).copied()),
        0.03,
    );
    chart(
        Frame {
            title,
            x_desc: axis.label(),
            y_desc: "score (seed mean, 95% CI)",
            x,
            y,
            log_x: false,
            log_y: false,
            legend: SeriesLabelPosition::LowerRight,
        },
        |c| {
            for (i, (name, b)) in series.iter().enumerate() {
                let col = colour(i);
                let band: Vec<(f64, f64)> = b
                    .mean
                    .x
                    .iter()
                    .zip(b.upper.iter())
                    .map(|(&x, &y)| (x, y))
                    .chain(
                        b.mean
                            .x
                            .iter()
                            .zip(b.lower.iter())
                            .rev()
                            .map(|(&x, &y)| (x, y)),
                    )
                    .filter(|(_, y)| y.is_finite())
                    .collect();
                c.draw_series(std::iter::once(Polygon::new(band, col.mix(0.18).filled())))
                    .map_err(err)?;
                line(
                    c,
                    b.mean
                        .x
                        .iter()
                        .copied()
                        .zip(b.mean.y.iter().copied())
                        .collect(),
                    col,
                    name,
                )?;
            }
            Ok(())
        },
    )
}

/// The paper's same-data speed-up at filtering ratio f, if it gives one.
pub fn paper_speedup(f: f64) -> Option<f64> {
    [(0.5, 1.5), (0.8, 3.0), (0.9, 4.5)]
        .iter()
        .find(|(pf, _)| (pf - f).abs() < 1e-6)
        .map(|p| p.1)
}

/// Iteration speed-up (to uniform's final score) against a swept numeric key, per
/// method, with 95% CIs; censored points as triangles.
pub fn speedup_vs(
    key: &str,
    cells: &[Cell],
    comparisons: &[&Comparison],
) -> Result<Option<String>, ReportError> {
    let mut by_method: std::collections::BTreeMap<String, Vec<(f64, CensoredInterval)>> =
        Default::default();
    for c in comparisons {
        let cell = &cells[c.method];
        let Some(x) = cell.numeric(key) else { continue };
        if let Some(ci) = c.speedup(Target::Final, Axis::Iterations).interval {
            by_method
                .entry(format!("{} {}", cell.method, cell.setting_without(key)))
                .or_default()
                .push((x, ci));
        }
    }
    if by_method.values().all(|v| v.len() < 2) {
        return Ok(None);
    }
    let x = bounds(by_method.values().flatten().map(|p| p.0), 0.08);
    let (_, ytop) = bounds(
        by_method
            .values()
            .flatten()
            .flat_map(|p| [p.1.point.lo, p.1.upper_bound])
            .chain([1.0]),
        0.1,
    );
    Ok(Some(chart(
        Frame {
            title: &format!("Speed-up in iterations vs {key}"),
            x_desc: key,
            y_desc: "speed-up to uniform's final score (95% CI)",
            x,
            y: (0.0, ytop.min(50.0)),
            log_x: false,
            log_y: false,
            legend: SeriesLabelPosition::UpperLeft,
        },
        |c| {
            reference(c, 1.0, "1x", RGBColor(80, 80, 80))?;
            for (i, (name, pts)) in by_method.iter_mut().enumerate() {
                pts.sort_by(|a, b| a.0.total_cmp(&b.0));
                let col = colour(i);
                line(
                    c,
                    pts.iter()
                        .map(|(x, ci)| (*x, ci.point.lo.max(0.0)))
                        .collect(),
                    col,
                    name,
                )?;
                censored_points(c, pts, col, |v| v)?;
            }
            Ok(())
        },
    )?))
}
