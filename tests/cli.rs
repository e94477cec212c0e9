//! The binary end to end: determinism, resume, exit codes, help.

use std::path::Path;

use crate::util::{
    jest_evaluations, jestbench, result_columns, results_of, stderr, summary_columns, summary_of,
    write, TINY,
};

const METRICS: [&str; 12] = [
    "run_id",
    "step",
    "examples_trained",
    "flops_train",
    "train_loss",
    "eval_loss",
    "zero_shot_accuracy",
    "recall_at1_a2b",
    "recall_at1_b2a",
    "eval_score",
    "status",
    "seed",
];

fn run(exp: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["run", exp.to_str().unwrap(), "--out", out.to_str().unwrap()];
    args.extend(extra);
    let o = jestbench(&args);
    assert!(o.status.success(), "run failed:\n{}", stderr(&o));
    o
}

#[test]
fn same_config_and_seed_give_identical_metric_columns() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(dir.path(), "tiny.yaml", TINY);
    let (one, two, par) = (
        dir.path().join("1"),
        dir.path().join("2"),
        dir.path().join("p"),
    );
    run(&exp, &one, &[]);
    run(&exp, &two, &[]);
    run(&exp, &par, &["--jobs", "2"]);
    let a = result_columns(&one, &METRICS);
    // 2 seeds × (step 0 + 3 evals).
    assert_eq!(a.len(), 8);
    assert_eq!(a, result_columns(&two, &METRICS));
    assert_eq!(a, result_columns(&par, &METRICS));
    assert_eq!(
        summary_columns(&one, &METRICS),
        summary_columns(&par, &METRICS)
    );
}

#[test]
fn results_have_the_spec_columns_and_learn() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(dir.path(), "tiny.yaml", TINY);
    let out = dir.path().join("r");
    let o = run(&exp, &out, &[]);
    let (header, rows) = results_of(&out);
    for col in [
        "run_id",
        "config_hash",
        "seed",
        "method",
        "filter_ratio",
        "batch_size",
        "super_batch",
        "reference_quality",
        "sweep",
        "step",
        "examples_trained",
        "examples_scored",
        "flops_train",
        "flops_learner_scoring",
        "flops_pairs",
        "flops_reference_scoring_uncached",
        "flops_reference_training",
        "train_seconds",
        "zero_shot_accuracy",
        "recall_at1_a2b",
        "recall_at1_b2a",
        "eval_loss",
        "selected_learnability",
        "superbatch_learnability",
        "selected_clean",
        "selected_misaligned",
        "selected_heavy_noise",
        "selected_duplicate",
        "superbatch_clean",
        "harness_version",
        "git_commit",
        "device",
    ] {
        assert!(header.iter().any(|h| h == col), "missing column {col}");
    }
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (step, zs, ex) = (
        col("step"),
        col("zero_shot_accuracy"),
        col("examples_trained"),
    );
    let first = &rows[0];
    let last = rows
        .iter()
        .rfind(|r| r[0] == first[0] && r[1] == first[1])
        .unwrap();
    assert_eq!(first[step], "0");
    assert_eq!(last[step], "150");
    assert_eq!(last[ex], "2400");
    let (z0, z1): (f64, f64) = (first[zs].parse().unwrap(), last[zs].parse().unwrap());
    assert!(
        z1 > z0 + 0.2,
        "zero-shot {z0} → {z1}: uniform training should learn"
    );
    // The summary has one row per run, status complete.
    let (_, summary) = summary_of(&out);
    assert_eq!(summary.len(), 2);
    assert!(summary.iter().all(|r| r[col("status")] == "complete"));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("tiny: 2 runs"), "{stdout}");
    // The run also writes its report, beside the results when --out is given.
    for f in ["report.md", "report.html", "summary.csv", "analysis.json"] {
        assert!(out.join("report").join(f).exists(), "no {f}");
    }
}

#[test]
fn rerun_skips_completed_runs_and_repairs_a_torn_tail() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(dir.path(), "tiny.yaml", TINY);
    let out = dir.path().join("r");
    run(&exp, &out, &[]);
    let evals = jest_evaluations(&out);
    let runs = out.join(jestbench::log::RUNS_FILE);
    let before = std::fs::read_to_string(&evals).unwrap();
    let runs_before = std::fs::read_to_string(&runs).unwrap();
    let o = run(&exp, &out, &[]);
    assert!(stderr(&o).contains("2 of 2 runs already complete"));
    assert_eq!(before, std::fs::read_to_string(&evals).unwrap());
    assert_eq!(runs_before, std::fs::read_to_string(&runs).unwrap());

    // Forget the second run's run row and tear the evaluations' last line, as a
    // crash would: the rerun redoes that run alone and no row is duplicated.
    let kept: Vec<&str> = runs_before.lines().take(2).collect();
    std::fs::write(&runs, kept.join("\n") + "\n").unwrap();
    std::fs::write(&evals, &before[..before.len() - 7]).unwrap();
    let o = run(&exp, &out, &[]);
    assert!(stderr(&o).contains("1 of 2 runs already complete"));
    let mut a = result_columns(&out, &METRICS);
    assert_eq!(a.len(), 8);
    a.dedup();
    assert_eq!(a.len(), 8, "no duplicated rows");
    let fresh = dir.path().join("fresh");
    run(&exp, &fresh, &[]);
    assert_eq!(a, result_columns(&fresh, &METRICS));
}

#[test]
fn validate_prints_runs_and_cost_without_running() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(
        dir.path(),
        "tiny.yaml",
        &format!("{TINY}sweep:\n  train.batch_size: [8, 16]\n"),
    );
    let o = jestbench(&["validate", exp.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("2 sweep cells × 2 seeds = 4 runs"),
        "{stdout}"
    );
    assert!(stdout.contains("FLOPs"), "{stdout}");
    // The wall-time estimate, from a few iterations timed on this machine.
    let est = stdout
        .lines()
        .find(|l| l.starts_with("estimate: about "))
        .unwrap_or_else(|| panic!("no estimate: {stdout}"));
    assert!(est.contains("GFLOP/s") && est.contains("--jobs 1"), "{est}");
    assert!(!dir.path().join("results").exists());
    let o = jestbench(&["validate", exp.to_str().unwrap(), "--no-estimate"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!String::from_utf8_lossy(&o.stdout).contains("estimate:"));
}

#[test]
fn bad_inputs_exit_2_with_a_message_and_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "bad.yaml",
        &TINY.replace("steps: 150", "steps: 0"),
    );
    for cmd in ["run", "validate"] {
        let o = jestbench(&[cmd, bad.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("bad.yaml:21:3: train.steps: must be at least 1"));
    }
    let good = write(dir.path(), "tiny.yaml", TINY);
    if !cfg!(feature = "cuda") {
        let o = jestbench(&["run", good.to_str().unwrap(), "--device", "cuda"]);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("built without CUDA"));
    }
    let o = jestbench(&["run", good.to_str().unwrap(), "--jobs", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--jobs"));
    let o = jestbench(&["run", "/no/such/file.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/no/such/file.yaml: cannot read experiment file"));
    let missing = write(
        dir.path(),
        "missing.yaml",
        &TINY.replace(
            "  synthetic:\n    concepts: 12\n    latent_dim: 6\n    dim_a: 10\n    dim_b: 8\n    pool: 1500\n    curated: 300\n    eval_concepts: 6\n    eval_per_concept: 20\n",
            "  files:\n    a: missing_a.csv\n    b: missing_b.csv\n",
        ),
    );
    let o = jestbench(&[
        "run",
        missing.to_str().unwrap(),
        "--out",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("dataset.files.a: ")
            && stderr(&o).contains("missing_a.csv: no such file"),
        "{}",
        stderr(&o)
    );
}

/// The top-level help lists every subcommand, and each one's own help works and
/// documents each of its options (a flag without a line of help is a gap).
#[test]
fn every_subcommand_has_help() {
    let o = jestbench(&["--help"]);
    assert!(o.status.success());
    let top = String::from_utf8_lossy(&o.stdout).into_owned();
    let commands: Vec<&str> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    for c in ["run", "report", "merge", "reproduce", "compare", "migrate"] {
        assert!(commands.contains(&c), "{c} not in the help: {commands:?}");
    }
    for c in &commands {
        let o = jestbench(&[c, "--help"]);
        assert!(o.status.success(), "{c} --help: {}", stderr(&o));
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(
            text.contains(&format!("Usage: jestbench {c}")),
            "{c} --help:\n{text}"
        );
        // Every option line has its help beside it or on the next line.
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let t = l.trim_start();
            if t.starts_with("--") || (t.starts_with('-') && t.len() > 1 && !t.starts_with("- ")) {
                let beside = t.split("  ").filter(|x| !x.trim().is_empty()).count() > 1;
                let below = lines.get(i + 1).is_some_and(|n| {
                    n.trim_start().len() < n.len() && !n.trim_start().starts_with('-')
                });
                assert!(beside || below, "{c}: option without help: {l}");
            }
        }
    }
}

#[test]
fn validate_into_a_closed_pipe_ends_quietly() {
    // `jestbench validate FILE | head -1`: the reader goes away after one line; the
    // rest of the listing (more than a pipe buffer) must not panic in println!.
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    // 800 cells, a line each: well over a 64 KiB pipe buffer.
    let lrs: Vec<String> = (1..=800)
        .map(|k| format!("{:.6}", k as f64 * 1e-5))
        .collect();
    let exp = write(
        dir.path(),
        "tiny.yaml",
        &format!("{TINY}sweep:\n  train.lr: [{}]\n", lrs.join(", ")),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_jestbench"))
        .args(["validate", exp.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(!first.is_empty());
    // The reader is dropped here: the pipe closes with most of the listing unread.
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.contains("Broken pipe"), "{err}");
}

/// `bench --width --depth` times the scale ladder's towers and sets the machine's
/// rates beside each row; where OpenBLAS does not load (JESTBENCH_OPENBLAS names
/// a file that is not there) it says why and leaves that column empty, the other
/// references still measured.
#[test]
fn bench_times_a_width_and_says_why_openblas_is_missing() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jestbench"))
        .args([
            "bench",
            "--width",
            "32",
            "--depth",
            "2",
            "--batch-sizes",
            "32",
            "--filter-ratios",
            "0.5",
            "--super-batches",
            "none",
            "--selectors",
            "uniform",
            "--no-sampler",
            "--iters",
            "5",
            "--warmup",
            "0",
        ])
        .env("JESTBENCH_OPENBLAS", "/nonexistent/libopenblas.so")
        .output()
        .expect("the jestbench binary runs");
    let err = stderr(&out);
    let text = format!("{}{err}", String::from_utf8_lossy(&out.stdout));
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("towers 48→[32, 32]→16 and 32→[32, 32]→16"),
        "{text}"
    );
    assert!(
        text.contains("no OpenBLAS column") && text.contains("/nonexistent/libopenblas.so"),
        "{text}"
    );
    assert!(text.contains("multiply-add peak") && text.contains("the harness's products"));
    let row = text
        .lines()
        .find(|l| l.contains(" uniform "))
        .unwrap_or_else(|| panic!("no uniform row: {text}"));
    // of dfdx and of peak are shares; of OpenBLAS is empty.
    let cells: Vec<&str> = row.split_whitespace().collect();
    let tail = &cells[cells.len() - 3..];
    assert!(
        tail[0].ends_with('%') && tail[1] == "—" && tail[2].ends_with('%'),
        "{row}"
    );
}
