//! The three real paired sets in ../shared/data: a few training steps on each, with
//! the loader's checks. Skipped aloud, not silently, when the folder is absent.

use std::path::Path;

use jestbench::data::Dataset;
use jestbench::experiment::Experiment;

use crate::util::{jestbench, shared_data, stderr, summary_of, write};

/// An experiment on one real set: `files` is the YAML body of `dataset.files`.
fn experiment(name: &str, files: &str) -> String {
    format!(
        "name: {name}\nseeds: [0]\ndataset:\n  files:\n{files}  misaligned: 0.25\nmodel:\n  hidden: [32]\n  embed: 16\ntrain:\n  steps: 30\n  batch_size: 16\n  filter_ratio: 0.5\n  n_chunks: 4\neval:\n  every: 10\nreference:\n  steps: 20\nsweep:\n  train.selector: [uniform, jest]\n"
    )
}

/// Runs a few steps on a set and checks the dataset's shape and the rows.
fn few_steps(
    name: &str,
    files: &str,
    items: usize,
    dims: (usize, usize),
    classes: usize,
    test_items: usize,
) {
    let Some(data) = shared_data() else { return };
    let files = files.replace("{data}", data.to_str().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let text = experiment(name, &files);
    let path = write(dir.path(), &format!("{name}.yaml"), &text);
    let exp = Experiment::parse(&text, &path).unwrap();
    let ds = Dataset::build(&exp.cells[0].config.dataset, dir.path()).unwrap();
    assert_eq!(ds.eval.len() + ds.curated.len() + ds.pool.len(), items);
    assert_eq!(ds.eval.len(), test_items);
    assert_eq!((ds.dim_a(), ds.dim_b()), dims);
    assert_eq!(ds.n_classes, classes);
    let out = dir.path().join("r");
    let o = jestbench(&[
        "run",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (header, rows) = summary_of(&out);
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    assert_eq!(rows.len(), 2);
    for r in &rows {
        assert_eq!(r[col("status")], "complete");
        let z: f64 = r[col("zero_shot_accuracy")].parse().unwrap();
        assert!((0.0..=1.0).contains(&z));
    }
}

#[test]
fn wikipedia_image_text_with_its_standard_split() {
    few_steps(
        "wiki",
        "    a: {data}/wikipedia-rasiwasia/image_sift_bow128.csv\n    b: {data}/wikipedia-rasiwasia/text_lda10.csv\n    split: {data}/wikipedia-rasiwasia/items.csv\n",
        2866,
        (128, 10),
        10,
        693,
    );
}

#[test]
fn mfeat_pixels_and_fourier_with_a_seeded_split() {
    few_steps(
        "mfeat",
        "    a: {data}/uci-mfeat/mfeat-pix.csv\n    b: {data}/uci-mfeat/mfeat-fou.csv\n    label_column: \"0\"\n    eval_fraction: 0.25\n",
        2000,
        (240, 76),
        10,
        500,
    );
}

#[test]
fn leaves_margin_and_texture_with_a_seeded_split() {
    few_steps(
        "leaves",
        "    a: {data}/uci-100leaves/margin64.csv\n    b: {data}/uci-100leaves/texture64.csv\n    eval_fraction: 0.25\n",
        1600,
        (64, 64),
        100,
        400,
    );
}

#[test]
fn the_committed_real_experiments_validate_against_the_shared_data() {
    let Some(_) = shared_data() else { return };
    for (name, runs) in [
        ("real-wikipedia", "36 sweep cells × 10 seeds = 360 runs"),
        ("real-mfeat", "36 sweep cells × 10 seeds = 360 runs"),
        ("real-leaves", "36 sweep cells × 10 seeds = 360 runs"),
        ("real-mfeat-flexi", "12 sweep cells × 10 seeds = 120 runs"),
        (
            "real-mfeat-reference",
            "24 sweep cells × 10 seeds = 240 runs",
        ),
    ] {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("experiments/{name}.yaml"));
        let o = jestbench(&["validate", p.to_str().unwrap()]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains(runs), "{name}: {out}");
    }
}
