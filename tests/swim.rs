//! Sampled networks end to end: a SWIM sweep writes rows of family `swim` in the
//! shared schema, and the report judges the "≥ 100x faster" claim.

use crate::util::{jestbench, stderr, summary_of, write};

const SWIM: &str = "\
name: tiny-swim
seeds: [0, 1]
task:
  pendulum: {train: 400, test: 200}
network:
  method: swim
  width: 64
  activation: tanh
fit:
  max_epochs: 5
sweep:
  network.method: [swim, elm, adam]
";

#[test]
fn a_swim_sweep_writes_rows_and_a_report_with_the_claim_row() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(dir.path(), "swim.yaml", SWIM);
    let o = jestbench(&["validate", exp.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("3 sweep cells × 2 seeds = 6 runs"));
    let out = dir.path().join("r");
    let o = jestbench(&[
        "run",
        exp.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (header, rows) = summary_of(&out);
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    assert_eq!(rows.len(), 6);
    for r in &rows {
        assert_eq!(r[col("family")], "swim");
        assert_eq!(r[col("eval_metric")], "rel_l2_error");
        let err: f64 = r[col("eval_score")].parse().unwrap();
        assert!(err.is_finite() && err >= 0.0);
        assert!(r[col("train_seconds")].parse::<f64>().unwrap() > 0.0);
        assert!(r[col("flops_train")].parse::<u64>().unwrap() > 0);
        if r[col("method")] == "swim" {
            assert!(
                err < 0.05,
                "a 64-unit SWIM network fits the pendulum field: {err}"
            );
        }
    }
    let md = std::fs::read_to_string(out.join("report/report.md")).unwrap();
    assert!(md.contains("Sampled networks (SWIM) against iterative training"));
    assert!(
        md.contains("SWIM ≥ 100x faster than Adam at comparable accuracy (tiny-swim)"),
        "{md}"
    );
    // Rerunning skips the finished fits.
    let o = jestbench(&["run", exp.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success());
    assert!(stderr(&o).contains("6 of 6 runs already complete"));
}

#[test]
fn degenerate_tables_give_a_clear_error_or_the_documented_fallback() {
    let dir = tempfile::tempdir().unwrap();
    // All points identical: no pair has a direction.
    write(
        dir.path(),
        "same.csv",
        &format!("a,b,label\n{}", "1.0,2.0,0\n1.0,2.0,1\n".repeat(20)),
    );
    let exp = write(
        dir.path(),
        "same.yaml",
        "name: same\nseeds: [0]\ntask:\n  table: {file: same.csv}\nnetwork: {method: swim, width: 8}\n",
    );
    let o = jestbench(&[
        "run",
        exp.to_str().unwrap(),
        "--out",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("all 30 input points are identical"),
        "{}",
        stderr(&o)
    );
    // One class only: pairs are drawn uniformly (documented), and the fit predicts it.
    let rows: String = (0..40)
        .map(|i| format!("{},{},3\n", i % 7, i % 5))
        .collect();
    write(dir.path(), "one.csv", &format!("a,b,label\n{rows}"));
    let exp = write(
        dir.path(),
        "one.yaml",
        "name: one\nseeds: [0]\ntask:\n  table: {file: one.csv}\nnetwork: {method: swim, width: 8}\n",
    );
    let out = dir.path().join("p");
    let o = jestbench(&[
        "run",
        exp.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (header, rows) = summary_of(&out);
    let score = &rows[0][header.iter().position(|h| h == "eval_score").unwrap()];
    assert_eq!(score, "1.0");
}
