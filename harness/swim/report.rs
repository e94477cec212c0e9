//! The SWIM section: time to equal accuracy, then every cell's figures.

use super::svg;
use crate::analysis::claims::show_bounds;
use crate::analysis::Analysis;
use crate::report::{bracket, plain_bracket, slug, Block};
use crate::stats::Interval;

/// A metric value: accuracy with 4 decimals, errors in scientific notation.
fn metric_value(name: &str, v: f64) -> String {
    if name == "accuracy" {
        format!("{v:.4}")
    } else {
        format!("{v:.3e}")
    }
}

fn metric_ci(name: &str, i: &Interval) -> String {
    format!(
        "{} [{}, {}]",
        metric_value(name, i.point_estimate),
        metric_value(name, i.lower_bound),
        metric_value(name, i.upper_bound)
    )
}

fn seconds_ci(i: &Interval) -> String {
    format!(
        "{:.3} [{:.3}, {:.3}]",
        i.point_estimate, i.lower_bound, i.upper_bound
    )
}

/// The SWIM section (docs/methods.md §5 "SWIM claim"): time to equal accuracy first, Adam's
/// curves against the fitted points, then every cell's figures.
pub(super) fn swim(a: &Analysis, b: &mut Vec<Block>) {
    b.push(Block::Heading(
        2,
        "Sampled networks (SWIM) against iterative training".into(),
    ));
    b.push(Block::Para("Time to equal accuracy: Adam trains the same network to convergence (early stopping on a validation split); its curve is its checkpoint's test metric against wall time. For each sampled or random-feature method: its seed-mean test metric and fit time, Adam's seed-mean time to first reach that metric (not reached: at least its whole run, a censored value), Adam's best and the time it first reached it, and the ratios to the fitted method's time. Intervals: 95% bootstrap over seeds (paired). Hamiltonian tasks: the metric is the relative L2 error of H up to its constant.".into()));
    b.push(Block::Table {
        header: [
            "experiment",
            "setting",
            "method",
            "its test metric (95% CI)",
            "its fit s (95% CI)",
            "Adam to that metric, s",
            "Adam's best, after s",
            "speed-up to equal accuracy (95% CI)",
            "speed-up to Adam's best",
            "≥ 100x",
        ]
        .map(String::from)
        .to_vec(),
        rows: a
            .swim()
            .comparisons
            .iter()
            .map(|c| {
                let adam = if c.reached == c.seeds {
                    format!(
                        "{:.2} {}",
                        c.adam_to_target.point.lo,
                        bracket(&c.adam_to_target)
                    )
                } else {
                    format!(
                        "not reached in {} of {} seeds ({:.0} epochs, {:.1} s)",
                        c.seeds - c.reached,
                        c.seeds,
                        c.adam_epochs,
                        c.adam_seconds.point_estimate
                    )
                };
                vec![
                    c.experiment.clone(),
                    c.setting.clone(),
                    c.method.to_string(),
                    metric_ci(&c.metric_name, &c.target),
                    seconds_ci(&c.sampled_seconds),
                    adam,
                    format!(
                        "{} after {:.2}",
                        metric_value(&c.metric_name, c.adam_best.point_estimate),
                        c.adam_to_best.point_estimate
                    ),
                    format!(
                        "{} {}",
                        show_bounds(c.speedup.point, "x"),
                        bracket(&c.speedup)
                    ),
                    format!(
                        "{:.1}x {}",
                        c.speedup_to_best.point_estimate,
                        plain_bracket(&c.speedup_to_best, 1)
                    ),
                    format!("**{}**", c.claim.text()),
                ]
            })
            .collect(),
    });
    let mut settings: Vec<(&str, &str)> = a
        .swim()
        .cells
        .iter()
        .map(|c| (c.experiment.as_str(), c.setting.as_str()))
        .collect();
    settings.dedup();
    for (exp, setting) in settings {
        let cells: Vec<_> = a
            .swim()
            .cells
            .iter()
            .filter(|c| c.experiment == exp && c.setting == setting)
            .collect();
        let Some(adam) = cells
            .iter()
            .find(|c| c.method == crate::method::Method::ADAM)
        else {
            continue;
        };
        let title = if setting.is_empty() {
            exp.to_string()
        } else {
            format!("{exp}: {setting}")
        };
        let plot = svg::TimeAccuracy {
            title: &title,
            metric: &adam.metric_name,
            higher_better: adam.metric_name == "accuracy",
            adam: adam
                .seeds
                .values()
                .filter_map(|f| f.curve.clone())
                .collect(),
            points: cells
                .iter()
                .filter(|c| c.method != crate::method::Method::ADAM)
                .map(|c| (c.method.to_string(), c.seconds, c.metric))
                .collect(),
        };
        if let Ok(svg) = svg::time_to_accuracy(&plot) {
            b.push(Block::Figure {
                file: format!("swim-{}.svg", slug(&title)),
                svg,
                caption: format!("{title}: Adam's test {} against wall time, and each fitted method's (time, {}) with 95% CIs", adam.metric_name, adam.metric_name),
            });
        }
    }
    let optional = |i: &Option<Interval>| {
        i.as_ref()
            .map_or("—".to_string(), |i| format!("{:.3e}", i.point_estimate))
    };
    b.push(Block::Details {
        summary:
        "Per method: test metric, fit time, gradient error and energy drift (Hamiltonian tasks), FLOPs".into(),
        blocks: vec![Block::Table {
            header: [
                "experiment",
                "setting",
                "method",
                "seeds",
                "metric",
                "value (95% CI)",
                "fit seconds (95% CI)",
                "gradient error",
                "energy drift",
                "epochs (mean)",
                "FLOPs (mean)",
            ]
            .map(String::from)
            .to_vec(),
            rows: a
                .swim().cells
                .iter()
                .map(|c| {
                    let drift = match (&c.energy_drift, c.blown_up) {
                        (d, 0) => optional(d),
                        (d, k) => format!("{} ({k} blew up)", optional(d)),
                    };
                    vec![
                        c.experiment.clone(),
                        c.setting.clone(),
                        c.method.to_string(),
                        c.seeds.len().to_string(),
                        c.metric_name.clone(),
                        metric_ci(&c.metric_name, &c.metric),
                        seconds_ci(&c.seconds),
                        optional(&c.grad_error),
                        drift,
                        format!(
                            "{:.0}",
                            c.seeds.values().map(|f| f.epochs as f64).sum::<f64>() / c.seeds.len() as f64
                        ),
                        format!("{:.3e}", c.flops),
                    ]
                })
                .collect(),
        }],
    });
}
