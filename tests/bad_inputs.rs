//! The corpus of bad inputs (tests/bad_inputs/cases.yaml): each gives its exit code
//! and a message naming what is wrong, and none panics.

use std::path::Path;

use serde::Deserialize;

use crate::util::jestbench;

#[derive(Deserialize)]
struct Case {
    name: String,
    args: Vec<String>,
    exit: i32,
    expect: String,
}

#[test]
fn every_bad_input_gets_its_exit_code_and_message_and_none_panics() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs");
    let cases: Vec<Case> =
        serde_yaml::from_str(&std::fs::read_to_string(dir.join("cases.yaml")).unwrap()).unwrap();
    assert!(cases.len() >= 25, "the corpus has {} cases", cases.len());
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for case in &cases {
        let args: Vec<String> = case
            .args
            .iter()
            .map(|a| {
                a.replace("{dir}", dir.to_str().unwrap())
                    .replace("{tmp}", tmp.path().to_str().unwrap())
            })
            .collect();
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = jestbench(&refs);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let code = out.status.code();
        if stderr.contains("panicked") {
            failures.push(format!("{}: panicked:\n{stderr}", case.name));
        } else if code != Some(case.exit) {
            failures.push(format!(
                "{}: exit {code:?}, expected {}:\n{stderr}",
                case.name, case.exit
            ));
        } else if !stderr.contains(&case.expect) && !stdout.contains(&case.expect) {
            failures.push(format!(
                "{}: message lacks {:?}:\n{stderr}",
                case.name, case.expect
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
