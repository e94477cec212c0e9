//! Property-based fuzzing of the readers that take other people's files:
//! experiment YAML, results (layout 1 CSV, the minimal schema, and layout 2's
//! runs and evaluations tables, plain and gzip) and .npy. Each case
//! mutates a valid file (bytes replaced, inserted, deleted, from a set that YAML,
//! CSV and .npy headers care about) or is arbitrary bytes; whatever the input, a
//! reader returns a value or an error, never panics. The number of cases is
//! bounded (`FUZZ_CASES`, default 2,000 each, about a second in all) so CI's time stays fixed; set it
//! higher for a longer run.

use std::path::Path;

use proptest::prelude::*;

use crate::util::TINY;

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        max_shrink_iters: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Bytes that mean something to the readers.
const SPECIAL: &[u8] =
    b"\n\r\t :,-[]{}!&*|>'\"#%@`?=;\\\x00\x01\xef\xbb\xbf\xff0123456789.eE+aZ_(){}";

/// One edit: (where, as a fraction of the length; what: 0 replace, 1 insert,
/// 2 delete; which special byte).
fn edits() -> impl Strategy<Value = Vec<(f64, u8, usize)>> {
    prop::collection::vec((0.0..1.0f64, 0u8..3, 0..SPECIAL.len()), 1..12)
}

fn mutate(seed: &[u8], edits: &[(f64, u8, usize)]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for &(at, op, b) in edits {
        let i = ((v.len() as f64) * at) as usize;
        let byte = SPECIAL[b];
        match op {
            0 if i < v.len() => v[i] = byte,
            2 if i < v.len() => {
                v.remove(i);
            }
            _ => v.insert(i.min(v.len()), byte),
        }
    }
    v
}

fn parse_experiment(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let _ = jestbench::family::parse(&text, Path::new("fuzz.yaml"), 1_000);
}

const SWIM: &str = include_str!("../experiments/swim-regression.yaml");

proptest! {
    #![proptest_config(config())]

    #[test]
    fn experiment_yaml_never_panics(e in edits(), swim in any::<bool>()) {
        let seed = if swim { SWIM } else { TINY };
        parse_experiment(&mutate(seed.as_bytes(), &e));
    }

    #[test]
    fn arbitrary_bytes_as_yaml_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        parse_experiment(&bytes);
    }

    #[test]
    fn results_csv_never_panics(e in edits(), minimal in any::<bool>()) {
        let text = if minimal { minimal_results() } else { our_results() };
        let bad = String::from_utf8_lossy(&mutate(text.as_bytes(), &e)).into_owned();
        let _ = jestbench::log::parse_rows(&bad, &jestbench::family::schemas());
    }

    #[test]
    fn results_tables_never_panic(e in edits(), which in 0u8..3) {
        // A layout 2 folder with one of its tables mutated: runs.csv, the
        // evaluations, or the evaluations' gzip bytes.
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let rows = our_rows();
        jestbench::log::write_folder(d, &rows, &rows[rows.len() - 1..]).unwrap();
        let runs = d.join(jestbench::log::RUNS_FILE);
        let evals = d.join(jestbench::log::evaluations_file(jestbench::method::Family::JEST));
        match which {
            0 => std::fs::write(&runs, mutate(&std::fs::read(&runs).unwrap(), &e)).unwrap(),
            1 => std::fs::write(&evals, mutate(&std::fs::read(&evals).unwrap(), &e)).unwrap(),
            _ => {
                use std::io::Write as _;
                let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                z.write_all(&std::fs::read(&evals).unwrap()).unwrap();
                let gz = mutate(&z.finish().unwrap(), &e);
                std::fs::remove_file(&evals).unwrap();
                std::fs::write(d.join(format!("{}.gz", evals.file_name().unwrap().to_string_lossy())), gz).unwrap();
            }
        }
        let _ = jestbench::log::read_folder(d, &jestbench::family::schemas());
    }

    #[test]
    fn npy_never_panics(e in edits(), header_only in any::<bool>()) {
        let seed = npy_bytes();
        let bytes = if header_only {
            // Edits inside the header (magic, dict, length field).
            let mut head = mutate(&seed[..80.min(seed.len())], &e);
            head.extend_from_slice(&seed[80.min(seed.len())..]);
            head
        } else {
            mutate(&seed, &e)
        };
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.npy");
        std::fs::write(&p, &bytes).unwrap();
        let _ = jestbench::data::files::read_view(&p, "label");
        let _ = jestbench::data::files::read_labels(&p);
    }
}

fn minimal_results() -> String {
    let mut t = String::from("experiment,method,filter_ratio,seed,step,eval_score,setting\n");
    for seed in 0..2 {
        for step in [0, 100, 200] {
            t += &format!("e,uniform,0.5,{seed},{step},0.{step},k=1\n");
            t += &format!("e,jest,0.5,{seed},{step},0.{},k=1\n", step + 5);
        }
    }
    t
}

fn our_rows() -> Vec<jestbench::log::Row> {
    use jestbench::log::{Common, Row};
    use jestbench::train::JestRow;
    [0usize, 50, 100]
        .iter()
        .map(|&step| {
            Row::new(JestRow {
                common: Common {
                    run_id: "abc-s0".into(),
                    experiment: "e".into(),
                    step,
                    sweep: "train.lr=0.001;dataset.zipf=1.5".into(),
                    eval_score: Some(0.5),
                    ..Common::default()
                },
                filter_ratio: 0.8,
                ..JestRow::default()
            })
        })
        .collect()
}

fn our_results() -> String {
    jestbench::log::layout_1_text(&our_rows())
}

fn npy_bytes() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.npy");
    let m = jestbench::data::Matrix::new(3, 2, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    jestbench::data::files::write_npy(&p, &m).unwrap();
    std::fs::read(&p).unwrap()
}
