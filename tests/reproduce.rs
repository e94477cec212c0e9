//! Committed results come from the committed code: rerunning runs of every
//! committed results folder from its experiment file gives identical rows (timing
//! and provenance columns aside). By default the two cheapest runs of each folder
//! (spread over methods); `JESTBENCH_REPRODUCE=all` reruns every run.

use std::path::Path;

use crate::util::{jestbench, real_data_present, stderr};

#[test]
fn committed_results_reproduce_from_their_experiment_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let runs = std::env::var("JESTBENCH_REPRODUCE").unwrap_or_else(|_| "2".into());
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(root.join("results"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("results.csv").exists())
        .collect();
    dirs.sort();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_str().unwrap().to_string();
        let exp = root.join("experiments").join(format!("{name}.yaml"));
        assert!(
            exp.exists(),
            "results/{name} has no experiment file experiments/{name}.yaml"
        );
        if name.starts_with("real-") && !real_data_present() {
            continue;
        }
        let out = jestbench(&[
            "reproduce",
            dir.to_str().unwrap(),
            "--experiment",
            exp.to_str().unwrap(),
            "--runs",
            &runs,
            "--jobs",
            "2",
        ]);
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        if !out.status.success() || !text.contains("identical") {
            failures.push(format!("{name}:\n{text}\n{}", stderr(&out)));
        }
        checked += 1;
    }
    assert!(checked >= 1, "no committed results folder was checked");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
