//! Joins shard folders into one results folder, after checking that every shard is
//! there once, every expected run is present exactly once and complete, and each
//! run's rows share one configuration.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::plan::{ShardManifest, MANIFEST};
use super::RunError;
use crate::log::{self, Row, Schemas};

/// What a merge joined.
#[derive(Clone, Debug, PartialEq)]
pub struct Merged {
    pub experiment: String,
    pub sweep_hash: String,
    pub shards: usize,
    pub runs: usize,
    pub rows: usize,
}

fn read_manifest(dir: &Path) -> Result<ShardManifest, RunError> {
    let p = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&p).map_err(|e| {
        RunError::Merge(format!(
            "{}: not a shard folder ({MANIFEST}: {e})",
            dir.display()
        ))
    })?;
    serde_yaml::from_str(&text).map_err(|e| RunError::Merge(format!("{}: {e}", p.display())))
}

/// Checks the shard folders and writes the merged results tables into `out` (which must not hold them yet). Every problem found is listed.
pub fn merge(shard_dirs: &[PathBuf], out: &Path, schemas: Schemas) -> Result<Merged, RunError> {
    // The output folder's lock, as `run` takes it: a second merge (or a run) into
    // the same folder is refused instead of racing this one.
    let _lock = log::lock(out)?;
    let manifests: Vec<(PathBuf, ShardManifest)> = shard_dirs
        .iter()
        .map(|d| Ok((d.clone(), read_manifest(d)?)))
        .collect::<Result<_, RunError>>()?;
    let Some((first_dir, first)) = manifests.first().cloned() else {
        return Err(RunError::Merge("no shard folders given".into()));
    };
    let mut problems = Vec::new();
    for (d, m) in &manifests {
        if (m.experiment.as_str(), m.sweep_hash.as_str(), m.shards)
            != (
                first.experiment.as_str(),
                first.sweep_hash.as_str(),
                first.shards,
            )
        {
            problems.push(format!(
                "{} is shard {}/{} of `{}` (sweep {}), but {} is of `{}` (sweep {}, {} shards)",
                d.display(),
                m.shard,
                m.shards,
                m.experiment,
                m.sweep_hash,
                first_dir.display(),
                first.experiment,
                first.sweep_hash,
                first.shards
            ));
        }
    }
    let mut seen: BTreeMap<usize, &PathBuf> = BTreeMap::new();
    for (d, m) in &manifests {
        if let Some(prev) = seen.insert(m.shard, d) {
            problems.push(format!(
                "shard {} is given twice: {} and {}",
                m.shard,
                prev.display(),
                d.display()
            ));
        }
    }
    let missing_shards: Vec<String> = (0..first.shards)
        .filter(|i| !seen.contains_key(i))
        .map(|i| i.to_string())
        .collect();
    if !missing_shards.is_empty() {
        problems.push(format!(
            "missing shards: {} (of {})",
            missing_shards.join(", "),
            first.shards
        ));
    }
    // Every expected run present exactly once, complete.
    let mut rows: Vec<Row> = Vec::new();
    let mut summaries: Vec<Row> = Vec::new();
    let mut owner: BTreeMap<String, PathBuf> = BTreeMap::new();
    let (mut missing, mut duplicated) = (Vec::new(), Vec::new());
    for (d, m) in &manifests {
        if log::is_being_written(d) {
            problems.push(format!(
                "{}: a run is still writing into it (it holds {})",
                d.display(),
                log::LOCK_FILE
            ));
        }
        // A run is there when its run row is and its evaluations end with it.
        let folder = log::read_folder(d, schemas)?;
        for i in &folder.incomplete {
            problems.push(format!("{}: run {i}", d.display()));
        }
        let (summary, results) = (folder.summaries, folder.rows);
        let done: BTreeSet<&str> = summary.iter().map(|r| r.common().run_id.as_str()).collect();
        for id in &m.runs {
            if !done.contains(id.as_str()) {
                missing.push(format!("{id} (shard {}, {})", m.shard, d.display()));
            }
        }
        for s in &summary {
            if let Some(prev) = owner.insert(s.common().run_id.clone(), d.clone()) {
                duplicated.push(format!(
                    "{} (in {} and {})",
                    s.common().run_id,
                    prev.display(),
                    d.display()
                ));
            }
            if !m.runs.contains(&s.common().run_id) {
                problems.push(format!(
                    "{}: run {} does not belong to shard {}",
                    d.display(),
                    s.common().run_id,
                    m.shard
                ));
            }
        }
        rows.extend(
            results
                .into_iter()
                .filter(|r| done.contains(r.common().run_id.as_str())),
        );
        summaries.extend(summary);
    }
    if !missing.is_empty() {
        problems.push(format!(
            "{} expected runs are missing or incomplete: {}",
            missing.len(),
            missing.join(", ")
        ));
    }
    if !duplicated.is_empty() {
        problems.push(format!(
            "{} runs appear in two shards: {}",
            duplicated.len(),
            duplicated.join(", ")
        ));
    }
    if summaries.len() != first.total_runs && problems.is_empty() {
        problems.push(format!(
            "the shards hold {} runs, the sweep has {}",
            summaries.len(),
            first.total_runs
        ));
    }
    // One configuration per run id, one row per (run, step).
    let mut hash: BTreeMap<&str, &str> = BTreeMap::new();
    let mut steps = BTreeSet::new();
    for r in &rows {
        if *hash
            .entry(&r.common().run_id)
            .or_insert(&r.common().config_hash)
            != r.common().config_hash
        {
            problems.push(format!(
                "run {} has rows of two configurations",
                r.common().run_id
            ));
        }
        if !steps.insert((r.common().run_id.clone(), r.common().step)) {
            problems.push(format!(
                "run {} has two rows for step {}",
                r.common().run_id,
                r.common().step
            ));
        }
    }
    if !problems.is_empty() {
        return Err(RunError::Merge(format!(
            "cannot merge:\n  - {}",
            problems.join("\n  - ")
        )));
    }
    rows.sort_by(|a, b| {
        (&a.common().run_id, a.common().step).cmp(&(&b.common().run_id, b.common().step))
    });
    summaries.sort_by(|a, b| a.common().run_id.cmp(&b.common().run_id));
    if log::layout_of(out)?.is_some() {
        return Err(RunError::Merge(format!(
            "{}: already holds results; merge into an empty folder",
            out.display()
        )));
    }
    log::write_folder(out, &rows, &summaries)?;
    Ok(Merged {
        experiment: first.experiment,
        sweep_hash: first.sweep_hash,
        shards: first.shards,
        runs: summaries.len(),
        rows: rows.len(),
    })
}
