//! Which runs to do: every (cell, seed) of an experiment, or one cost-balanced shard
//! of them (with the manifest its folder carries), or a chosen few by id, less the
//! ones a results folder already holds.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::shard::{partition, Shard};
use super::RunError;
use crate::data::files;
use crate::experiment::{Cell, Experiment, Level, Run};
use crate::flops::ModelCost;
use crate::model::Layout;
use crate::train::iteration_cost;

/// The manifest a shard folder carries.
pub const MANIFEST: &str = "shard.yaml";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardManifest {
    pub experiment: String,
    /// Identifies the whole run set (all shards of one sweep share it).
    pub sweep_hash: String,
    pub shard: usize,
    pub shards: usize,
    /// Every run of the sweep, and this shard's.
    pub total_runs: usize,
    pub runs: Vec<String>,
}

/// `results/<name>`, or `results/<name>/shard-I-of-N` for a shard.
pub fn default_results_dir(name: &str, shard: Option<Shard>) -> PathBuf {
    let dir = PathBuf::from("results").join(name);
    match shard {
        Some(s) => dir.join(format!("shard-{}-of-{}", s.index, s.count)),
        None => dir,
    }
}

/// Rows and view widths of each distinct dataset, read once (files are loaded to
/// learn them).
#[derive(Default)]
pub struct Widths(BTreeMap<String, (usize, usize, usize)>);

impl Widths {
    fn of(&mut self, exp: &Experiment, cell: &Cell) -> Result<(usize, usize), RunError> {
        let (_, a, b) = self.rows_and_widths(exp, &cell.config)?;
        Ok((a, b))
    }

    /// (items, width A, width B) of a cell's dataset (synthetic: the pool).
    pub fn rows_and_widths(
        &mut self,
        exp: &Experiment,
        c: &crate::experiment::RunConfig,
    ) -> Result<(usize, usize, usize), RunError> {
        let d = &c.dataset;
        let key = serde_yaml::to_string(d).expect("specs serialise");
        if let Some(w) = self.0.get(&key) {
            return Ok(*w);
        }
        let w = match (&d.synthetic, &d.files, &d.text) {
            (Some(s), _, _) => (d.pool.unwrap_or(s.pool), s.dim_a, s.dim_b),
            (None, None, Some(t)) => {
                let rows =
                    crate::data::text_pairs::count_rows(t, &exp.base_dir).map_err(|source| {
                        RunError::Data {
                            experiment: exp.path.clone(),
                            source,
                        }
                    })?;
                (rows, t.a.dim, t.b.dim)
            }
            (None, Some(f), _) => {
                let (pairs, _) =
                    files::load_pairs(f, &exp.base_dir).map_err(|source| RunError::Data {
                        experiment: exp.path.clone(),
                        source,
                    })?;
                // A feature that never varies carries nothing, and a view whose
                // features all stay put trains to chance: say which, once.
                for (key, path, view) in [
                    ("dataset.files.a", &f.a, &pairs.a),
                    ("dataset.files.b", &f.b, &pairs.b),
                ] {
                    if let Some(w) = files::constant_columns_warning(view) {
                        eprintln!(
                            "warning: {}: {key} ({}): {w}",
                            exp.path.display(),
                            path.display()
                        );
                    }
                }
                (pairs.len(), pairs.a.cols, pairs.b.cols)
            }
            (None, None, None) => unreachable!("validated: one source"),
        };
        self.0.insert(key, w);
        Ok(w)
    }
}

/// Executed FLOPs of one run of `cell` (learner towers and pairs; evaluation and the
/// reference aside), for cost estimates.
pub fn run_flops(exp: &Experiment, cell: &Cell, widths: &mut Widths) -> Result<f64, RunError> {
    let c = &cell.config;
    let (dim_a, dim_b) = widths.of(exp, cell)?;
    let model = ModelCost::of(&Layout::new(&c.model, dim_a, dim_b));
    let cost = iteration_cost(&model, &c.train);
    // In floating point: a product of counts never wraps around to a small cost.
    Ok(cost.executed() as f64 * c.train.steps as f64)
}

/// Hash of the sorted run ids: the identity of a sweep's run set.
pub fn sweep_hash<T>(runs: &[Run<T>]) -> String {
    let ids: BTreeSet<String> = runs.iter().map(|r| r.id()).collect();
    let d = Sha256::digest(ids.into_iter().collect::<Vec<_>>().join("\n").as_bytes());
    d[..6].iter().map(|b| format!("{b:02x}")).collect()
}

/// The runs of `shard`, and its manifest.
pub fn shard_runs(
    exp: &Experiment,
    shard: Shard,
) -> Result<(Vec<Run<'_>>, ShardManifest), RunError> {
    let runs = exp.runs();
    let mut widths = Widths::default();
    let costed: Vec<(String, f64)> = runs
        .iter()
        .map(|r| Ok((r.id(), run_flops(exp, r.cell, &mut widths)?)))
        .collect::<Result<_, RunError>>()?;
    let parts = partition(&costed, shard.count);
    let mine: Vec<Run> = parts[shard.index]
        .iter()
        .map(|&i| runs[i].clone())
        .collect();
    let manifest = ShardManifest {
        experiment: exp.name.clone(),
        sweep_hash: sweep_hash(&runs),
        shard: shard.index,
        shards: shard.count,
        total_runs: runs.len(),
        runs: mine.iter().map(|r| r.id()).collect(),
    };
    Ok((mine, manifest))
}

/// Writes the manifest into a shard folder, refusing a folder of another shard.
pub fn write_manifest(dir: &Path, m: &ShardManifest) -> Result<(), RunError> {
    let path = dir.join(MANIFEST);
    let io = |source| RunError::Io {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    if let Ok(text) = std::fs::read_to_string(&path) {
        let old: ShardManifest = serde_yaml::from_str(&text)
            .map_err(|e| RunError::Folder(format!("{}: {e}", path.display())))?;
        if old != *m {
            return Err(RunError::Folder(format!(
                "{}: this folder holds shard {}/{} of `{}` (sweep {}), not shard {}/{} of `{}` (sweep {}); pass another --out",
                dir.display(), old.shard, old.shards, old.experiment, old.sweep_hash, m.shard, m.shards, m.experiment, m.sweep_hash
            )));
        }
    }
    std::fs::write(
        &path,
        serde_yaml::to_string(m).expect("manifests serialise"),
    )
    .map_err(io)
}

/// What `validate` shows of a sweep before it runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Overview {
    pub name: String,
    /// What the family's runs compare, where the count alone does not say.
    pub what: Option<&'static str>,
    /// The worlds the seeds draw, where the file draws them (`replicates`).
    pub replicates: Option<String>,
    pub cells: usize,
    pub seeds: usize,
    /// Extra seeds, and how many cells run them.
    pub extra: Option<(usize, usize)>,
    pub runs: usize,
    /// Each cell's swept keys and values.
    pub labels: Vec<Vec<(String, String)>>,
    /// Per cell and in total, where the family estimates them.
    pub costs: Option<Costs>,
}

/// What a sweep's runs cost, per cell and in all.
#[derive(Clone, Debug, PartialEq)]
pub struct Costs {
    pub cells: Vec<CellCost>,
    pub total_steps: u64,
    /// Executed FLOPs of every run (learner towers and pair work; evaluation and
    /// the reference aside).
    pub total_flops: u64,
    /// Shared data and references plus `jobs` runs side by side, the worst cell's.
    pub peak_memory: f64,
}

/// One cell's run: its steps, batch sizes, FLOPs and memory.
#[derive(Clone, Debug, PartialEq)]
pub struct CellCost {
    pub steps: usize,
    pub batch_size: usize,
    pub super_batch: usize,
    pub flops: u64,
    /// Shared data and reference plus one run.
    pub memory: f64,
}

impl Overview {
    /// The runs of `exp`, without costs.
    pub fn of<T>(exp: &Experiment<T>) -> Overview {
        Overview {
            name: exp.name.clone(),
            what: None,
            cells: exp.cells.len(),
            seeds: exp.seeds.len(),
            extra: (!exp.extra_seeds.is_empty()).then(|| {
                (
                    exp.extra_seeds.len(),
                    exp.extra_cells.iter().filter(|&&x| x).count(),
                )
            }),
            runs: exp.runs().len(),
            replicates: exp.replicates.as_ref().map(|r| {
                let what = match (r.varies(Level::Data), r.varies(Level::Reference)) {
                    (true, _) => "its own data and reference",
                    (false, true) => "the file's data, its own reference",
                    (false, false) => "the file's data and reference",
                };
                format!(
                    "{} worlds × {} learners, each world {what} (replicates.seed {})",
                    r.worlds, r.learners_per_world, r.seed
                )
            }),
            labels: exp.cells.iter().map(|c| c.swept.clone()).collect(),
            costs: None,
        }
    }
}
