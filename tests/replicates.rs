//! `replicates`: every random draw varies across worlds. A world's learners share
//! its data and reference; worlds differ in both; the rows say which world and
//! seeds each run drew; a resumed sweep is the uninterrupted one; and a bad
//! section is named by file, line and key before anything runs.

use std::path::Path;

use jestbench::experiment::Experiment;

use crate::util::{jestbench, stderr, summary_columns, write, TINY};

/// TINY drawing `worlds` × `learners` replicates (uniform and JEST).
fn replicated(worlds: usize, learners: usize, extra: &str) -> String {
    TINY.replace(
        "seeds: [1, 2]\n",
        &format!("replicates:\n  worlds: {worlds}\n  learners_per_world: {learners}\n  seed: 11\n{extra}"),
    ) + "sweep:\n  train.selector: [uniform, jest]\n"
}

fn parse(text: &str) -> Experiment {
    Experiment::parse(text, Path::new("exp.yaml")).unwrap()
}

#[test]
fn seeds_draw_worlds_and_ids_follow_the_draw() {
    let e = parse(&replicated(3, 2, ""));
    assert_eq!(e.seeds, vec![0, 1, 2, 3, 4, 5]);
    let runs = e.runs();
    assert_eq!(runs.len(), 12);
    let configs: Vec<_> = runs.iter().map(|r| e.config_of(r)).collect();
    // Learners 0 and 1 share world 0's data and reference seeds; world 1 differs.
    assert_eq!(configs[0].dataset.seed, configs[1].dataset.seed);
    assert_eq!(configs[0].reference.seed, configs[1].reference.seed);
    assert_ne!(configs[0].dataset.seed, configs[2].dataset.seed);
    assert_ne!(configs[0].reference.seed, configs[2].reference.seed);
    assert_ne!(
        configs[0].dataset.seed, 3,
        "the file's dataset.seed is not every world's"
    );
    // The same cell in the same world: the same seeds whatever the selector.
    assert_eq!(configs[0].dataset.seed, configs[6].dataset.seed);
    // More worlds keep the runs of the first ones (ids and draws).
    let more = parse(&replicated(5, 2, ""));
    assert_eq!(&more.run_ids()[..6], &e.run_ids()[..6]);
    // Another experiment seed is another set of runs.
    let other = parse(&replicated(3, 2, "").replace("  seed: 11\n", "  seed: 12\n"));
    assert_ne!(other.run_ids()[0], e.run_ids()[0]);
    // Holding the data fixed keeps the file's dataset seed.
    let fixed = parse(&replicated(2, 1, "  vary: [reference]\n"));
    let c = fixed.config_of(&fixed.runs()[1]);
    assert_eq!(c.dataset.seed, 3);
    assert_ne!(c.reference.seed, 0);
}

#[test]
fn bad_replicates_are_named_by_line_and_key() {
    let cases: [(String, &[&str]); 6] = [
        (
            replicated(0, 2, ""),
            &["exp.yaml:3:", "replicates.worlds", "at least 1 world"],
        ),
        (
            replicated(2, 0, ""),
            &["exp.yaml:4:", "replicates.learners_per_world"],
        ),
        (
            replicated(100_000, 100_000, ""),
            &["replicates", "exceed the limit of 100000 runs"],
        ),
        (
            replicated(2, 2, "  vary: [data, world]\n"),
            &["exp.yaml:", "unknown variant `world`", "data", "reference"],
        ),
        (
            replicated(2, 2, "").replace("name: tiny\n", "name: tiny\nseeds: [1]\n"),
            &["replicates", "not both"],
        ),
        (
            TINY.replace("seeds: [1, 2]\n", ""),
            &["missing field `seeds`", "replicates"],
        ),
    ];
    for (text, parts) in cases {
        let msg = match Experiment::parse(&text, Path::new("exp.yaml")) {
            Ok(_) => panic!("expected an error for:\n{text}"),
            Err(e) => e.to_string(),
        };
        for p in parts {
            assert!(msg.contains(p), "message {msg:?} lacks {p:?}");
        }
    }
    // The sweep's run count includes the replicates.
    let msg = match Experiment::parse_limited(&replicated(3, 2, ""), Path::new("exp.yaml"), 10) {
        Ok(_) => panic!("12 runs over a limit of 10"),
        Err(e) => e.to_string(),
    };
    assert!(msg.contains("exceed the limit of 10"), "{msg}");
}

#[test]
fn worlds_draw_their_own_data_and_reference_and_rows_say_which() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(dir.path(), "rep.yaml", &replicated(2, 2, ""));
    let out = dir.path().join("out");
    let o = jestbench(&[
        "run",
        exp.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = summary_columns(
        &out,
        &[
            "method",
            "seed",
            "world",
            "dataset_seed",
            "reference_seed",
            "reference_score",
        ],
    );
    assert_eq!(rows.len(), 8);
    let world_of = |r: &Vec<String>| r[2].clone();
    for r in &rows {
        let seed: u64 = r[1].parse().unwrap();
        assert_eq!(world_of(r), (seed / 2).to_string(), "{r:?}");
    }
    // Within a world, one data draw and one reference (its score logged alike by
    // uniform, which logs its batches against it, and JEST).
    let by_world = |w: &str| -> Vec<&Vec<String>> { rows.iter().filter(|r| r[2] == w).collect() };
    for w in ["0", "1"] {
        let rs = by_world(w);
        assert_eq!(rs.len(), 4);
        for r in &rs {
            assert_eq!(r[3..6], rs[0][3..6], "world {w}: {rs:?}");
        }
    }
    let (w0, w1) = (by_world("0")[0], by_world("1")[0]);
    assert_ne!(w0[3], w1[3], "worlds share a dataset seed");
    assert_ne!(w0[4], w1[4], "worlds share a reference seed");
    assert_ne!(w0[5], w1[5], "worlds' references score the same");

    // Deterministic: a second folder, run with the runs in another order (one job
    // per world at a time either way), gives the same rows.
    let again = dir.path().join("again");
    let o = jestbench(&[
        "run",
        exp.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
        "--quiet",
        "--jobs",
        "2",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let cols = [
        "run_id",
        "step",
        "eval_score",
        "world",
        "dataset_seed",
        "reference_score",
    ];
    assert_eq!(summary_columns(&out, &cols), summary_columns(&again, &cols));

    // Adding a world resumes: the four runs of each old world are kept, the new
    // world's run.
    let exp3 = write(dir.path(), "rep.yaml", &replicated(3, 2, ""));
    let o = jestbench(&[
        "run",
        exp3.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("8 of 12 runs already complete"),
        "{}",
        stderr(&o)
    );
    let rows = summary_columns(&out, &cols);
    assert_eq!(rows.len(), 12);
    assert_eq!(
        summary_columns(&again, &cols),
        rows.iter()
            .filter(|r| r[3] != "2")
            .cloned()
            .collect::<Vec<_>>()
    );

    // A plan from this pilot: per claim with a threshold, worlds per design and
    // core-hours; bad flags are named.
    let o = jestbench(&["plan", out.to_str().unwrap(), "--learners", "1,2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = crate::util::stdout(&o);
    assert!(text.contains("tiny: pilot 3 worlds × 2 learners"), "{text}");
    assert!(
        text.contains("1 learner per world:") && text.contains("2 learners per world:"),
        "{text}"
    );
    for (flag, value, says) in [
        ("--power", "0.3", "--power 0.3"),
        ("--learners", "0", "--learners [0]"),
        ("--max-worlds", "1", "--max-worlds 1"),
    ] {
        let o = jestbench(&["plan", out.to_str().unwrap(), flag, value]);
        assert_eq!(o.status.code(), Some(2), "{flag} {value}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{}", stderr(&o));
    }
}
