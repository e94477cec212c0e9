/*!
The verdict engine, measured (docs/methods.md §6 "Calibration"): synthetic learning curves
whose true speed-up k is known (`synth`) are written as results rows, read back by
the results parser, and analysed by `family::analyse` — the code that
analyses real runs — under each candidate estimator. Per setting: the coverage of
the 95% intervals (share of replicates whose interval contains k), the bias of the
point estimate (median estimate / k − 1), and how often the verdict against a
threshold a quarter away from k (k / 1.25 should hold, 1.25 k should fail) comes
out wrong, or undecided.

`jestbench calibrate` prints the table and writes it into docs/statistics.md.
*/

pub mod situations;
pub mod synth;

use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::cells::Axis;
use crate::analysis::claims::{Rule, Verdict};
use crate::analysis::compare::{Reading, Target};
use crate::analysis::Analysis;
use crate::log;
use crate::stats::crossing::Interp;
use crate::stats::interval::{Bracket, IntervalMethod};
use crate::stats::{CensoredInterval, Estimator};
pub use synth::{Design, Grid, Shape};

/// The estimators the table compares: revision 2's, and the steps to the chosen.
pub const ESTIMATORS: [(&str, Estimator); 5] = [
    ("before: linear, percentile", Estimator::BEFORE),
    (
        "cubic, percentile",
        Estimator {
            interp: Interp::Pchip,
            bracket: Bracket::None,
            interval: IntervalMethod::Percentile,
        },
    ),
    (
        "cubic, bootstrap-t",
        Estimator {
            interp: Interp::Pchip,
            bracket: Bracket::None,
            interval: IntervalMethod::StudentT,
        },
    ),
    (
        "chosen: cubic, interpolation bracket, bootstrap-t",
        Estimator::CHOSEN,
    ),
    (
        "cubic, grid bracket, bootstrap-t",
        Estimator {
            interp: Interp::Pchip,
            bracket: Bracket::Grid,
            interval: IntervalMethod::StudentT,
        },
    ),
];

/// One estimator's record on one design, under one reading.
#[derive(Clone, Debug, Serialize)]
pub struct Cell {
    pub estimator: String,
    pub reading: Reading,
    /// Share of replicates whose 95% interval contains k.
    pub coverage: f64,
    /// Median point estimate / k − 1 (censored estimates count at their bound).
    pub bias: f64,
    /// Share of replicates whose point estimate is censored.
    pub censored: f64,
    /// Verdicts against k/1.25 (true: holds) and 1.25 k (true: fails): the share
    /// that says the opposite, and the share left undecided.
    pub wrong: f64,
    pub undecided: f64,
    /// Median interval width relative to k.
    pub width: f64,
}

/// One design's row of the table.
#[derive(Clone, Debug, Serialize)]
pub struct Setting {
    pub design: Design,
    pub replicates: usize,
    pub cells: Vec<Cell>,
}

/// The settings the committed experiments use (every 100 steps or the horizon
/// sweep; 5 and 10 seeds; real runs' noise) at k = 2 and 4.5: where docs/methods.md §6
/// asks coverage ≥ 0.93 and bias within 2%.
pub fn committed() -> Vec<Design> {
    suite(true)
}

/// The suite: the committed experiments' settings (every 100 steps or the
/// horizon sweep; 5 and 10 seeds; the noise of real runs) at k from 1.5 to 13,
/// and one step away along each of shape, noise, seeds and grid.
pub fn suite(quick: bool) -> Vec<Design> {
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
    let ks: &[f64] = if quick {
        &[2.0, 4.5]
    } else {
        &[1.5, 2.0, 3.0, 4.5, 13.0]
    };
    let mut out = Vec::new();
    for &grid in &[Grid::Every100, Grid::Horizons] {
        for &seeds in &[5, 10] {
            for &k in ks {
                out.push(Design {
                    k,
                    seeds,
                    grid,
                    ..base
                });
            }
        }
    }
    if quick {
        return out;
    }
    for &k in &[2.0, 4.5] {
        out.push(Design {
            k,
            seeds: 3,
            ..base
        });
        out.push(Design {
            k,
            shape: Shape::Sigmoid,
            ..base
        });
        out.push(Design {
            k,
            run_sd: 0.005,
            point_sd: 0.002,
            ..base
        });
        out.push(Design {
            k,
            run_sd: 0.02,
            point_sd: 0.01,
            ..base
        });
        out.push(Design {
            k,
            grid: Grid::Log12,
            ..base
        });
        out.push(Design {
            k,
            grid: Grid::Log24,
            ..base
        });
        out.push(Design {
            k,
            shape: Shape::Sigmoid,
            grid: Grid::Horizons,
            ..base
        });
        out.push(Design {
            k,
            run_sd: 0.005,
            point_sd: 0.002,
            grid: Grid::Horizons,
            ..base
        });
    }
    out
}

/// Two-level noise (docs/methods.md §7): 5 worlds × 2 learners at k = 2 and 4.5,
/// one schedule and the horizon sweep; without world noise, with world noise
/// twice and five times the run noise, each analysed nested (the rows name the
/// worlds) and flat (they do not: ten seeds taken as ten independent draws).
pub fn two_level() -> Vec<Design> {
    let mut out = Vec::new();
    for grid in [Grid::Every100, Grid::Horizons] {
        for k in [2.0, 4.5] {
            for world_sd in [0.0, 0.02, 0.05] {
                for log_worlds in [true, false] {
                    out.push(Design {
                        k,
                        grid,
                        seeds: 10,
                        worlds: 5,
                        world_sd,
                        log_worlds,
                        ..suite(true)[0]
                    });
                }
            }
        }
    }
    out
}

/// The speed-up interval of one analysis under one reading: the single-schedule
/// speed-up to uniform's final, or the horizon speed-up at H = 4,000.
fn read(a: &Analysis, design: &Design, r: Reading) -> Option<CensoredInterval> {
    if design.grid == Grid::Horizons {
        let h = a.jest().horizons.first()?;
        let p = h.points.iter().find(|p| p.horizon == synth::READ_AT)?;
        return Some(match r {
            Reading::Trained => p.speedup,
            Reading::FirstReaching => p.speedup_first,
        });
    }
    let c = a.jest().comparisons.first()?;
    c.speedup(Target::Final, Axis::Iterations).reading(r).0
}

/// The analysis of one replicate under `est`, through the results parser.
fn analyse(rows: &[log::Row], est: &Estimator) -> Analysis {
    let parsed: Vec<log::Row> = rows
        .iter()
        .map(|r| log::reread(r).expect("synthetic rows read back"))
        .collect();
    crate::family::analyse(parsed, Vec::new(), false, est).expect("synthetic rows analyse")
}

/// What one replicate says under one estimator and reading.
#[derive(Clone, Copy)]
struct Outcome {
    covered: bool,
    estimate: f64,
    censored: bool,
    wrong: u8,
    undecided: u8,
    width: f64,
}

fn outcome(design: &Design, ci: &CensoredInterval) -> Outcome {
    let k = design.k;
    let p = ci.point;
    let estimate = p
        .value()
        .unwrap_or(if p.hi.is_finite() { p.hi } else { p.lo });
    let (mut wrong, mut undecided) = (0, 0);
    for (t, truth_holds) in [(k / 1.25, true), (k * 1.25, false)] {
        match Rule::AtLeast(t).verdict(ci) {
            Verdict::Holds | Verdict::HoldsAsBound if !truth_holds => wrong += 1,
            Verdict::DoesNotHold | Verdict::FailsAsBound if truth_holds => wrong += 1,
            Verdict::Holds
            | Verdict::HoldsAsBound
            | Verdict::DoesNotHold
            | Verdict::FailsAsBound => {}
            _ => undecided += 1,
        }
    }
    Outcome {
        covered: ci.lower_bound <= k && k <= ci.upper_bound,
        estimate,
        censored: p.is_censored(),
        wrong,
        undecided,
        width: (ci.upper_bound - ci.lower_bound) / k,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.retain(|x| !x.is_nan());
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// Runs `replicates` replicates of each design under every estimator (replicates
/// in parallel; every stream seeded, so the table is the same on every run).
pub fn run(
    designs: &[Design],
    estimators: &[(&str, Estimator)],
    replicates: usize,
    progress: &dyn Fn(usize, usize),
) -> Vec<Setting> {
    let mut out = Vec::new();
    for (i, design) in designs.iter().enumerate() {
        progress(i, designs.len());
        // Per replicate: per estimator, per reading.
        let per_rep: Vec<Vec<[Option<Outcome>; 2]>> = (0..replicates as u64)
            .into_par_iter()
            .map(|rep| {
                let rows = design.rows(rep);
                estimators
                    .iter()
                    .map(|(_, est)| {
                        let a = analyse(&rows, est);
                        Reading::BOTH.map(|r| read(&a, design, r).map(|ci| outcome(design, &ci)))
                    })
                    .collect()
            })
            .collect();
        let mut cells = Vec::new();
        for (e, (name, _)) in estimators.iter().enumerate() {
            for (ri, &reading) in Reading::BOTH.iter().enumerate() {
                let got: Vec<Outcome> = per_rep.iter().filter_map(|r| r[e][ri]).collect();
                let n = replicates as f64;
                cells.push(Cell {
                    estimator: name.to_string(),
                    reading,
                    coverage: got.iter().filter(|o| o.covered).count() as f64 / n,
                    bias: median(got.iter().map(|o| o.estimate).collect()) / design.k - 1.0,
                    censored: got.iter().filter(|o| o.censored).count() as f64 / n,
                    wrong: got.iter().map(|o| o.wrong as f64).sum::<f64>() / (2.0 * n),
                    undecided: got.iter().map(|o| o.undecided as f64).sum::<f64>() / (2.0 * n),
                    width: median(got.iter().map(|o| o.width).collect()),
                });
            }
        }
        out.push(Setting {
            design: *design,
            replicates,
            cells,
        });
    }
    out
}

/// Writes replicate 0 of `design` as a results folder (for a reader to report).
pub fn write_example(design: &Design, dir: &Path) -> Result<(), log::LogError> {
    let rows = design.rows(0);
    log::write_folder(dir, &rows, &log::last_rows(&rows))
}

fn design_text(d: &Design) -> String {
    let seeds = if d.worlds > 0 {
        format!(
            "{} worlds × {} learners · world noise {} · {}",
            d.worlds,
            d.seeds / d.worlds,
            d.world_sd,
            if d.log_worlds {
                "nested bootstrap"
            } else {
                "flat bootstrap"
            }
        )
    } else {
        format!("{} seeds", d.seeds)
    };
    format!(
        "{} k = {} · {} · {seeds} · noise {}/{}",
        d.shape.name(),
        d.k,
        d.grid.name(),
        d.run_sd,
        d.point_sd
    )
}

/// The table as Markdown: one row per design and reading, one column group per
/// estimator (coverage, bias, wrong verdicts).
pub fn markdown(settings: &[Setting], command: &str) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "Made by `{command}` ({} replicates per setting; every stream seeded). Per estimator: coverage of the 95% interval (nominal 0.95) / bias of the point estimate (median / k − 1) / share of wrong verdicts against k/1.25 and 1.25k (undecided share in brackets). \"cens.\" is the share of replicates whose estimate is censored (the crossing before the first evaluation, at k = 13).\n\n",
        settings.first().map_or(0, |s| s.replicates)
    ));
    let names: Vec<&str> = settings.first().map_or(Vec::new(), |st| {
        st.cells
            .iter()
            .filter(|c| c.reading == Reading::Trained)
            .map(|c| c.estimator.as_str())
            .collect()
    });
    s.push_str("| setting | reading | cens. |");
    for name in &names {
        s.push_str(&format!(" {name} |"));
    }
    s.push_str("\n|---|---|---|");
    for _ in &names {
        s.push_str("---|");
    }
    s.push('\n');
    for st in settings {
        for &r in &Reading::BOTH {
            let cells: Vec<&Cell> = st.cells.iter().filter(|c| c.reading == r).collect();
            s.push_str(&format!(
                "| {} | {} | {:.2} |",
                design_text(&st.design),
                match r {
                    Reading::Trained => "trained",
                    Reading::FirstReaching => "first-reaching",
                },
                cells.first().map_or(f64::NAN, |c| c.censored)
            ));
            for c in cells {
                s.push_str(&format!(
                    " {:.2} / {:+.1}% / {:.2} ({:.2}) |",
                    c.coverage,
                    100.0 * c.bias,
                    c.wrong,
                    c.undecided
                ));
            }
            s.push('\n');
        }
    }
    s
}

/// Replaces the text between the calibration markers of `doc` (or appends them).
pub fn splice(doc: &str, table: &str) -> String {
    splice_named(doc, table, "calibration")
}

/// Replaces the text between the markers `<!-- {name}:begin -->` and
/// `<!-- {name}:end -->` of `doc` (or appends them).
pub fn splice_named(doc: &str, table: &str, name: &str) -> String {
    let begin = format!("<!-- {name}:begin -->");
    let end = format!("<!-- {name}:end -->");
    let block = format!("{begin}\n{table}{end}");
    match (doc.find(&begin), doc.find(&end)) {
        (Some(a), Some(b)) if a < b => format!("{}{block}{}", &doc[..a], &doc[b + end.len()..]),
        _ => format!("{doc}\n{block}\n"),
    }
}
