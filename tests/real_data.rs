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
        ("wordnet", "9 sweep cells × 6 seeds = 54 runs"),
    ] {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("experiments/{name}.yaml"));
        let o = jestbench(&["validate", p.to_str().unwrap()]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains(runs), "{name}: {out}");
    }
}

/// WordNet's text pairs in a reduced form of experiments/wordnet.yaml (narrower
/// views, fewer held-out rows, a few steps): the dataset's shape from the real
/// file, then a run over a cycled and a never-repeated pool whose report carries
/// the real-not-cycled row.
#[test]
fn wordnet_text_pairs_cycled_and_never_repeated_in_a_reduced_run() {
    let Some(data) = shared_data() else { return };
    let csv = data.join("wordnet-glosses/pairs.csv");
    let text = format!(
        "name: wordnet\nreplicates:\n  worlds: 2\n  learners_per_world: 1\n  seed: 0\ndataset:\n  text:\n    csv: {}\n    a: {{column: lemmas, features: chars, n: 3, dim: 256}}\n    b: {{column: gloss, features: words, n: 2, dim: 256}}\n    label_column: category\n    curated_column: tag_count\n    eval_items: 300\n  misaligned: 0.5\n  duplicates: 0.1\nmodel:\n  width: 64\ntrain:\n  steps: 300\n  lr: 0.003\n  batch_size: 32\n  filter_ratio: 0.5\n  n_chunks: 4\neval:\n  every: 50\nreference:\n  steps: 100\nsweep:\n  dataset.pool: [400, 9600]\n  train.selector: [uniform, jest]\n",
        csv.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "wordnet-reduced.yaml", &text);
    let exp = Experiment::parse(&text, &path).unwrap();
    let ds = Dataset::build(&exp.cells[0].config.dataset, dir.path()).unwrap();
    // 117,659 synsets: 300 held out, 400 kept in the pool, 45 categories; the
    // curated set is the tagged synsets among the 117,359 not held out.
    assert_eq!(ds.eval.len(), 300);
    assert_eq!(ds.pool.len(), 400);
    assert_eq!(ds.n_classes, 45);
    assert_eq!((ds.dim_a(), ds.dim_b()), (256, 256));
    assert!(
        (23_400..=23_651).contains(&ds.curated.len()),
        "{}",
        ds.curated.len()
    );
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
    assert_eq!(rows.len(), 8);
    for r in &rows {
        assert_eq!(r[col("status")], "complete");
    }
    let claims = std::fs::read_to_string(out.join("report/claims.csv")).unwrap();
    assert!(claims.contains("real-not-cycled"), "{claims}");
}
