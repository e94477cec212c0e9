//! Selection diagnostics over training: the learnability, the clean share and the
//! tail-concept share of the batches each selector trained on, and its filtering
//! precision and recall.

use plotters::prelude::*;

use super::*;

/// One line of an over-training plot: method, setting (or role) and points.
type Series = (String, String, Vec<(f64, f64)>);

/// A quantity of each cell over training (steps), one line per cell; `share`: a
/// share, drawn on [0, 1]. None when no series has a point.
fn over_training(
    title: &str,
    y_desc: &str,
    series: Vec<Series>,
    extra: Option<(String, Vec<(f64, f64)>)>,
    share: bool,
) -> Result<Option<String>, ReportError> {
    let series: Vec<Series> = series
        .into_iter()
        .map(|(m, s, p)| {
            (
                m,
                s,
                p.into_iter()
                    .filter(|q| q.1.is_finite())
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|s| !s.2.is_empty())
        .collect();
    if series.is_empty() {
        return Ok(None);
    }
    let all = || {
        series
            .iter()
            .map(|s| &s.2)
            .chain(extra.iter().map(|e| &e.1))
            .flat_map(|p| p.iter())
    };
    let x = bounds(all().map(|q| q.0), 0.0);
    let y = if share {
        (-0.02, 1.02)
    } else {
        bounds(all().map(|q| q.1), 0.05)
    };
    Ok(Some(chart(
        Frame {
            title,
            x_desc: "iterations",
            y_desc,
            x,
            y,
            log_x: false,
            log_y: false,
        },
        |cv| {
            for (method, setting, pts) in &series {
                let style = cv.palette.style(method, setting);
                let name = series_label(method, setting);
                line(cv, pts.clone(), style, &name)?;
            }
            if let Some((name, pts)) = &extra {
                let grey = RGBColor(90, 90, 90);
                cv.c.draw_series(LineSeries::new(pts.clone(), grey.stroke_width(1)))
                    .map_err(err)?;
                cv.legend.add(
                    name.as_str(),
                    Style {
                        colour: grey,
                        mark: legend::Mark::None,
                        dashed: false,
                    },
                );
            }
            Ok(())
        },
    )?))
}

fn of(c: &Cell, pts: Vec<(f64, f64)>) -> Series {
    (c.method.to_string(), c.setting.clone(), pts)
}

/// Seed-mean learnability of the batches each cell trained on, over training.
pub fn learnability(title: &str, cells: &[&Cell]) -> Result<Option<String>, ReportError> {
    over_training(
        title,
        "learnability of trained batches (Σ A_ij / b)",
        cells
            .iter()
            .map(|c| of(c, c.learnability_curve.clone()))
            .collect(),
        None,
        false,
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
            .map(|c| of(c, c.kinds.iter().map(|k| (k.step, k.selected[0])).collect()))
            .collect(),
        offered,
        true,
    )
}

/// The share of tail concepts (the least frequent third of the pool, by mass) each
/// cell trained on, over training; the super-batches' share in grey. A selector that
/// follows the stream stays near the grey line; one that rebalances a skewed
/// stream towards rare concepts rises above it.
pub fn tail_shares(title: &str, cells: &[&Cell]) -> Result<Option<String>, ReportError> {
    let offered = cells.iter().find(|c| !c.concepts.is_empty()).map(|c| {
        (
            "super-batches (offered)".to_string(),
            c.concepts
                .iter()
                .map(|k| (k.step, k.superbatch[2]))
                .collect(),
        )
    });
    over_training(
        title,
        "share of tail concepts in the trained batches",
        cells
            .iter()
            .map(|c| {
                of(
                    c,
                    c.concepts.iter().map(|k| (k.step, k.selected[2])).collect(),
                )
            })
            .collect(),
        offered,
        true,
    )
}

/// Filtering precision (share of dropped pairs that were corrupted) and recall
/// (share of corrupted pairs that were dropped), over training; None where no
/// pair was corrupted (both undefined).
pub fn filtering(title: &str, cells: &[&Cell]) -> Result<Option<String>, ReportError> {
    let mut series = Vec::new();
    for c in cells.iter().filter(|c| !c.kinds.is_empty()) {
        let m = c.method.to_string();
        series.push((
            m.clone(),
            "precision".to_string(),
            c.kinds.iter().map(|k| (k.step, k.precision)).collect(),
        ));
        series.push((
            m,
            "recall".to_string(),
            c.kinds.iter().map(|k| (k.step, k.recall)).collect(),
        ));
    }
    over_training(title, "filtering precision and recall", series, None, true)
}
