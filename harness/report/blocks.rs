//! The report's content as blocks (`doc`): provenance, the claims table with its
//! rules, per-experiment tables and figures, and the SWIM section. Every number is
//! read from the analysis.

use super::doc::Block;
use super::{svg, ReportError};
use crate::analysis::{Analysis, Axis, Cell, Comparison, Speedup, Target};
use crate::stats::Interval;

/// The report of `a`, as blocks.
pub(super) fn blocks(a: &Analysis) -> Result<Vec<Block>, ReportError> {
    Blocks(a).all()
}

struct Blocks<'a>(&'a Analysis);

impl std::ops::Deref for Blocks<'_> {
    type Target = Analysis;
    fn deref(&self) -> &Analysis {
        self.0
    }
}

impl Blocks<'_> {
    fn all(&self) -> Result<Vec<Block>, ReportError> {
        let mut b = vec![Block::Heading(
            1,
            format!("jestbench report: {}", self.experiments.join(", ")),
        )];
        b.push(Block::Para(format!(
            "{} result rows from {}; {} sweep cells; speed-ups and intervals from {} seeded bootstrap resamples over seeds (percentile 95% CIs).",
            self.rows,
            self.sources.iter().map(|p| format!("`{}`", p.display())).collect::<Vec<_>>().join(", "),
            self.cells.len(),
            self.resamples
        )));
        if !self.warnings.is_empty() {
            b.push(Block::Heading(2, "Warnings".into()));
            b.push(Block::List(self.warnings.clone()));
        }
        b.push(Block::Heading(2, "Claims".into()));
        b.push(Block::Table {
            header: ["claim", "measured", "95% CI", "accounting", "verdict"]
                .map(String::from)
                .to_vec(),
            rows: self
                .claims
                .iter()
                .map(|c| {
                    vec![
                        c.claim.clone(),
                        c.measured.clone(),
                        c.estimate.map_or("—".into(), |i| bracket(&i)),
                        c.accounting.clone(),
                        format!("**{}**", c.verdict.text()),
                    ]
                })
                .collect(),
        });
        b.push(Block::Para("Verdict rules:".into()));
        b.push(Block::List(
            self.claims
                .iter()
                .map(|c| format!("{}: {}.", c.claim, c.rule))
                .collect(),
        ));
        b.push(Block::Para(
            "Targets: a selector's speed-up is uniform's (iterations, FLOPs or seconds) to reach the target divided by its own, where the target is uniform's final seed-mean zero-shot accuracy (and, in the second table, its best), and the seed-mean curves are interpolated linearly between evaluation points. A selector that never reaches the target is reported as such, never as a number; in a CI, resamples that never reach it count as the lowest values. FLOP accountings: *paper* counts learner FLOPs with the scoring forward reused for the chosen batch, F(B + 2b) per JEST iteration, and cached reference embeddings as free; *+ reference scoring* adds a reference forward over each super-batch; *+ reference training* also adds the reference's whole training; *executed* is what this harness ran (a fresh forward for training, cached reference scoring and its one pass over the pool).".into(),
        ));

        for exp in &self.experiments {
            if self.cells.iter().any(|c| &c.experiment == exp) {
                self.experiment_blocks(exp, &mut b)?;
            }
        }
        if !self.swim_cells.is_empty() {
            self.swim_blocks(&mut b);
        }
        Ok(b)
    }

    fn experiment_blocks(&self, exp: &str, b: &mut Vec<Block>) -> Result<(), ReportError> {
        let idx: Vec<usize> = (0..self.cells.len())
            .filter(|&i| self.cells[i].experiment == exp)
            .collect();
        b.push(Block::Heading(2, format!("Experiment `{exp}`")));
        b.push(Block::Table {
            header: [
                "method",
                "setting",
                "seeds",
                "diverged",
                "final zero-shot (mean, 95% CI)",
                "reference zero-shot",
            ]
            .map(String::from)
            .to_vec(),
            rows: idx
                .iter()
                .map(|&i| {
                    let c = &self.cells[i];
                    vec![
                        c.method.to_string(),
                        c.setting.clone(),
                        c.complete().len().to_string(),
                        c.diverged.to_string(),
                        c.final_score.map_or("—".into(), |ci| {
                            format!("{:.4} {}", ci.point_estimate, bracket(&ci))
                        }),
                        c.reference_score.map_or("—".into(), |v| format!("{v:.4}")),
                    ]
                })
                .collect(),
        });
        let comps: Vec<&Comparison> = self
            .comparisons
            .iter()
            .filter(|c| self.cells[c.method].experiment == exp)
            .collect();
        if !comps.is_empty() {
            for target in [Target::Final, Target::Best] {
                b.push(Block::Heading(
                    3,
                    format!("Speed-ups to uniform's {} score", target.name()),
                ));
                let mut header = vec!["method".to_string(), "setting".into(), "target".into()];
                header.extend(Axis::ALL.iter().map(|a| a.label().to_string()));
                b.push(Block::Table {
                    header,
                    rows: comps
                        .iter()
                        .map(|c| {
                            let cell = &self.cells[c.method];
                            let mut row = vec![
                                cell.method.to_string(),
                                cell.setting.clone(),
                                format!("{:.4}", c.speedup(target, Axis::Iterations).target_score),
                            ];
                            row.extend(
                                Axis::ALL
                                    .iter()
                                    .map(|&a| speedup_text(c.speedup(target, a))),
                            );
                            row
                        })
                        .collect(),
                });
            }
            b.push(Block::Heading(3, "Final scores against uniform".into()));
            b.push(Block::Table {
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
                        let cell = &self.cells[c.method];
                        let w = c.welch;
                        vec![
                            cell.method.to_string(),
                            cell.setting.clone(),
                            format!(
                                "{:+.4}",
                                c.final_score.point_estimate
                                    - c.baseline_final_score.point_estimate
                            ),
                            w.map_or("—".into(), |w| format!("{:.2}", w.t)),
                            w.map_or("—".into(), |w| format!("{:.1}", w.df)),
                            w.map_or("—".into(), |w| format!("{:.2e}", w.p_value)),
                            format!("{:.2e}", c.holm_p),
                            c.hedges_g.map_or("—".into(), |g| format!("{g:.2}")),
                        ]
                    })
                    .collect(),
            });
        }
        // Figures: learning curves per setting, on iterations and paper FLOPs.
        let mut settings: Vec<&str> = idx
            .iter()
            .map(|&i| self.cells[i].setting.as_str())
            .collect();
        settings.dedup();
        let slug = |s: &str| {
            s.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect::<String>()
        };
        for setting in settings {
            let group: Vec<&Cell> = idx
                .iter()
                .map(|&i| &self.cells[i])
                .filter(|c| c.setting == setting)
                .collect();
            let name = if setting.is_empty() {
                "all".to_string()
            } else {
                setting.replace(';', ", ")
            };
            for axis in Axis::PLOTTED {
                let file = format!(
                    "{}-curves-{}-{}.svg",
                    slug(exp),
                    slug(if setting.is_empty() { "all" } else { setting }),
                    axis.name()
                );
                b.push(Block::Figure {
                    svg: svg::learning_curves(&format!("{exp}: {name}"), &group, axis)?,
                    file,
                    caption: format!("{exp}, {name}: seed-mean zero-shot accuracy vs {} with point-wise 95% bootstrap bands.", axis.label()),
                });
            }
        }
        for key in [
            "train.filter_ratio",
            "reference.quality",
            "train.batch_size",
        ] {
            if let Some(s) = svg::speedup_vs(key, &self.cells, &comps)? {
                b.push(Block::Figure {
                    file: format!("{}-speedup-vs-{}.svg", slug(exp), slug(key)),
                    svg: s,
                    caption: format!("{exp}: iteration speed-up to uniform's final score vs {key}, with 95% CIs (1 = no speed-up)."),
                });
            }
        }
        let refs: Vec<&Cell> = idx.iter().map(|&i| &self.cells[i]).collect();
        if let Some(s) =
            svg::learnability(&format!("{exp}: learnability of trained batches"), &refs)?
        {
            b.push(Block::Figure {
                file: format!("{}-learnability.svg", slug(exp)),
                svg: s,
                caption: format!("{exp}: seed-mean learnability (Σ_ij A_ij / b) of the batches each cell trained on, per evaluation window."),
            });
        }
        Ok(())
    }

    fn swim_blocks(&self, b: &mut Vec<Block>) {
        b.push(Block::Heading(
            2,
            "Sampled networks (SWIM) against iterative training".into(),
        ));
        b.push(Block::Para("Per task setting and method: the test metric (accuracy, or relative L2 error ‖ŷ − y‖/‖y‖ for regression) and the wall-clock fit time, seed means with 95% bootstrap CIs. `swim` samples hidden weights from data pairs where the target changes fastest, `elm` uses random features (W ~ N(0, 1), b ~ U(−π, π)), both with a least-squares output layer; `adam` trains the same architecture (lr 1e-3, batch 64, at most 100 epochs, early stopping with patience 3).".into()));
        let ci = |i: &Interval, digits: usize| {
            format!(
                "{:.*} [{:.*}, {:.*}]",
                digits, i.point_estimate, digits, i.lower_bound, digits, i.upper_bound
            )
        };
        b.push(Block::Table {
            header: [
                "experiment",
                "setting",
                "method",
                "seeds",
                "metric",
                "value (95% CI)",
                "fit seconds (95% CI)",
                "FLOPs (mean)",
            ]
            .map(String::from)
            .to_vec(),
            rows: self
                .swim_cells
                .iter()
                .map(|c| {
                    vec![
                        c.experiment.clone(),
                        c.setting.clone(),
                        c.method.to_string(),
                        c.seeds.len().to_string(),
                        c.metric_name.clone(),
                        ci(&c.metric, 4),
                        ci(&c.seconds, 4),
                        format!("{:.3e}", c.flops),
                    ]
                })
                .collect(),
        });
        b.push(Block::Table {
            header: [
                "experiment",
                "setting",
                "Adam / SWIM fit time (95% CI)",
                "SWIM vs Adam (95% CI)",
                "comparable",
                "≥ 100x at comparable accuracy",
            ]
            .map(String::from)
            .to_vec(),
            rows: self
                .swim_comparisons
                .iter()
                .map(|c| {
                    let kind = if c.metric_name == "accuracy" {
                        "accuracy difference"
                    } else {
                        "error ratio"
                    };
                    vec![
                        c.experiment.clone(),
                        c.setting.clone(),
                        format!("{}x", ci(&c.speedup, 1)),
                        format!("{kind} {}", ci(&c.comparability, 4)),
                        c.comparable.text().into(),
                        format!("**{}**", c.claim.text()),
                    ]
                })
                .collect(),
        });
    }
}

/// "[lo, hi]", with "n.r." where the bound falls among never-reached resamples.
fn bracket(i: &Interval) -> String {
    let f = |v: f64| {
        if v.is_nan() {
            "n.r.".to_string()
        } else {
            format!("{v:.2}")
        }
    };
    format!("[{}, {}]", f(i.lower_bound), f(i.upper_bound))
}

fn speedup_text(s: &Speedup) -> String {
    match s.interval {
        Some(i) => format!("{:.2}x {}", i.point_estimate, bracket(&i)),
        None => "did not reach".into(),
    }
}
