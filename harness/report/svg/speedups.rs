//! Speed-up plots: iso-accuracy curves against the paper's same-data figures,
//! horizon speed-ups, and the final scores along a horizon sweep.

use plotters::prelude::*;

use super::*;
use crate::analysis::Knob;

/// Iso-accuracy speed-up curves: for each target level along uniform's curve, the
/// speed-up to reach it, per comparison, on a log axis; the paper's same-data
/// figures as dashed lines.
pub fn iso_curves(
    title: &str,
    cells: &[Cell],
    comps: &[&Comparison],
    axis: Axis,
) -> Result<String, ReportError> {
    let series: Vec<SpeedupSeries> = comps
        .iter()
        .map(|c| {
            let pts = c
                .iso_curve(axis)
                .filter(|s| matches!(s.target, Target::Step(_)) || s.target == Target::Final)
                .filter_map(|s| Some((s.target_score, s.interval?)))
                .collect();
            let cell = &cells[c.method];
            (cell.method.to_string(), cell.setting.clone(), pts)
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
    let x = bounds(series.iter().flat_map(|s| s.2.iter().map(|q| q.0)), 0.04);
    let y = speedup_range(
        series
            .iter()
            .flat_map(|s| {
                s.2.iter()
                    .flat_map(|q| [q.1.point.lo, q.1.point.hi, q.1.lower_bound, q.1.upper_bound])
            })
            .chain(papers.iter().map(|p| p.1)),
    );
    chart(
        Frame {
            title,
            x_desc: "target level (uniform's seed-mean score at an evaluation point; the rightmost: its final)",
            y_desc: &format!("speed-up in {} (95% CI, log scale)", axis.label()),
            x,
            y,
            log_x: false,
            log_y: true,
        },
        |cv| {
            reference(cv, 0.0, "1x (no speed-up)", RGBColor(80, 80, 80))?;
            for (i, (f, p)) in papers.iter().enumerate() {
                reference(cv, p.log10(), &format!("paper, same data: {p}x at f = {f}"), paper_colour(i))?;
            }
            for (method, setting, pts) in &series {
                let style = cv.palette.style(method, setting);
                let exact: Vec<(f64, f64)> = pts
                    .iter()
                    .filter(|(_, ci)| !ci.point.is_censored())
                    .map(|(x, ci)| (*x, log_or_neg_inf(ci.point.mid)))
                    .collect();
                let name = series_label(method, setting);
                line(cv, exact, style, &name)?;
                censored_points(cv, pts, style, log_or_neg_inf)?;
            }
            Ok(())
        },
    )
}

/// Horizon speed-ups (and, thin, horizon factors) against the horizon, log x and y.
pub fn horizon_speedups(title: &str, comps: &[&HorizonComparison]) -> Result<String, ReportError> {
    let xs = comps
        .iter()
        .flat_map(|h| h.points.iter().map(|p| p.horizon.log10()));
    let x = bounds(xs, 0.05);
    let papers: Vec<(f64, f64)> = {
        let mut p: Vec<(f64, f64)> = comps
            .iter()
            .filter_map(|h| Some((h.filter_ratio, paper_speedup(h.filter_ratio)?)))
            .collect();
        p.sort_by(|a, b| a.0.total_cmp(&b.0));
        p.dedup();
        p
    };
    let y = speedup_range(
        comps
            .iter()
            .flat_map(|h| {
                h.points.iter().flat_map(|p| {
                    [
                        p.speedup.point.lo,
                        p.speedup.point.hi,
                        p.speedup.lower_bound,
                        p.speedup.upper_bound,
                        p.factor.point.lo,
                    ]
                })
            })
            .chain(papers.iter().map(|p| p.1)),
    );
    chart(
        Frame {
            title,
            x_desc: "horizon: training steps, each with its own schedule (log scale)",
            y_desc: "speed-up to uniform's final at that horizon (95% CI, log scale)",
            x,
            y,
            log_x: true,
            log_y: true,
        },
        |cv| {
            reference(cv, 0.0, "1x", RGBColor(80, 80, 80))?;
            for (i, (f, p)) in papers.iter().enumerate() {
                reference(
                    cv,
                    p.log10(),
                    &format!("paper, same data: {p}x at f = {f}"),
                    paper_colour(i),
                )?;
            }
            let mut thin = false;
            for h in comps {
                let style = cv.palette.style(h.method.as_str(), &h.setting);
                let pts: Vec<(f64, CensoredInterval)> = h
                    .points
                    .iter()
                    .map(|p| (p.horizon.log10(), p.speedup))
                    .collect();
                let name = series_label(h.method.as_str(), &h.setting);
                line(
                    cv,
                    pts.iter()
                        .filter(|(_, ci)| !ci.point.is_censored())
                        .map(|(x, ci)| (*x, log_or_neg_inf(ci.point.mid)))
                        .collect(),
                    style,
                    &format!("{name}: speed-up"),
                )?;
                censored_points(cv, &pts, style, log_or_neg_inf)?;
                let factor: Vec<(f64, f64)> = h
                    .points
                    .iter()
                    .filter(|p| p.factor.point.lo > 0.0)
                    .map(|p| (p.horizon.log10(), clamp_y(cv.c, p.factor.point.lo.log10())))
                    .collect();
                thin |= !factor.is_empty();
                cv.c.draw_series(LineSeries::new(
                    factor,
                    style.colour.mix(0.5).stroke_width(1),
                ))
                .map_err(err)?;
            }
            if thin {
                cv.legend.add(
                    "thin, each series' colour: horizon factor (how much longer uniform must train to match)",
                    Style::reference(RGBColor(150, 150, 150)),
                );
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
        },
        |cv| {
            for (name, pick) in [
                (
                    "uniform",
                    (|p: &crate::analysis::horizon::HorizonPoint| p.baseline_final) as fn(&_) -> _,
                ),
                (
                    h.method.as_str(),
                    |p: &crate::analysis::horizon::HorizonPoint| p.method_final,
                ),
            ] {
                let style = cv.palette.style(name, "");
                let col = style.colour;
                let pts: Vec<(f64, f64)> = h
                    .points
                    .iter()
                    .map(|p| (p.horizon.log10(), pick(p).point_estimate))
                    .collect();
                line(cv, pts, style, name)?;
                cv.c.draw_series(h.points.iter().map(|p| {
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
/// method and setting, with 95% CIs on a log axis; censored points as arrows.
pub fn speedup_vs(
    knob: Knob,
    cells: &[Cell],
    comparisons: &[&Comparison],
) -> Result<Vec<String>, ReportError> {
    let key = knob.key();
    let mut series: Vec<SpeedupSeries> = Vec::new();
    for c in comparisons {
        let cell = &cells[c.method];
        let Some(x) = cell.along(knob) else { continue };
        if let Some(ci) = c.speedup(Target::Final, Axis::Iterations).interval {
            let (method, setting) = (cell.method.to_string(), cell.setting_without(key));
            match series.iter_mut().find(|s| s.0 == method && s.1 == setting) {
                Some(s) => s.2.push((x, ci)),
                None => series.push((method, setting, vec![(x, ci)])),
            }
        }
    }
    series.retain(|s| s.2.len() >= 2);
    if series.is_empty() {
        return Ok(Vec::new());
    }
    series.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| crate::names::natural_cmp(&a.1, &b.1))
    });
    for s in &mut series {
        s.2.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    // Small multiples: at most `PANEL` series a panel, one method's series
    // together; every panel on the same x axis, each its own y range (a panel of
    // short horizons is not squeezed by another's long ones).
    // A size axis holds log10 of the sizes (the frame's log x).
    if knob.log_scale() {
        for s in &mut series {
            for p in &mut s.2 {
                p.0 = log_or_neg_inf(p.0);
            }
        }
    }
    let x = bounds(series.iter().flat_map(|s| s.2.iter().map(|p| p.0)), 0.08);
    let panels = panels(&series, |s| s.0.as_str());
    let n = panels.len();
    panels
        .iter()
        .enumerate()
        .map(|(k, panel)| {
            let y = speedup_range(panel.iter().flat_map(|s| {
                s.2.iter()
                    .flat_map(|p| [p.1.point.lo, p.1.point.hi, p.1.lower_bound, p.1.upper_bound])
            }));
            let part = if n > 1 {
                format!(" ({} of {n})", k + 1)
            } else {
                String::new()
            };
            chart(
                Frame {
                    title: &format!("Speed-up in iterations vs {key}{part}"),
                    x_desc: key,
                    y_desc: "speed-up to uniform's final score (95% CI, log scale)",
                    x,
                    y,
                    log_x: knob.log_scale(),
                    log_y: true,
                },
                |cv| {
                    reference(cv, 0.0, "1x", RGBColor(80, 80, 80))?;
                    for (method, setting, pts) in panel.iter().copied() {
                        let style = cv.palette.style(method, setting);
                        let name = series_label(method, setting);
                        line(
                            cv,
                            pts.iter()
                                .filter(|(_, ci)| !ci.point.is_censored())
                                .map(|(x, ci)| (*x, log_or_neg_inf(ci.point.mid)))
                                .collect(),
                            style,
                            &name,
                        )?;
                        censored_points(cv, pts, style, log_or_neg_inf)?;
                    }
                    Ok(())
                },
            )
        })
        .collect()
}

/// The most data series one panel holds (more go into small multiples).
pub const PANEL: usize = 6;

/// Items split into panels of at most `PANEL`, a group (`group`: its name) kept
/// together where it fits, split evenly where it does not.
pub fn panels<T>(items: &[T], group: impl Fn(&T) -> &str) -> Vec<Vec<&T>> {
    if items.is_empty() {
        return Vec::new();
    }
    if items.len() <= PANEL {
        return vec![items.iter().collect()];
    }
    let mut groups: Vec<Vec<&T>> = Vec::new();
    for it in items {
        match groups.last_mut() {
            Some(g) if group(g[0]) == group(it) => g.push(it),
            _ => groups.push(vec![it]),
        }
    }
    let mut out: Vec<Vec<&T>> = Vec::new();
    for g in groups {
        let parts = g.len().div_ceil(PANEL);
        let per = g.len().div_ceil(parts);
        for chunk in g.chunks(per) {
            match out.last_mut() {
                Some(last) if last.len() + chunk.len() <= PANEL && parts == 1 => {
                    last.extend(chunk.iter().copied())
                }
                _ => out.push(chunk.to_vec()),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panels_keep_groups_together_and_split_large_ones_evenly() {
        let none: [(&str, u8); 0] = [];
        assert!(panels(&none, |x| x.0).is_empty());
        let few = [("a", 1), ("b", 2)];
        assert_eq!(panels(&few, |x| x.0).len(), 1);
        // 7 of a and 3 of b: a split 4 + 3, b joining a's second panel (it fits).
        let many: Vec<(&str, u8)> = (0..7)
            .map(|i| ("a", i))
            .chain((0..3).map(|i| ("b", i)))
            .collect();
        let p = panels(&many, |x| x.0);
        let sizes: Vec<usize> = p.iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![4, 6]);
        assert!(p.iter().all(|panel| panel.len() <= PANEL));
    }
}
