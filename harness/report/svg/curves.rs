//! Learning curves: seed-mean score with point-wise 95% bootstrap bands.

use plotters::prelude::*;

use super::*;

/// Seed-mean learning curves of `cells` on `axis`, with point-wise 95% bootstrap bands.
pub fn learning_curves(title: &str, cells: &[&Cell], axis: Axis) -> Result<String, ReportError> {
    let series: Vec<_> = cells
        .iter()
        .filter_map(|c| Some((c.method.to_string(), c.setting.clone(), c.band(axis)?)))
        .collect();
    let x = bounds(
        series.iter().flat_map(|(_, _, b)| b.mean.x.iter().copied()),
        0.0,
    );
    let y = bounds(
        series
            .iter()
            .flat_map(|(_, _, b)| b.lower.iter().chain(&b.upper).copied()),
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
            for (name, setting, b) in &series {
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
            }
            Ok(())
        },
    )
}
