//! Selection diagnostics over training: the learnability and the clean share of
//! the batches each selector trained on, and its filtering precision and recall.

use plotters::prelude::*;

use super::*;

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
            log_y: false,
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
                (
                    c.label(),
                    c.concepts.iter().map(|k| (k.step, k.selected[2])).collect(),
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
