//! A scale-ladder axis (docs/methods.md §5 "Scale trends"): JEST's speed-up per
//! rung with its interval, the pooled fit of log2 speed-up on log2 size (one
//! intercept per setting), and beyond the ladder's largest rung the fit's
//! extension, dashed, inside its 95% prediction band: an extrapolation, drawn and
//! labelled as one, never a verdict.

use plotters::prelude::*;

use super::*;
use crate::analysis::Knob;
use crate::method::Method;
use crate::stats::trend::FixedEffectsFit;

/// How far past the largest rung the extrapolation reaches: two doublings.
const BEYOND: f64 = 2.0;

/// The figure for `knob`, where JEST's speed-ups along it have a fit (at least
/// two rungs in a setting, estimates not censored); `None` otherwise.
pub fn scale_extrapolation(
    knob: Knob,
    cells: &[Cell],
    comparisons: &[&Comparison],
) -> Result<Option<String>, ReportError> {
    let key = knob.key();
    let mut series: Vec<SpeedupSeries> = Vec::new();
    for c in comparisons {
        let cell = &cells[c.method];
        if cell.method != Method::JEST {
            continue;
        }
        let Some(x) = cell.along(knob).filter(|x| *x > 0.0) else {
            continue;
        };
        let Some(ci) = c.speedup(Target::Final, Axis::Iterations).trained else {
            continue;
        };
        let setting = cell.setting_without(key);
        match series.iter_mut().find(|s| s.1 == setting) {
            Some(s) => s.2.push((x.log2(), ci)),
            None => series.push((cell.method.to_string(), setting, vec![(x.log2(), ci)])),
        }
    }
    series.retain(|s| s.2.len() >= 2);
    series.sort_by(|a, b| crate::names::natural_cmp(&a.1, &b.1));
    // The fit over exact estimates; a censored rung is drawn, not fitted.
    let (mut xs, mut ys, mut gs) = (Vec::new(), Vec::new(), Vec::new());
    for (g, s) in series.iter().enumerate() {
        for (x, ci) in &s.2 {
            if let Some(v) = ci.point.value().filter(|v| *v > 0.0) {
                xs.push(*x);
                ys.push(v.log2());
                gs.push(g);
            }
        }
    }
    let Some(fit) = FixedEffectsFit::fit(&xs, &ys, &gs) else {
        return Ok(None);
    };
    let top = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let bottom = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let far = top + BEYOND;
    let l10 = std::f64::consts::LOG10_2;
    // Everything in log10 on both axes (the frame's log x and y).
    let mut y_values: Vec<f64> = Vec::new();
    for s in &series {
        for (_, ci) in &s.2 {
            y_values.extend([ci.point.lo, ci.point.hi, ci.lower_bound, ci.upper_bound]);
        }
    }
    for g in 0..series.len() {
        y_values.push(fit.at(g, far).exp2());
        if let Some((lo, hi)) = fit.prediction(g, far, 0.95) {
            y_values.extend([lo.exp2(), hi.exp2()]);
        }
    }
    let y = speedup_range(y_values.into_iter());
    let x = bounds([bottom * l10, far * l10].into_iter(), 0.05);
    let title = format!("JEST's speed-up vs {key}, fitted and extrapolated");
    let svg = chart(
        Frame {
            title: &title,
            x_desc: &format!("{key} (log scale; right of the grey vertical line: extrapolated)"),
            y_desc: "speed-up to uniform's final (trained steps; 95% CI, log)",
            x,
            y,
            log_x: true,
            log_y: true,
        },
        |cv| {
            reference(cv, 0.0, "1x", RGBColor(80, 80, 80))?;
            // Where the ladder ends.
            let (b, t) = (cv.c.y_range().start, cv.c.y_range().end);
            cv.c.draw_series(std::iter::once(PathElement::new(
                vec![(top * l10, b), (top * l10, t)],
                RGBColor(120, 120, 120).stroke_width(1),
            )))
            .map_err(err)?;
            let mut banded = false;
            for (g, (method, setting, pts)) in series.iter().enumerate() {
                let style = cv.palette.style(method, setting);
                let pts10: Vec<(f64, CensoredInterval)> =
                    pts.iter().map(|(x, ci)| (x * l10, *ci)).collect();
                censored_points(cv, &pts10, style, log_or_neg_inf)?;
                // The fit inside the ladder, solid.
                let inside: Vec<(f64, f64)> = [bottom, top]
                    .iter()
                    .map(|&x| (x * l10, clamp_y(cv.c, fit.at(g, x) * l10)))
                    .collect();
                cv.c.draw_series(LineSeries::new(inside, style.colour.stroke_width(2)))
                    .map_err(err)?;
                cv.legend.add(
                    format!(
                        "{}: fit, slope {:.2} per doubling",
                        series_label(method, setting),
                        fit.slope
                    ),
                    style,
                );
                // Beyond it: the prediction band, then the dashed extension.
                let steps = 24;
                let xs_out: Vec<f64> = (0..=steps)
                    .map(|k| top + BEYOND * k as f64 / steps as f64)
                    .collect();
                let band: Option<Vec<(f64, f64, f64)>> = xs_out
                    .iter()
                    .map(|&x| fit.prediction(g, x, 0.95).map(|(lo, hi)| (x, lo, hi)))
                    .collect();
                if let Some(band) = band {
                    let mut poly: Vec<(f64, f64)> = band
                        .iter()
                        .map(|(x, _, hi)| (x * l10, clamp_y(cv.c, hi * l10)))
                        .collect();
                    poly.extend(
                        band.iter()
                            .rev()
                            .map(|(x, lo, _)| (x * l10, clamp_y(cv.c, lo * l10))),
                    );
                    cv.c.draw_series(std::iter::once(Polygon::new(
                        poly,
                        style.colour.mix(0.12).filled(),
                    )))
                    .map_err(err)?;
                    banded = true;
                }
                let segs = xs_out.windows(2).step_by(2).map(|w| {
                    PathElement::new(
                        vec![
                            (w[0] * l10, clamp_y(cv.c, fit.at(g, w[0]) * l10)),
                            (w[1] * l10, clamp_y(cv.c, fit.at(g, w[1]) * l10)),
                        ],
                        style.colour.mix(0.8).stroke_width(2),
                    )
                });
                let segs: Vec<_> = segs.collect();
                cv.c.draw_series(segs).map_err(err)?;
            }
            cv.legend.add(
                if banded {
                    "dashed, shaded: extrapolation with its 95% prediction band (not a verdict)"
                } else {
                    "dashed: extrapolation (no prediction band: no residual degrees of freedom; not a verdict)"
                },
                Style::reference(RGBColor(120, 120, 120)),
            );
            Ok(())
        },
    )?;
    Ok(Some(svg))
}
