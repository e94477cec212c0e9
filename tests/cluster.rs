//! Sharding and merging, and a real single-node Slurm cluster running a sweep as a
//! job array (../shared/tools/slurm-local.sh), whose merged results must equal the
//! same sweep run in one process.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use jestbench::experiment::Experiment;
use jestbench::run::plan::shard_runs;
use jestbench::run::Shard;

use crate::util::{jestbench, result_columns, stderr, summary_columns, under_ci, write, TINY};

fn sweep_text() -> String {
    format!("{TINY}sweep:\n  train.lr: [0.001, 0.002, 0.004]\n  train.batch_size: [8, 16]\n")
}

#[test]
fn every_run_lands_in_exactly_one_shard() {
    let exp = Experiment::parse(&sweep_text(), Path::new("s.yaml")).unwrap();
    let all: BTreeSet<String> = exp.runs().iter().map(|r| r.id()).collect();
    assert_eq!(all.len(), 12);
    for n in 1..=7 {
        let mut seen = Vec::new();
        for i in 0..n {
            let (runs, m) = shard_runs(&exp, Shard { index: i, count: n }).unwrap();
            assert_eq!(m.runs.len(), runs.len());
            assert_eq!(m.total_runs, 12);
            seen.extend(runs.iter().map(|r| r.id()));
        }
        let set: BTreeSet<String> = seen.iter().cloned().collect();
        assert_eq!(seen.len(), 12, "N = {n}: a run in two shards");
        assert_eq!(set, all, "N = {n}");
    }
}

#[test]
fn shards_are_balanced_by_cost_and_stable_under_key_reordering() {
    let text = sweep_text();
    // The same experiment with its sections and keys in another order.
    let reordered = text
        .replace(
            "  steps: 150\n  batch_size: 16\n",
            "  batch_size: 16\n  steps: 150\n",
        )
        .replace(
            "  train.lr: [0.001, 0.002, 0.004]\n  train.batch_size: [8, 16]\n",
            "  train.batch_size: [8, 16]\n  train.lr: [0.001, 0.002, 0.004]\n",
        );
    assert_ne!(text, reordered);
    let a = Experiment::parse(&text, Path::new("a.yaml")).unwrap();
    let b = Experiment::parse(&reordered, Path::new("b.yaml")).unwrap();
    for n in 1..=7 {
        for i in 0..n {
            let s = Shard { index: i, count: n };
            let ids = |e: &Experiment| -> BTreeSet<String> {
                shard_runs(e, s).unwrap().0.iter().map(|r| r.id()).collect()
            };
            assert_eq!(ids(&a), ids(&b), "shard {i}/{n} changed with key order");
        }
    }
    // Batch 16 runs cost about twice batch 8 runs: 3 shards get 2 big + 2 small each.
    for i in 0..3 {
        let (runs, _) = shard_runs(&a, Shard { index: i, count: 3 }).unwrap();
        let big = runs
            .iter()
            .filter(|r| r.cell.config.train.batch_size == 16)
            .count();
        assert_eq!((runs.len(), big), (4, 2), "shard {i}");
    }
}

#[test]
fn merge_refuses_missing_and_duplicated_runs() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(dir.path(), "s.yaml", &sweep_text());
    let e = exp.to_str().unwrap();
    let shard = |i: usize| dir.path().join(format!("shard-{i}"));
    for i in 0..2 {
        let o = jestbench(&[
            "run",
            e,
            "--shard",
            &format!("{i}/3"),
            "--out",
            shard(i).to_str().unwrap(),
            "--quiet",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let s = |i: usize| shard(i).to_str().unwrap().to_string();
    let o = jestbench(&[
        "merge",
        &s(0),
        &s(1),
        "--out",
        dir.path().join("m1").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("missing shards: 2 (of 3)"),
        "{}",
        stderr(&o)
    );
    let o = jestbench(&[
        "merge",
        &s(0),
        &s(0),
        &s(1),
        "--out",
        dir.path().join("m2").to_str().unwrap(),
    ]);
    assert!(
        stderr(&o).contains("shard 0 is given twice"),
        "{}",
        stderr(&o)
    );
    // A shard whose run never finished.
    let o = jestbench(&[
        "run",
        e,
        "--shard",
        "2/3",
        "--out",
        shard(2).to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success());
    let runs = shard(2).join(jestbench::log::RUNS_FILE);
    let text = std::fs::read_to_string(&runs).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let dropped = lines.pop().unwrap().split(',').nth(1).unwrap().to_string();
    std::fs::write(&runs, lines.join("\n") + "\n").unwrap();
    let o = jestbench(&[
        "merge",
        &s(0),
        &s(1),
        &s(2),
        "--out",
        dir.path().join("m3").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("1 expected runs are missing or incomplete")
            && stderr(&o).contains(&dropped),
        "{}",
        stderr(&o)
    );
    // Resuming the shard completes it; then the merge passes.
    let o = jestbench(&[
        "run",
        e,
        "--shard",
        "2/3",
        "--out",
        shard(2).to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success());
    let o = jestbench(&[
        "merge",
        &s(0),
        &s(1),
        &s(2),
        "--out",
        dir.path().join("m4").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("12 runs, each exactly once"));
    // A shard folder cannot be reused for another shard.
    let o = jestbench(&[
        "run",
        e,
        "--shard",
        "1/3",
        "--out",
        shard(0).to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("holds shard 0/3"), "{}", stderr(&o));
}

/// Stops the local cluster however the test ends.
struct Cluster {
    script: PathBuf,
    conf: String,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("bash").arg(&self.script).arg("stop").status();
    }
}

const METRICS: [&str; 8] = [
    "run_id",
    "step",
    "config_hash",
    "train_loss",
    "eval_loss",
    "zero_shot_accuracy",
    "recall_at1_a2b",
    "status",
];

#[test]
fn a_sweep_as_a_real_slurm_job_array_merges_to_the_single_process_results() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/slurm-local.sh");
    // On a developer's machine the test skips aloud without its tool; under CI,
    // where it must run, that is a failure.
    let skip = |why: String| {
        assert!(!under_ci(), "the Slurm test must run under CI, but {why}");
        eprintln!("SKIPPED: {why}");
    };
    if !script.exists() {
        return skip(format!("{} is absent", script.display()));
    }
    let uid = Command::new("id").arg("-u").output().unwrap();
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return skip("slurm-local.sh must run as root".into());
    }
    let dir = tempfile::tempdir().unwrap();
    let exp = write(dir.path(), "s.yaml", &sweep_text());
    let e = exp.to_str().unwrap();

    let single = dir.path().join("single");
    let t0 = Instant::now();
    let o = jestbench(&[
        "run",
        e,
        "--out",
        single.to_str().unwrap(),
        "--quiet",
        "--no-report",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let single_s = t0.elapsed().as_secs_f64();

    let start = Command::new("bash")
        .arg(&script)
        .arg("start")
        .output()
        .unwrap();
    let _stop = Cluster {
        script: script.clone(),
        conf: String::new(),
    };
    assert!(
        start.status.success(),
        "slurm-local.sh start failed:\n{}",
        String::from_utf8_lossy(&start.stderr)
    );
    let env = String::from_utf8_lossy(&start.stdout).to_string();
    let conf = env
        .lines()
        .find_map(|l| l.strip_prefix("export SLURM_CONF="))
        .expect("slurm-local.sh prints SLURM_CONF")
        .trim()
        .to_string();
    let cluster = Cluster {
        script: script.clone(),
        conf,
    };

    let sweep = dir.path().join("sweep");
    let t0 = Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_jestbench"))
        .args([
            "slurm",
            e,
            "--shards",
            "3",
            "--cpus-per-task",
            "1",
            "--time",
            "00:10:00",
            "--out",
            sweep.to_str().unwrap(),
            "--submit",
        ])
        .env("SLURM_CONF", &cluster.conf)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout).to_string();
    let job = stdout
        .lines()
        .find_map(|l| l.strip_prefix("submitted job "))
        .expect("a job id")
        .trim()
        .to_string();
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let q = Command::new("squeue")
            .args(["-h", "-j", &job])
            .env("SLURM_CONF", &cluster.conf)
            .output()
            .unwrap();
        if String::from_utf8_lossy(&q.stdout).trim().is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the job array did not finish in 10 minutes"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let slurm_s = t0.elapsed().as_secs_f64();
    let shards: Vec<String> = (0..3)
        .map(|i| {
            sweep
                .join(format!("shard-{i}"))
                .to_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let merged = sweep.join("merged");
    let mut args = vec!["merge".to_string()];
    args.extend(shards.iter().cloned());
    args.extend(["--out".to_string(), merged.to_str().unwrap().to_string()]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = jestbench(&refs);
    if !o.status.success() {
        let logs: Vec<String> = std::fs::read_dir(sweep.join("logs"))
            .map(|d| {
                d.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                    .collect()
            })
            .unwrap_or_default();
        panic!(
            "merge failed:\n{}\njob logs:\n{}",
            stderr(&o),
            logs.join("\n---\n")
        );
    }
    let merge_out = String::from_utf8_lossy(&o.stdout).to_string();
    eprintln!(
        "single process: {single_s:.1} s; Slurm array of 3: {slurm_s:.1} s; {}",
        merge_out.trim()
    );
    assert_eq!(
        result_columns(&merged, &METRICS),
        result_columns(&single, &METRICS),
        "merged Slurm results differ from the single-process run"
    );
    assert_eq!(
        summary_columns(&merged, &["run_id", "status"]),
        summary_columns(&single, &["run_id", "status"])
    );
    // report and check accept the merged folder.
    let o = jestbench(&[
        "report",
        merged.to_str().unwrap(),
        "--out",
        dir.path().join("rep").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}
