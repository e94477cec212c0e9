//! SWIM: Adam's error against wall time with the sampled methods' points on it.

use plotters::prelude::*;

use super::*;

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
            // Major grid lines only: the minor ones made up most of every SVG's bytes.
            .light_line_style(TRANSPARENT)
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
