//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A small but complete experiment: trains in well under a second per run.
pub const TINY: &str = "\
name: tiny
seeds: [1, 2]
dataset:
  seed: 3
  synthetic:
    concepts: 12
    latent_dim: 6
    dim_a: 10
    dim_b: 8
    pool: 1500
    curated: 300
    eval_concepts: 6
    eval_per_concept: 20
  misaligned: 0.2
  heavy_noise: 0.1
  duplicates: 0.1
model:
  hidden: [24]
  embed: 12
train:
  steps: 150
  batch_size: 16
  filter_ratio: 0.5
  warmup_steps: 6
eval:
  every: 50
";

/// ../shared/data, where the real datasets live, if present (skipped aloud if not;
/// under CI its absence fails the test).
pub fn shared_data() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    if p.is_dir() {
        Some(p.canonicalize().unwrap())
    } else {
        // On a developer's machine the real-data tests skip aloud; under CI, where
        // the data must be, that is a failure (as for the Slurm test).
        assert!(
            !under_ci(),
            "the real-data tests must run under CI, but {} is absent",
            p.display()
        );
        eprintln!(
            "SKIPPED: {} is absent; the real-data tests need the three sets there",
            p.display()
        );
        None
    }
}

pub fn real_data_present() -> bool {
    shared_data().is_some()
}

/// Whether the tests run under CI (`CI` set and not "false"), where a test that
/// needs a tool must fail rather than skip.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Runs the jestbench binary.
pub fn jestbench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jestbench"))
        .args(args)
        .output()
        .expect("the jestbench binary runs")
}

/// stderr as text, asserting that nothing panicked.
pub fn stderr(out: &Output) -> String {
    let s = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!s.contains("panicked"), "panic in stderr:\n{s}");
    s
}

/// Reads a CSV into a header and rows of cells.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    table(csv::Reader::from_path(path).unwrap())
}

fn table<R: std::io::Read>(mut r: csv::Reader<R>) -> (Vec<String>, Vec<Vec<String>>) {
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// Rows as a table in layout 1's columns (header, cells).
fn as_table(rows: &[jestbench::log::Row]) -> (Vec<String>, Vec<Vec<String>>) {
    let text = jestbench::log::layout_1_text(rows);
    table(csv::Reader::from_reader(text.as_bytes()))
}

/// A results folder's finished runs as the harness reads them (either layout):
/// every evaluation joined with its run, in layout 1's columns.
pub fn results_of(dir: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    as_table(
        &jestbench::log::read_folder(dir, &jestbench::family::schemas())
            .unwrap()
            .rows,
    )
}

/// A results folder's finished runs, one row each (its last evaluation).
pub fn summary_of(dir: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    as_table(
        &jestbench::log::read_folder(dir, &jestbench::family::schemas())
            .unwrap()
            .summaries,
    )
}

/// The given columns of every evaluation of a results folder, rows sorted.
pub fn result_columns(dir: &Path, names: &[&str]) -> Vec<Vec<String>> {
    let (header, rows) = results_of(dir);
    pick(&header, &rows, names)
}

/// The given columns of every finished run of a results folder, rows sorted.
pub fn summary_columns(dir: &Path, names: &[&str]) -> Vec<Vec<String>> {
    let (header, rows) = summary_of(dir);
    pick(&header, &rows, names)
}

/// The file of a folder's JEST evaluations (plain or packed, whichever is there).
pub fn jest_evaluations(dir: &Path) -> PathBuf {
    let plain = dir.join(jestbench::log::evaluations_file(
        jestbench::method::Family::JEST,
    ));
    if plain.exists() {
        plain
    } else {
        dir.join(format!(
            "{}.gz",
            plain.file_name().unwrap().to_string_lossy()
        ))
    }
}

/// The given columns of every row, rows sorted (so parallel order does not matter).
fn pick(header: &[String], rows: &[Vec<String>], names: &[&str]) -> Vec<Vec<String>> {
    let idx: Vec<usize> = names
        .iter()
        .map(|n| {
            header
                .iter()
                .position(|h| h == n)
                .unwrap_or_else(|| panic!("no column {n}"))
        })
        .collect();
    let mut out: Vec<Vec<String>> = rows
        .iter()
        .map(|r| idx.iter().map(|&i| r[i].clone()).collect())
        .collect();
    out.sort();
    out
}

/// A finished command's standard output, as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A claim's rows in a report's Markdown: the table lines (one a row) of the
/// section whose sentence starts with `prefix` (its heading is the claim's short
/// name, its paragraph the claim).
pub fn claim_rows(md: &str, prefix: &str) -> Vec<String> {
    let mut rows = Vec::new();
    let mut inside = false;
    for l in md.lines() {
        if l.starts_with('#') {
            inside = false;
        } else if l.starts_with(prefix) {
            inside = true;
        } else if inside && l.starts_with("| ") && !l.starts_with("| measured |") {
            rows.push(l.to_string());
        }
    }
    rows
}
