//! Data: generator determinism (checksum), the web knobs measured on the data itself,
//! the curated weighting and quality blend, and the file loader.

use std::path::Path;

use jestbench::data::files::{load_pairs, read_view, write_npy};
use jestbench::data::{Dataset, Matrix, PairKind};
use jestbench::experiment::{DatasetSpec, Experiment, FilesSpec};

use crate::util::{write, TINY};

fn tiny_spec() -> DatasetSpec {
    Experiment::parse(TINY, Path::new("t.yaml")).unwrap().cells[0]
        .config
        .dataset
        .clone()
}

fn clean_spec() -> DatasetSpec {
    let mut s = tiny_spec();
    s.misaligned = 0.0;
    s.heavy_noise = 0.0;
    s.duplicates = 0.0;
    s
}

fn build(spec: &DatasetSpec) -> Dataset {
    Dataset::build(spec, Path::new(".")).unwrap()
}

#[test]
fn same_seed_same_bytes_pinned_by_checksum() {
    let a = build(&tiny_spec());
    let b = build(&tiny_spec());
    assert_eq!(a.checksum(), b.checksum());
    // Pinned: the generator uses ChaCha8 streams and libm only, so this value must
    // hold on every machine. A change here is a change of the data, on purpose or not.
    assert_eq!(
        a.checksum(),
        "4d675a57fdd492f462f5b9c252f2f2e11c4a7522fb7976c00d66f1723c58e180"
    );
    let mut other = tiny_spec();
    other.seed += 1;
    assert_ne!(build(&other).checksum(), a.checksum());
}

fn row_differs(x: &Matrix, y: &Matrix, i: usize) -> bool {
    x.row(i) != y.row(i)
}

#[test]
fn web_knobs_do_what_they_say_measured_against_the_clean_pool() {
    let clean = build(&clean_spec());
    let mut spec = clean_spec();
    spec.misaligned = 0.3;
    spec.heavy_noise = 0.1;
    spec.duplicates = 0.05;
    let noisy = build(&spec);
    let n = clean.pool.len();
    assert_eq!(noisy.pool.len(), n);
    // The clean parts of the data do not move when knobs change.
    assert_eq!(noisy.curated, clean.curated);
    assert_eq!(noisy.eval, clean.eval);

    let (mut misaligned, mut heavy, mut dup) = (0, 0, 0);
    for i in 0..n {
        let a_moved = row_differs(&noisy.pool.a, &clean.pool.a, i);
        let b_moved = row_differs(&noisy.pool.b, &clean.pool.b, i);
        match (a_moved, b_moved) {
            (false, false) => {}
            (false, true) => {
                // A misaligned pair's B view is another pair's clean B view.
                let src = (0..n).find(|&j| noisy.pool.b.row(i) == clean.pool.b.row(j));
                assert!(matches!(src, Some(j) if j != i), "row {i}");
                misaligned += 1;
            }
            (true, true) => {
                // A near-duplicate sits within jitter of another pair's clean views;
                // a heavily noised pair is near no clean pair.
                let near = |m: &Matrix, c: &Matrix, j: usize| {
                    m.row(i)
                        .iter()
                        .zip(c.row(j))
                        .all(|(x, y)| (x - y).abs() < 0.1)
                };
                let copy_of = (0..n).find(|&j| {
                    j != i
                        && near(&noisy.pool.a, &clean.pool.a, j)
                        && near(&noisy.pool.b, &clean.pool.b, j)
                });
                if copy_of.is_some() {
                    dup += 1;
                } else {
                    heavy += 1;
                }
            }
            (true, false) => panic!("row {i}: only the A view changed"),
        }
    }
    let frac = |c: usize| c as f64 / n as f64;
    assert!(
        (frac(misaligned) - 0.3).abs() < 0.005,
        "misaligned {}",
        frac(misaligned)
    );
    assert!((frac(heavy) - 0.1).abs() < 0.005, "heavy {}", frac(heavy));
    assert!((frac(dup) - 0.05).abs() < 0.005, "dup {}", frac(dup));
    // The recorded kinds agree with what the data shows.
    let kinds = |k: PairKind| noisy.pool_kinds.iter().filter(|&&x| x == k).count();
    assert_eq!(kinds(PairKind::Misaligned), misaligned);
    assert_eq!(kinds(PairKind::HeavyNoise), heavy);
    assert_eq!(kinds(PairKind::Duplicate), dup);
}

#[test]
fn zipf_pool_is_long_tailed_and_curated_favours_eval_concepts() {
    let mut spec = clean_spec();
    let s = spec.synthetic.as_mut().unwrap();
    s.pool = 20_000;
    s.curated = 6_000;
    s.curated_eval_weight = 0.5;
    let d = build(&spec);
    let k = 12;
    let mut counts = vec![0usize; k];
    for &l in d.pool.labels.as_ref().unwrap() {
        counts[l] += 1;
    }
    // p_k ∝ 1/(k+1): concept 0 is twice as frequent as concept 1, 12x concept 11.
    let ratio = counts[0] as f64 / counts[1] as f64;
    assert!((ratio - 2.0).abs() < 0.15, "{counts:?}");
    let ratio = counts[0] as f64 / counts[11] as f64;
    assert!((ratio - 12.0).abs() < 2.0, "{counts:?}");
    // Curated: P(eval concept) = w + (1 − w)·K_eval/K = 0.5 + 0.5·6/12 = 0.75.
    let in_eval = d
        .curated
        .labels
        .as_ref()
        .unwrap()
        .iter()
        .filter(|l| d.eval_concepts.contains(l))
        .count() as f64
        / 6000.0;
    assert!((in_eval - 0.75).abs() < 0.025, "{in_eval}");
    // Eval is balanced over its classes.
    let labels = d.eval.labels.as_ref().unwrap();
    for c in 0..6 {
        assert_eq!(labels.iter().filter(|&&l| l == c).count(), 20);
    }
}

#[test]
fn reference_quality_blends_curated_with_web() {
    let mut spec = tiny_spec();
    spec.misaligned = 0.5;
    let d = build(&spec);
    let n = d.curated.len();
    let is_curated = |set: &jestbench::data::Pairs, i: usize| {
        (0..n).any(|j| set.a.row(i) == d.curated.a.row(j) && set.b.row(i) == d.curated.b.row(j))
    };
    for q in [0.0, 0.25, 1.0] {
        let r = d.reference_set(q, 7);
        assert_eq!(r.len(), n);
        let cur = (0..n).filter(|&i| is_curated(&r, i)).count();
        assert_eq!(cur, (q * n as f64).round() as usize, "q = {q}");
    }
}

#[test]
fn loader_reads_csv_and_npy_alike() {
    let dir = tempfile::tempdir().unwrap();
    let a = Matrix::new(4, 3, (0..12).map(|x| x as f32 * 0.5).collect());
    let b = Matrix::new(4, 2, vec![1.0, -1.0, 2.0, -2.0, 3.0, -3.0, 4.0, -4.5]);
    write_npy(&dir.path().join("a.npy"), &a).unwrap();
    write_npy(&dir.path().join("b.npy"), &b).unwrap();
    write(dir.path(), "labels.csv", "label\n0\n1\n1\n0\n");
    let mut csv_a = "f0,f1,f2,label\n".to_string();
    for i in 0..4 {
        let r = a.row(i);
        csv_a += &format!("{},{},{},{}\n", r[0], r[1], r[2], [0, 1, 1, 0][i]);
    }
    write(dir.path(), "a.csv", &csv_a);

    let from_npy = read_view(&dir.path().join("a.npy"), "label").unwrap();
    let from_csv = read_view(&dir.path().join("a.csv"), "label").unwrap();
    assert_eq!(from_npy.features, a);
    assert_eq!(from_csv.features, a);
    assert_eq!(from_csv.labels, Some(vec![0, 1, 1, 0]));

    let spec = FilesSpec {
        a: "a.csv".into(),
        b: "b.npy".into(),
        labels: Some("labels.csv".into()),
        label_column: "label".into(),
        eval_fraction: 0.25,
        split: None,
        split_column: "split".into(),
        curated_fraction: 0.3,
        seeded_curated: false,
    };
    let (pairs, labels) = load_pairs(&spec, dir.path()).unwrap();
    assert_eq!(pairs.a, a);
    assert_eq!(pairs.b, b);
    assert_eq!(labels, Some(vec![0, 1, 1, 0]));
}

fn load_error(dir: &Path, a: &str, b: &str) -> String {
    let spec = FilesSpec {
        a: a.into(),
        b: b.into(),
        labels: None,
        label_column: "label".into(),
        eval_fraction: 0.25,
        split: None,
        split_column: "split".into(),
        curated_fraction: 0.3,
        seeded_curated: false,
    };
    load_pairs(&spec, dir).unwrap_err().to_string()
}

#[test]
fn loader_errors_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "ok.csv", "x,y,label\n1,2,0\n3,4,1\n");
    write(d, "nan.csv", "x,y\n1,2\n3,NaN\n");
    write(d, "ragged.csv", "x,y\n1,2\n3\n");
    write(d, "text.csv", "x,y\n1,2\n3,abc\n");
    write(d, "short.csv", "x,y\n1,2\n");
    write(d, "otherlabels.csv", "x,label\n1,0\n3,2\n");
    write(d, "data.txt", "1 2\n");

    let msg = load_error(d, "ok.csv", "nan.csv");
    assert!(
        msg.contains("nan.csv:3: column `y`: value `NaN` is not finite"),
        "{msg}"
    );
    let msg = load_error(d, "ok.csv", "ragged.csv");
    assert!(
        msg.contains("ragged.csv:3:") && msg.contains("ragged row"),
        "{msg}"
    );
    let msg = load_error(d, "ok.csv", "text.csv");
    assert!(
        msg.contains("text.csv:3: column `y`: `abc` is not a number"),
        "{msg}"
    );
    let msg = load_error(d, "ok.csv", "short.csv");
    assert!(
        msg.contains("views disagree") && msg.contains("2 rows") && msg.contains("1"),
        "{msg}"
    );
    let msg = load_error(d, "ok.csv", "otherlabels.csv");
    assert!(
        msg.contains("label mismatch between views at item 1 (data line 3)"),
        "{msg}"
    );
    let msg = load_error(d, "ok.csv", "missing.csv");
    assert!(
        msg.contains("missing.csv") && msg.contains("No such file"),
        "{msg}"
    );
    let msg = load_error(d, "ok.csv", "data.txt");
    assert!(
        msg.contains("data.txt: unsupported file type `.txt`"),
        "{msg}"
    );

    let bad = Matrix::new(2, 2, vec![1.0, f32::NAN, 0.0, 0.0]);
    write_npy(&d.join("nan.npy"), &bad).unwrap();
    let msg = load_error(d, "ok.csv", "nan.npy");
    assert!(
        msg.contains("nan.npy: row 0 column 1: value is not finite"),
        "{msg}"
    );
    write(d, "junk.npy", "not an array");
    let msg = load_error(d, "ok.csv", "junk.npy");
    assert!(msg.contains("junk.npy: not a valid .npy file"), "{msg}");
}

#[test]
fn files_dataset_splits_standardises_and_builds_class_prototypes() {
    let dir = tempfile::tempdir().unwrap();
    let n = 60;
    let a = Matrix::new(n, 2, (0..2 * n).map(|x| (x % 7) as f32 + 10.0).collect());
    let b = Matrix::new(n, 3, (0..3 * n).map(|x| (x % 5) as f32 * 3.0).collect());
    write_npy(&dir.path().join("a.npy"), &a).unwrap();
    write_npy(&dir.path().join("b.npy"), &b).unwrap();
    let labels: String = (0..n).map(|i| format!("{}\n", 10 + i % 3)).collect();
    write(dir.path(), "l.csv", &labels);
    let yaml = TINY.replace(
        "  synthetic:\n    concepts: 12\n    latent_dim: 6\n    dim_a: 10\n    dim_b: 8\n    pool: 1500\n    curated: 300\n    eval_concepts: 6\n    eval_per_concept: 20\n",
        "  files:\n    a: a.npy\n    b: b.npy\n    labels: l.csv\n    eval_fraction: 0.25\n",
    ).replace("  misaligned: 0.2\n  heavy_noise: 0.1\n  duplicates: 0.1\n", "").replace("filter_ratio: 0.5", "filter_ratio: 0.0");
    let exp = Experiment::parse(&yaml, &dir.path().join("e.yaml")).unwrap();
    let d = Dataset::build(&exp.cells[0].config.dataset, dir.path()).unwrap();
    assert_eq!(d.eval.len(), 15);
    assert_eq!(d.curated.len() + d.pool.len(), 45);
    assert_eq!(d.n_classes, 3);
    // Labels 10, 11, 12 become classes 0, 1, 2.
    assert!(d.eval.labels.as_ref().unwrap().iter().all(|&c| c < 3));
    // Standardised on the train split: train columns have mean 0.
    let train = d.curated.concat(&d.pool);
    for j in 0..2 {
        let mean: f64 = (0..45).map(|i| train.a.row(i)[j] as f64).sum::<f64>() / 45.0;
        assert!(mean.abs() < 1e-5, "{mean}");
    }
}

#[test]
fn data_errors_are_said_once_and_constant_columns_are_named() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs");
    for (file, needle) in [
        ("data-missing.yaml", "no such file"),
        ("data-nan.yaml", "is not finite"),
    ] {
        let o = crate::util::jestbench(&["validate", dir.join(file).to_str().unwrap()]);
        let err = crate::util::stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert_eq!(
            err.matches(needle).count(),
            1,
            "said more than once:\n{err}"
        );
    }
    // tests/bad_inputs/data/b.csv holds a constant third column (`y2`).
    let o = crate::util::jestbench(&["validate", dir.join("data-constant.yaml").to_str().unwrap()]);
    let err = crate::util::stderr(&o);
    assert!(
        err.contains("warning: ")
            && err.contains("dataset.files.b (data/b.csv): 1 of 3 feature columns are constant and carry nothing (feature column 2)"),
        "{err}"
    );
}

#[test]
fn the_curated_distribution_knob_changes_the_curated_set_and_nothing_else() {
    use jestbench::experiment::CuratedConcepts;
    let mut spec = tiny_spec();
    let s = spec.synthetic.as_mut().unwrap();
    s.pool = 6_000;
    s.curated = 6_000;
    s.curated_eval_weight = 0.0;
    let balanced = build(&spec);
    spec.synthetic.as_mut().unwrap().curated_concepts = CuratedConcepts::Pool;
    let pool_like = build(&spec);
    // Everything but the curated set is the same, bit for bit.
    assert_eq!(balanced.pool, pool_like.pool);
    assert_eq!(balanced.pool_kinds, pool_like.pool_kinds);
    assert_eq!(balanced.pool_buckets, pool_like.pool_buckets);
    assert_eq!(balanced.eval, pool_like.eval);
    assert_eq!(balanced.prototypes, pool_like.prototypes);
    assert_eq!(balanced.eval_concepts, pool_like.eval_concepts);
    assert_eq!(balanced.curated.len(), pool_like.curated.len());
    assert_ne!(balanced.curated, pool_like.curated);
    // Balanced: every concept about equally often; pool-like: the pool's skew
    // (Zipf 1 over 12 concepts: concept 0 about 12x concept 11).
    let share = |d: &Dataset, set: &jestbench::data::Pairs, k: usize| {
        let l = set.labels.as_ref().unwrap();
        let _ = d;
        l.iter().filter(|&&x| x == k).count() as f64 / l.len() as f64
    };
    let k = 12.0;
    assert!((share(&balanced, &balanced.curated, 0) - 1.0 / k).abs() < 0.02);
    assert!((share(&balanced, &balanced.curated, 11) - 1.0 / k).abs() < 0.02);
    let (p0, pool0) = (
        share(&pool_like, &pool_like.curated, 0),
        share(&pool_like, &pool_like.pool, 0),
    );
    assert!((p0 - pool0).abs() < 0.03, "curated {p0} vs pool {pool0}");
    assert!(p0 > 0.2, "{p0}");
    // The default is left out of the configuration, so older files keep their hash.
    let text = serde_yaml::to_string(&tiny_spec()).unwrap();
    assert!(!text.contains("curated_concepts"), "{text}");
    let text = serde_yaml::to_string(&spec).unwrap();
    assert!(text.contains("curated_concepts: pool"), "{text}");
}

#[test]
fn concept_buckets_follow_the_pool_frequencies_of_the_built_dataset() {
    use jestbench::data::Bucket;
    let mut spec = clean_spec();
    spec.synthetic.as_mut().unwrap().pool = 12_000;
    let d = build(&spec);
    let labels = d.pool.labels.as_ref().unwrap();
    assert_eq!(d.pool_buckets.len(), labels.len());
    // Equal-mass thirds: each bucket holds about a third of the pool, up to the
    // concept straddling a cut; the head's concepts are the most frequent.
    let share =
        |b: Bucket| d.pool_buckets.iter().filter(|&&x| x == b).count() as f64 / labels.len() as f64;
    for b in [Bucket::Head, Bucket::Torso, Bucket::Tail] {
        assert!(share(b) > 0.15 && share(b) < 0.55, "{b:?}: {}", share(b));
    }
    let bucket_of = |k: usize| d.pool_buckets[labels.iter().position(|&l| l == k).unwrap()];
    assert_eq!(bucket_of(0), Bucket::Head);
    assert_eq!(bucket_of(11), Bucket::Tail);
    // Every evaluation class gets its concept's bucket.
    let classes = d.eval_class_buckets().unwrap();
    assert_eq!(classes.len(), d.n_classes);
    for (c, &k) in d.eval_concepts.iter().enumerate() {
        if let Some(i) = labels.iter().position(|&l| l == k) {
            assert_eq!(classes[c], d.pool_buckets[i]);
        }
    }
}

/// The text featuriser on WordNet's 117,659 real pairs (issue 44): every lemma list
/// and every gloss gives a unit row, and at 4,096 buckets few n-grams share one.
#[test]
fn wordnet_text_features_are_unit_rows_with_few_collisions() {
    use jestbench::data::text::TextFeatures;
    let Some(shared) = crate::util::shared_data() else {
        return;
    };
    let path = shared.join("wordnet-glosses").join("pairs.csv");
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (lemmas, gloss) = (col("lemmas"), col("gloss"));
    let views = [
        (lemmas, TextFeatures::Chars { n: 3, dim: 4096 }),
        (gloss, TextFeatures::Words { n: 2, dim: 4096 }),
    ];
    let mut rows = 0usize;
    // Per view: n-grams, buckets set, rows with no n-gram.
    let mut stats = [(0usize, 0usize, 0usize); 2];
    for rec in reader.records() {
        let rec = rec.unwrap();
        rows += 1;
        for (k, (column, f)) in views.iter().enumerate() {
            let text = rec.get(*column).unwrap();
            let grams = f.ngrams(text).len();
            let row = f.row(text);
            let set = row.iter().filter(|v| **v != 0.0).count();
            stats[k].0 += grams;
            stats[k].1 += set;
            if set == 0 {
                stats[k].2 += 1;
            } else {
                let norm: f32 = row.iter().map(|v| v * v).sum();
                assert!((norm - 1.0).abs() < 1e-4, "row {rows}: norm {norm}");
            }
        }
    }
    assert_eq!(rows, 117_659);
    for ((grams, set, empty), name) in stats.iter().zip(["lemmas", "gloss"]) {
        let merged = 1.0 - *set as f64 / *grams as f64;
        eprintln!(
            "{name}: {:.1} n-grams a row, {:.2}% merged by collisions, {empty} rows without an n-gram",
            *grams as f64 / rows as f64,
            100.0 * merged
        );
        assert_eq!(*empty, 0, "{name}: rows without an n-gram");
        assert!(
            merged < 0.02,
            "{name}: {:.2}% of n-grams merged",
            100.0 * merged
        );
    }
}
