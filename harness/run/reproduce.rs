//! Reruns runs of a results folder from their experiment file and compares the
//! rows, every column but the timing and provenance ones (`log::Row::masked`): the
//! check that committed results come from the committed code, bit for bit.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::{execute, Options, Progress, RunError, Sweep};
use crate::log::{self, Row};

/// Which of the folder's runs to rerun.
#[derive(Clone, Debug, PartialEq)]
pub enum Which {
    All,
    /// The `n` cheapest runs (steps × examples per step), spread over methods.
    Cheapest(usize),
    Ids(BTreeSet<String>),
}

/// What a reproduction found.
#[derive(Clone, Debug, PartialEq)]
pub struct Reproduction {
    pub experiment: String,
    pub runs: Vec<String>,
    pub rows_compared: usize,
    /// One line per differing row or column; empty when everything matched.
    pub differences: Vec<String>,
}

/// Reruns the chosen runs of `results` (a results folder) from `exp`, read from the
/// file `experiment`, into `opts.out` (which must hold no results yet) and compares
/// their rows.
pub fn reproduce(
    results: &Path,
    (exp, experiment): (&dyn Sweep, &Path),
    which: &Which,
    opts: &Options,
    progress: &dyn Progress,
) -> Result<Reproduction, RunError> {
    if log::layout_of(&opts.out)?.is_some() {
        return Err(RunError::Folder(format!(
            "{}: already holds results; reproduce into an empty folder",
            opts.out.display()
        )));
    }
    let read = log::read_folder(results, &[exp.schema()])?;
    let done: BTreeSet<String> = read
        .summaries
        .iter()
        .map(|r| r.common().run_id.clone())
        .collect();
    let (committed, absent) = (read.rows, read.absent_columns);
    let runs = pick(&committed, &done, which);
    if runs.is_empty() {
        return Err(RunError::Folder(format!(
            "{}: no complete runs to reproduce",
            results.display()
        )));
    }
    let known: BTreeSet<String> = exp.run_ids().into_iter().collect();
    let unknown: Vec<&String> = runs.iter().filter(|id| !known.contains(*id)).collect();
    if !unknown.is_empty() {
        return Err(RunError::Folder(format!(
            "{} holds runs that {} does not define ({}): the file changed since these results were written",
            results.display(),
            experiment.display(),
            unknown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        )));
    }
    let mut o = opts.clone();
    o.only = Some(runs.iter().cloned().collect());
    let outcome = execute(exp, &o, progress)?;
    let fresh = log::read_folder(&opts.out, &[exp.schema()])?.rows;
    let key = |r: &Row| (r.common().run_id.clone(), r.common().step);
    let mine: BTreeMap<(String, usize), &Row> = committed
        .iter()
        .filter(|r| runs.contains(&r.common().run_id))
        .map(|r| (key(r), r))
        .collect();
    let theirs: BTreeMap<(String, usize), &Row> = fresh.iter().map(|r| (key(r), r)).collect();
    let mut differences = Vec::new();
    for (k, a) in &mine {
        match theirs.get(k) {
            None => differences.push(format!("run {} step {}: not rerun", k.0, k.1)),
            Some(b) => differences.extend(
                column_differences(&a.masked(), &b.masked(), &absent)
                    .into_iter()
                    .map(|d| format!("run {} step {}: {d}", k.0, k.1)),
            ),
        }
    }
    for k in theirs.keys().filter(|k| !mine.contains_key(*k)) {
        differences.push(format!(
            "run {} step {}: rerun has a row the results lack",
            k.0, k.1
        ));
    }
    Ok(Reproduction {
        experiment: outcome.experiment,
        runs,
        rows_compared: mine.len(),
        differences,
    })
}

/// The run ids to rerun, in order.
fn pick(rows: &[Row], done: &BTreeSet<String>, which: &Which) -> Vec<String> {
    let mut last: BTreeMap<&str, &Row> = BTreeMap::new();
    for r in rows.iter().filter(|r| done.contains(&r.common().run_id)) {
        let e = last.entry(&r.common().run_id).or_insert(r);
        if r.common().step > e.common().step {
            *e = r;
        }
    }
    match which {
        Which::All => last.keys().map(|s| s.to_string()).collect(),
        Which::Ids(ids) => ids
            .iter()
            .filter(|i| last.contains_key(i.as_str()))
            .cloned()
            .collect(),
        Which::Cheapest(n) => {
            // Cheapest first within each method, then round-robin over methods.
            let mut by_method: BTreeMap<_, Vec<(u64, &str)>> = BTreeMap::new();
            for (id, r) in &last {
                let per_step = r.work_per_step();
                by_method
                    .entry(r.common().method)
                    .or_default()
                    .push((r.common().step as u64 * per_step.max(1), id));
            }
            for v in by_method.values_mut() {
                v.sort();
            }
            let mut out = Vec::new();
            let mut k = 0;
            while out.len() < *n && by_method.values().any(|v| k < v.len()) {
                for v in by_method.values() {
                    if let Some((_, id)) = v.get(k) {
                        if out.len() < *n {
                            out.push(id.to_string());
                        }
                    }
                }
                k += 1;
            }
            out
        }
    }
}

/// `column: a ≠ b` for each column where two rows' CSV cells differ (but for the
/// `absent` columns, which the committed file predates).
fn column_differences(a: &Row, b: &Row, absent: &[String]) -> Vec<String> {
    log::named_cells(a)
        .into_iter()
        .zip(log::named_cells(b))
        .filter(|((n, x), (_, y))| x != y && !absent.contains(n))
        .map(|((n, x), (_, y))| format!("{n}: {x} ≠ {y}"))
        .collect()
}
