//! Crash safety: a sweep killed with SIGKILL at any point leaves whole rows, and a
//! rerun resumes to exactly the rows of an uninterrupted run. The output folder's
//! lock turns away a second concurrent run.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{jestbench, result_columns, stderr, summary_of, write, TINY};

/// TINY, longer: 4 runs of 1,500 steps, so a kill lands mid-run.
fn long_experiment(dir: &Path) -> std::path::PathBuf {
    let text = TINY
        .replace("  steps: 150\n", "  steps: 1500\n")
        .replace("  every: 50\n", "  every: 100\n")
        + "sweep:\n  train.lr: [0.001, 0.002]\n";
    write(dir, "long.yaml", &text)
}

fn spawn(exp: &Path, out: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_jestbench"))
        .args([
            "run",
            exp.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn lines(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

/// Waits until the evaluations table has at least `rows` lines (or the child ends), then
/// SIGKILLs it. Returns whether it was killed while still running.
fn kill_after(child: &mut Child, results: &Path, rows: usize) -> bool {
    let start = Instant::now();
    while lines(results) < rows && start.elapsed() < Duration::from_secs(120) {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let running = child.try_wait().unwrap().is_none();
    child.kill().ok(); // SIGKILL on Unix
    child.wait().unwrap();
    running
}

const COLS: [&str; 8] = [
    "run_id",
    "step",
    "examples_trained",
    "train_loss",
    "eval_loss",
    "zero_shot_accuracy",
    "recall_at1_a2b",
    "status",
];

#[test]
fn sigkill_at_several_points_then_resume_equals_an_uninterrupted_run() {
    let dir = tempfile::tempdir().unwrap();
    let exp = long_experiment(dir.path());
    let clean = dir.path().join("clean");
    let o = jestbench(&[
        "run",
        exp.to_str().unwrap(),
        "--out",
        clean.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let want = result_columns(&clean, &COLS);
    assert_eq!(want.len(), 4 * 16);

    let out = dir.path().join("killed");
    let results = out.join(jestbench::log::evaluations_file(
        jestbench::method::Family::JEST,
    ));
    let mut kills = 0;
    // Kill at the first rows, mid-sweep, and late; each time resume and kill again.
    for rows in [3, 20, 37, 55] {
        let mut child = spawn(&exp, &out);
        if kill_after(&mut child, &results, rows) {
            kills += 1;
        }
        // Whatever the kill left, every row in the file parses as a whole row.
        let (header, body) = read_csv_tolerant(&results);
        assert!(body.iter().all(|r| r.len() == header.len()));
    }
    assert!(kills >= 3, "only {kills} kills landed while the sweep ran");
    let o = jestbench(&[
        "run",
        exp.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = result_columns(&out, &COLS);
    let mut keys: Vec<(String, String)> =
        got.iter().map(|r| (r[0].clone(), r[1].clone())).collect();
    let n = keys.len();
    keys.dedup();
    assert_eq!(keys.len(), n, "a (run, step) row is duplicated");
    assert_eq!(got, want, "resumed rows differ from an uninterrupted run");
    let (_, summary) = summary_of(&out);
    assert_eq!(summary.len(), 4);
}

/// Rows of a file that may end in a torn line (dropped here, as the harness does).
fn read_csv_tolerant(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let whole = match text.rfind('\n') {
        Some(i) => &text[..=i],
        None => "",
    };
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(whole.as_bytes());
    let header: Vec<String> = r
        .headers()
        .map(|h| h.iter().map(String::from).collect())
        .unwrap_or_default();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn a_second_run_into_the_same_folder_is_turned_away() {
    let dir = tempfile::tempdir().unwrap();
    let exp = long_experiment(dir.path());
    let out = dir.path().join("r");
    let mut first = spawn(&exp, &out);
    // Wait until the first run holds the lock and writes.
    let results = out.join(jestbench::log::evaluations_file(
        jestbench::method::Family::JEST,
    ));
    let start = Instant::now();
    while lines(&results) < 2 && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let second = jestbench(&["run", exp.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let still_running = first.try_wait().unwrap().is_none();
    first.kill().ok();
    first.wait().unwrap();
    assert!(
        still_running,
        "the first run ended before the second started"
    );
    // Busy (exit 3): the folder is another process's until it ends.
    assert_eq!(second.status.code(), Some(3));
    assert!(stderr(&second).contains("another jestbench run is writing to this results folder"));
    // The lock dies with its holder: a rerun after the kill proceeds.
    let o = jestbench(&[
        "run",
        exp.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_diverged_run_is_recorded_and_the_sweep_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(
        dir.path(),
        "div.yaml",
        &format!("{TINY}sweep:\n  train.lr: [0.001, 1.0e9]\n"),
    );
    let out = dir.path().join("r");
    let o = jestbench(&["run", exp.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (header, rows) = summary_of(&out);
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let status: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[col("sweep")].as_str(), r[col("status")].as_str()))
        .collect();
    assert_eq!(
        status.iter().filter(|s| s.1 == "complete").count(),
        2,
        "{status:?}"
    );
    for (sweep, s) in &status {
        assert_eq!(*s == "diverged", sweep.contains("1000000000"), "{status:?}");
    }
    // The divergence row names its step, holds the non-finite loss, and no metrics.
    let r = rows
        .iter()
        .find(|r| r[col("status")] == "diverged")
        .unwrap();
    assert!(r[col("step")].parse::<usize>().unwrap() < 150);
    assert!(r[col("train_loss")].contains("NaN") || r[col("train_loss")].contains("inf"));
    assert!(r[col("zero_shot_accuracy")].is_empty());
    // The report keeps diverged runs apart.
    let rep = dir.path().join("rep");
    let o = jestbench(&[
        "report",
        out.to_str().unwrap(),
        "--out",
        rep.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("2 of 2 runs diverged and are left out of the statistics"));
    let md = std::fs::read_to_string(rep.join("report.md")).unwrap();
    assert!(
        md.contains("| uniform | train.lr=1000000000.0 | 0 | 2 |"),
        "{md}"
    );
}
