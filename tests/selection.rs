//! Selectors end to end: a JEST run's cost accounting and learnability logs, and the
//! `select` command on embeddings from files.

use std::path::Path;

use jestbench::data::files::write_npy;
use jestbench::data::rng::{chacha, normals};
use jestbench::data::Matrix;
use jestbench::experiment::Experiment;
use jestbench::flops::ModelCost;
use jestbench::model::Layout;

use crate::util::{jestbench, stderr, summary_of, write, TINY};

fn with_selectors() -> String {
    format!(
        "{}reference:\n  quality: 1.0\n  steps: 100\nsweep:\n  train.selector: [uniform, independent, jest, oracle]\n",
        TINY.replace("  warmup_steps: 6\n", "  warmup_steps: 6\n  n_chunks: 4\n")
    )
}

#[test]
fn every_selector_counts_its_flops_and_logs_learnability_and_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let text = with_selectors();
    let exp_path = write(dir.path(), "sel.yaml", &text);
    let out = dir.path().join("r");
    let o = jestbench(&[
        "run",
        exp_path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("training a reference model (quality 1, 100 steps)"));

    let exp = Experiment::parse(&text, Path::new("sel.yaml")).unwrap();
    let m = ModelCost::of(&Layout::new(&exp.cells[0].config.model, 10, 8));
    let (b, super_b, steps) = (16u64, 32u64, 150u64);
    let f = m.per_example;
    let pe = m.pair_entry();
    let (header, rows) = summary_of(&out);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(rows.len(), 8);
    for r in &rows {
        let method = r[col("method")].as_str();
        let num = |c: &str| r[col(c)].parse::<u64>().unwrap();
        let share = |c: &str| r[col(c)].parse::<f64>().unwrap();
        // docs/methods.md §5: the towers apart from the pair work.
        assert_eq!(num("flops_train"), steps * 3 * b * f, "{method}");
        assert_eq!(num("examples_trained"), steps * b);
        // Pairs: the b×b training logits (×3 for the backward), and each scored
        // entry of A through both models plus their difference.
        let entries = match method {
            "uniform" | "oracle" => 0,
            "independent_topk" => super_b,
            _ => super_b + 2 * super_b * (b - b / 4),
        };
        assert_eq!(
            num("flops_pairs"),
            steps * (3 * b * b * pe + entries * (2 * pe + 1)),
            "{method}"
        );
        // One reference, trained once: 100 steps of b = 16, embedded over the pool,
        // and charged only to the runs that score with it.
        let scores = matches!(method, "independent_topk" | "jest");
        let (ref_train, ref_embed) = if scores {
            (100 * (3 * 16 * f + 3 * 16 * 16 * pe), 1500 * f)
        } else {
            (0, 0)
        };
        assert_eq!(num("flops_reference_training"), ref_train, "{method}");
        assert_eq!(num("flops_reference_embedding"), ref_embed, "{method}");
        assert!(!r[col("reference_score")].is_empty());
        // Every selector's batches are measured, on the state that chose them, and
        // so is a uniform draw from the same super-batches.
        let sel: f64 = r[col("selected_learnability")].parse().unwrap();
        let sup: f64 = r[col("superbatch_learnability")].parse().unwrap();
        // The kinds of pairs picked and offered (the pool: 60% clean).
        let kinds = ["clean", "misaligned", "heavy_noise", "duplicate"];
        for prefix in ["selected", "superbatch"] {
            let total: f64 = kinds.iter().map(|k| share(&format!("{prefix}_{k}"))).sum();
            assert!(
                (total - 1.0).abs() < 1e-9,
                "{method}: {prefix} shares sum to {total}"
            );
        }
        if scores {
            assert_eq!(num("flops_learner_scoring"), steps * super_b * f);
            assert_eq!(num("examples_scored"), steps * super_b);
            assert_eq!(num("flops_reference_scoring_uncached"), steps * super_b * f);
            assert_eq!(r[col("scoring")], "learnability");
            assert!(sel > sup, "{method}: selected {sel} vs super-batch {sup}");
        } else {
            assert_eq!(num("flops_learner_scoring"), 0);
            assert_eq!(num("examples_scored"), 0);
            assert_eq!(r[col("scoring")], "");
        }
        if method == "oracle" {
            // Clean pairs only, whenever a super-batch holds b of them.
            assert!(
                share("selected_clean") > 0.95,
                "{}",
                share("selected_clean")
            );
        }
        if matches!(method, "jest" | "oracle") {
            assert!(
                share("selected_clean") > share("superbatch_clean"),
                "{method}"
            );
        }
    }
}

fn embeddings(dir: &Path, name: &str, n: usize, e: usize, seed: u64) {
    let mut r = chacha(seed, 0);
    let mut m = Matrix::new(n, e, normals(&mut r, n * e, 1.0));
    for i in 0..n {
        let row = m.row_mut(i);
        let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt();
        row.iter_mut().for_each(|x| *x /= norm);
    }
    write_npy(&dir.join(name), &m).unwrap();
}

#[test]
fn select_command_chooses_dumps_and_checks_its_flags() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (i, f) in ["la.npy", "lb.npy", "ra.npy", "rb.npy"].iter().enumerate() {
        embeddings(d, f, 12, 4, i as u64);
    }
    let p = |f: &str| d.join(f).to_str().unwrap().to_string();
    let base = vec![
        "select".to_string(),
        "--learner-a".into(),
        p("la.npy"),
        "--learner-b".into(),
        p("lb.npy"),
        "--reference-a".into(),
        p("ra.npy"),
        "--reference-b".into(),
        p("rb.npy"),
        "--b".into(),
        "4".into(),
        "--n-chunks".into(),
        "2".into(),
        "--seed".into(),
        "7".into(),
        "--learner-bias".into(),
        "-2".into(),
    ];
    let args = |extra: &[&str]| {
        let mut a: Vec<String> = base.clone();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let run = |a: Vec<String>| {
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        jestbench(&refs)
    };
    let o = run(args(&["--dump-scores"]));
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    let chosen: Vec<usize> = text
        .lines()
        .find_map(|l| l.strip_prefix("chosen: "))
        .unwrap()
        .split(' ')
        .map(|x| x.parse().unwrap())
        .collect();
    assert_eq!(chosen.len(), 4);
    let mut u = chosen.clone();
    u.sort_unstable();
    u.dedup();
    assert_eq!(u.len(), 4);
    assert!(text.contains("A (12×12"));
    assert!(text.contains("chunk 0: chosen") && text.contains("chunk 1 conditional scores:"));
    // The second chunk's scores mark the first chunk's items as taken.
    let scores1 = text
        .lines()
        .find_map(|l| l.strip_prefix("chunk 1 conditional scores: "))
        .unwrap();
    assert_eq!(scores1.split(' ').filter(|s| *s == "-").count(), 2);
    // Same seed, same choice.
    let again = run(args(&[]));
    let text2 = String::from_utf8_lossy(&again.stdout).to_string();
    assert_eq!(text.lines().next(), text2.lines().next());

    let mut three = base.clone();
    three[12] = "3".into();
    let bad = run(three);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("--b 4 is not divisible by --n-chunks 3"));
    let mut no_ref = base.clone();
    no_ref.drain(5..9);
    let bad = run(no_ref);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("needs --reference-a and --reference-b"));
    embeddings(d, "short.npy", 10, 4, 9);
    let mut short = base.clone();
    short[4] = p("short.npy");
    let bad = run(short);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("same candidates"));

    // One name per selector: the method's name and the older spelling with --mode
    // choose the same items; a name and a mode that disagree are refused.
    let chosen_line = |a: Vec<String>| {
        let o = run(a);
        assert!(o.status.success(), "{}", stderr(&o));
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    for (name, mode) in [
        ("independent_topk", "topk"),
        ("independent_sample", "sample"),
    ] {
        assert_eq!(
            chosen_line(args(&["--selector", name])),
            chosen_line(args(&["--selector", "independent", "--mode", mode])),
            "{name}"
        );
    }
    assert_ne!(
        chosen_line(args(&["--selector", "independent_topk", "--gain", "0.001"])),
        chosen_line(args(&[
            "--selector",
            "independent_sample",
            "--gain",
            "0.001"
        ]))
    );
    let bad = run(args(&[
        "--selector",
        "independent_topk",
        "--mode",
        "sample",
    ]));
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("contradicts `mode: sample`"),
        "{}",
        stderr(&bad)
    );
}
