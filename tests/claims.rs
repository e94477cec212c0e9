//! The claims table's statistics on hand-made results with known answers: trends
//! fitted with the other keys held fixed (not pooled), "did not reach" censored
//! (never a 0), f = 0 left out of the trend over f, the headline row judged even
//! when JEST never reaches the target, and horizon speed-ups.

use std::path::{Path, PathBuf};

use jestbench::log::{layout_1_text, Common, Row};
use jestbench::train::JestRow;
use jestbench::train::RunStatus;

use crate::util::{jestbench, stderr, write};

/// One cell of a hand-made sweep: its method, swept values, and score curve.
struct Cell {
    method: &'static str,
    sweep: Vec<(&'static str, String)>,
    f: f64,
    steps: usize,
    y: Box<dyn Fn(f64) -> f64>,
    /// Each seed's offset from the curve.
    offsets: [f64; 3],
}

fn cell(
    method: &'static str,
    sweep: &[(&'static str, f64)],
    y: impl Fn(f64) -> f64 + 'static,
) -> Cell {
    let f = sweep
        .iter()
        .find(|(k, _)| *k == "train.filter_ratio")
        .map_or(0.8, |p| p.1);
    let steps = sweep
        .iter()
        .find(|(k, _)| *k == "train.steps")
        .map_or(1000, |p| p.1 as usize);
    Cell {
        method,
        sweep: sweep.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        f,
        steps,
        y: Box::new(y),
        offsets: [-0.005, 0.0, 0.005],
    }
}

/// Writes the cells' runs (3 seeds, ±0.005 apart) as a results folder; scores are
/// evaluated at 10 points of each run.
fn results(dir: &Path, cells: &[Cell]) -> PathBuf {
    results_named(dir, cells, "hand")
}

/// The same, as experiment `name`.
fn results_named(dir: &Path, cells: &[Cell], name: &str) -> PathBuf {
    let mut rows = Vec::new();
    for c in cells {
        let sweep: Vec<String> = std::iter::once(format!(
            "train.selector={}",
            c.method.split('_').next().unwrap()
        ))
        .chain(c.sweep.iter().map(|(k, v)| format!("{k}={v}")))
        .collect();
        let hash = sweep.join(",").replace(['=', ';', ','], "-");
        for (seed, offset) in c.offsets.iter().copied().enumerate() {
            let seed = seed as u64;
            for k in 0..=10 {
                let step = c.steps * k / 10;
                let score = (c.y)(step as f64 / c.steps as f64) + offset;
                let row = Row::new(JestRow {
                    common: Common {
                        experiment: name.into(),
                        run_id: format!("{hash}-s{seed}"),
                        config_hash: hash.clone(),
                        seed,
                        method: method(c.method),
                        batch_size: 64,
                        sweep: sweep.join(";"),
                        step,
                        flops_train: 300 * step as u64,
                        eval_score: Some(score),
                        status: if k == 10 {
                            RunStatus::Complete
                        } else {
                            RunStatus::Running
                        },
                        ..Common::default()
                    },
                    filter_ratio: c.f,
                    super_batch: (64.0 / (1.0 - c.f)).round() as usize,
                    zero_shot_accuracy: Some(score),
                    ..JestRow::default()
                });
                rows.push(row);
            }
        }
    }
    let text = layout_1_text(&rows);
    let out = dir.join(name);
    std::fs::create_dir_all(&out).unwrap();
    write(&out, "results.csv", &text);
    out
}

/// The report's claims table rows whose claim starts with `prefix`.
fn claim_lines(dir: &Path, cells: &[Cell], prefix: &str) -> Vec<String> {
    let res = results(dir, cells);
    let out = dir.join("rep");
    let o = jestbench(&[
        "report",
        res.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    crate::util::claim_rows(&md, prefix)
}

/// A curve reaching `at` · its final uniform level: uniform reaches 0.6 at the end.
fn linear(speed: f64) -> impl Fn(f64) -> f64 {
    move |t| (0.6 * speed * t).min(0.6 * speed.max(1.0))
}

#[test]
fn a_trend_holds_the_other_keys_fixed() {
    // Two noise levels: at misaligned 0, JEST gives 5x at f = 0.5 and 6x at 0.8; at
    // misaligned 0.5, 1.5x at 0.8 and 2x at 0.9. Within each level the gains grow
    // with f; pooled without the levels, the four points fall with f.
    let mut cells = Vec::new();
    for (m, pts) in [
        (0.0, [(0.5, 5.0), (0.8, 6.0)]),
        (0.5, [(0.8, 1.5), (0.9, 2.0)]),
    ] {
        for (f, s) in pts {
            let sweep = [("dataset.misaligned", m), ("train.filter_ratio", f)];
            cells.push(cell("uniform", &sweep, linear(1.0)));
            cells.push(cell("jest", &sweep, linear(s)));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let line = &claim_lines(dir.path(), &cells, "(a)")[0];
    assert!(line.contains("over 2 settings as fixed effects"), "{line}");
    assert!(line.contains("holds at this scale"), "{line}");
}

#[test]
fn a_scale_trend_is_the_slope_per_doubling_from_its_ladder_only() {
    // JEST's speed-up doubles with each doubling of the width (2x, 4x, 8x): a slope
    // of log2 speed-up of 1 per doubling, at both filtering ratios; flat (3x) along
    // the depth axis. A width axis in an experiment that is not the ladder is
    // not its evidence and is not measured.
    let ladder = |name: &str, key: &'static str, levels: &[f64], speed: &dyn Fn(usize) -> f64| {
        let mut cells = Vec::new();
        // At f = 0.9 everything at 3/4 of the speed at 0.8 (the same slope; runs
        // that repeat another cell's exactly would count once).
        for (f, more) in [(0.8, 1.0), (0.9, 0.75)] {
            for (k, &x) in levels.iter().enumerate() {
                let sweep = [(key, x), ("train.filter_ratio", f)];
                cells.push(cell("uniform", &sweep, linear(1.0)));
                cells.push(cell("jest", &sweep, linear(more * speed(k))));
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let res = results_named(dir.path(), &cells, name);
        let out = dir.path().join("rep");
        let o = jestbench(&[
            "report",
            res.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::read_to_string(out.join("report.md")).unwrap()
    };
    let md = ladder("scale-width", "model.width", &[128.0, 256.0, 512.0], &|k| {
        2f64.powi(k as i32 + 1)
    });
    let rows = crate::util::claim_rows(&md, "How JEST's speed-up moves as the towers widen");
    assert_eq!(rows.len(), 1, "{md}");
    assert!(
        rows[0].contains("per doubling of the tower width 1.00"),
        "{}",
        rows[0]
    );
    assert!(
        rows[0].contains("over 2 settings as fixed effects"),
        "{}",
        rows[0]
    );
    assert!(
        rows[0].contains("128: 2.00x, 256: 4.00x, 512: 8.00x"),
        "{}",
        rows[0]
    );
    assert!(rows[0].contains("grows with tower width"), "{}", rows[0]);
    let md = ladder("scale-depth", "model.depth", &[1.0, 2.0], &|_| 3.0);
    let rows = crate::util::claim_rows(&md, "How JEST's speed-up moves as the towers deepen");
    assert_eq!(rows.len(), 1, "{md}");
    assert!(
        rows[0].contains("per doubling of the tower depth 0.00"),
        "{}",
        rows[0]
    );
    assert!(rows[0].contains("no trend detected"), "{}", rows[0]);
    let md = ladder("hand", "model.width", &[128.0, 256.0], &|k| 2.0 + k as f64);
    assert!(
        crate::util::claim_rows(&md, "How JEST's speed-up moves as the towers widen").is_empty(),
        "{md}"
    );
}

#[test]
fn did_not_reach_is_censored_and_can_decide_a_verdict() {
    // JEST never reaches uniform's final at f = 0.5 (its speed-up is below 1x: less
    // than uniform's 1000 steps over its own 1000) and gets 0.8x at f = 0.8. Counted
    // as 0, the slope would be positive; censored, it lies in [−2.7, 2.7].
    let mut cells = Vec::new();
    for (f, y) in [
        (0.5, Box::new(|t: f64| 0.5 * t) as Box<dyn Fn(f64) -> f64>),
        (0.8, Box::new(linear(0.8))),
    ] {
        let sweep = [("train.filter_ratio", f)];
        cells.push(cell("uniform", &sweep, linear(1.0)));
        cells.push(Cell {
            y,
            ..cell("jest", &sweep, |_| 0.0)
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let line = &claim_lines(dir.path(), &cells, "(a)")[0];
    assert!(line.contains("< 1.00x (did not reach)"), "{line}");
    assert!(line.contains("bounded by the sweep"), "{line}");
}

#[test]
fn the_trend_over_f_leaves_out_f_zero() {
    // At f = 0 every selector is uniform (1x); over f > 0 the gains fall.
    let mut cells = Vec::new();
    for (f, s) in [(0.0, 1.0), (0.5, 3.0), (0.8, 2.0), (0.9, 1.6)] {
        let sweep = [("train.filter_ratio", f)];
        cells.push(cell("uniform", &sweep, linear(1.0)));
        cells.push(cell("jest", &sweep, linear(s)));
    }
    let dir = tempfile::tempdir().unwrap();
    let line = &claim_lines(dir.path(), &cells, "(a)")[0];
    assert!(!line.contains("0: 1.00x"), "{line}");
    assert!(line.contains("does not hold"), "{line}");
}

#[test]
fn the_headline_row_without_a_horizon_sweep_is_not_measured_here() {
    // One schedule cannot say how much longer uniform must train (docs/methods.md §6): the
    // 13x row names the evidence it needs instead of a single-schedule figure.
    let sweep = [("train.filter_ratio", 0.8)];
    let cells = vec![
        cell("uniform", &sweep, linear(1.0)),
        cell("jest", &sweep, |t| 0.4 * t),
    ];
    let dir = tempfile::tempdir().unwrap();
    let line = &claim_lines(dir.path(), &cells, "Up to 13x")[0];
    assert!(
        line.contains("not measured here") && line.contains("needs a horizon sweep"),
        "{line}"
    );
}

#[test]
fn a_target_on_uniforms_plateau_abstains_whatever_the_two_readings_say() {
    // Uniform reaches its final 0.6 halfway and stays there; JEST reaches 0.6 at
    // step 300. Trained steps: 1000/300 = 3.33x (≥ 3x holds); first reaching:
    // 500/300 = 1.67x (< 3x fails).
    let sweep = [("train.filter_ratio", 0.8)];
    let cells = vec![
        cell("uniform", &sweep, |t| (1.2 * t).min(0.6)),
        cell("jest", &sweep, |t| (2.0 * t).min(0.7)),
    ];
    let dir = tempfile::tempdir().unwrap();
    let line = &claim_lines(dir.path(), &cells, "f = 0.8 reaches")[0];
    assert!(
        line.contains("3.33x with uniform's trained steps, 1.67x with its first-reaching step"),
        "{line}"
    );
    // Uniform's final is a level it reached halfway: a target on its plateau,
    // where the calibration finds the estimator not to cover (docs/methods.md
    // §7), so the row abstains and says what the interval alone would read.
    assert!(
        line.contains("undecided: the estimator is not calibrated in this situation (a target on uniform's plateau")
            && line.contains("(the interval alone would read \"definition-sensitive\")"),
        "{line}"
    );
}

#[test]
fn an_oracle_share_over_an_oracle_gain_within_noise_is_undefined() {
    // The oracle ends 0.001 above uniform, its seeds spread ±0.005 otherwise than
    // uniform's: the gain's interval includes 0, so no share of it is defined.
    let sweep = [("train.filter_ratio", 0.8)];
    let cells = vec![
        cell("uniform", &sweep, linear(1.0)),
        cell("jest", &sweep, linear(2.0)),
        Cell {
            offsets: [0.005, -0.005, 0.0],
            ..cell("oracle", &sweep, |t| 0.6 * t + 0.001)
        },
    ];
    let dir = tempfile::tempdir().unwrap();
    // The share is a diagnostic: its own small table in the report, not claim rows.
    assert!(claim_lines(dir.path(), &cells, "Share of the oracle").is_empty());
    let md = std::fs::read_to_string(dir.path().join("rep/report.md")).unwrap();
    assert!(md.contains("### JEST's share of the oracle's gain"), "{md}");
    let line = md
        .lines()
        .find(|l| l.contains("| undefined: the oracle's gain is within its noise |"))
        .unwrap_or_else(|| panic!("no undefined share row: {md}"));
    assert!(
        line.starts_with("| hand: f=0.8 | 0.600 | 0.601 |"),
        "{line}"
    );
    // claims.csv keeps the row, with the reason.
    let csv = std::fs::read_to_string(dir.path().join("rep/claims.csv")).unwrap();
    let row = csv
        .lines()
        .find(|l| l.starts_with("oracle-share,"))
        .unwrap();
    assert!(
        row.contains("is within its noise, so no share of it is defined")
            && row.contains(",undefined,"),
        "{row}"
    );
}

#[test]
fn horizon_speedups_on_hand_made_runs() {
    // Final scores by horizon: uniform 0.40, 0.55, 0.65 at 250, 1000, 4000; JEST
    // 0.50, 0.65, 0.72. JEST has uniform's 4000-step score at 1000 steps: 4x.
    let mut cells = Vec::new();
    for (h, u, j) in [
        (250.0, 0.40, 0.50),
        (1000.0, 0.55, 0.65),
        (4000.0, 0.65, 0.72),
    ] {
        let sweep = [("train.steps", h)];
        cells.push(cell("uniform", &sweep, move |t| u * t));
        cells.push(cell("jest", &sweep, move |t| j * t));
    }
    let dir = tempfile::tempdir().unwrap();
    let line = &claim_lines(dir.path(), &cells, "f = 0.8 reaches")[0];
    // Uniform improves from each budget to the next: the protocol's forward rule
    // reads the longest budget with a longer one after it, H = 1000 (uniform's
    // 0.55, which JEST reaches between 250 and 1000 steps); every budget is shown
    // with its verdict, and the profile summarised.
    assert!(
        line.contains("read at H = 1000 (the protocol's forward rule")
            && line.contains("uniform's final 0.550 at H, 0.650 at 4000")
            && line.contains("4000: 4.00x / 4.00x (holds at this scale)")
            && line.contains("at H = 1000, the protocol's budget; across the budgets: "),
        "{line}"
    );
    // How much longer uniform must train to match JEST: beyond its 4000 steps at
    // H = 4000 (at least 1x) and, at 250, between 1000 and 4000 (linearly in
    // log-horizon 250·4^(2/3)/250 = 2.52x).
    let md = std::fs::read_to_string(dir.path().join("rep/report.md")).unwrap();
    let row = md
        .lines()
        .find(|l| l.starts_with("| jest |  | 250 |"))
        .unwrap();
    // The monotone cubic in log-horizon places it at 2.37x; the interval carries the
    // bracket up to the linear placement, 2.52x.
    assert!(row.contains("2.37x [2.37, 2.52]"), "{row}");
    let line = &claim_lines(dir.path(), &cells, "Up to 13x")[0];
    assert!(line.contains("≥ "), "{line}");
    // Uniform's best final (0.65 at 4000) is below JEST's at 4000 (0.72): the
    // largest factor is censored (at least 4x, at H = 1000), so the row is bounded
    // by the sweep, never a plain "holds" or "does not hold", and says why.
    assert!(
        line.contains("uniform's best final over all budgets, 0.650 (H = 4000), stays below JEST's final from H = 4000 on (0.720)"),
        "{line}"
    );
    assert!(
        line.contains("a higher ceiling, not a faster rate")
            && line.contains("the ceiling gap at H = 4000: +0.070"),
        "{line}"
    );
    assert!(
        !line.contains("holds at this scale") && !line.contains("does not hold"),
        "{line}"
    );
    let line = &claim_lines(dir.path(), &cells, "f = 0.8 reaches")[0];
    assert!(
        line.contains("Budget profile (trained-steps / first-reaching speed-ups, each budget's verdict at 95%): 250: ")
            && line.contains("4000: 4.00x / 4.00x"),
        "{line}"
    );
}

#[test]
fn runs_that_two_experiments_share_count_once() {
    // The same JEST and uniform runs logged by two experiments (as filter-ratio's
    // f = 0.8 cells are the baselines of gain, scoring and reference-quality): one
    // row in the claims table, naming the other experiment, and a trend over f fed
    // by one copy of them.
    let mut cells = Vec::new();
    for (f, s) in [(0.5, 2.0), (0.8, 3.0), (0.9, 4.0)] {
        let sweep = [("train.filter_ratio", f)];
        cells.push(cell("uniform", &sweep, linear(1.0)));
        cells.push(cell("jest", &sweep, linear(s)));
    }
    let dir = tempfile::tempdir().unwrap();
    let hand = results(dir.path(), &cells);
    let copy = dir.path().join("copy");
    std::fs::create_dir_all(&copy).unwrap();
    let text = std::fs::read_to_string(hand.join("results.csv")).unwrap();
    let text: String = text
        .lines()
        .map(|l| match l.strip_prefix("hand,") {
            Some(rest) => format!("copy,{rest}\n"),
            None => format!("{l}\n"),
        })
        .collect();
    write(&copy, "results.csv", &text);
    let out = dir.path().join("rep");
    let o = jestbench(&[
        "report",
        "--combine",
        hand.to_str().unwrap(),
        copy.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let rows = crate::util::claim_rows(&md, "f = 0.8 reaches");
    assert_eq!(rows.len(), 1, "{rows:?}");
    // Cells are ordered by experiment name: copy's rows count, hand's are named.
    assert!(
        rows[0].starts_with("| copy,") && rows[0].contains("the same runs as in hand"),
        "{}",
        rows[0]
    );
    let trend = &crate::util::claim_rows(&md, "(a)")[0];
    assert!(trend.contains("over 1 setting as fixed effects"), "{trend}");
}

/// The JEST method named `name`.
fn method(name: &str) -> jestbench::method::Method {
    jestbench::select::methods()
        .into_iter()
        .find(|m| m.as_str() == name)
        .unwrap()
}
