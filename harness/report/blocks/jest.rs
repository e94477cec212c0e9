//! JEST's sections of a report: the map of worlds beside the answer; then the
//! headline figures (iso-accuracy and horizon speed-ups against the paper's
//! same-data figures) and, per experiment, its cells, speed-ups, horizons,
//! diagnostics and figures (long tables folded).

use std::collections::BTreeMap;

use super::world::world_map;
use super::{bracket, figures, plain_bracket, slug, speedup_text, Block};
use crate::analysis::claims::show_bounds;
use crate::analysis::compare::RATE_TARGETS;
use crate::analysis::{Analysis, Axis, Comparison, HorizonComparison, Target};
use crate::report::{svg, ReportError};

/// JEST's overview: the map of worlds, where experiments sweep their data.
pub fn jest_overview(a: &Analysis, body: &mut Vec<Block>) {
    world_map(a, body);
}

/// JEST's detail: the headline figures, then each experiment's cells, speed-ups,
/// horizons, diagnostics and figures.
pub fn jest_detail(a: &Analysis, body: &mut Vec<Block>) -> Result<(), ReportError> {
    headline(a, body)?;
    for exp in &a.experiments {
        if a.jest().cells.iter().any(|c| &c.experiment == exp) {
            experiment(a, exp, body)?;
        }
    }
    Ok(())
}

/// Comparisons of an experiment at its longest horizon (all when not swept).
fn at_longest_horizon<'a>(a: &'a Analysis, exp: &str) -> Vec<&'a Comparison> {
    let comps: Vec<&Comparison> = a
        .jest()
        .comparisons
        .iter()
        .filter(|c| a.jest().cells[c.method].experiment == exp)
        .collect();
    let longest = comps
        .iter()
        .map(|c| a.jest().cells[c.method].steps)
        .max()
        .unwrap_or(0);
    comps
        .into_iter()
        .filter(|c| a.jest().cells[c.method].steps == longest)
        .collect()
}

/// The most comparisons one iso-accuracy plot draws; more go into parts.
const PER_PLOT: usize = svg::PANEL;

/// The headline: iso-accuracy speed-up curves at each experiment's longest horizon
/// (one figure per filtering ratio), and horizon speed-ups where swept.
fn headline(a: &Analysis, b: &mut Vec<Block>) -> Result<(), ReportError> {
    let mut figures = Vec::new();
    for exp in &a.experiments {
        let mut by_f: BTreeMap<String, Vec<&Comparison>> = BTreeMap::new();
        for c in at_longest_horizon(a, exp) {
            by_f.entry(format!("{:.3}", a.jest().cells[c.method].filter_ratio))
                .or_default()
                .push(c);
        }
        for (f, mut comps) in by_f {
            // Every comparison is drawn: more than a readable plot holds go into
            // parts, settings in numeric order.
            comps.sort_by(|x, y| {
                crate::names::natural_cmp(
                    &a.jest().cells[x.method].setting,
                    &a.jest().cells[y.method].setting,
                )
                .then_with(|| {
                    a.jest().cells[x.method]
                        .method
                        .cmp(&a.jest().cells[y.method].method)
                })
            });
            let parts = comps.len().div_ceil(PER_PLOT);
            for (k, comps) in comps.chunks(PER_PLOT).enumerate() {
                let (file, part) = if parts > 1 {
                    (
                        format!("{}-iso-f{}-{}.svg", slug(exp), f, k + 1),
                        format!(" (part {} of {parts})", k + 1),
                    )
                } else {
                    (format!("{}-iso-f{}.svg", slug(exp), f), String::new())
                };
                figures.push(Block::Figure {
                file,
                svg: svg::iso_curves(&format!("{exp}: iso-accuracy speed-ups, f = {f}{part}"), &a.jest().cells, comps, Axis::Iterations)?,
                caption: format!("{exp}, f = {f}: for each level uniform reached (its seed-mean score at each evaluation point up to its best; rightmost, its final), the speed-up in iterations to first reach it, with 95% CIs; up arrows: at least (reached within the first evaluation interval), down arrows: below (never reached); dashed: the paper's same-data figure."),
            });
            }
        }
        let hs: Vec<&HorizonComparison> = a
            .jest()
            .horizons
            .iter()
            .filter(|h| &h.experiment == exp)
            .collect();
        let panels = svg::panels(&hs, |h| h.method.as_str());
        let n = panels.len();
        for (k, panel) in panels.iter().enumerate() {
            let (file, part) = if n > 1 {
                (
                    format!("{}-horizon-speedups-{}.svg", slug(exp), k + 1),
                    format!(" ({} of {n})", k + 1),
                )
            } else {
                (format!("{}-horizon-speedups.svg", slug(exp)), String::new())
            };
            let panel: Vec<&HorizonComparison> = panel.iter().map(|h| **h).collect();
            figures.push(Block::Figure {
                file,
                svg: svg::horizon_speedups(&format!("{exp}: horizon speed-ups{part}"), &panel)?,
                caption: format!("{exp}: at each horizon H (its own schedule), H over the shortest selector horizon whose final score reaches uniform's final at H (solid, 95% CIs), and how much longer uniform must train to match the selector's final at H (thin); dashed: the paper's same-data figures."),
            });
        }
    }
    if !figures.is_empty() {
        b.push(Block::Heading(
            2,
            "Speed-ups against the paper's same-data figures".into(),
        ));
        b.extend(figures);
    }
    Ok(())
}

fn experiment(a: &Analysis, exp: &str, b: &mut Vec<Block>) -> Result<(), ReportError> {
    let idx: Vec<usize> = (0..a.jest().cells.len())
        .filter(|&i| a.jest().cells[i].experiment == exp)
        .collect();
    b.push(Block::Heading(2, format!("Experiment `{exp}`")));
    b.push(Block::Table {
        header: [
            "method",
            "setting",
            "seeds",
            "diverged",
            "final score (mean, 95% CI)",
            "reference score",
        ]
        .map(String::from)
        .to_vec(),
        rows: idx
            .iter()
            .map(|&i| {
                let c = &a.jest().cells[i];
                vec![
                    c.method.to_string(),
                    c.setting.clone(),
                    c.complete().len().to_string(),
                    c.diverged.to_string(),
                    c.final_score.map_or("—".into(), |ci| {
                        format!("{:.4} {}", ci.point_estimate, plain_bracket(&ci, 4))
                    }),
                    c.reference_score.map_or("—".into(), |v| format!("{v:.4}")),
                ]
            })
            .collect(),
    });
    let comps: Vec<&Comparison> = a
        .jest()
        .comparisons
        .iter()
        .filter(|c| a.jest().cells[c.method].experiment == exp)
        .collect();
    if !comps.is_empty() {
        speedup_tables(a, &comps, b);
    }
    horizons(a, exp, b)?;
    figures(a, exp, &idx, &comps, b)
}

fn speedup_tables(a: &Analysis, comps: &[&Comparison], b: &mut Vec<Block>) {
    let mut tables = Vec::new();
    for target in [Target::Final, Target::Best] {
        tables.push(Block::Heading(
            3,
            format!("Speed-ups to uniform's {} score", target.name()),
        ));
        let mut header = vec!["method".to_string(), "setting".into(), "target".into()];
        header.extend(Axis::ALL.iter().map(|a| a.label().to_string()));
        tables.push(Block::Table {
            header,
            rows: comps
                .iter()
                .map(|c| {
                    let cell = &a.jest().cells[c.method];
                    let mut row = vec![
                        cell.method.to_string(),
                        cell.setting.clone(),
                        format!("{:.4}", c.speedup(target, Axis::Iterations).target_score),
                    ];
                    row.extend(
                        Axis::ALL
                            .iter()
                            .map(|&ax| speedup_text(c.speedup(target, ax))),
                    );
                    row
                })
                .collect(),
        });
    }
    b.push(Block::Details {
        summary: "Speed-ups to uniform's final and best score, every accounting".into(),
        blocks: tables,
    });
    b.push(Block::Details {
        summary: "Iso-accuracy speed-ups (iterations), every target level".into(),
        blocks: vec![Block::Table {
            header: [
                "method",
                "setting",
                "target",
                "level",
                "uniform reaches it at",
                "speed-up (95% CI)",
            ]
            .map(String::from)
            .to_vec(),
            rows: comps
                .iter()
                .flat_map(|c| {
                    let cell = &a.jest().cells[c.method];
                    c.iso_curve(Axis::Iterations).map(move |s| {
                        vec![
                            cell.method.to_string(),
                            cell.setting.clone(),
                            s.target.name(),
                            format!("{:.4}", s.target_score),
                            format!("{:.0}", s.baseline_x),
                            speedup_text(s),
                        ]
                    })
                })
                .collect(),
        }],
    });
    b.push(Block::Details {
        summary: "Final scores against uniform (Welch's t-test, Holm-corrected, Hedges' g)".into(),
        blocks: vec![Block::Table {
            header: [
                "method",
                "setting",
                "difference",
                "Welch t",
                "df",
                "p",
                "p (Holm)",
                "Hedges' g",
            ]
            .map(String::from)
            .to_vec(),
            rows: comps
                .iter()
                .map(|c| {
                    let cell = &a.jest().cells[c.method];
                    let w = c.welch;
                    vec![
                        cell.method.to_string(),
                        cell.setting.clone(),
                        format!(
                            "{:+.4}",
                            c.final_score.point_estimate - c.baseline_final_score.point_estimate
                        ),
                        w.map_or("—".into(), |w| format!("{:.2}", w.t)),
                        w.map_or("—".into(), |w| format!("{:.1}", w.df)),
                        w.map_or("—".into(), |w| format!("{:.2e}", w.p_value)),
                        format!("{:.2e}", c.holm_p),
                        c.hedges_g.map_or("—".into(), |g| format!("{g:.2}")),
                    ]
                })
                .collect(),
        }],
    });
}

fn horizons(a: &Analysis, exp: &str, b: &mut Vec<Block>) -> Result<(), ReportError> {
    let hs: Vec<&HorizonComparison> = a
        .jest()
        .horizons
        .iter()
        .filter(|h| h.experiment == exp)
        .collect();
    if hs.is_empty() {
        return Ok(());
    }
    b.push(Block::Heading(
        3,
        "Horizon sweep: the budget profile".into(),
    ));
    b.push(Block::Para("Every budget H is its own run with its own schedule. Per H: the seed-mean final scores; the ceiling gap (the selector's final minus uniform's, paired over seeds); the speed-up to uniform's final at H in both readings (H over the selector's horizon reaching it, and uniform's own first-reaching horizon over the selector's); the rate within the runs of budget H, as the speed-up in iterations to reach 50%, 80% and 90% of uniform's own gain over its initial score (defined whatever the ceilings); and how much longer uniform must train to match the selector's final. All with 95% CIs.".into()));
    let rate = |h: &HorizonComparison, horizon: f64| -> String {
        let Some(c) = a.jest().comparisons.iter().find(|c| {
            let cell = &a.jest().cells[c.method];
            cell.experiment == h.experiment
                && cell.method == h.method
                && cell.steps as f64 == horizon
                && cell.setting_without("train.steps") == h.setting
        }) else {
            return "–".into();
        };
        RATE_TARGETS
            .iter()
            .map(|&t| match c.speedup(t, Axis::Iterations).interval {
                Some(ci) => format!("{} {}", show_bounds(ci.point, "x"), bracket(&ci)),
                None => "–".into(),
            })
            .collect::<Vec<_>>()
            .join(" / ")
    };
    b.push(Block::Table {
        header: [
            "method",
            "setting",
            "H",
            "uniform final",
            "selector final",
            "ceiling gap",
            "speed-up, trained steps",
            "speed-up, first-reaching",
            "rate to 50% / 80% / 90% of uniform's gain",
            "uniform's horizon factor",
        ]
        .map(String::from)
        .to_vec(),
        rows: hs
            .iter()
            .flat_map(|h| {
                h.points.iter().map(move |p| {
                    vec![
                        h.method.to_string(),
                        h.setting.clone(),
                        format!("{}", p.horizon),
                        format!(
                            "{:.4} {}",
                            p.baseline_final.point_estimate,
                            plain_bracket(&p.baseline_final, 4)
                        ),
                        format!(
                            "{:.4} {}",
                            p.method_final.point_estimate,
                            plain_bracket(&p.method_final, 4)
                        ),
                        format!(
                            "{:+.4} [{:+.4}, {:+.4}]",
                            p.ceiling_gap.point.mid,
                            p.ceiling_gap.lower_bound,
                            p.ceiling_gap.upper_bound
                        ),
                        format!(
                            "{} {}",
                            show_bounds(p.speedup.point, "x"),
                            bracket(&p.speedup)
                        ),
                        format!(
                            "{} {}",
                            show_bounds(p.speedup_first.point, "x"),
                            bracket(&p.speedup_first)
                        ),
                        rate(h, p.horizon),
                        format!(
                            "{} {}",
                            show_bounds(p.factor.point, "x"),
                            bracket(&p.factor)
                        ),
                    ]
                })
            })
            .collect(),
    });
    let budget = |x: Option<f64>| {
        x.map_or("none of the swept budgets".to_string(), |h| {
            format!("H = {h}")
        })
    };
    b.push(Block::List(
        hs.iter()
            .map(|h| {
                format!(
                    "{} {}: the same-data verdicts are read at {}, by the protocol's forward rule (docs/methods.md §7: the longest H up to which, at every budget, uniform's final at 2H exceeds its final at H beyond noise); the retired rule of revision 3 (the last budget of uniform's opening run of improvement over H/2, the first at which uniform has levelled off) would read {}.",
                    h.method,
                    if h.setting.is_empty() { "(no other setting)".to_string() } else { h.setting.clone() },
                    budget(h.forward_budget()),
                    budget(h.backward_budget())
                )
            })
            .collect(),
    ));
    let mut figs = Vec::new();
    for h in &hs {
        figs.push(Block::Figure {
            file: format!("{}-horizon-finals-{}-{}.svg", slug(exp), h.method, slug(&h.setting)),
            svg: svg::horizon_finals(&format!("{exp}: final score by horizon, {} {}", h.method, h.setting), h)?,
            caption: format!("{exp}, {} {}: seed-mean final scores of uniform and the selector at each horizon (each trained with its own schedule), 95% CIs.", h.method, h.setting),
        });
    }
    b.push(Block::Details {
        summary: "Final score by horizon".into(),
        blocks: figs,
    });
    Ok(())
}
