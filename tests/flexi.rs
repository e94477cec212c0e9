//! Flexi-JEST's analog (docs/methods.md §5): cheap scoring at a low resolution and
//! multi-resolution training, end to end — their FLOPs, that they change what is
//! selected and learned, and that a resolution alone changes nothing.

use std::collections::BTreeMap;
use std::path::Path;

use jestbench::experiment::Experiment;
use jestbench::flops::ModelCost;
use jestbench::model::Layout;

use crate::util::{jestbench, read_csv, stderr, summary_of, write, TINY};

/// JEST on TINY at resolution 2, sweeping cheap scoring and the low-resolution
/// share of training.
fn flexi_sweep(selector: &str) -> String {
    TINY.replace(
        "  warmup_steps: 6\n",
        &format!("  warmup_steps: 6\n  n_chunks: 4\n  selector: {selector}\n  flexi:\n    resolution: 2\n"),
    ) + "reference:\n  steps: 100\nsweep:\n  train.flexi.score_low_res: [false, true]\n  train.flexi.low_res_share: [0.0, 0.5]\n"
}

/// The header and the summary rows by (sweep label, seed).
type Summaries = (Vec<String>, BTreeMap<(String, String), Vec<String>>);

fn summaries(dir: &Path, name: &str, text: &str) -> Summaries {
    let exp = write(dir, &format!("{name}.yaml"), text);
    let out = dir.join(name);
    let o = jestbench(&["run", exp.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (header, rows) = summary_of(&out);
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let by = rows
        .into_iter()
        .map(|r| ((r[col("sweep")].clone(), r[col("seed")].clone()), r))
        .collect();
    (header, by)
}

#[test]
fn cheap_scoring_and_low_resolution_training_cost_and_change_what_they_say() {
    let dir = tempfile::tempdir().unwrap();
    let text = flexi_sweep("jest");
    let (header, by) = summaries(dir.path(), "fx", &text);
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let exp = Experiment::parse(&text, Path::new("fx.yaml")).unwrap();
    let m = ModelCost::of(&Layout::new(&exp.cells[0].config.model, 10, 8));
    let (b, big_b, steps) = (16u64, 32u64, 150u64);
    let (f1, f2) = (m.per_example, m.per_example_at(2));
    assert!(f2 < f1);
    let key = |score: bool, share: &str| {
        format!("train.flexi.score_low_res={score};train.flexi.low_res_share={share}")
    };
    for seed in ["1", "2"] {
        let row = |score: bool, share: &str| &by[&(key(score, share), seed.to_string())];
        let num = |r: &Vec<String>, c: &str| r[col(c)].parse::<u64>().unwrap();
        let plain = row(false, "0.0");
        let cheap = row(true, "0.0");
        let mixed = row(false, "0.5");
        // Scoring at r = 2: B·F(2) a step plus summing the first layers' weights.
        assert_eq!(num(plain, "flops_learner_scoring"), steps * big_b * f1);
        assert_eq!(
            num(cheap, "flops_learner_scoring"),
            steps * (big_b * f2 + m.resize_overhead(2))
        );
        assert_eq!(num(cheap, "score_resolution"), 2);
        assert_eq!(num(plain, "score_resolution"), 1);
        // The paper's accounting: a scoring forward is reused only for items trained
        // at its resolution — F(B + 2b) at full; F(2)·B + 3·F·b when they differ.
        assert_eq!(num(plain, "flops_paper"), steps * (big_b * f1 + 2 * b * f1));
        assert_eq!(num(cheap, "flops_paper"), steps * (big_b * f2 + 3 * b * f1));
        // Half the batch trains at r = 2 (forward and backward, the weight sums
        // forward and their gradient back).
        assert_eq!(num(plain, "flops_train"), steps * 3 * b * f1);
        assert_eq!(
            num(mixed, "flops_train"),
            steps * (3 * (8 * f2 + 8 * f1) + 2 * m.resize_overhead(2))
        );
        // Each changes the run: cheap scoring what is chosen, low-resolution
        // training what is learned.
        for (name, other) in [("cheap scoring", cheap), ("mixed training", mixed)] {
            assert_ne!(
                (
                    plain[col("eval_score")].as_str(),
                    plain[col("train_loss")].as_str()
                ),
                (
                    other[col("eval_score")].as_str(),
                    other[col("train_loss")].as_str()
                ),
                "{name} left seed {seed} unchanged"
            );
        }
        assert_ne!(
            plain[col("selected_learnability")],
            cheap[col("selected_learnability")]
        );
    }
}

#[test]
fn a_resolution_without_cheap_scoring_or_low_resolution_training_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let base = TINY.replace(
        "  warmup_steps: 6\n",
        "  warmup_steps: 6\n  n_chunks: 4\n  selector: jest\n",
    ) + "reference:\n  steps: 100\n";
    let with_r = base.replace(
        "  selector: jest\n",
        "  selector: jest\n  flexi:\n    resolution: 4\n",
    );
    let (header, plain) = summaries(dir.path(), "plain", &base);
    let (_, same) = summaries(dir.path(), "same", &with_r);
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    assert_eq!(plain.len(), 2);
    for ((_, seed), p) in &plain {
        let s = &same[&(String::new(), seed.clone())];
        for c in [
            "eval_score",
            "train_loss",
            "selected_learnability",
            "superbatch_learnability",
            "flops_train",
            "flops_learner_scoring",
            "flops_paper",
            "selected_clean",
        ] {
            assert_eq!(p[col(c)], s[col(c)], "seed {seed}, {c}");
        }
    }
}

#[test]
fn multi_resolution_training_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let text = flexi_sweep("uniform").replace("  train.flexi.score_low_res: [false, true]\n", "");
    let (header, first) = summaries(dir.path(), "a", &text);
    let (_, second) = summaries(dir.path(), "b", &text);
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    assert_eq!(first.len(), 4);
    for (k, r) in &first {
        assert_eq!(r[col("eval_score")], second[k][col("eval_score")], "{k:?}");
        assert_eq!(r[col("train_loss")], second[k][col("train_loss")], "{k:?}");
    }
}

/// Every Flexi-JEST variant is compared with the full-resolution uniform cell of
/// its setting — in the summary and over a horizon sweep — and the claims table's
/// "10x fewer FLOPs" row is measured from the cheap-scoring horizon family only.
#[test]
fn flexi_cells_are_compared_with_full_resolution_uniform_and_fill_the_10x_row() {
    let dir = tempfile::tempdir().unwrap();
    let text = TINY.replace(
        "  warmup_steps: 6\n",
        "  warmup_steps: 6\n  n_chunks: 4\n  flexi:\n    score_low_res: true\n    low_res_share: 0.5\n",
    )
    .replace("eval:\n  every: 50\n", "eval:\n  log_points: 4\n")
        + "reference:\n  steps: 100\nsweep:\n  train.selector: [uniform, jest]\n  train.flexi.resolution: [1, 2]\n  train.steps: [60, 120]\n";
    let exp = write(dir.path(), "fxh.yaml", &text);
    let out = dir.path().join("r");
    let o = jestbench(&["run", exp.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (header, rows) = read_csv(&out.join("report/summary.csv"));
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let mut seen = 0;
    for r in rows.iter().filter(|r| r[col("method")] == "jest") {
        let steps = r[col("setting")]
            .split(';')
            .find(|kv| kv.starts_with("train.steps="))
            .unwrap()
            .to_string();
        assert_eq!(
            r[col("baseline")],
            format!("uniform | train.flexi.resolution=1;{steps}"),
            "{}",
            r[col("setting")]
        );
        seen += 1;
    }
    assert!(seen >= 4);
    let (header, claims) = read_csv(&out.join("report/claims.csv"));
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let ten: Vec<&Vec<String>> = claims
        .iter()
        .filter(|r| r[col("id")] == "10x-flops")
        .collect();
    assert_eq!(ten.len(), 1, "one cheap-scoring family");
    assert!(
        ten[0][col("measured")].contains("train.flexi.resolution=2"),
        "{:?}",
        ten[0]
    );
    assert_ne!(ten[0][col("verdict")], "not measured");
}
