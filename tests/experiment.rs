//! Experiment files: sweep expansion and every error path, each naming file, line and key.

use std::path::Path;

use jestbench::experiment::{Experiment, ExperimentError};

use crate::util::TINY;

fn parse(text: &str) -> Result<Experiment, ExperimentError> {
    Experiment::parse(text, Path::new("exp.yaml"))
}

/// The error message for `text`, which must fail.
fn error(text: &str) -> String {
    match parse(text) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e.to_string(),
    }
}

/// TINY with `from` replaced by `to` (which must occur).
fn edit(from: &str, to: &str) -> String {
    assert!(TINY.contains(from), "{from:?} not in TINY");
    TINY.replacen(from, to, 1)
}

fn assert_has(msg: &str, parts: &[&str]) {
    for p in parts {
        assert!(msg.contains(p), "message {msg:?} lacks {p:?}");
    }
}

#[test]
fn tiny_parses_with_defaults() {
    let e = parse(TINY).unwrap();
    assert_eq!(e.cells.len(), 1);
    assert_eq!(e.runs().len(), 2);
    let c = &e.cells[0].config;
    assert_eq!(c.train.super_batch(), 32);
    assert_eq!(c.train.beta2, 0.95);
    assert_eq!(c.train.weight_decay, 1e-4);
    assert_eq!(c.model.temperature_init, 10.0);
    assert_eq!(c.model.bias_init, -10.0);
}

#[test]
fn sweep_expands_to_the_cartesian_product_first_key_outermost() {
    let text = format!(
        "{TINY}sweep:\n  train.filter_ratio: [0.5, 0.75]\n  train.batch_size: [8, 16, 32]\n  dataset.misaligned: [0.0]\n"
    );
    let e = parse(&text).unwrap();
    assert_eq!(e.cells.len(), 6);
    assert_eq!(e.runs().len(), 12);
    let got: Vec<(f64, usize)> = e
        .cells
        .iter()
        .map(|c| {
            (
                c.config.train.filter_ratio.unwrap(),
                c.config.train.batch_size,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (0.5, 8),
            (0.5, 16),
            (0.5, 32),
            (0.75, 8),
            (0.75, 16),
            (0.75, 32)
        ]
    );
    assert_eq!(e.cells[4].config.train.super_batch(), 64);
    assert!(e.cells.iter().all(|c| c.config.dataset.misaligned == 0.0));
    assert_eq!(
        e.cells[1].swept,
        vec![
            ("train.filter_ratio".to_string(), "0.5".to_string()),
            ("train.batch_size".to_string(), "16".to_string()),
            ("dataset.misaligned".to_string(), "0.0".to_string()),
        ]
    );
    // Every cell has its own hash; the same config always hashes the same.
    let mut hashes: Vec<&str> = e.cells.iter().map(|c| c.config_hash.as_str()).collect();
    hashes.sort();
    hashes.dedup();
    assert_eq!(hashes.len(), 6);
    assert_eq!(
        parse(&text).unwrap().cells[3].config_hash,
        e.cells[3].config_hash
    );
}

#[test]
fn sweep_can_set_a_key_left_to_its_default() {
    let e = parse(&format!("{TINY}sweep:\n  train.lr: [0.01, 0.001]\n")).unwrap();
    assert_eq!(e.cells[0].config.train.lr, 0.01);
    assert_eq!(e.cells[1].config.train.lr, 0.001);
}

#[test]
fn config_hash_ignores_key_order() {
    let reordered = TINY.replace(
        "  steps: 150\n  batch_size: 16\n",
        "  batch_size: 16\n  steps: 150\n",
    );
    assert_ne!(reordered, TINY);
    assert_eq!(
        parse(&reordered).unwrap().cells[0].config_hash,
        parse(TINY).unwrap().cells[0].config_hash
    );
}

#[test]
fn malformed_yaml_names_the_line() {
    let msg = error(&edit("  steps: 150\n", "  steps: [60\n"));
    assert_has(&msg, &["exp.yaml:"]);
    // The position is a real line:col.
    let pos = msg.split(':').nth(1).unwrap();
    assert!(pos.parse::<usize>().is_ok(), "{msg}");
}

#[test]
fn unknown_key_names_key_line_and_valid_keys() {
    let msg = error(&edit("  steps: 150\n", "  stepz: 60\n"));
    assert_has(
        &msg,
        &[
            "exp.yaml:21:3: train",
            "unknown field `stepz`",
            "expected one of",
            "`steps`",
        ],
    );
}

#[test]
fn wrong_type_names_key_and_expectation() {
    let msg = error(&edit("  batch_size: 16\n", "  batch_size: sixteen\n"));
    assert_has(
        &msg,
        &[
            "exp.yaml:22:15: train.batch_size",
            "must be a non-negative whole number, found the text \"sixteen\"",
        ],
    );
}

#[test]
fn missing_required_key() {
    let msg = error(&edit("  steps: 150\n", ""));
    assert_has(&msg, &["exp.yaml:", "train", "missing field `steps`"]);
}

#[test]
fn negative_and_zero_steps() {
    let msg = error(&edit("  steps: 150\n", "  steps: -5\n"));
    assert_has(&msg, &["exp.yaml:21:10: train.steps", "-5"]);
    let msg = error(&edit("  steps: 150\n", "  steps: 0\n"));
    assert_has(&msg, &["exp.yaml:21:3: train.steps: must be at least 1"]);
}

#[test]
fn filter_ratio_of_one_is_refused() {
    let msg = error(&edit("  filter_ratio: 0.5\n", "  filter_ratio: 1.0\n"));
    assert_has(&msg, &["exp.yaml:23:3: train.filter_ratio", "[0, 1)"]);
}

#[test]
fn super_batch_larger_than_the_pool_is_refused() {
    let msg = error(&edit("  filter_ratio: 0.5\n", "  filter_ratio: 0.99\n"));
    assert_has(
        &msg,
        &[
            "train.batch_size",
            "super-batch B",
            "1600",
            "exceeds the pool of 1500",
        ],
    );
}

#[test]
fn unknown_selector_lists_the_valid_ones() {
    let msg = error(&edit(
        "  warmup_steps: 6\n",
        "  warmup_steps: 6\n  selector: magic\n",
    ));
    assert_has(
        &msg,
        &[
            "exp.yaml:",
            "train.selector",
            "unknown variant `magic`",
            "uniform",
        ],
    );
}

#[test]
fn seeds_must_be_listed_and_distinct() {
    let msg = error(&edit("seeds: [1, 2]", "seeds: [1, 2, 1]"));
    assert_has(&msg, &["exp.yaml:2:15: seeds.2: duplicate seed 1"]);
    let msg = error(&edit("seeds: [1, 2]", "seeds: []"));
    assert_has(&msg, &["seeds: list at least one seed"]);
}

#[test]
fn fractions_out_of_range_name_their_key() {
    let msg = error(&edit("  misaligned: 0.2\n", "  misaligned: 1.5\n"));
    assert_has(
        &msg,
        &["exp.yaml:14:3: dataset.misaligned: must be in [0, 1], found 1.5"],
    );
    let msg = error(&format!("{TINY}reference:\n  quality: -0.1\n"));
    assert_has(&msg, &["reference.quality", "found -0.1"]);
}

#[test]
fn dataset_needs_exactly_one_source() {
    let msg = error(&edit("  synthetic:\n", "  synthetic_data:\n"));
    assert_has(&msg, &["unknown field `synthetic_data`"]);
    let no_source = TINY
        .lines()
        .filter(|l| !l.starts_with("    ") && !l.starts_with("  synthetic"))
        .collect::<Vec<_>>()
        .join("\n");
    let msg = error(&no_source);
    assert_has(
        &msg,
        &["dataset: give one of `synthetic`, `files` or `text`"],
    );
}

#[test]
fn sweep_errors_point_at_the_sweep_key() {
    let msg = error(&format!("{TINY}sweep:\n  train.filter_ratio: []\n"));
    assert_has(
        &msg,
        &["exp.yaml:28:3: sweep.train.filter_ratio: empty sweep list"],
    );
    let msg = error(&format!("{TINY}sweep:\n  train.stepz: [1, 2]\n"));
    assert_has(
        &msg,
        &[
            "exp.yaml:28:3",
            "sweep.train.stepz",
            "unknown field `stepz`",
        ],
    );
    let msg = error(&format!("{TINY}sweep:\n  train.batch_size: [8, big]\n"));
    assert_has(
        &msg,
        &[
            "sweep.train.batch_size",
            "must be a non-negative whole number",
            "big",
        ],
    );
    let msg = error(&format!("{TINY}sweep:\n  train.filter_ratio: [0.5, 1.0]\n"));
    assert_has(
        &msg,
        &[
            "exp.yaml:28:3: train.filter_ratio: must be in [0, 1)",
            "train.filter_ratio=1.0",
        ],
    );
    let msg = error(&format!("{TINY}sweep:\n  train: [1]\n"));
    assert_has(&msg, &["sweep.train", "section"]);
    let msg = error(&format!("{TINY}sweep:\n  seeds: [1]\n"));
    assert_has(&msg, &["sweep.seeds", "cannot be swept"]);
    let msg = error(&format!("{TINY}sweep:\n  train.lr: 0.1\n"));
    assert_has(&msg, &["sweep.train.lr", "expected a list"]);
    let msg = error(&format!("{TINY}sweep:\n  train.lr: [0.1, 0.1]\n"));
    assert_has(&msg, &["sweep.train.lr", "duplicate sweep value 0.1"]);
}

#[test]
fn missing_file_is_an_error_naming_it() {
    let e = Experiment::load(Path::new("/nonexistent/exp.yaml")).unwrap_err();
    assert_has(
        &e.to_string(),
        &["/nonexistent/exp.yaml", "cannot read experiment file"],
    );
}

#[test]
fn selector_settings_are_checked() {
    let jest = edit(
        "  warmup_steps: 6\n",
        "  warmup_steps: 6\n  selector: jest\n  n_chunks: 5\n",
    );
    let msg = error(&jest);
    assert_has(
        &msg,
        &[
            "exp.yaml:",
            "train.n_chunks",
            "b = 16 is not divisible by n_chunks = 5",
        ],
    );
    let msg = error(&edit(
        "  warmup_steps: 6\n",
        "  warmup_steps: 6\n  scoring: easiest\n",
    ));
    assert_has(
        &msg,
        &[
            "train.scoring",
            "unknown variant `easiest`",
            "learnability",
            "hard_learner",
            "easy_reference",
        ],
    );
    let msg = error(&edit(
        "  warmup_steps: 6\n",
        "  warmup_steps: 6\n  super_batch: 64\n",
    ));
    assert_has(&msg, &["train.super_batch", "not both"]);
    let msg = error(&edit("  filter_ratio: 0.5\n", "  super_batch: 8\n"));
    assert_has(
        &msg,
        &[
            "train.super_batch",
            "B = 8 is smaller than the learning batch b = 16",
        ],
    );
    let msg = error(&edit("  filter_ratio: 0.5\n", "  super_batch: 4000\n"));
    assert_has(&msg, &["super-batch B", "exceeds the pool of 1500"]);
    // A valid fixed super-batch: f follows from b.
    let e = parse(&edit("  filter_ratio: 0.5\n", "  super_batch: 64\n")).unwrap();
    assert_eq!(e.cells[0].config.train.super_batch(), 64);
    assert_eq!(e.cells[0].config.train.effective_filter_ratio(), 0.75);
}

#[test]
fn extra_seeds_run_only_in_the_cells_they_name() {
    let text = format!(
        "{TINY}sweep:\n  train.selector: [uniform, jest]\n  train.steps: [10, 20]\nextra_seeds:\n  seeds: [7, 8, 9]\n  where:\n    train.selector: [jest]\n"
    );
    let e = parse(&text).unwrap();
    assert_eq!(e.cells.len(), 4);
    let base = e.seeds.len();
    // Two JEST cells run 3 more seeds each; the uniform cells run the base seeds.
    assert_eq!(e.runs().len(), 4 * base + 2 * 3);
    for r in e.runs() {
        let jest = r
            .cell
            .swept
            .iter()
            .any(|(k, v)| k == "train.selector" && v == "jest");
        if r.seed >= 7 {
            assert!(jest, "seed {} ran in a uniform cell", r.seed);
        }
    }
    // The extra seeds are not part of a cell's configuration: the hashes (and the
    // run ids of the base seeds) are those of the file without them.
    let plain = parse(&format!(
        "{TINY}sweep:\n  train.selector: [uniform, jest]\n  train.steps: [10, 20]\n"
    ))
    .unwrap();
    let hashes = |e: &Experiment| {
        e.cells
            .iter()
            .map(|c| c.config_hash.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(hashes(&e), hashes(&plain));
}

#[test]
fn extra_seeds_are_checked_against_the_seeds_and_the_sweep() {
    let with = |extra: &str| {
        format!("{TINY}sweep:\n  train.selector: [uniform, jest]\nextra_seeds:\n{extra}")
    };
    let seed = parse(TINY).unwrap().seeds[0];
    let msg = error(&with(&format!(
        "  seeds: [{seed}]\n  where:\n    train.selector: [jest]\n"
    )));
    assert_has(
        &msg,
        &["exp.yaml", "extra_seeds.seeds", "already in `seeds`"],
    );
    let msg = error(&with("  seeds: [9]\n  where:\n    train.lr: [0.1]\n"));
    assert_has(&msg, &["extra_seeds.where.train.lr", "not a swept key"]);
    let msg = error(&with(
        "  seeds: [9]\n  where:\n    train.selector: [oracle]\n",
    ));
    assert_has(
        &msg,
        &[
            "extra_seeds.where.train.selector",
            "oracle is not among the swept values (uniform, jest)",
        ],
    );
    let msg = error(&with("  seeds: [9]\n  only:\n    train.selector: [jest]\n"));
    assert_has(&msg, &["unknown field `only`"]);
}
