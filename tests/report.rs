//! Reports and gates on a hand-made results file with known answers.

use std::path::{Path, PathBuf};

use jestbench::log::{layout_1_text, Common, Row};
use jestbench::train::JestRow;
use jestbench::train::RunStatus;

use crate::util::{jestbench, read_csv, result_columns, stderr, write, TINY};

/// One run's rows: score `y(step)` every 100 steps to 1000, FLOPs per step given.
fn run_rows(
    method: &str,
    f: f64,
    seed: u64,
    offset: f64,
    y: impl Fn(f64) -> f64,
    scoring_flops: u64,
) -> Vec<Row> {
    let sweep = format!(
        "train.selector={};train.filter_ratio={f}",
        method.split('_').next().unwrap()
    );
    let hash = format!("{method}-{f}");
    (0..=10)
        .map(|k| {
            let step = k * 100;
            let last = k == 10;
            Row::new(JestRow {
                common: Common {
                    experiment: "fixture".into(),
                    run_id: format!("{hash}-s{seed}"),
                    config_hash: hash.clone(),
                    seed,
                    method: jestbench::select::methods()
                        .into_iter()
                        .find(|m| m.as_str() == method)
                        .unwrap(),
                    batch_size: 64,
                    sweep: sweep.clone(),
                    step,
                    examples_trained: 64 * step as u64,
                    flops_train: 300 * step as u64,
                    train_seconds: step as f64 * 0.01,
                    eval_score: Some(y(step as f64) + offset),
                    status: if last {
                        RunStatus::Complete
                    } else {
                        RunStatus::Running
                    },
                    git_commit: "fixture".into(),
                    ..Common::default()
                },
                filter_ratio: f,
                super_batch: (64.0 / (1.0 - f)) as usize,
                flops_learner_scoring: scoring_flops * step as u64,
                // The paper's accounting: scoring's forward reused, training adds
                // its backward (2/3 of 300).
                flops_paper: if scoring_flops > 0 {
                    (scoring_flops + 200) * step as u64
                } else {
                    300 * step as u64
                },
                zero_shot_accuracy: Some(y(step as f64) + offset),
                selected_learnability: Some(if method == "uniform" { -1.0 } else { 0.5 }),
                ..JestRow::default()
            })
        })
        .collect()
}

/// Uniform reaches 0.6 at step 1000 (linearly); JEST at f = 0.8 reaches it at 250
/// (4x), at f = 0.5 at 500 (2x); independent at f = 0.8 never does.
pub fn fixture(dir: &Path) -> PathBuf {
    let mut rows = Vec::new();
    for (seed, offset) in [(0u64, -0.01), (1, 0.0), (2, 0.01)] {
        for f in [0.5, 0.8] {
            rows.extend(run_rows(
                "uniform",
                f,
                seed,
                offset,
                |s| 0.6 * s / 1000.0,
                0,
            ));
            let speed = if f == 0.8 { 4.0 } else { 2.0 };
            rows.extend(run_rows(
                "jest",
                f,
                seed,
                offset,
                // Capped beyond step 400, so the curve is straight around its
                // crossing and the cubic places it exactly.
                move |s| (0.6 * speed * s / 1000.0).min(0.97),
                (64.0 / (1.0 - f)) as u64 * 100 / 64,
            ));
        }
        rows.extend(run_rows(
            "independent_topk",
            0.8,
            seed,
            offset,
            |s| (0.001 * s).min(0.5),
            500,
        ));
    }
    let text = layout_1_text(&rows);
    let dir = dir.join("fixture");
    std::fs::create_dir_all(&dir).unwrap();
    write(&dir, "results.csv", &text);
    dir
}

fn summary_value(
    rows: &[Vec<String>],
    header: &[String],
    method: &str,
    setting: &str,
    axis: &str,
) -> String {
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    rows.iter()
        .find(|r| {
            r[col("method")] == method
                && r[col("setting")] == setting
                && r[col("axis")] == axis
                && r[col("target")] == "final"
        })
        .unwrap_or_else(|| panic!("no summary row for {method} {setting} {axis}"))[col("speedup")]
    .clone()
}

#[test]
fn report_on_a_fixture_has_known_speedups_files_and_every_claim() {
    let dir = tempfile::tempdir().unwrap();
    let results = fixture(dir.path());
    let out = dir.path().join("rep");
    let o = jestbench(&[
        "report",
        results.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));

    let (header, rows) = read_csv(&out.join("summary.csv"));
    let num = |s: String| s.parse::<f64>().unwrap();
    let s = "train.filter_ratio=0.8";
    assert!((num(summary_value(&rows, &header, "jest", s, "iterations")) - 4.0).abs() < 1e-9);
    assert!(
        (num(summary_value(
            &rows,
            &header,
            "jest",
            "train.filter_ratio=0.5",
            "iterations"
        )) - 2.0)
            .abs()
            < 1e-9
    );
    // Paper FLOPs per JEST step at f = 0.8: scoring 500 + (2/3)·300 = 700 vs 300.
    let flops = num(summary_value(&rows, &header, "jest", s, "flops_paper"));
    assert!((flops - 4.0 * 300.0 / 700.0).abs() < 1e-9, "{flops}");
    // Executed: 500 + 300 = 800 per step.
    let exec = num(summary_value(&rows, &header, "jest", s, "flops_executed"));
    assert!((exec - 4.0 * 300.0 / 800.0).abs() < 1e-9, "{exec}");
    // Independent never reaches uniform's final: censored, below 1000/1000.
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let ind = rows
        .iter()
        .find(|r| {
            r[col("method")] == "independent_topk"
                && r[col("axis")] == "iterations"
                && r[col("target")] == "final"
        })
        .unwrap();
    assert_eq!(ind[col("speedup")], "");
    assert_eq!(ind[col("speedup_kind")], "below");
    assert_eq!(ind[col("speedup_bound")], "1");

    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    for claim in [
        "f = 0.5 reaches uniform's final score with 1.5x fewer iterations",
        "f = 0.8 reaches uniform's final score with 3x fewer iterations",
        "Up to 13x fewer iterations",
        "Up to 10x fewer FLOPs",
        "(a)",
        "(b) Joint",
    ] {
        assert!(md.contains(claim), "claims table lacks {claim}");
    }
    // Claims these results do not measure are left out of a one-experiment report.
    assert!(!md.contains("### (c)"), "{md}");
    // Without a horizon sweep the 13x row is not measured here, and names the
    // evidence it needs (docs/methods.md §6), rather than a single-schedule figure.
    let row = |prefix: &str| crate::util::claim_rows(&md, prefix).remove(0);
    let line = &row("Up to 13x");
    assert!(
        line.contains("not measured here") && line.contains("needs a horizon sweep"),
        "{line}"
    );
    // The 10x row waits for cheap scoring and says so.
    let line = &row("Up to 10x");
    assert!(
        line.contains("Flexi-JEST") && line.contains("not measured"),
        "{line}"
    );
    // Same data: 2x ≥ 1.5x holds at f = 0.5; 4x ≥ 3x at f = 0.8.
    for f in ["0.5", "0.8"] {
        let line = &row(&format!("f = {f} reaches"));
        assert!(line.contains("holds at this scale"), "{line}");
    }
    assert!(md.contains("did not reach"));
    // (a): 2x at f = 0.5, 4x at f = 0.8: a positive pooled slope.
    let line = &row("(a)");
    assert!(
        line.contains("holds at this scale") && line.contains("0.5: 2.00x, 0.8: 4.00x"),
        "{line}"
    );
    // (b): JEST 4x against independent below 1x (it never reaches uniform's final):
    // the difference is at least 3, decided with a censored value: a bound.
    let line = &row("(b) Joint");
    assert!(line.contains("holds as a bound (at least 3.00)"), "{line}");

    // Every SVG is well-formed XML with an <svg> root; the HTML links each once.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let mut svgs = 0;
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&out).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "svg") {
            let text = std::fs::read_to_string(&p).unwrap();
            let doc = roxmltree::Document::parse(&text)
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            assert_eq!(doc.root_element().tag_name().name(), "svg");
            svgs += 1;
            names.push(p.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    // The claims figure, iso-accuracy curves (one per f), learning curves (2
    // settings × 2 axes), speed-up vs f, learnability (per setting).
    assert_eq!(svgs, 10, "{names:?}");
    assert_eq!(html.matches("<svg").count(), 0);
    // Per-cell figures (learning curves, diagnostics) are on pages of their own,
    // linked from the report; every figure is shown once over the pages.
    let pages: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(
        html.contains("fixture-curves.html"),
        "no link to the curves page"
    );
    let linked: Vec<&str> = pages
        .iter()
        .flat_map(|h| h.split("<img src=\"").skip(1))
        .map(|s| s.split('"').next().unwrap())
        .collect();
    assert_eq!(linked.len(), 10);
    for f in &linked {
        assert!(
            out.join(f).is_file(),
            "report.html links {f}, not in the folder"
        );
    }
    // The answer comes first: its table (one row per claim) under the title, then
    // provenance, contents and the claims before any experiment's detail; every
    // contents link has its heading.
    let at = |s: &str| md.find(s).unwrap_or_else(|| panic!("report lacks {s}"));
    assert!(
        at("| claim | paper | measured [95% CI] | verdict | evidence |")
            < at("Made by `jestbench report ")
    );
    assert!(
        at("Made by `jestbench report ") < at("## Claims") && at("## Claims") < at("## Experiment")
    );
    let contents = md.lines().find(|l| l.starts_with("Contents: ")).unwrap();
    for link in contents.split("](#").skip(1) {
        let id = link.split(')').next().unwrap();
        assert!(
            html.contains(&format!(" id=\"{id}\"")),
            "no heading for #{id}"
        );
    }
    assert!(out.join("analysis.json").exists() && out.join("claims.csv").exists());
    // Self-contained: no scripts, no external resources (the SVG namespace is no fetch).
    assert!(!html.contains("<script"));
    for attr in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!html.contains(attr), "external resource: {attr}");
    }
}

#[test]
fn report_refuses_mixed_or_duplicated_results() {
    let dir = tempfile::tempdir().unwrap();
    let results = fixture(dir.path());
    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    let text = std::fs::read_to_string(results.join("results.csv"))
        .unwrap()
        .replace("fixture,", "other,");
    write(&other, "results.csv", &text);
    let out = dir.path().join("r");
    let o = jestbench(&[
        "report",
        results.to_str().unwrap(),
        other.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("mix 2 experiments (fixture, other); pass --combine"));
    let o = jestbench(&[
        "report",
        results.to_str().unwrap(),
        results.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("two rows for step"));
    let o = jestbench(&["report", dir.path().join("nothing").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no such results file or folder"));
    let bad = write(dir.path(), "bad.csv", "experiment,run_id\nx,y\n");
    let o = jestbench(&["report", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("missing column"), "{}", stderr(&o));
}

#[test]
fn check_passes_and_fails_by_its_gates() {
    let dir = tempfile::tempdir().unwrap();
    let results = fixture(dir.path());
    let r = results.to_str().unwrap();
    let good = write(
        dir.path(),
        "good.yaml",
        "gates:\n  - jest[train.filter_ratio=0.8].speedup_iterations.mean >= 3.9\n  - jest[train.filter_ratio=0.8].selected_learnability.mean > uniform[train.filter_ratio=0.8].selected_learnability.mean\n",
    );
    let o = jestbench(&["check", r, "--gate", good.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("all 2 gates passed"));

    let bad = write(
        dir.path(),
        "bad.yaml",
        "gates:\n  - jest[train.filter_ratio=0.5].speedup_iterations.lower_ci >= 3\n",
    );
    let (junit, md) = (dir.path().join("check.xml"), dir.path().join("check.md"));
    let o = jestbench(&[
        "check",
        r,
        "--gate",
        bad.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
        "--markdown",
        md.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    // A failing check still writes its CI files: one test case per gate.
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let suite = doc.root_element();
    assert_eq!(suite.attribute("tests"), Some("1"));
    assert_eq!(suite.attribute("failures"), Some("1"));
    let case = suite
        .children()
        .find(|n| n.has_tag_name("testcase"))
        .unwrap();
    assert!(case.attribute("name").unwrap().contains("lower_ci >= 3"));
    assert!(case.children().any(|n| n.has_tag_name("failure")));
    let md = std::fs::read_to_string(&md).unwrap();
    assert!(
        md.starts_with("**jestbench check: 1 of 1 gates failed**"),
        "{md}"
    );
    assert!(md.contains("| **FAIL** |"), "{md}");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("FAIL jest[train.filter_ratio=0.5].speedup_iterations.lower_ci >= 3"),
        "{out}"
    );
    assert!(stderr(&o).contains("1 of 1 gates failed"));

    let ambiguous = write(
        dir.path(),
        "amb.yaml",
        "gates:\n  - jest.final_score.mean > 0.5\n",
    );
    let o = jestbench(&["check", r, "--gate", ambiguous.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("matches 2 cells") && stderr(&o).contains("add a filter"),
        "{}",
        stderr(&o)
    );

    let typo = write(dir.path(), "typo.yaml", "gate:\n  - x\n");
    let o = jestbench(&["check", r, "--gate", typo.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown field `gate`"));
}

#[test]
fn the_index_links_each_report_with_its_verdicts_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let results = fixture(dir.path());
    let reports = dir.path().join("reports");
    let o = jestbench(&[
        "report",
        results.to_str().unwrap(),
        "--out",
        reports.join("fix").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = jestbench(&["index", reports.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    // f = 0.8 at 4x holds against 3x; f = 0.5 at 2x holds against 1.5x.
    // The fixture is no claim's designated evidence: its verdicts are secondary.
    assert!(
        out.contains("fix: 1.5x at f = 0.5: holds (secondary); 3x at f = 0.8: holds (secondary)"),
        "{out}"
    );
    let html = std::fs::read_to_string(reports.join("index.html")).unwrap();
    assert!(
        html.contains("<a href=\"fix/report.html\">fix</a>"),
        "{html}"
    );
    assert!(html.contains("3x at f = 0.8: holds"));
    let md = std::fs::read_to_string(reports.join("index.md")).unwrap();
    assert!(md.contains("[fix](fix/report.html)"));
    // A folder without reports is an error, not an empty page.
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let o = jestbench(&["index", empty.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("holds no report"));
    assert!(!empty.join("index.html").exists());
    // A report the index cannot link is an error naming it, never a silent gap:
    // a folder with a report's files but no report.html, and one whose name is no
    // link.
    let partial = reports.join("partial");
    std::fs::create_dir_all(&partial).unwrap();
    std::fs::copy(reports.join("fix/claims.csv"), partial.join("claims.csv")).unwrap();
    let o = jestbench(&["index", reports.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("partial") && err.contains("report.html is missing"),
        "{err}"
    );
    std::fs::remove_dir_all(&partial).unwrap();
    let spaced = reports.join("my report");
    std::fs::create_dir_all(&spaced).unwrap();
    for f in ["report.html", "claims.csv"] {
        std::fs::copy(reports.join("fix").join(f), spaced.join(f)).unwrap();
    }
    let o = jestbench(&["index", reports.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("my report"), "{}", stderr(&o));
}

#[test]
fn the_committed_reports_give_each_claim_one_verdict() {
    // docs/methods.md §6: the claims board takes each claim from its designated evidence; no
    // two committed reports may give one claim different verdicts from theirs, and
    // the index lists only reports that are there.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("reports");
    let index = std::fs::read_to_string(root.join("index.md")).unwrap();
    let names: Vec<String> = jestbench::report::index::entries(&root)
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .filter(|n| index.contains(&format!("]({n}/report.html)")))
        .collect();
    // In a git checkout, "committed" means tracked: an ignored local report (the
    // quickstart's) must not reach the committed index either.
    let tracked = std::process::Command::new("git")
        .args(["ls-files", "reports"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success() && !o.stdout.is_empty())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    for line in index.lines().filter(|l| l.contains("/report.html)")) {
        let name = line.split("](").nth(1).unwrap().split('/').next().unwrap();
        let committed = match &tracked {
            Some(files) => files
                .lines()
                .any(|f| f == format!("reports/{name}/report.html")),
            None => root.join(name).join("report.html").is_file(),
        };
        assert!(
            committed,
            "reports/index.md links {name}, which is not committed"
        );
    }
    let rows = jestbench::report::board::gather(&root, &names).unwrap();
    assert!(
        rows.iter().any(|r| r.designated),
        "the committed claims.csv files predate the designated column: regenerate the reports"
    );
    let clash = jestbench::report::board::contradictions(&rows);
    assert!(clash.is_empty(), "{clash:#?}");
    // Every claim of the table has a line on the board.
    let board = jestbench::report::board::board(&rows);
    for def in jestbench::analysis::claims::CLAIMS {
        assert!(
            board.iter().any(|l| l.id == def.id),
            "{} missing from the board",
            def.id
        );
    }
}

#[test]
fn compare_says_what_changed_and_fails_on_a_regression_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let old = fixture(dir.path());
    // NEW: JEST at f = 0.8 twice as slow (reaches uniform's final at 500, not 250).
    let rows = jestbench::log::read_rows(&old.join("results.csv"), &jestbench::family::schemas())
        .unwrap()
        .kept;
    let slower: Vec<jestbench::log::Row> = rows
        .into_iter()
        .map(|mut r| {
            if let Some(r) = r.get_mut::<JestRow>() {
                if r.common.method.as_str() == "jest" && (r.filter_ratio - 0.8).abs() < 1e-9 {
                    let offset = [-0.01, 0.0, 0.01][r.common.seed as usize];
                    let y = (1.2 * r.common.step as f64 / 1000.0f64).min(0.97) + offset;
                    r.common.eval_score = Some(y);
                    r.zero_shot_accuracy = Some(y);
                }
            }
            r
        })
        .collect();
    let new = dir.path().join("new");
    std::fs::create_dir_all(&new).unwrap();
    std::fs::write(new.join("results.csv"), layout_1_text(&slower)).unwrap();
    let (md, xml) = (dir.path().join("c.md"), dir.path().join("c.xml"));
    let o = jestbench(&[
        "compare",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--markdown",
        md.to_str().unwrap(),
        "--junit",
        xml.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    // 4x → 2x: the same-data row at f = 0.8 regressed (×0.5), f = 0.5 did not move.
    let line = out
        .lines()
        .find(|l| l.starts_with("3x at f = 0.8"))
        .unwrap();
    assert!(
        line.contains("4.000 → 2.000") && line.contains("×0.500") && line.contains("regressed"),
        "{line}"
    );
    let line = out
        .lines()
        .find(|l| l.starts_with("1.5x at f = 0.5"))
        .unwrap();
    assert!(line.contains("no change"), "{line}");
    let md = std::fs::read_to_string(&md).unwrap();
    assert!(
        md.contains("| 3x at f = 0.8 (fixture) | 4.000 | 2.000 |"),
        "{md}"
    );
    let xml = std::fs::read_to_string(&xml).unwrap();
    roxmltree::Document::parse(&xml).unwrap();
    assert!(
        xml.contains("<failure message=\"regressed: ×0.500"),
        "{xml}"
    );
    // A gate for CI: exit 1 on a regression when asked; the same results, exit 0.
    let o = jestbench(&[
        "compare",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--fail-on-regression",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = jestbench(&[
        "compare",
        old.to_str().unwrap(),
        old.to_str().unwrap(),
        "--fail-on-regression",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("0 regressed; 0 verdicts changed"));
    // Report folders stand for their results (the files their analysis.json names).
    let (rep_old, rep_new) = (dir.path().join("rep-old"), dir.path().join("rep-new"));
    for (results, rep) in [(&old, &rep_old), (&new, &rep_new)] {
        let o = jestbench(&[
            "report",
            results.to_str().unwrap(),
            "--out",
            rep.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = jestbench(&[
        "compare",
        rep_old.to_str().unwrap(),
        rep_new.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let line = out
        .lines()
        .find(|l| l.starts_with("3x at f = 0.8"))
        .unwrap();
    assert!(
        line.contains("4.000 → 2.000") && line.contains("regressed"),
        "{line}"
    );
    // A report whose results are gone is named, not compared.
    std::fs::remove_file(new.join("results.csv")).unwrap();
    let o = jestbench(&[
        "compare",
        rep_old.to_str().unwrap(),
        rep_new.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is not here"), "{}", stderr(&o));
}

#[test]
fn a_sweep_over_worlds_gets_a_world_map_whose_gains_add_up_and_concept_columns() {
    // Issue 29: an experiment that sweeps its data gets a world map: per world,
    // JEST's gain over uniform = what the oracle recovers + the rest, with the
    // concept diagnostics logged by every selector.
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}sweep:\n  dataset.synthetic.zipf: [0.0, 1.5]\n  train.selector: [uniform, jest, oracle]\n",
        TINY.replace("seeds: [1, 2]", "seeds: [1, 2, 3]")
    );
    let exp = write(dir.path(), "tiny.yaml", &text);
    let out = dir.path().join("res");
    let o = jestbench(&[
        "run",
        exp.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--no-report",
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Every row of a synthetic run has the concept columns; shares sum to 1.
    let cols = result_columns(
        &out,
        &[
            "step",
            "selected_head",
            "selected_torso",
            "selected_tail",
            "superbatch_tail",
            "selected_same_concept",
            "zero_shot_tail",
        ],
    );
    for r in cols.iter().filter(|r| r[0] != "0") {
        let v: Vec<f64> = r[1..].iter().map(|x| x.parse().unwrap()).collect();
        assert!((v[0] + v[1] + v[2] - 1.0).abs() < 1e-9, "{r:?}");
        assert!(v.iter().all(|x| (0.0..=1.0).contains(x)), "{r:?}");
    }
    let rep = dir.path().join("rep");
    let o = jestbench(&[
        "report",
        out.to_str().unwrap(),
        "--out",
        rep.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let md = std::fs::read_to_string(rep.join("report.md")).unwrap();
    assert!(md.contains("## World map"), "{md}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(rep.join("analysis.json")).unwrap()).unwrap();
    let worlds = json["jest"]["worlds"].as_array().unwrap();
    assert_eq!(worlds.len(), 2, "one world per zipf value");
    for w in worlds {
        let f = |k: &str| w[k].as_f64().unwrap();
        let mid = |k: &str| w[k]["point"]["mid"].as_f64().unwrap();
        assert!((mid("jest_gain") - (f("jest") - f("uniform"))).abs() < 1e-12);
        assert!((mid("oracle_gain") + mid("remainder") - mid("jest_gain")).abs() < 1e-12);
        assert_eq!(w["methods"].as_array().unwrap().len(), 3, "{w}");
        assert!(w["same_data"].is_object(), "the world's same-data row: {w}");
    }
    // The claims CSV names each same-data row's world.
    let (header, rows) = read_csv(&rep.join("claims.csv"));
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let settings: Vec<&str> = rows
        .iter()
        .filter(|r| r[col("id")].starts_with("same-data-"))
        .map(|r| r[col("setting")].as_str())
        .collect();
    assert!(
        settings.contains(&"dataset.synthetic.zipf=0.0"),
        "{settings:?}"
    );
    assert!(
        settings.contains(&"dataset.synthetic.zipf=1.5"),
        "{settings:?}"
    );
}
