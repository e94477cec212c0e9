//! Learning curves: seed-mean score with point-wise 95% bootstrap bands, and
//! where the seeds are few, each seed's final score as a ring at the curve's end.

use plotters::prelude::*;

use super::*;

/// Cells of at most this many seeds show each seed's final score.
const FEW: usize = 10;

/// Seed-mean learning curves of `cells` on `axis`, with point-wise 95% bootstrap bands.
pub fn learning_curves(title: &str, cells: &[&Cell], axis: Axis) -> Result<String, ReportError> {
    let series: Vec<_> = cells
        .iter()
        .filter_map(|c| Some((c.method.to_string(), c.setting.clone(), c.band(axis)?)))
        .collect();
    // Each seed's last evaluation (x, score), for cells of at most `FEW` seeds.
    let finals: Vec<Vec<(f64, f64)>> = cells
        .iter()
        .filter(|c| c.band(axis).is_some())
        .map(|c| {
            if c.runs.len() > FEW {
                return Vec::new();
            }
            c.runs
                .iter()
                .filter_map(|r| Some((*r.x.get(&axis)?.last()?, *r.score.last()?)))
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .collect()
        })
        .collect();
    let x = bounds(
        series
            .iter()
            .flat_map(|(_, _, b)| b.mean.x.iter().copied())
            .chain(finals.iter().flatten().map(|p| p.0)),
        0.0,
    );
    let y = bounds(
        series
            .iter()
            .flat_map(|(_, _, b)| b.lower.iter().chain(&b.upper).copied())
            .chain(finals.iter().flatten().map(|p| p.1)),
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
        },
        |cv| {
            let mut rings = false;
            let span = cv.c.x_range().end - cv.c.x_range().start;
            let n = series.len();
            for (k, ((name, setting, b), seeds)) in series.iter().zip(&finals).enumerate() {
                let style = cv.palette.style(name, setting);
                let col = style.colour;
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
                cv.c.draw_series(std::iter::once(Polygon::new(band, col.mix(0.18).filled())))
                    .map_err(err)?;
                line(
                    cv,
                    b.mean
                        .x
                        .iter()
                        .copied()
                        .zip(b.mean.y.iter().copied())
                        .collect(),
                    style,
                    name,
                )?;
                // The seeds behind the mean's end, as small rings, each method's in
                // a column of its own just left of the end.
                let shift = (n - 1 - k) as f64 * 0.018 * span;
                let pts: Vec<(f64, f64)> = seeds
                    .iter()
                    .map(|&(x, y)| (x - shift, clamp_y(cv.c, y)))
                    .collect();
                rings |= !pts.is_empty();
                cv.c.draw_series(
                    pts.into_iter()
                        .map(|p| Circle::new(p, 4, col.stroke_width(1))),
                )
                .map_err(err)?;
            }
            if rings {
                cv.legend.add(
                    "rings: each seed's final score (where seeds are few)",
                    Style::reference(RGBColor(90, 90, 90)),
                );
            }
            Ok(())
        },
    )
}
