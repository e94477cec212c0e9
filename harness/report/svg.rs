//! SVG plots (plotters): learning curves with 95% bands, speed-up against a swept
//! key with CIs, selected-batch learnability over training.

use plotters::prelude::*;

use super::ReportError;
use crate::analysis::{Axis, Cell, Comparison, Target};

const W: u32 = 720;
const H: u32 = 440;

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

fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
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
    (lo, hi)
}

fn err<E: std::fmt::Debug>(e: E) -> ReportError {
    ReportError::Plot(format!("{e:?}"))
}

/// Seed-mean learning curves of `cells` on `axis`, with point-wise 95% bootstrap bands.
pub fn learning_curves(title: &str, cells: &[&Cell], axis: Axis) -> Result<String, ReportError> {
    let series: Vec<_> = cells
        .iter()
        .filter_map(|c| {
            let b = c.band(axis)?;
            Some((c.method.to_string(), (&b.mean, &b.lower, &b.upper)))
        })
        .collect();
    let (x0, x1) = bounds(series.iter().flat_map(|(_, (m, _, _))| m.x.iter().copied()));
    let (y0, y1) = bounds(
        series
            .iter()
            .flat_map(|(_, (_, lo, hi))| lo.iter().chain(hi.iter()).copied()),
    );
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (W, H)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(x0..x1, y0..y1 + (y1 - y0) * 0.05)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(axis.label())
            .y_desc("zero-shot accuracy (seed mean, 95% CI)")
            .x_label_formatter(&|v| short_number(*v))
            .draw()
            .map_err(err)?;
        for (i, (name, (mean, lo, hi))) in series.iter().enumerate() {
            let c = colour(i);
            let band: Vec<(f64, f64)> = mean
                .x
                .iter()
                .zip(hi.iter())
                .map(|(&x, &y)| (x, y))
                .chain(mean.x.iter().zip(lo.iter()).rev().map(|(&x, &y)| (x, y)))
                .filter(|(_, y)| y.is_finite())
                .collect();
            chart
                .draw_series(std::iter::once(Polygon::new(band, c.mix(0.18).filled())))
                .map_err(err)?;
            chart
                .draw_series(LineSeries::new(
                    mean.x.iter().copied().zip(mean.y.iter().copied()),
                    c.stroke_width(2),
                ))
                .map_err(err)?
                .label(name.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(out)
}

/// Iteration speed-up (to uniform's final score) against a swept numeric key, per
/// method, with 95% CIs; methods that did not reach the target are left out at that x.
pub fn speedup_vs(
    key: &str,
    cells: &[Cell],
    comparisons: &[&Comparison],
) -> Result<Option<String>, ReportError> {
    let mut by_method: std::collections::BTreeMap<String, Vec<(f64, f64, f64, f64)>> =
        Default::default();
    for c in comparisons {
        let cell = &cells[c.method];
        let Some(x) = cell.numeric(key) else { continue };
        if let Some(ci) = c.speedup(Target::Final, Axis::Iterations).interval {
            by_method.entry(cell.method.to_string()).or_default().push((
                x,
                ci.point_estimate,
                ci.lower_bound,
                ci.upper_bound,
            ));
        }
    }
    if by_method.values().all(|v| v.len() < 2) {
        return Ok(None);
    }
    let (x0, x1) = bounds(by_method.values().flatten().map(|p| p.0));
    let pad = (x1 - x0) * 0.08;
    let (_, y1) = bounds(by_method.values().flatten().flat_map(|p| [p.1, p.3]));
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (W, H)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("Speed-up in iterations vs {key}"),
                ("sans-serif", 16),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(x0 - pad..x1 + pad, 0.0..y1 * 1.1)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(key)
            .y_desc("speed-up to uniform's final score (95% CI)")
            .draw()
            .map_err(err)?;
        for (i, (method, pts)) in by_method.iter_mut().enumerate() {
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            let c = colour(i);
            chart
                .draw_series(LineSeries::new(
                    pts.iter().map(|p| (p.0, p.1)),
                    c.stroke_width(2),
                ))
                .map_err(err)?
                .label(method.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2))
                });
            chart
                .draw_series(
                    pts.iter()
                        .filter(|p| p.2.is_finite())
                        .map(|p| ErrorBar::new_vertical(p.0, p.2, p.1, p.3, c.filled(), 8)),
                )
                .map_err(err)?;
        }
        chart
            .draw_series(LineSeries::new(
                vec![(x0 - pad, 1.0), (x1 + pad, 1.0)],
                BLACK.mix(0.4),
            ))
            .map_err(err)?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(Some(out))
}

/// Seed-mean learnability of the batches each cell trained on, over training.
pub fn learnability(title: &str, cells: &[&Cell]) -> Result<Option<String>, ReportError> {
    let series: Vec<(String, &Vec<(f64, f64)>)> = cells
        .iter()
        .filter(|c| !c.learnability_curve.is_empty())
        .map(|c| (c.label(), &c.learnability_curve))
        .collect();
    if series.is_empty() {
        return Ok(None);
    }
    let (x0, x1) = bounds(series.iter().flat_map(|(_, p)| p.iter().map(|q| q.0)));
    let (y0, y1) = bounds(series.iter().flat_map(|(_, p)| p.iter().map(|q| q.1)));
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (W, H)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(x0..x1, y0..y1 + (y1 - y0) * 0.05)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("iterations")
            .y_desc("learnability of trained batches (Σ A_ij / b)")
            .draw()
            .map_err(err)?;
        for (i, (name, pts)) in series.iter().enumerate() {
            let c = colour(i);
            chart
                .draw_series(LineSeries::new(pts.iter().copied(), c.stroke_width(2)))
                .map_err(err)?
                .label(name.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(Some(out))
}

/// 1234567 → "1.23e6"; small numbers as they are.
fn short_number(v: f64) -> String {
    if v.abs() >= 1e5 {
        format!("{v:.2e}")
    } else {
        format!("{v}")
    }
}
