//! Committed results come from the committed code, on any CPU and with any thread
//! count: rerunning runs of every committed results folder from its experiment
//! file gives identical rows (timing and provenance columns aside), each folder
//! under one of three settings of the machine, taken in turn over the folders in
//! name order, starting at the second (so each setting covers a third of them,
//! JEST and SWIM, synthetic and real alike):
//! - native: the kernels this CPU selects (AVX-512 or AVX2 + FMA), 2 threads, the two
//!   cheapest runs of each folder (spread over methods);
//! - one thread (`RAYON_NUM_THREADS=1`), the cheapest run;
//! - portable: `JESTBENCH_SIMD=portable` (the kernels a CPU without AVX2 or FMA, or
//!   aarch64, runs) with glibc's CPU-specific maths variants masked
//!   (`GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA,...`), 3 threads, the cheapest run.
//!
//! `JESTBENCH_REPRODUCE=all` reruns every run natively;
//! `JESTBENCH_REPRODUCE_SETTINGS=all` runs every folder under all three settings
//! (three times the time). The folders whose experiment reads ../shared/data (real-*,
//! wordnet) are skipped aloud without it, a failure under CI.

use std::path::Path;
use std::process::Command;

use crate::util::{real_data_present, stderr};

/// One machine setting: a label, its environment and how many runs per folder.
struct Setting {
    label: &'static str,
    env: &'static [(&'static str, &'static str)],
    runs: &'static str,
}

const MASKED_GLIBC: &str = "glibc.cpu.hwcaps=-AVX2,-FMA,-FMA4,-AVX512F,-AVX";

#[test]
fn committed_results_reproduce_from_their_experiment_files_on_any_cpu_and_thread_count() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let native_runs: &'static str = match std::env::var("JESTBENCH_REPRODUCE") {
        Ok(v) if v == "all" => "all",
        _ => "2",
    };
    let settings = [
        Setting {
            label: "native SIMD, 2 threads",
            env: &[("RAYON_NUM_THREADS", "2")],
            runs: native_runs,
        },
        Setting {
            label: "native SIMD, 1 thread",
            env: &[("RAYON_NUM_THREADS", "1")],
            runs: "1",
        },
        Setting {
            label: "portable SIMD and glibc maths, 3 threads",
            env: &[
                ("RAYON_NUM_THREADS", "3"),
                ("JESTBENCH_SIMD", "portable"),
                ("GLIBC_TUNABLES", MASKED_GLIBC),
            ],
            runs: "1",
        },
    ];
    let every_setting = std::env::var("JESTBENCH_REPRODUCE_SETTINGS").is_ok_and(|v| v == "all");
    let mut checked = 0;
    let mut covered = [0usize; 3];
    let mut skipped = Vec::new();
    let mut failures = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(root.join("results"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| jestbench::log::layout_of(p).unwrap().is_some())
        .collect();
    dirs.sort();
    for (i, dir) in dirs.into_iter().enumerate() {
        let name = dir.file_name().unwrap().to_str().unwrap().to_string();
        let exp = root.join("experiments").join(format!("{name}.yaml"));
        assert!(
            exp.exists(),
            "results/{name} has no experiment file experiments/{name}.yaml"
        );
        let reads_shared = std::fs::read_to_string(&exp)
            .unwrap()
            .contains("shared/data/");
        if reads_shared && !real_data_present() {
            skipped.push(name);
            continue;
        }
        let chosen: Vec<usize> = if every_setting {
            (0..settings.len()).collect()
        } else {
            // The rotation starts at the one-thread setting, which puts flexi (whose
            // reference trains for its longest horizon: 310 s under the portable
            // kernels of the time, whose emulated FMA was ~17x slower, issue 46;
            // 86 s on one thread) off the portable setting: the whole test 611 s →
            // 460 s. (The portable products are about twice as fast since; the
            // rotation stays, so that each folder keeps its setting.)
            vec![(i + 2) % settings.len()]
        };
        for k in chosen {
            let s = &settings[k];
            covered[k] += 1;
            let out = Command::new(env!("CARGO_BIN_EXE_jestbench"))
                .args([
                    "reproduce",
                    dir.to_str().unwrap(),
                    "--experiment",
                    exp.to_str().unwrap(),
                    "--runs",
                    s.runs,
                    "--jobs",
                    "2",
                ])
                .envs(s.env.iter().copied())
                .output()
                .expect("the jestbench binary runs");
            let text = String::from_utf8_lossy(&out.stdout).to_string();
            if !out.status.success() || !text.contains("identical") {
                failures.push(format!("{name} ({}):\n{text}\n{}", s.label, stderr(&out)));
            }
            checked += 1;
        }
    }
    if !skipped.is_empty() {
        eprintln!("SKIPPED (no ../shared/data): {}", skipped.join(", "));
    }
    assert!(checked >= 3, "no committed results folder was checked");
    assert!(
        covered.iter().all(|&n| n >= 2),
        "every setting reruns at least two folders: {covered:?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Rows in memory carry only their family's columns, yet every committed results
/// folder is in layout 2 (its tables, none left in layout 1), holds only finished
/// runs, and reads and writes back byte for byte (the gzip of a packed table
/// included, and the optional columns a folder predates left out again): no
/// column a family does not have holds a value, and no run column changes
/// between a run's evaluations.
#[test]
fn every_committed_results_folder_reads_into_family_rows_and_writes_back_identically() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let mut families = std::collections::BTreeSet::new();
    let mut folders = 0;
    for dir in std::fs::read_dir(root.join("results")).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let read = jestbench::log::read_folder(&dir, &jestbench::family::schemas()).unwrap();
        assert_eq!(
            read.layout,
            Some(jestbench::log::Layout::Tables),
            "{}: not in layout 2 (jestbench migrate {})",
            dir.display(),
            dir.display()
        );
        assert!(
            read.incomplete.is_empty()
                && read.unfinished.is_empty()
                && read.torn.is_empty()
                && read.ignored.is_empty(),
            "{}: {:?}",
            dir.display(),
            (
                &read.incomplete,
                &read.unfinished,
                &read.torn,
                &read.ignored
            )
        );
        families.extend(read.rows.iter().map(|r| r.family()));
        let copy = out.path().join(dir.file_name().unwrap());
        jestbench::log::write_folder_lacking(
            &copy,
            &read.rows,
            &read.summaries,
            &read.absent_columns,
        )
        .unwrap();
        let names = |d: &Path| -> Vec<String> {
            let mut v: Vec<String> = std::fs::read_dir(d)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n != jestbench::log::LOCK_FILE)
                .collect();
            v.sort();
            v
        };
        assert_eq!(names(&dir), names(&copy), "{}", dir.display());
        for name in names(&dir) {
            assert!(
                std::fs::read(dir.join(&name)).unwrap() == std::fs::read(copy.join(&name)).unwrap(),
                "{}/{name}: rewritten differently",
                dir.display()
            );
        }
        folders += 1;
    }
    assert!(folders >= 20, "{folders} folders");
    assert_eq!(families.len(), 2, "both families read: {families:?}");
}

/// Every committed report is what `jestbench report` makes today from the
/// committed results, with the command the report itself records (no training):
/// the same claims, summary and files, and the same report but for the line that
/// names the commit, the machine and the output folder.
#[test]
fn every_committed_report_regenerates_from_the_committed_results() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let mut reports = 0;
    let mut dirs: Vec<_> = std::fs::read_dir(root.join("reports"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("report.md").is_file())
        .collect();
    dirs.sort();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
        let command = md
            .split("Made by `jestbench ")
            .nth(1)
            .and_then(|r| r.split('`').next())
            .unwrap_or_else(|| panic!("{name}: report.md names no command"));
        let mut args: Vec<String> = command.split_whitespace().map(String::from).collect();
        let at = args.iter().position(|a| a == "--out").unwrap();
        args.truncate(at);
        let fresh = out.path().join(&name);
        args.extend(["--out".into(), fresh.to_str().unwrap().into()]);
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_jestbench"))
            .args(&args)
            .current_dir(root)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let files = |d: &Path| -> Vec<String> {
            let mut v: Vec<String> = std::fs::read_to_string(d.join("report-files.txt"))
                .unwrap()
                .lines()
                .map(String::from)
                .collect();
            v.sort();
            v
        };
        assert_eq!(files(&dir), files(&fresh), "{name}: other files");
        for f in ["claims.csv", "summary.csv"] {
            assert!(
                std::fs::read(dir.join(f)).unwrap() == std::fs::read(fresh.join(f)).unwrap(),
                "{name}/{f} differs from a fresh report of the committed results"
            );
        }
        let body = |d: &Path| -> Vec<String> {
            std::fs::read_to_string(d.join("report.md"))
                .unwrap()
                .lines()
                .filter(|l| !l.starts_with("Made by `"))
                .map(String::from)
                .collect()
        };
        let (a, b) = (body(&dir), body(&fresh));
        if let Some(i) = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i)) {
            panic!(
                "{name}/report.md differs from a fresh report at line {}:\n  committed: {:?}\n  fresh:     {:?}",
                i + 1,
                a.get(i),
                b.get(i)
            );
        }
        reports += 1;
    }
    assert!(reports >= 10, "{reports} reports");
}
