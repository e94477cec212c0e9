//! SWIM: Adam's error against wall time with the sampled methods' points on it.

use plotters::prelude::*;

use crate::report::svg::legend::{self, Style};
use crate::report::svg::{bounds, chart, clamp_y, err, Frame};
use crate::report::ReportError;

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
    let y_desc = if log_y {
        format!("test {} (log)", p.metric)
    } else {
        p.metric.to_string()
    };
    chart(
        Frame {
            title: p.title,
            x_desc: "wall-clock seconds (log)",
            y_desc: &y_desc,
            x,
            y,
            log_x: true,
            log_y,
        },
        |cv| {
            let grey = RGBColor(120, 120, 120);
            for curve in &adam {
                cv.c.draw_series(LineSeries::new(
                    curve
                        .iter()
                        .map(|&(x, y)| (x, clamp_y(cv.c, y)))
                        .collect::<Vec<_>>(),
                    grey.mix(0.7).stroke_width(1),
                ))
                .map_err(err)?;
            }
            if !adam.is_empty() {
                cv.legend.add(
                    "adam (one line per seed; its checkpoint)",
                    Style {
                        colour: grey,
                        mark: legend::Mark::None,
                        dashed: false,
                    },
                );
            }
            for (name, (t, t0, t1), (m, m0, m1)) in &pts {
                let mut style = cv.palette.style(name, "");
                if style.mark == legend::Mark::None {
                    style.mark = legend::Mark::Circle;
                }
                let col = style.colour;
                cv.c.draw_series([
                    PathElement::new(vec![(*t0, *m), (*t1, *m)], col.stroke_width(2)),
                    PathElement::new(
                        vec![(*t, clamp_y(cv.c, *m0)), (*t, clamp_y(cv.c, *m1))],
                        col.stroke_width(2),
                    ),
                ])
                .map_err(err)?;
                legend::marks(cv.c, &[(*t, *m)], style)?;
                cv.legend.add(name.as_str(), style);
            }
            Ok(())
        },
    )
}
