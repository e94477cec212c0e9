//! Speed-up plots: iso-accuracy curves against the paper's same-data figures,
//! horizon speed-ups, and the final scores along a horizon sweep.

use plotters::prelude::*;

use super::*;

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
            log_y: false,
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
                censored_points(c, pts, col, |v| v)?;
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
    // Speed-ups span 1x to tens of x: a log axis.
    let ly = |v: f64| {
        if v > 0.0 {
            v.log10()
        } else {
            f64::NEG_INFINITY
        }
    };
    let ys = comps.iter().flat_map(|h| {
        h.points.iter().flat_map(|p| {
            [
                p.speedup.point.lo,
                p.speedup.point.mid,
                p.speedup.upper_bound,
                p.factor.point.lo,
            ]
        })
    });
    let papers: Vec<(f64, f64)> = comps
        .iter()
        .filter_map(|h| Some((h.filter_ratio, paper_speedup(h.filter_ratio)?)))
        .collect();
    let finite: Vec<f64> = ys
        .chain(papers.iter().map(|p| p.1))
        .chain([1.0])
        .filter(|v| v.is_finite() && *v > 0.0)
        .map(ly)
        .collect();
    let (ylo, yhi) = bounds(finite.into_iter(), 0.08);
    chart(
        Frame {
            title,
            x_desc: "horizon: training steps, each with its own schedule (log scale)",
            y_desc: "speed-up to uniform's final at that horizon (95% CI, log scale)",
            x,
            y: (ylo.min(-0.05), yhi),
            log_x: true,
            log_y: true,
            legend: SeriesLabelPosition::UpperLeft,
        },
        |c| {
            reference(c, 0.0, "1x", RGBColor(80, 80, 80))?;
            for (f, p) in &papers {
                reference(
                    c,
                    ly(*p),
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
                let at = |b: crate::stats::Bounds| b.value().unwrap_or(b.lo);
                line(
                    c,
                    pts.iter()
                        .filter(|(_, ci)| at(ci.point) > 0.0)
                        .map(|(x, ci)| (*x, ly(at(ci.point))))
                        .collect(),
                    col,
                    &format!("{name}: speed-up"),
                )?;
                censored_points(c, &pts, col, |v| {
                    if v > 0.0 {
                        v.log10()
                    } else {
                        f64::NEG_INFINITY
                    }
                })?;
                let factor: Vec<(f64, f64)> = h
                    .points
                    .iter()
                    .filter(|p| p.factor.point.lo > 0.0)
                    .map(|p| (p.horizon.log10(), ly(p.factor.point.lo)))
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
            log_y: false,
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
