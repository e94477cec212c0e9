//! The situation a speed-up verdict is taken in (docs/methods.md §7), read from
//! the data, and whether the estimator is calibrated there: the calibration
//! (`jestbench calibrate --situations`) measures the coverage of the 95% interval
//! per situation, schedule and seed count on curves whose answer is known, and
//! writes it to `coverage.csv` beside this file; a verdict whose situation covers
//! less than the protocol's `min_coverage` abstains ("undecided").
//!
//! The situations, first match:
//! - steep: a seed-mean curve (scores over steps on one schedule, finals over
//!   budgets on a horizon sweep, either method, up to twice the budget read)
//!   steepens somewhere: a slope above the one before it, beyond noise. Learning curves that only saturate never do; a late second rise or a
//!   sigmoid step does, and then the interpolation between evaluations can miss
//!   structure finer than the grid;
//! - plateau: one schedule, uniform's final is a level it reached long before its
//!   end (its whole-sample curve first reaches it before two thirds of its
//!   trained steps), so both methods sit at the target;
//! - ceiling: a horizon sweep whose selector ends above uniform's best final by
//!   more than noise and more than a tenth of uniform's rise over the sweep;
//! - smooth: none of these.

use std::sync::OnceLock;

use serde::Serialize;

use super::cells::{Axis, Cell};
use super::compare::{Comparison, Target};
use super::horizon::HorizonComparison;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Situation {
    Smooth,
    Plateau,
    Steep,
    Ceiling,
}

impl Situation {
    pub const ALL: [Situation; 4] = [
        Situation::Smooth,
        Situation::Plateau,
        Situation::Steep,
        Situation::Ceiling,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Situation::Smooth => "smooth",
            Situation::Plateau => "plateau",
            Situation::Steep => "steep",
            Situation::Ceiling => "ceiling",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Situation::Smooth => "a smooth curve",
            Situation::Plateau => "a target on uniform's plateau",
            Situation::Steep => {
                "a curve that steepens between evaluations (a late or sigmoid rise)"
            }
            Situation::Ceiling => "a selector with a higher ceiling",
        }
    }

    fn parse(s: &str) -> Option<Situation> {
        Situation::ALL.into_iter().find(|x| x.name() == s)
    }
}

/// Whether the speed-up comes from one schedule's curves or a horizon sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Schedule {
    Single,
    Horizons,
}

impl Schedule {
    pub fn name(self) -> &'static str {
        match self {
            Schedule::Single => "single",
            Schedule::Horizons => "horizons",
        }
    }

    fn parse(s: &str) -> Option<Schedule> {
        [Schedule::Single, Schedule::Horizons]
            .into_iter()
            .find(|x| x.name() == s)
    }
}

/// Whether a seed-mean curve steepens: at some point its slope exceeds the slope
/// before it (or a flat or falling one) by more than twice the noise of the two
/// increments (`se`: the standard error of each point's mean).
pub fn steepens(x: &[f64], y: &[f64], se: &[f64]) -> bool {
    let n = x.len().min(y.len()).min(se.len());
    (2..n).any(|j| {
        let (dx0, dx1) = (x[j - 1] - x[j - 2], x[j] - x[j - 1]);
        if dx0 <= 0.0 || dx1 <= 0.0 {
            return false;
        }
        let before = ((y[j - 1] - y[j - 2]) / dx0).max(0.0);
        let slope = (y[j] - y[j - 1]) / dx1;
        let noise = 2.0 * (se[j] * se[j] + se[j - 1] * se[j - 1]).sqrt() / dx1;
        slope - before > noise
    })
}

/// A cell's seed-mean curve over steps with each point's standard error.
fn mean_curve(cell: &Cell) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let runs = cell.complete();
    let Some(first) = runs.first() else {
        return Default::default();
    };
    let x = first.x[&Axis::Iterations].clone();
    let n = runs
        .iter()
        .map(|r| r.score.len())
        .min()
        .unwrap_or(0)
        .min(x.len());
    let (mut y, mut se) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for k in 0..n {
        let v: Vec<f64> = runs.iter().map(|r| r.score[k]).collect();
        let (m, s) = mean_se(&v);
        y.push(m);
        se.push(s);
    }
    (x[..n].to_vec(), y, se)
}

fn mean_se(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    if v.len() < 2 {
        return (m, 0.0);
    }
    let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

/// The situation of a one-schedule speed-up to uniform's final.
pub fn of_comparison(c: &Comparison, cells: &[Cell]) -> Situation {
    for cell in [&cells[c.baseline], &cells[c.method]] {
        let (x, y, se) = mean_curve(cell);
        if steepens(&x, &y, &se) {
            return Situation::Steep;
        }
    }
    let s = c.speedup(Target::Final, Axis::Iterations);
    if s.baseline_x.is_finite() && s.trained_x.is_finite() && s.baseline_x < s.trained_x * 2.0 / 3.0
    {
        return Situation::Plateau;
    }
    Situation::Smooth
}

/// The standard error of a seed-mean from its 95% interval (t-free: ±1.96 se).
fn se_of(i: &crate::stats::Interval) -> f64 {
    let w = (i.upper_bound - i.lower_bound) / (2.0 * 1.96);
    if w.is_finite() {
        w
    } else {
        0.0
    }
}

/// The situation of a horizon sweep read at budget `read` (infinite: over every
/// budget): steep when either method's finals steepen up to twice it; a ceiling
/// when the selector ends above uniform's best final beyond noise and by more
/// than a tenth of uniform's rise over the sweep.
pub fn of_horizon(h: &HorizonComparison, read: f64) -> Situation {
    let upto: Vec<&crate::analysis::horizon::HorizonPoint> = h
        .points
        .iter()
        .filter(|p| p.horizon <= 2.0 * read)
        .collect();
    let x: Vec<f64> = upto.iter().map(|p| p.horizon).collect();
    for pick in [
        |p: &crate::analysis::horizon::HorizonPoint| p.baseline_final,
        |p: &crate::analysis::horizon::HorizonPoint| p.method_final,
    ] {
        let y: Vec<f64> = upto.iter().map(|p| pick(p).point_estimate).collect();
        let se: Vec<f64> = upto.iter().map(|p| se_of(&pick(p))).collect();
        if steepens(&x, &y, &se) {
            return Situation::Steep;
        }
    }
    let best = h
        .points
        .iter()
        .map(|p| p.baseline_final.point_estimate)
        .fold(f64::NEG_INFINITY, f64::max);
    let rise = best
        - h.points
            .first()
            .map_or(best, |p| p.baseline_final.point_estimate);
    match h.points.last() {
        Some(p)
            if p.ceiling_gap.lower_bound > 0.0
                && p.method_final.point_estimate - best > 0.1 * rise.max(0.0) =>
        {
            Situation::Ceiling
        }
        _ => Situation::Smooth,
    }
}

/// One row of the coverage table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CoverageRow {
    pub situation: Situation,
    pub schedule: Schedule,
    pub seeds: usize,
    /// Replicates the calibration saw in this situation.
    pub replicates: usize,
    /// Share whose 95% intervals (both readings) contain the truth.
    pub coverage: f64,
}

/// The calibrated coverage per situation, schedule and seed count.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Coverage {
    pub rows: Vec<CoverageRow>,
}

/// The fewest replicates a situation needs in the table to count as calibrated.
pub const MIN_REPLICATES: usize = 50;

impl Coverage {
    /// The table as CSV (`coverage.csv`).
    pub fn csv(&self) -> String {
        let mut s = String::from("situation,schedule,seeds,replicates,coverage\n");
        for r in &self.rows {
            s.push_str(&format!(
                "{},{},{},{},{:.4}\n",
                r.situation.name(),
                r.schedule.name(),
                r.seeds,
                r.replicates,
                r.coverage
            ));
        }
        s
    }

    pub fn parse(text: &str) -> Result<Coverage, String> {
        let mut rows = Vec::new();
        for (i, line) in text.lines().enumerate().skip(1) {
            if line.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split(',').collect();
            let bad = || format!("coverage table line {}: {line:?}", i + 1);
            if f.len() != 5 {
                return Err(bad());
            }
            rows.push(CoverageRow {
                situation: Situation::parse(f[0]).ok_or_else(bad)?,
                schedule: Schedule::parse(f[1]).ok_or_else(bad)?,
                seeds: f[2].parse().map_err(|_| bad())?,
                replicates: f[3].parse().map_err(|_| bad())?,
                coverage: f[4].parse().map_err(|_| bad())?,
            });
        }
        Ok(Coverage { rows })
    }

    /// The coverage calibrated for `seeds` seeds in this situation: at the
    /// largest calibrated seed count not above `seeds` (more seeds do not cover
    /// worse), None where none is calibrated.
    pub fn lookup(
        &self,
        situation: Situation,
        schedule: Schedule,
        seeds: usize,
    ) -> Option<&CoverageRow> {
        self.rows
            .iter()
            .filter(|r| {
                r.situation == situation
                    && r.schedule == schedule
                    && r.seeds <= seeds
                    && r.replicates >= MIN_REPLICATES
            })
            .max_by_key(|r| r.seeds)
    }

    /// Why a verdict in this situation abstains (None: calibrated, it stands).
    pub fn abstain(
        &self,
        situation: Situation,
        schedule: Schedule,
        seeds: usize,
        min: f64,
    ) -> Option<String> {
        match self.lookup(situation, schedule, seeds) {
            Some(r) if r.coverage >= min => None,
            Some(r) => Some(format!(
                "the estimator covers {:.2} (below the protocol's {min}) in this situation ({}, {} seeds, {} replicates; docs/methods.md §7)",
                r.coverage,
                situation.words(),
                r.seeds,
                r.replicates
            )),
            None => Some(format!(
                "the estimator is not calibrated in this situation ({}, {} from a {} schedule; docs/methods.md §7)",
                situation.words(),
                if seeds == 1 { "1 seed".to_string() } else { format!("{seeds} seeds") },
                schedule.name()
            )),
        }
    }
}

/// The committed table (`jestbench calibrate --situations --coverage
/// harness/analysis/coverage.csv` writes it; a test holds it readable).
pub fn committed() -> &'static Coverage {
    static C: OnceLock<Coverage> = OnceLock::new();
    C.get_or_init(|| {
        Coverage::parse(include_str!("coverage.csv")).expect("the committed coverage table reads")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_steepening_curve_is_found_and_a_saturating_one_is_not() {
        let x: Vec<f64> = (0..=10).map(|i| 100.0 * i as f64).collect();
        let se = vec![0.002; x.len()];
        let concave: Vec<f64> = x
            .iter()
            .map(|s| 0.7 - 0.4 * (-s / 333.0f64).exp())
            .collect();
        assert!(!steepens(&x, &concave, &se));
        let two = |s: f64| {
            0.3 + 0.25 * (1.0 - (-s / 166.0f64).exp())
                + 0.15 / (1.0 + (-(s - 600.0) / 50.0f64).exp())
        };
        let y: Vec<f64> = x.iter().map(|&s| two(s)).collect();
        assert!(steepens(&x, &y, &se));
        // Noise as large as the late rise hides it.
        assert!(!steepens(&x, &y, &vec![0.05; x.len()]));
        // Doubling budgets: a saturating curve in H never steepens per step.
        let h: Vec<f64> = (0..7).map(|i| 250.0 * 2f64.powi(i)).collect();
        let sat: Vec<f64> = h
            .iter()
            .map(|b| 0.7 - 0.4 * (-b / 3000.0f64).exp())
            .collect();
        assert!(!steepens(&h, &sat, &vec![0.001; h.len()]));
    }

    #[test]
    fn the_table_reads_back_and_looks_up_the_largest_seed_count_below() {
        let t = Coverage {
            rows: vec![
                CoverageRow {
                    situation: Situation::Smooth,
                    schedule: Schedule::Single,
                    seeds: 3,
                    replicates: 200,
                    coverage: 0.95,
                },
                CoverageRow {
                    situation: Situation::Smooth,
                    schedule: Schedule::Single,
                    seeds: 10,
                    replicates: 200,
                    coverage: 0.9,
                },
                CoverageRow {
                    situation: Situation::Plateau,
                    schedule: Schedule::Single,
                    seeds: 5,
                    replicates: 20,
                    coverage: 0.99,
                },
            ],
        };
        let back = Coverage::parse(&t.csv()).unwrap();
        assert_eq!(back, t);
        assert!(t
            .abstain(Situation::Smooth, Schedule::Single, 5, 0.93)
            .is_none());
        assert!(t
            .abstain(Situation::Smooth, Schedule::Single, 12, 0.93)
            .unwrap()
            .contains("0.90"));
        // Too few replicates, or too few seeds: not calibrated.
        assert!(t
            .abstain(Situation::Plateau, Schedule::Single, 5, 0.93)
            .unwrap()
            .contains("not calibrated"));
        assert!(t
            .abstain(Situation::Smooth, Schedule::Single, 2, 0.93)
            .is_some());
        assert!(Coverage::parse("h\nsmooth,single,x,1,1\n").is_err());
        let _ = committed();
    }
}
