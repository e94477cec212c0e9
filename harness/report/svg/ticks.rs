//! Round ticks for log axes: 1, 2, 5 × 10^k inside the range (1 × 10^k alone when
//! those are too many), each once, with light grid lines; plotters' own ticks on a
//! log10-valued axis fall at odd values (251, 398) and print duplicates once
//! rounded.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{err, short_number, Chart, ReportError};

/// Round values v with log10(v) in [lo, hi], ascending, without duplicates.
pub(super) fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return Vec::new();
    }
    let pick = |mults: &[f64]| -> Vec<f64> {
        let mut out = Vec::new();
        for k in (lo.floor() as i32 - 1)..=(hi.ceil() as i32) {
            for m in mults {
                // Divide for negative powers: 3 × 0.1 is not 0.3 in floating point.
                let v = if k < 0 {
                    m / 10f64.powi(-k)
                } else {
                    m * 10f64.powi(k)
                };
                let l = v.log10();
                if l >= lo - 1e-12 && l <= hi + 1e-12 {
                    out.push(v);
                }
            }
        }
        out
    };
    for mults in [
        &[1.0, 1.5, 2.0, 3.0, 5.0, 7.0][..],
        &[1.0, 2.0, 5.0][..],
        &[1.0, 3.0][..],
        &[1.0][..],
    ] {
        let t = pick(mults);
        if t.len() <= 10 {
            return dedup_labels(t);
        }
    }
    // Many decades: every other power of ten.
    dedup_labels(pick(&[1.0]).into_iter().step_by(2).collect())
}

/// A tick's label: plain for ordinary values, 1e-3 style for small ones.
pub(super) fn tick_label(v: f64) -> String {
    if v != 0.0 && v.abs() < 0.01 {
        format!("{v:.0e}")
    } else {
        short_number(v)
    }
}

/// Drops ticks whose labels would print the same.
fn dedup_labels(t: Vec<f64>) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::new();
    for v in t {
        if out.last().is_none_or(|&p| tick_label(p) != tick_label(v)) {
            out.push(v);
        }
    }
    out
}

/// Draws round ticks, grid lines and labels on a log axis of `c` (the chart's x or
/// y holds log10 of the values), in the chart's drawing area `area`.
pub(super) fn draw_log_axis(
    c: &mut Chart,
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    vertical: bool,
) -> Result<(), ReportError> {
    let (xr, yr) = (c.x_range(), c.y_range());
    let (lo, hi) = if vertical {
        (yr.start, yr.end)
    } else {
        (xr.start, xr.end)
    };
    let font = ("sans-serif", super::TEXT).into_font().color(&BLACK);
    for v in log_ticks(lo, hi) {
        let l = v.log10();
        let (a, b) = if vertical {
            ((xr.start, l), (xr.end, l))
        } else {
            ((l, yr.start), (l, yr.end))
        };
        c.draw_series(std::iter::once(PathElement::new(
            vec![a, b],
            BLACK.mix(0.12).stroke_width(1),
        )))
        .map_err(err)?;
        let (px, py) = c.backend_coord(&a);
        let (text, pos) = if vertical {
            ((px - 6, py), Pos::new(HPos::Right, VPos::Center))
        } else {
            ((px, py + 6), Pos::new(HPos::Center, VPos::Top))
        };
        area.draw(&Text::new(tick_label(v), text, font.clone().pos(pos)))
            .map_err(err)?;
        let tick = if vertical {
            vec![(px - 4, py), (px, py)]
        } else {
            vec![(px, py), (px, py + 4)]
        };
        area.draw(&PathElement::new(tick, BLACK.stroke_width(1)))
            .map_err(err)?;
    }
    Ok(())
}

/// The labels of a log x axis's round ticks again above the plot, with ticks.
pub(super) fn draw_log_axis_labels_top(
    c: &mut Chart,
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
) -> Result<(), ReportError> {
    let (xr, yr) = (c.x_range(), c.y_range());
    let font = ("sans-serif", super::TEXT).into_font().color(&BLACK);
    for v in log_ticks(xr.start, xr.end) {
        let (px, py) = c.backend_coord(&(v.log10(), yr.end));
        area.draw(&Text::new(
            tick_label(v),
            (px, py - 6),
            font.clone().pos(Pos::new(HPos::Center, VPos::Bottom)),
        ))
        .map_err(err)?;
        area.draw(&PathElement::new(
            vec![(px, py - 4), (px, py)],
            BLACK.stroke_width(1),
        ))
        .map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ticks_are_round_and_distinct() {
        // 1x to 60x: 1, 2, 5, 10, 20, 50.
        assert_eq!(
            log_ticks(0.0, 60f64.log10()),
            vec![1.0, 2.0, 5.0, 10.0, 20.0, 50.0]
        );
        // 250 to 16,000 steps.
        assert_eq!(
            log_ticks(250f64.log10(), 16000f64.log10()),
            vec![500.0, 1000.0, 2000.0, 5000.0, 10000.0]
        );
        // A narrow range gets the finer round values.
        assert_eq!(log_ticks(0.2f64.log10(), 0.35f64.log10()), vec![0.2, 0.3]);
        // Ten decades: powers of ten, every other one.
        let t = log_ticks(-5.0, 5.0);
        assert!(t.len() <= 6, "{t:?}");
        for w in t.windows(2) {
            assert!(w[1] > w[0] && tick_label(w[1]) != tick_label(w[0]));
        }
        assert!(log_ticks(1.0, 1.0).is_empty());
    }
}
