//! A dataset of text pairs from one CSV (docs/methods.md §3 "Text pairs"): each
//! side featurised by hashed n-grams (`data::text`), the rows scaled so that
//! every entry has mean square 1 over the row (the scale a standardised view has);
//! a seeded draw of `eval_items` rows held out; the rest is the pool. The
//! curated set is the rest's rows whose `curated_column` is above 0: real,
//! differently distributed data (WordNet: the senses seen in SemCor), which the
//! pool also holds, as a web crawl holds pages an editor also picked. Class-mean
//! prototypes over the pool's rows, with classes the label column's distinct
//! strings in sorted order.

use std::collections::BTreeMap;
use std::io::BufReader;
use std::path::Path;

use super::files::{csv_err, file_err, open, resolve, DataError};
use super::rng::{self, stream};
use super::spec::TextSpec;
use super::{Dataset, Matrix, Pairs, Prototypes};

/// The rows of the CSV that a spec reads: its two texts, its label, its curated value.
struct Rows {
    a: Vec<String>,
    b: Vec<String>,
    labels: Option<Vec<String>>,
    curated: Vec<f64>,
}

fn column(
    path: &Path,
    header: &csv::StringRecord,
    key: &str,
    name: &str,
) -> Result<usize, DataError> {
    header.iter().position(|h| h.trim() == name).ok_or_else(|| {
        file_err(
            path,
            format!(
                "{key}: no column `{name}` (the header has {})",
                header.iter().collect::<Vec<_>>().join(", ")
            ),
        )
    })
}

fn read_rows(path: &Path, spec: &TextSpec) -> Result<Rows, DataError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(BufReader::new(open(path)?));
    let header = reader.headers().map_err(|e| csv_err(path, e))?.clone();
    let at_a = column(path, &header, "dataset.text.a.column", &spec.a.column)?;
    let at_b = column(path, &header, "dataset.text.b.column", &spec.b.column)?;
    let at_label = spec
        .label_column
        .as_deref()
        .map(|c| column(path, &header, "dataset.text.label_column", c))
        .transpose()?;
    let at_cur = column(
        path,
        &header,
        "dataset.text.curated_column",
        &spec.curated_column,
    )?;
    let mut rows = Rows {
        a: Vec::new(),
        b: Vec::new(),
        labels: at_label.map(|_| Vec::new()),
        curated: Vec::new(),
    };
    for record in reader.records() {
        let record = record.map_err(|e| csv_err(path, e))?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let get = |at: usize| record.get(at).unwrap_or("");
        let cur = get(at_cur).trim();
        let value: f64 = cur
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| DataError::AtLine {
                path: path.to_path_buf(),
                line,
                message: format!("column `{}`: `{cur}` is not a number", spec.curated_column),
            })?;
        rows.a.push(get(at_a).to_string());
        rows.b.push(get(at_b).to_string());
        if let (Some(l), Some(at)) = (&mut rows.labels, at_label) {
            l.push(get(at).trim().to_string());
        }
        rows.curated.push(value);
    }
    Ok(rows)
}

/// The number of data rows of the spec's CSV (for plans and memory estimates,
/// without featurising).
pub fn count_rows(spec: &TextSpec, base_dir: &Path) -> Result<usize, DataError> {
    let path = resolve(base_dir, &spec.csv);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(BufReader::new(open(&path)?));
    let mut n = 0;
    let mut record = csv::StringRecord::new();
    while reader
        .read_record(&mut record)
        .map_err(|e| csv_err(&path, e))?
    {
        n += 1;
    }
    Ok(n)
}

/// The features of `texts` under `view`: one row each, mean square 1 per entry.
fn featurise(texts: &[String], view: &super::spec::TextView) -> Matrix {
    let f = view.features();
    let scale = (view.dim as f32).sqrt();
    let mut data = Vec::with_capacity(texts.len() * view.dim);
    for t in texts {
        data.extend(f.row(t).into_iter().map(|v| v * scale));
    }
    Matrix::new(texts.len(), view.dim, data)
}

pub fn text_dataset(spec: &TextSpec, seed: u64, base_dir: &Path) -> Result<Dataset, DataError> {
    let path = resolve(base_dir, &spec.csv);
    let rows = read_rows(&path, spec)?;
    let n = rows.a.len();
    if n < spec.eval_items + 2 {
        return Err(file_err(
            &path,
            format!(
                "{n} rows: too few to hold out dataset.text.eval_items = {} and train on the rest",
                spec.eval_items
            ),
        ));
    }
    let (labels, n_classes) = match &rows.labels {
        Some(l) => {
            let classes: BTreeMap<&str, usize> = {
                let mut u: Vec<&str> = l.iter().map(String::as_str).collect();
                u.sort_unstable();
                u.dedup();
                u.into_iter().enumerate().map(|(i, v)| (v, i)).collect()
            };
            (
                Some(l.iter().map(|v| classes[v.as_str()]).collect::<Vec<_>>()),
                classes.len(),
            )
        }
        None => (None, 0),
    };
    let pairs = Pairs {
        a: featurise(&rows.a, &spec.a),
        b: featurise(&rows.b, &spec.b),
        labels,
    };
    let order = rng::permutation(&mut rng::chacha(seed, stream::SPLIT), n);
    let (eval_idx, train_idx) = order.split_at(spec.eval_items);
    let mut eval_idx = eval_idx.to_vec();
    let mut train_idx = train_idx.to_vec();
    eval_idx.sort_unstable();
    train_idx.sort_unstable();
    let mut cur: Vec<usize> = train_idx
        .iter()
        .copied()
        .filter(|&i| rows.curated[i] > 0.0)
        .collect();
    if cur.is_empty() {
        return Err(file_err(
            &path,
            format!(
                "dataset.text.curated_column: no training row has `{}` above 0, so the curated set is empty",
                spec.curated_column
            ),
        ));
    }
    if let Some(max) = spec.curated_max {
        if cur.len() > max {
            let keep = rng::permutation(&mut rng::chacha(seed, stream::CURATED), cur.len());
            let mut kept: Vec<usize> = keep[..max].iter().map(|&k| cur[k]).collect();
            kept.sort_unstable();
            cur = kept;
        }
    }
    let pool = pairs.gather(&train_idx);
    let prototypes = match &pool.labels {
        Some(l) => Prototypes::ClassMeans {
            b: pool.b.clone(),
            labels: l.clone(),
        },
        None => Prototypes::None,
    };
    Ok(Dataset {
        curated: pairs.gather(&cur),
        eval: pairs.gather(&eval_idx),
        pool,
        pool_kinds: Vec::new(),
        pool_buckets: Vec::new(),
        prototypes,
        n_classes,
        eval_concepts: (0..n_classes).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::spec::{TextKind, TextView};

    fn spec(csv: &Path) -> TextSpec {
        TextSpec {
            csv: csv.to_path_buf(),
            a: TextView {
                column: "lemmas".into(),
                features: TextKind::Chars,
                n: 3,
                dim: 64,
            },
            b: TextView {
                column: "gloss".into(),
                features: TextKind::Words,
                n: 2,
                dim: 32,
            },
            label_column: Some("category".into()),
            curated_column: "tag_count".into(),
            eval_items: 2,
            curated_max: None,
        }
    }

    fn write(dir: &Path, body: &str) -> std::path::PathBuf {
        let p = dir.join("pairs.csv");
        std::fs::write(&p, body).unwrap();
        p
    }

    #[test]
    fn a_hand_made_csv_gives_its_views_classes_and_curated_rows() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "lemmas,gloss,category,tag_count\n\
             dog; domestic dog,a member of the genus Canis,noun.animal,12\n\
             cat,feline mammal,noun.animal,0\n\
             run,move fast by using one's feet,verb.motion,3\n\
             walk,use one's feet to advance,verb.motion,0\n\
             oak,a tree of the genus Quercus,noun.plant,1\n\
             fern,a flowerless plant,noun.plant,0\n",
        );
        let ds = text_dataset(&spec(&p), 7, dir.path()).unwrap();
        assert_eq!(ds.eval.len(), 2);
        assert_eq!(ds.pool.len(), 4);
        assert_eq!(ds.n_classes, 3);
        assert_eq!((ds.pool.a.cols, ds.pool.b.cols), (64, 32));
        // Every non-empty row has mean square 1 per entry.
        for m in [&ds.pool.a, &ds.pool.b, &ds.eval.a] {
            for i in 0..m.rows {
                let ms: f32 = m.row(i).iter().map(|v| v * v).sum::<f32>() / m.cols as f32;
                assert!((ms - 1.0).abs() < 1e-5, "{ms}");
            }
        }
        // The curated rows are the pool's rows tagged above 0, and only those.
        // Every curated row is a pool row (tagged 12, 3 or 1; the untagged never).
        for j in 0..ds.curated.len() {
            assert!((0..ds.pool.len()).any(|i| ds.pool.a.row(i) == ds.curated.a.row(j)));
        }
        let untagged =
            ["cat", "walk", "fern"].map(|t| featurise(&[t.to_string()], &spec(&p).a).data);
        for j in 0..ds.curated.len() {
            assert!(untagged.iter().all(|u| u.as_slice() != ds.curated.a.row(j)));
        }
        assert!(ds.curated.len() <= 3 && !ds.curated.is_empty());
        // Labels: classes in sorted order (noun.animal 0, noun.plant 1, verb.motion 2).
        let all: Vec<usize> = ds
            .pool
            .labels
            .clone()
            .unwrap()
            .into_iter()
            .chain(ds.eval.labels.clone().unwrap())
            .collect();
        let mut sorted = all.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, vec![0, 0, 1, 1, 2, 2]);
        // The same seed, the same bits; another seed, another split.
        let again = text_dataset(&spec(&p), 7, dir.path()).unwrap();
        assert_eq!(again.checksum(), ds.checksum());
        let other = (0..20)
            .map(|s| text_dataset(&spec(&p), s, dir.path()).unwrap().checksum())
            .collect::<std::collections::BTreeSet<_>>();
        assert!(other.len() > 1);
    }

    #[test]
    fn bad_text_files_are_named_with_their_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "lemmas,gloss,category,tag_count\na,b,c,1\nd,e,f,x\ng,h,i,0\n",
        );
        let e = text_dataset(&spec(&p), 0, dir.path())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("pairs.csv:3") && e.contains("`x` is not a number"),
            "{e}"
        );
        let p = write(dir.path(), "lemma,gloss,category,tag_count\na,b,c,1\n");
        let e = text_dataset(&spec(&p), 0, dir.path())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no column `lemmas`") && e.contains("dataset.text.a.column"),
            "{e}"
        );
        let p = write(
            dir.path(),
            "lemmas,gloss,category,tag_count\na,b,c,1\nd,e,f,0\n",
        );
        let e = text_dataset(&spec(&p), 0, dir.path())
            .unwrap_err()
            .to_string();
        assert!(e.contains("too few") && e.contains("eval_items"), "{e}");
        let p = write(
            dir.path(),
            "lemmas,gloss,category,tag_count\na,b,c,0\nd,e,f,0\ng,h,i,0\nj,k,l,0\n",
        );
        let e = text_dataset(&spec(&p), 0, dir.path())
            .unwrap_err()
            .to_string();
        assert!(e.contains("curated set is empty"), "{e}");
    }
}
