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

fn err<E: std::fmt::Debug>(e: E) -> ReportError {
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
        c.configure_mesh()
            .x_desc(f.x_desc)
            .y_desc(f.y_desc)
            .x_label_formatter(&fmt_x)
            .draw()
            .map_err(err)?;
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

/// Points of censored estimates with their intervals, clipped to the chart.
fn censored_points(
    c: &mut Chart,
    pts: &[(f64, CensoredInterval)],
    col: RGBColor,
) -> Result<(), ReportError> {
    let top = c.y_range().end;
    let clip = |v: f64| if v.is_finite() { v.min(top) } else { top };
    c.draw_series(
        pts.iter()
            .filter(|(_, ci)| ci.lower_bound.is_finite())
            .map(|&(x, ci)| {
                PathElement::new(
                    vec![(x, ci.lower_bound), (x, clip(ci.upper_bound))],
                    col.mix(0.6),
                )
            }),
    )
    .map_err(err)?;
    for &(x, ci) in pts {
        let b: Bounds = ci.point;
        let el: DynElement<SVGBackend, (f64, f64)> = if b.is_exact() {
            Circle::new((x, b.lo), 3, col.filled()).into_dyn()
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

/// Iso-accuracy speed-up curves: for each target level along uniform's curve, the
/// speed-up to reach it, per comparison; the paper's same-data figures as lines.
pub fn iso_curves(
    title: &str,
    cells: &[Cell],
    comps: &[&Comparison],
    axis: Axis,
) -> Result<String, ReportError> {
    let series: Vec<(String, Vec<(f64, CensoredInterval)>)> = comps
        .iter()
        .map(|c| {
            let pts = c
                .iso_curve(axis)
                .filter(|s| matches!(s.target, Target::Step(_)) || s.target == Target::Final)
                .filter_map(|s| Some((s.target_score, s.interval?)))
                .collect();
            (cells[c.method].label(), pts)
        })
        .collect();
    let mut papers: Vec<(f64, f64)> = comps
        .iter()
        .filter_map(|c| {
            let f = cells[c.method].filter_ratio;
            Some((f, paper_speedup(f)?))
        })
        .collect();
    papers.sort_by(|a, b| a.0.total_cmp(&b.0));
    papers.dedup();
    let x = bounds(series.iter().flat_map(|(_, p)| p.iter().map(|q| q.0)), 0.04);
    let finite = series
        .iter()
        .flat_map(|(_, p)| p.iter().flat_map(|q| [q.1.point.lo, q.1.upper_bound]));
    let (_, ytop) = bounds(finite.chain(papers.iter().map(|p| p.1)).chain([1.0]), 0.08);
    chart(
        Frame {
            title,
            x_desc: "target level (uniform's seed-mean score at an evaluation point; the rightmost: its final)",
            y_desc: &format!("speed-up in {} (95% CI)", axis.label()),
            x,
            y: (0.0, ytop.min(50.0)),
            log_x: false,
            legend: SeriesLabelPosition::UpperLeft,
        },
        |c| {
            reference(c, 1.0, "1x (no speed-up)", RGBColor(80, 80, 80))?;
            for (f, p) in &papers {
                reference(c, *p, &format!("paper, same data: {p}x at f = {f}"), RGBColor(120, 0, 120))?;
            }
            for (i, (name, pts)) in series.iter().enumerate() {
                let col = colour(i);
                let exact: Vec<(f64, f64)> = pts.iter().map(|(x, ci)| (*x, ci.point.lo.max(0.0))).collect();
                line(c, exact, col, name)?;
                censored_points(c, pts, col)?;
            }
            Ok(())
        },
    )
}

/// Horizon speed-ups (and, dashed, horizon factors) against the horizon, log x.
pub fn horizon_speedups(title: &str, comps: &[&HorizonComparison]) -> Result<String, ReportError> {
    let xs = comps
        .iter()
        .flat_map(|h| h.points.iter().map(|p| p.horizon.log10()));
    let x = bounds(xs, 0.05);
    let ys = comps.iter().flat_map(|h| {
        h.points
            .iter()
            .flat_map(|p| [p.speedup.point.lo, p.speedup.upper_bound, p.factor.point.lo])
    });
    let papers: Vec<(f64, f64)> = comps
        .iter()
        .filter_map(|h| Some((h.filter_ratio, paper_speedup(h.filter_ratio)?)))
        .collect();
    let (_, ytop) = bounds(ys.chain(papers.iter().map(|p| p.1)).chain([1.0]), 0.08);
    chart(
        Frame {
            title,
            x_desc: "horizon: training steps, each with its own schedule (log scale)",
            y_desc: "speed-up to uniform's final at that horizon (95% CI)",
            x,
            y: (0.0, ytop.min(50.0)),
            log_x: true,
            legend: SeriesLabelPosition::UpperLeft,
        },
        |c| {
            reference(c, 1.0, "1x", RGBColor(80, 80, 80))?;
            for (f, p) in &papers {
                reference(
                    c,
                    *p,
                    &format!("paper, same data: {p}x at f = {f}"),
                    RGBColor(120, 0, 120),
                )?;
            }
            for (i, h) in comps.iter().enumerate() {
                let col = colour(i);
                let pts: Vec<(f64, CensoredInterval)> = h
                    .points
                    .iter()
                    .map(|p| (p.horizon.log10(), p.speedup))
                    .collect();
                let name = format!("{} {}", h.method, h.setting);
                line(
                    c,
                    pts.iter()
                        .map(|(x, ci)| (*x, ci.point.lo.max(0.0)))
                        .collect(),
                    col,
                    &format!("{name}: speed-up"),
                )?;
                censored_points(c, &pts, col)?;
                let factor: Vec<(f64, f64)> = h
                    .points
                    .iter()
                    .map(|p| (p.horizon.log10(), p.factor.point.lo))
                    .collect();
                c.draw_series(LineSeries::new(factor, col.mix(0.5).stroke_width(1)))
                    .map_err(err)?
                    .label(format!("{name}: uniform's horizon factor"))
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], col.mix(0.5))
                    });
            }
            Ok(())
        },
    )
}

/// Final scores against the horizon for uniform and the selector, log x.
pub fn horizon_finals(title: &str, h: &HorizonComparison) -> Result<String, ReportError> {
    let x = bounds(h.points.iter().map(|p| p.horizon.log10()), 0.05);
    let y = bounds(
        h.points.iter().flat_map(|p| {
            [
                p.baseline_final.lower_bound,
                p.baseline_final.upper_bound,
                p.method_final.lower_bound,
                p.method_final.upper_bound,
            ]
        }),
        0.05,
    );
    chart(
        Frame {
            title,
            x_desc: "horizon: training steps (log scale)",
            y_desc: "final score (seed mean, 95% CI)",
            x,
            y,
            log_x: true,
            legend: SeriesLabelPosition::LowerRight,
        },
        |c| {
            for (i, (name, pick)) in [
                (
                    "uniform",
                    (|p: &crate::analysis::horizon::HorizonPoint| p.baseline_final) as fn(&_) -> _,
                ),
                (
                    h.method.as_str(),
                    |p: &crate::analysis::horizon::HorizonPoint| p.method_final,
                ),
            ]
            .into_iter()
            .enumerate()
            {
                let col = colour(i);
                let pts: Vec<(f64, f64)> = h
                    .points
                    .iter()
                    .map(|p| (p.horizon.log10(), pick(p).point_estimate))
                    .collect();
                line(c, pts, col, name)?;
                c.draw_series(h.points.iter().map(|p| {
                    let ci = pick(p);
                    ErrorBar::new_vertical(
                        p.horizon.log10(),
                        ci.lower_bound,
                        ci.point_estimate,
                        ci.upper_bound,
                        col.filled(),
                        6,
                    )
                }))
                .map_err(err)?;
            }
            Ok(())
        },
    )
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
                censored_points(c, pts, col)?;
            }
            Ok(())
        },
    )?))
}

/// A quantity of each cell over training (steps), one line per cell.
fn over_training(
    title: &str,
    y_desc: &str,
    series: Vec<(String, Vec<(f64, f64)>)>,
    extra: Option<(String, Vec<(f64, f64)>)>,
) -> Result<Option<String>, ReportError> {
    if series.iter().all(|(_, p)| p.is_empty()) {
        return Ok(None);
    }
    let all = || {
        series
            .iter()
            .chain(extra.iter())
            .flat_map(|(_, p)| p.iter())
    };
    let x = bounds(all().map(|q| q.0), 0.0);
    let y = bounds(all().map(|q| q.1), 0.05);
    Ok(Some(chart(
        Frame {
            title,
            x_desc: "iterations",
            y_desc,
            x,
            y,
            log_x: false,
            legend: SeriesLabelPosition::LowerRight,
        },
        |c| {
            for (i, (name, pts)) in series.iter().enumerate() {
                line(c, pts.clone(), colour(i), name)?;
            }
            if let Some((name, pts)) = &extra {
                let grey = RGBColor(90, 90, 90);
                c.draw_series(LineSeries::new(pts.clone(), grey.stroke_width(1)))
                    .map_err(err)?
                    .label(name.as_str())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], grey));
            }
            Ok(())
        },
    )?))
}

/// Seed-mean learnability of the batches each cell trained on, over training.
pub fn learnability(title: &str, cells: &[&Cell]) -> Result<Option<String>, ReportError> {
    over_training(
        title,
        "learnability of trained batches (Σ A_ij / b)",
        cells
            .iter()
            .map(|c| (c.label(), c.learnability_curve.clone()))
            .collect(),
        None,
    )
}

/// The share of clean pairs each cell trained on, over training; the super-batches'
/// share (what a uniform draw sees) in grey.
pub fn clean_shares(title: &str, cells: &[&Cell]) -> Result<Option<String>, ReportError> {
    let offered = cells.iter().find(|c| !c.kinds.is_empty()).map(|c| {
        (
            "super-batches (offered)".to_string(),
            c.kinds.iter().map(|k| (k.step, k.superbatch[0])).collect(),
        )
    });
    over_training(
        title,
        "share of clean pairs in the trained batches",
        cells
            .iter()
            .map(|c| {
                (
                    c.label(),
                    c.kinds.iter().map(|k| (k.step, k.selected[0])).collect(),
                )
            })
            .collect(),
        offered,
    )
}

/// Filtering precision (share of dropped pairs that were corrupted) and recall
/// (share of corrupted pairs that were dropped), over training.
pub fn filtering(title: &str, cells: &[&Cell]) -> Result<Option<String>, ReportError> {
    let mut series = Vec::new();
    for c in cells.iter().filter(|c| !c.kinds.is_empty()) {
        series.push((
            format!("{} precision", c.method),
            c.kinds
                .iter()
                .map(|k| (k.step, k.precision))
                .filter(|p| p.1.is_finite())
                .collect(),
        ));
        series.push((
            format!("{} recall", c.method),
            c.kinds
                .iter()
                .map(|k| (k.step, k.recall))
                .filter(|p| p.1.is_finite())
                .collect(),
        ));
    }
    over_training(title, "filtering precision and recall", series, None)
}

/// What a SWIM time-to-accuracy chart shows: Adam's curves (one per seed: its
/// checkpoint's test metric against wall seconds) and each fitted method's
/// (seconds, metric) point with both 95% CIs.
pub struct TimeAccuracy<'a> {
    pub title: &'a str,
    pub metric: &'a str,
    /// Accuracy climbs (linear axis); errors fall (log axis).
    pub higher_better: bool,
    pub adam: Vec<Vec<(f64, f64)>>,
    pub points: Vec<(String, crate::stats::Interval, crate::stats::Interval)>,
}

/// Adam's error (or accuracy) against wall time, log seconds, with the sampled
/// methods' (time, error) points on it: where Adam's curves cross a point's level
/// is its time to equal accuracy.
pub fn time_to_accuracy(p: &TimeAccuracy) -> Result<String, ReportError> {
    let log_y = !p.higher_better;
    let ty = move |v: f64| if log_y { v.max(1e-300).log10() } else { v };
    let tx = |v: f64| v.max(1e-6).log10();
    // Adam's epoch 0 sits at 0 s: drawn from its first logged epoch on.
    let adam: Vec<Vec<(f64, f64)>> = p
        .adam
        .iter()
        .map(|c| {
            c.iter()
                .filter(|(t, v)| *t > 0.0 && v.is_finite() && (!log_y || *v > 0.0))
                .map(|&(t, v)| (tx(t), ty(v)))
                .collect()
        })
        .collect();
    type Bar = (f64, f64, f64);
    let pts: Vec<(String, Bar, Bar)> = p
        .points
        .iter()
        .filter(|(_, t, m)| t.point_estimate > 0.0 && m.point_estimate.is_finite())
        .map(|(name, t, m)| {
            let f = |i: &crate::stats::Interval, g: &dyn Fn(f64) -> f64| {
                (g(i.point_estimate), g(i.lower_bound), g(i.upper_bound))
            };
            (name.clone(), f(t, &tx), f(m, &ty))
        })
        .collect();
    let x = bounds(
        adam.iter()
            .flatten()
            .map(|q| q.0)
            .chain(pts.iter().flat_map(|q| [q.1 .1, q.1 .2])),
        0.05,
    );
    let y = bounds(
        adam.iter()
            .flatten()
            .map(|q| q.1)
            .chain(pts.iter().flat_map(|q| [q.2 .1, q.2 .2])),
        0.05,
    );
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (W, H)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut c = ChartBuilder::on(&root)
            .caption(p.title, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(x.0..x.1, y.0..y.1)
            .map_err(err)?;
        let fmt_x = |v: &f64| short_number(10f64.powf(*v));
        let fmt_y = move |v: &f64| {
            if log_y {
                format!("{:.0e}", 10f64.powf(*v))
            } else {
                format!("{v:.3}")
            }
        };
        let y_desc = format!("test {} (log)", p.metric);
        c.configure_mesh()
            .x_desc("wall-clock seconds (log)")
            .y_desc(if log_y { y_desc.as_str() } else { p.metric })
            .x_label_formatter(&fmt_x)
            .y_label_formatter(&fmt_y)
            .draw()
            .map_err(err)?;
        let grey = RGBColor(120, 120, 120);
        for (i, curve) in adam.iter().enumerate() {
            let s = c
                .draw_series(LineSeries::new(
                    curve.clone(),
                    grey.mix(0.7).stroke_width(1),
                ))
                .map_err(err)?;
            if i == 0 {
                s.label("adam (one line per seed; its checkpoint)")
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], grey.stroke_width(2))
                    });
            }
        }
        for (i, (name, (t, t0, t1), (m, m0, m1))) in pts.iter().enumerate() {
            let col = colour(i);
            c.draw_series([
                PathElement::new(vec![(*t0, *m), (*t1, *m)], col.stroke_width(2)),
                PathElement::new(vec![(*t, *m0), (*t, *m1)], col.stroke_width(2)),
            ])
            .map_err(err)?;
            c.draw_series(std::iter::once(Circle::new((*t, *m), 5, col.filled())))
                .map_err(err)?
                .label(name.as_str())
                .legend(move |(x, y)| Circle::new((x + 9, y), 4, col.filled()));
        }
        c.configure_series_labels()
            .position(if log_y {
                SeriesLabelPosition::UpperRight
            } else {
                SeriesLabelPosition::LowerRight
            })
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(out)
}
