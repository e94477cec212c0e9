//! The verdict engine in the situations verdicts are taken in (docs/methods.md §7):
//! targets on uniform's plateau, a late second rise finer than the grid, a
//! selector with a higher ceiling (its rate still known), and the protocol's
//! forward budget rule applied to simulated horizon sweeps; 3 and 10 seeds.
//!
//! Each replicate is analysed by the code that analyses real runs; its situation
//! is read from its data as a real row's is (`analysis::situation`), so the
//! coverage is measured per situation the analysis can see, not per design. Two
//! passes over the same replicates: the first gives the coverage table (what
//! `coverage.csv` commits), the second the verdicts with abstention under it —
//! before and after, per design: coverage, bias, wrong and undecided verdicts
//! against thresholds a quarter away from the truth.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use super::synth::{Design, Grid, Shape};
use crate::analysis::claims::{Rule, Verdict};
use crate::analysis::compare::{Reading, Target};
use crate::analysis::situation::{self, Coverage, CoverageRow, Schedule, Situation};
use crate::analysis::Analysis;
use crate::stats::{CensoredInterval, Estimator};

/// The designs: per situation, 3 and 10 seeds.
pub fn designs() -> Vec<Design> {
    let base = Design {
        shape: Shape::Concave,
        k: 3.0,
        run_sd: 0.01,
        point_sd: 0.005,
        seeds: 5,
        grid: Grid::Every100,
        ceiling: 1.0,
        forward: false,
        worlds: 0,
        world_sd: 0.0,
        log_worlds: false,
    };
    let mut out = Vec::new();
    for seeds in [3, 10] {
        let b = Design { seeds, ..base };
        // One schedule, every 100 steps.
        out.push(b);
        for k in [2.0, 4.5] {
            out.push(Design {
                k,
                shape: Shape::Sigmoid,
                ..b
            });
            out.push(Design {
                k: k + 1.0,
                shape: Shape::TwoPhase,
                ..b
            });
        }
        out.push(Design { ceiling: 1.25, ..b });
        // Horizon sweeps read at the protocol's forward budget.
        let h = Design {
            grid: Grid::Horizons,
            forward: true,
            ..b
        };
        out.push(h);
        for k in [2.0, 4.5] {
            out.push(Design {
                k,
                ceiling: 1.25,
                ..h
            });
        }
        out.push(Design {
            shape: Shape::Sigmoid,
            ..h
        });
        out.push(Design {
            shape: Shape::TwoPhase,
            ..h
        });
    }
    out
}

/// What one replicate says.
#[derive(Clone, Copy, Debug)]
pub struct Seen {
    situation: Situation,
    schedule: Schedule,
    truth: f64,
    /// Per reading (trained, first-reaching): its interval.
    ci: [CensoredInterval; 2],
}

/// The two readings' intervals of one analysis, the truth at the budget read,
/// and the situation the analysis sees.
fn see(a: &Analysis, d: &Design) -> Option<Seen> {
    let jest = a.jest();
    if d.grid == Grid::Horizons {
        let h = jest.horizons.first()?;
        let at = if d.forward {
            h.forward_budget()?
        } else {
            super::synth::READ_AT
        };
        let p = h.points.iter().find(|p| p.horizon == at)?;
        return Some(Seen {
            situation: situation::of_horizon(h, at),
            schedule: Schedule::Horizons,
            truth: d.truth(at),
            ci: [p.speedup, p.speedup_first],
        });
    }
    let c = jest.comparisons.first()?;
    let s = c.speedup(Target::Final, crate::analysis::Axis::Iterations);
    Some(Seen {
        situation: situation::of_comparison(c, &jest.cells),
        schedule: Schedule::Single,
        truth: d.truth(f64::NAN),
        ci: [
            s.reading(Reading::Trained).0?,
            s.reading(Reading::FirstReaching).0?,
        ],
    })
}

fn covers(ci: &CensoredInterval, truth: f64) -> bool {
    ci.lower_bound <= truth && truth <= ci.upper_bound
}

/// A design's record, before and after abstention.
#[derive(Clone, Debug, Serialize)]
pub struct Record {
    pub design: Design,
    pub replicates: usize,
    /// Replicates with a reading (a horizon sweep whose forward rule finds a budget).
    pub read: usize,
    /// The situations its replicates were seen in, with counts.
    pub seen: BTreeMap<Situation, usize>,
    /// Coverage of the 95% intervals, the lower of the two readings.
    pub coverage: f64,
    /// Median estimate (trained reading) / truth − 1.
    pub bias: f64,
    /// Wrong and undecided shares of the verdicts against truth/1.25 and 1.25 truth,
    /// both readings combined as a row's are: before abstention, and after.
    pub wrong_before: f64,
    pub undecided_before: f64,
    pub wrong_after: f64,
    pub undecided_after: f64,
}

/// Every design's replicates `first .. first + replicates`, analysed under the
/// chosen estimator and read as a claim row would be.
pub struct Observed(Vec<Vec<Option<Seen>>>);

pub fn observe(
    designs: &[Design],
    first: u64,
    replicates: usize,
    progress: &dyn Fn(usize, usize),
) -> Observed {
    let est = Estimator::CHOSEN;
    let mut seen = Vec::new();
    for (i, d) in designs.iter().enumerate() {
        progress(i, designs.len());
        seen.push(
            (first..first + replicates as u64)
                .into_par_iter()
                .map(|rep| see(&super::analyse(&d.rows(rep), &est), d))
                .collect(),
        );
    }
    Observed(seen)
}

/// Runs every design `replicates` times: the coverage table per (situation,
/// schedule, seeds) and each design's record with abstention under it at
/// `min_coverage`.
pub fn run(
    designs: &[Design],
    replicates: usize,
    min_coverage: f64,
    progress: &dyn Fn(usize, usize),
) -> (Coverage, Vec<Record>) {
    let seen = observe(designs, 0, replicates, progress);
    let table = coverage(designs, &seen);
    let records = records(designs, &seen, &table, min_coverage);
    (table, records)
}

/// Pass 1: the coverage per situation the analysis sees.
pub fn coverage(designs: &[Design], seen: &Observed) -> Coverage {
    let mut pooled: BTreeMap<(Situation, Schedule, usize), [usize; 3]> = BTreeMap::new();
    for (d, reps) in designs.iter().zip(&seen.0) {
        for s in reps.iter().flatten() {
            let e = pooled
                .entry((s.situation, s.schedule, d.seeds))
                .or_default();
            e[0] += 1;
            e[1] += covers(&s.ci[0], s.truth) as usize;
            e[2] += covers(&s.ci[1], s.truth) as usize;
        }
    }
    Coverage {
        rows: pooled
            .into_iter()
            .map(|((situation, schedule, seeds), [n, a, b])| CoverageRow {
                situation,
                schedule,
                seeds,
                replicates: n,
                coverage: a.min(b) as f64 / n as f64,
            })
            .collect(),
    }
}

/// Pass 2: each design's verdicts before and after abstaining under `table`.
pub fn records(
    designs: &[Design],
    seen: &Observed,
    table: &Coverage,
    min_coverage: f64,
) -> Vec<Record> {
    designs
        .iter()
        .zip(&seen.0)
        .map(|(d, reps)| {
            let got: Vec<&Seen> = reps.iter().flatten().collect();
            let n = got.len().max(1) as f64;
            let mut counts = [0usize; 4];
            for s in &got {
                let abstains = table
                    .abstain(s.situation, s.schedule, d.seeds, min_coverage)
                    .is_some();
                for (t, truly_holds) in [(s.truth / 1.25, true), (s.truth * 1.25, false)] {
                    let rule = Rule::AtLeast(t);
                    let v = Verdict::combine(&[rule.verdict(&s.ci[0]), rule.verdict(&s.ci[1])]);
                    let side = match v {
                        Verdict::Holds | Verdict::HoldsAsBound => Some(true),
                        Verdict::DoesNotHold | Verdict::FailsAsBound => Some(false),
                        _ => None,
                    };
                    match side {
                        Some(h) if h != truly_holds => {
                            counts[0] += 1;
                            if abstains {
                                counts[3] += 1;
                            } else {
                                counts[2] += 1;
                            }
                        }
                        Some(_) if abstains => counts[3] += 1,
                        Some(_) => {}
                        None => {
                            counts[1] += 1;
                            counts[3] += 1;
                        }
                    }
                }
            }
            let mut seen_in: BTreeMap<Situation, usize> = BTreeMap::new();
            for s in &got {
                *seen_in.entry(s.situation).or_default() += 1;
            }
            let cover =
                |r: usize| got.iter().filter(|s| covers(&s.ci[r], s.truth)).count() as f64 / n;
            let estimates: Vec<f64> = got
                .iter()
                .map(|s| {
                    let p = s.ci[0].point;
                    p.value()
                        .unwrap_or(if p.hi.is_finite() { p.hi } else { p.lo })
                        / s.truth
                })
                .collect();
            Record {
                design: *d,
                replicates: reps.len(),
                read: got.len(),
                seen: seen_in,
                coverage: cover(0).min(cover(1)),
                bias: super::median(estimates) - 1.0,
                wrong_before: counts[0] as f64 / (2.0 * n),
                undecided_before: counts[1] as f64 / (2.0 * n),
                wrong_after: counts[2] as f64 / (2.0 * n),
                undecided_after: counts[3] as f64 / (2.0 * n),
            }
        })
        .collect()
}

fn design_text(d: &Design) -> String {
    let mut s = format!("{} k = {}", d.shape.name(), d.k);
    if d.ceiling != 1.0 {
        s.push_str(&format!(", ceiling ×{}", d.ceiling));
    }
    s.push_str(&format!(" · {}", d.grid.name()));
    if d.forward {
        s.push_str(" (forward budget)");
    }
    s.push_str(&format!(" · {} seeds", d.seeds));
    s
}

/// The before/after table and the coverage table, as Markdown.
pub fn markdown(table: &Coverage, records: &[Record], min_coverage: f64, command: &str) -> String {
    let mut s = format!(
        "Made by `{command}` ({} replicates per design; chosen estimator; every stream seeded). Per design: the situations its replicates were seen in; coverage of the 95% interval (the lower of the two readings); bias (median estimate / truth − 1, trained reading); wrong and undecided verdicts against truth/1.25 and 1.25·truth, both readings combined as a claim row's, before and after abstaining where the situation's calibrated coverage is below {min_coverage}.\n\n",
        records.first().map_or(0, |r| r.replicates)
    );
    s.push_str("| design | seen as | coverage | bias | wrong before | undecided before | wrong after | undecided after |\n|---|---|---|---|---|---|---|---|\n");
    for r in records {
        let seen: Vec<String> = r
            .seen
            .iter()
            .map(|(k, v)| format!("{} {v}", k.name()))
            .collect();
        s.push_str(&format!(
            "| {} | {}{} | {:.2} | {:+.1}% | {:.3} | {:.2} | {:.3} | {:.2} |\n",
            design_text(&r.design),
            seen.join(", "),
            if r.read < r.replicates {
                format!(" ({} without a budget)", r.replicates - r.read)
            } else {
                String::new()
            },
            r.coverage,
            100.0 * r.bias,
            r.wrong_before,
            r.undecided_before,
            r.wrong_after,
            r.undecided_after
        ));
    }
    s.push_str("\nThe coverage table the verdicts read (`harness/analysis/coverage.csv`): per situation the analysis sees, schedule and seeds, over every design's replicates seen there; a verdict abstains where its row's coverage is below the protocol's, or where no row has 50 replicates.\n\n| situation | schedule | seeds | replicates | coverage | verdicts |\n|---|---|---|---|---|---|\n");
    for r in &table.rows {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {:.3} | {} |\n",
            r.situation.words(),
            r.schedule.name(),
            r.seeds,
            r.replicates,
            r.coverage,
            if r.replicates < situation::MIN_REPLICATES {
                "abstain (too few replicates)"
            } else if r.coverage >= min_coverage {
                "stand"
            } else {
                "abstain"
            }
        ));
    }
    s
}
