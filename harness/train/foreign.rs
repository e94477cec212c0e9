//! Results written by another tool (a training loop in PyTorch or JAX, say), in
//! a minimal schema, read as the rows `report` and `check` analyse (README,
//! "Results from elsewhere"). One row per run and evaluation point:
//!
//! - required: `experiment`, `method` (`uniform`, `jest`, `independent_topk`,
//!   `independent_sample`, `oracle`, or a selector of the tool's own: any
//!   identifier; `uniform` is the baseline), `filter_ratio`, `seed`, `step`,
//!   `eval_score`;
//! - optional: `setting` (`key=value;...`, the run's other settings: runs are
//!   compared within a setting), `flops` (cumulative training FLOPs at that step,
//!   in the tool's own accounting), `seconds` (cumulative), `batch_size`, `super_batch`.
//!
//! A run is (experiment, method, filter_ratio, setting, seed). Uniform runs are
//! the baseline of every filtering ratio in their setting (they are not filtered),
//! so they are read once per ratio the other methods ran at; the analysis counts
//! such repeats once. Without `flops` (or `seconds`) the report says "not logged"
//! on those axes rather than inventing them.

use std::collections::{BTreeMap, BTreeSet};

use super::row::JestRow;
use crate::log::records::{reader, record_error};
use crate::log::{Common, Row, RunStatus};
use crate::method::Method;
use crate::select::methods;

pub const REQUIRED: [&str; 6] = [
    "experiment",
    "method",
    "filter_ratio",
    "seed",
    "step",
    "eval_score",
];
pub const OPTIONAL: [&str; 5] = ["setting", "flops", "seconds", "batch_size", "super_batch"];

/// Whether a header is the minimal schema's (every required column, and no
/// `run_id`, which every jestbench results file has).
pub fn is_foreign(header: &[String]) -> bool {
    !header.iter().any(|h| h == "run_id") && REQUIRED.iter().all(|c| header.iter().any(|h| h == c))
}

struct Point {
    line: u64,
    step: usize,
    score: f64,
    flops: u64,
    seconds: f64,
    batch: usize,
    super_batch: usize,
}

type RunKey = (String, Method, String, String, u64);

/// The rows of `text` if `header` is the minimal schema's (JEST's schema reads
/// other tools' files through it).
pub fn read_if_foreign(header: &[String], text: &str) -> Option<Result<Vec<Row>, String>> {
    is_foreign(header).then(|| parse(text))
}

/// Parses a file in the minimal schema; errors name the line, column and value.
pub fn parse(text: &str) -> Result<Vec<Row>, String> {
    let (r, header) = reader(text)?;
    read(&header, r)
}

/// The rows of a minimal-schema file whose header has been read.
fn read(header: &[String], mut r: csv::Reader<&[u8]>) -> Result<Vec<Row>, String> {
    if let Some(c) = header
        .iter()
        .find(|c| !REQUIRED.contains(&c.as_str()) && !OPTIONAL.contains(&c.as_str()))
    {
        return Err(format!(
            "line 1: column `{c}` is not in the minimal results schema (required: {}; optional: {})",
            REQUIRED.join(", "),
            OPTIONAL.join(", ")
        ));
    }
    let col = |name: &str| header.iter().position(|h| h == name);
    let mut runs: BTreeMap<RunKey, Vec<Point>> = BTreeMap::new();
    for rec in r.records() {
        let rec = rec.map_err(record_error)?;
        let line = rec.position().map_or(0, |p| p.line());
        let cell = |name: &str| col(name).and_then(|i| rec.get(i)).unwrap_or("").trim();
        let bad = |name: &str, want: &str| {
            format!(
                "line {line}: column `{name}`: {want}, found {:?}",
                cell(name)
            )
        };
        let experiment = cell("experiment").to_string();
        crate::names::identifier(&experiment)
            .map_err(|m| format!("line {line}: column `experiment`: {m}"))?;
        let method: Method = match methods().into_iter().find(|m| m.as_str() == cell("method")) {
            Some(m) => m,
            None => {
                crate::names::identifier(cell("method")).map_err(|_| {
                    bad(
                        "method",
                        "expected a selector's name: uniform, jest, independent_topk, independent_sample, oracle, or your own (letters, digits, `_`, `-`, `.`)",
                    )
                })?;
                Method::custom(cell("method"), crate::method::Family::JEST)
                    .map_err(|m| format!("line {line}: column `method`: {m}"))?
            }
        };
        let f: f64 = cell("filter_ratio")
            .parse()
            .ok()
            .filter(|f: &f64| (0.0..1.0).contains(f))
            .ok_or_else(|| bad("filter_ratio", "expected a number in [0, 1)"))?;
        let seed: u64 = cell("seed")
            .parse()
            .map_err(|_| bad("seed", "expected a non-negative whole number"))?;
        let step: usize = cell("step")
            .parse()
            .map_err(|_| bad("step", "expected a non-negative whole number"))?;
        let score: f64 = cell("eval_score")
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite())
            .ok_or_else(|| bad("eval_score", "expected a finite number"))?;
        let optional_u64 = |name: &str| -> Result<u64, String> {
            match cell(name) {
                "" => Ok(0),
                s => s
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite() && *x >= 0.0 && *x < 1.8e19)
                    .map(|x| x.round() as u64)
                    .ok_or_else(|| bad(name, "expected a non-negative number")),
            }
        };
        let seconds = match cell("seconds") {
            "" => 0.0,
            s => s
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .ok_or_else(|| bad("seconds", "expected a non-negative number"))?,
        };
        let setting = cell("setting").to_string();
        for kv in setting.split(';').filter(|kv| !kv.is_empty()) {
            if !kv.contains('=') || kv.starts_with("train.selector") {
                return Err(bad(
                    "setting",
                    "expected key=value pairs joined by `;` (not the selector)",
                ));
            }
        }
        let point = Point {
            line,
            step,
            score,
            flops: optional_u64("flops")?,
            seconds,
            batch: optional_u64("batch_size")? as usize,
            super_batch: optional_u64("super_batch")? as usize,
        };
        let f_key = if method == Method::UNIFORM {
            String::new()
        } else {
            format!("{f}")
        };
        runs.entry((experiment, method, f_key, setting, seed))
            .or_default()
            .push(point);
    }
    // The ratios each (experiment, setting) was filtered at: uniform's copies.
    let mut ratios: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for (exp, method, f, setting, _) in runs.keys() {
        if *method != Method::UNIFORM {
            ratios
                .entry((exp.clone(), setting.clone()))
                .or_default()
                .insert(f.clone());
        }
    }
    // Every selector is compared with uniform in its experiment and setting:
    // without uniform's runs there a report would compare nothing, silently.
    let with_uniform: BTreeSet<(&str, &str)> = runs
        .keys()
        .filter(|k| k.1 == Method::UNIFORM)
        .map(|k| (k.0.as_str(), k.3.as_str()))
        .collect();
    if let Some(((exp, method, _, setting, _), points)) = runs.iter().find(|(k, _)| {
        k.1 != Method::UNIFORM && !with_uniform.contains(&(k.0.as_str(), k.3.as_str()))
    }) {
        let within = if setting.is_empty() {
            String::new()
        } else {
            format!(" in setting `{setting}`")
        };
        return Err(format!(
            "line {}: experiment `{exp}` has runs of `{method}`{within} but none of `uniform`, the baseline every selector is compared with: log uniform's runs too",
            points[0].line
        ));
    }
    let mut rows = Vec::new();
    for ((exp, method, f, setting, seed), mut points) in runs {
        points.sort_by_key(|p| p.step);
        if let Some(w) = points.windows(2).find(|w| w[0].step == w[1].step) {
            return Err(format!(
                "line {}: run ({exp}, {method}, f = {}, seed {seed}{}) has step {} twice (first on line {})",
                w[1].line,
                if f.is_empty() { "0" } else { &f },
                if setting.is_empty() { String::new() } else { format!(", {setting}") },
                w[1].step,
                w[0].line
            ));
        }
        let fs: Vec<String> = if method == Method::UNIFORM {
            let known = ratios.get(&(exp.clone(), setting.clone()));
            match known {
                Some(set) => set.iter().cloned().collect(),
                None => vec![String::new()],
            }
        } else {
            vec![f.clone()]
        };
        for f in fs {
            let mut sweep: Vec<String> = Vec::new();
            sweep.push(format!("train.selector={}", method.as_str()));
            if !f.is_empty() {
                sweep.push(format!("train.filter_ratio={f}"));
            }
            sweep.extend(
                setting
                    .split(';')
                    .filter(|s| !s.is_empty())
                    .map(String::from),
            );
            let sweep = sweep.join(";");
            let hash = crate::names::config_hash(&(&exp, method.as_str(), &sweep));
            for p in &points {
                rows.push(Row::new(JestRow {
                    common: Common {
                        experiment: exp.clone(),
                        run_id: format!("{hash}-s{seed}"),
                        config_hash: hash.clone(),
                        seed,
                        method,
                        batch_size: p.batch,
                        sweep: sweep.clone(),
                        step: p.step,
                        flops_train: p.flops,
                        train_seconds: p.seconds,
                        eval_score: Some(p.score),
                        status: RunStatus::Complete,
                        device: "external".into(),
                        ..Common::default()
                    },
                    filter_ratio: if method == Method::UNIFORM {
                        0.0
                    } else {
                        f.parse().unwrap_or(0.0)
                    },
                    super_batch: p.super_batch,
                    reference_quality: 1.0,
                    score_resolution: 1,
                    low_resolution: 1,
                    flops_paper: p.flops,
                    ..JestRow::default()
                }));
            }
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "experiment,method,filter_ratio,seed,step,eval_score\n";

    #[test]
    fn uniform_is_the_baseline_of_every_ratio_and_runs_get_ids() {
        let mut t = HEAD.to_string();
        for seed in 0..2 {
            for step in [0, 10, 20] {
                t += &format!("ext,uniform,0,{seed},{step},0.{}\n", step / 10 + 1);
                t += &format!("ext,jest,0.5,{seed},{step},0.{}\n", step / 10 + 2);
                t += &format!("ext,jest,0.8,{seed},{step},0.{}\n", step / 10 + 3);
            }
        }
        let rows = parse(&t).unwrap();
        // Uniform read once per ratio: 2 seeds × 3 steps × (2 + 2) cells.
        assert_eq!(rows.len(), 24);
        let sweeps: BTreeSet<&str> = rows.iter().map(|r| r.common().sweep.as_str()).collect();
        assert!(sweeps.contains("train.selector=uniform;train.filter_ratio=0.8"));
        assert!(sweeps.contains("train.selector=jest;train.filter_ratio=0.5"));
        let ids: BTreeSet<&str> = rows.iter().map(|r| r.common().run_id.as_str()).collect();
        assert_eq!(ids.len(), 8);
        assert!(rows.iter().all(|r| r
            .get::<JestRow>()
            .is_some_and(|j| j.flops_paper == 0 && j.common.status == RunStatus::Complete)));
    }

    #[test]
    fn a_selector_of_the_tools_own_is_a_method_after_the_built_in_ones() {
        let mut t = HEAD.to_string();
        for step in [0, 10] {
            t += &format!("ext,uniform,0,0,{step},0.1\n");
            t += &format!("ext,my_selector,0.8,0,{step},0.2\n");
            t += &format!("ext,jest,0.8,0,{step},0.3\n");
        }
        let rows = parse(&t).unwrap();
        let mine = rows
            .iter()
            .map(|r| r.common().method)
            .find(|m| m.as_str() == "my_selector")
            .unwrap();
        assert!(mine.is_custom() && mine > Method::ORACLE);
        assert_eq!(Method::custom("my_selector", mine.family()), Ok(mine));
        // Among themselves, by name, whichever was read first.
        let later = Method::custom("a_later_one", mine.family()).unwrap();
        assert!(later < mine && later.is_custom() && later > Method::ORACLE);
        // Uniform is still every ratio's baseline.
        assert!(rows
            .iter()
            .any(|r| r.common().sweep == "train.selector=uniform;train.filter_ratio=0.8"));
    }

    #[test]
    fn bad_cells_are_named_by_line_column_and_value() {
        for (body, want) in [
            ("ext,s g d,0.5,0,10,0.5\n", "line 2: column `method`"),
            (
                "ext,jest,1.5,0,10,0.5\n",
                "line 2: column `filter_ratio`: expected a number in [0, 1), found \"1.5\"",
            ),
            ("ext,jest,0.5,-1,10,0.5\n", "line 2: column `seed`"),
            (
                "ext,jest,0.5,0,10,nan\n",
                "line 2: column `eval_score`: expected a finite number",
            ),
            (
                "ext,uniform,0,0,10,0.5\next,jest,0.5,0,10,0.5\next,jest,0.5,0,10,0.6\n",
                "line 4: run (ext, jest, f = 0.5, seed 0) has step 10 twice",
            ),
            (
                "ext,uniform,0,0,10,0.5\nother,my_sel,0.5,0,10,0.5\n",
                "line 3: experiment `other` has runs of `my_sel` but none of `uniform`",
            ),
        ] {
            let e = parse(&format!("{HEAD}{body}")).unwrap_err();
            assert!(e.contains(want), "{body}: {e}");
        }
        // Runs are compared within a setting: uniform in another is no baseline.
        let e = parse(
            "experiment,method,filter_ratio,seed,step,eval_score,setting\next,uniform,0,0,10,0.5,k=a\next,jest,0.5,0,10,0.5,k=b\n",
        )
        .unwrap_err();
        assert!(
            e.contains("line 3: experiment `ext` has runs of `jest` in setting `k=b` but none of `uniform`"),
            "{e}"
        );
        let e = parse(&format!("{HEAD}bad name,jest,0.5,0,10,0.5\n")).unwrap_err();
        assert!(e.contains("line 2: column `experiment`"), "{e}");
        let e = parse(
            "experiment,method,filter_ratio,seed,step,eval_score,lr\next,jest,0.5,0,1,0.5,0.1\n",
        )
        .unwrap_err();
        assert!(
            e.contains("column `lr` is not in the minimal results schema"),
            "{e}"
        );
    }
}
