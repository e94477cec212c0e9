//! A family of experiments defined here, outside the crate, with no edit to it:
//! `toy` estimates a target as the running mean of seeded noisy draws. The core
//! parses its files, runs its sweep into a results folder (resuming), reads the
//! folder back, analyses its rows into its own part and writes its report
//! section, given `Families::standard().with(&Toy)`.

use std::collections::BTreeSet;
use std::path::Path;

use jestbench::analysis::Analysis;
use jestbench::experiment::{self, Experiment, ExperimentError};
use jestbench::family::{Families, Room};
use jestbench::log::{self, Common, FamilyRow, ResultsWriter, Row, RowSchema, RunStatus, Schema};
use jestbench::method::{Family, Method};
use jestbench::report::{Block, Part, ReportError};
use jestbench::run::{self, plan::Overview, Options, Progress, RunError, Sweep};
use jestbench::stats::Estimator;
use rand::Rng;
use rand_chacha::rand_core::SeedableRng;
use serde::{Deserialize, Serialize};

const TOY: Family = Family::new("toy");
const RUNNING_MEAN: Method = Method::new(1000, "running_mean", TOY);
const FIRST_DRAW: Method = Method::new(1001, "first_draw", TOY);

/// A run's configuration: the file's `toy` section.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct ToyConfig {
    toy: ToySpec,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct ToySpec {
    target: f64,
    draws: usize,
    every: usize,
    #[serde(default = "running_mean")]
    estimator: String,
}

fn running_mean() -> String {
    "running_mean".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawToy {
    name: String,
    seeds: Vec<u64>,
    #[allow(dead_code)]
    toy: serde_yaml::Value,
    #[serde(default)]
    sweep: serde_yaml::Mapping,
}

fn check(c: &ToyConfig) -> Result<(), (String, String)> {
    let t = &c.toy;
    if t.every == 0 || t.draws == 0 || !t.draws.is_multiple_of(t.every) {
        return Err((
            "toy.every".into(),
            format!("must divide toy.draws ({}) and be positive", t.draws),
        ));
    }
    if !["running_mean", "first_draw"].contains(&t.estimator.as_str()) {
        return Err((
            "toy.estimator".into(),
            format!("`{}`: expected running_mean or first_draw", t.estimator),
        ));
    }
    Ok(())
}

/// What a toy run logs at each evaluation beside the common columns.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct ToyRow {
    #[serde(skip)]
    common: Common,
    /// The run's target (the same on all its rows: kept once per run).
    target: f64,
    estimate: Option<f64>,
    abs_error: Option<f64>,
}

static SCHEMA: RowSchema<ToyRow> =
    RowSchema::new(TOY, &["target"], &[], || vec![RUNNING_MEAN, FIRST_DRAW]);

impl FamilyRow for ToyRow {
    fn schema(&self) -> &'static dyn Schema {
        &SCHEMA
    }
    fn common(&self) -> &Common {
        &self.common
    }
    fn common_mut(&mut self) -> &mut Common {
        &mut self.common
    }
}

/// Its part of an analysis: per (target, method), the seeds' mean final error.
#[derive(Clone, Debug, Default, Serialize)]
struct ToyPart {
    cells: Vec<(f64, String, usize, f64)>,
}

struct ToySweep(Experiment<ToyConfig>);

impl Sweep for ToySweep {
    fn name(&self) -> &str {
        &self.0.name
    }
    fn schema(&self) -> &'static dyn Schema {
        &SCHEMA
    }
    fn run_ids(&self) -> Vec<String> {
        self.0.run_ids()
    }
    fn check(&self, _jobs: usize) -> Result<(), RunError> {
        Ok(())
    }
    fn overview(&self, _jobs: usize) -> Result<Overview, RunError> {
        Ok(Overview::of(&self.0))
    }
    fn execute(
        &self,
        opts: &Options,
        mut writer: ResultsWriter,
        done: &BTreeSet<String>,
        _progress: &dyn Progress,
    ) -> Result<(usize, usize), RunError> {
        let runs = self.0.runs();
        let mut skipped = 0;
        for r in &runs {
            if done.contains(&r.id()) || opts.only.as_ref().is_some_and(|o| !o.contains(&r.id())) {
                skipped += 1;
                continue;
            }
            let t = &r.cell.config.toy;
            let method = if t.estimator == "first_draw" {
                FIRST_DRAW
            } else {
                RUNNING_MEAN
            };
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(r.seed);
            let (mut sum, mut first) = (0.0, None);
            for i in 1..=t.draws {
                let x = t.target + rng.gen_range(-1.0..1.0);
                sum += x;
                first.get_or_insert(x);
                if !i.is_multiple_of(t.every) {
                    continue;
                }
                let estimate = if method == FIRST_DRAW {
                    first.unwrap()
                } else {
                    sum / i as f64
                };
                let row = Row::new(ToyRow {
                    common: Common {
                        experiment: self.0.name.clone(),
                        run_id: r.id(),
                        config_hash: r.cell.config_hash.clone(),
                        seed: r.seed,
                        method,
                        sweep: r.sweep_label(),
                        step: i,
                        eval_score: Some(-(estimate - t.target).abs()),
                        eval_metric: "neg_abs_error".into(),
                        status: if i == t.draws {
                            RunStatus::Complete
                        } else {
                            RunStatus::Running
                        },
                        device: "cpu".into(),
                        ..Common::default()
                    },
                    target: t.target,
                    estimate: Some(estimate),
                    abs_error: Some((estimate - t.target).abs()),
                });
                writer.eval_row(&row)?;
                if i == t.draws {
                    writer.summary_row(&row)?;
                }
            }
        }
        Ok((runs.len(), skipped))
    }
}

struct Toy;

impl Room for Toy {
    type Config = ToyConfig;
    type Row = ToyRow;
    type Part = ToyPart;

    fn schema(&self) -> &'static RowSchema<ToyRow> {
        &SCHEMA
    }
    fn recognises(&self, file: &serde_yaml::Mapping) -> bool {
        file.contains_key("toy")
    }
    fn parse(
        &self,
        source: &str,
        path: &Path,
        max_runs: usize,
    ) -> Result<Experiment<ToyConfig>, ExperimentError> {
        let raw: RawToy = experiment::from_yaml(source, path)?;
        experiment::parse_cells(
            source,
            path,
            (&raw.name, &raw.seeds, max_runs),
            &raw.sweep,
            check,
        )
    }
    fn sweep(&self, exp: Experiment<ToyConfig>) -> Box<dyn Sweep> {
        Box::new(ToySweep(exp))
    }
    fn analyse(&self, rows: Vec<ToyRow>, _: &Estimator, _: bool, _: &mut Analysis) -> ToyPart {
        let last = log::last_rows(&rows.into_iter().map(Row::new).collect::<Vec<_>>());
        let mut cells: Vec<(f64, String, usize, f64)> = Vec::new();
        for r in last.iter().filter_map(|r| r.get::<ToyRow>()) {
            let m = r.common.method.as_str().to_string();
            match cells.iter_mut().find(|c| c.0 == r.target && c.1 == m) {
                Some(c) => {
                    c.3 = (c.3 * c.2 as f64 + r.abs_error.unwrap()) / (c.2 + 1) as f64;
                    c.2 += 1;
                }
                None => cells.push((r.target, m, 1, r.abs_error.unwrap())),
            }
        }
        ToyPart { cells }
    }
    fn report(
        &self,
        own: &ToyPart,
        _: &Analysis,
        _: &Path,
        part: Part,
        body: &mut Vec<Block>,
    ) -> Result<(), ReportError> {
        if part == Part::Detail && !own.cells.is_empty() {
            body.push(Block::Heading(2, "Toy estimates".into()));
            body.push(Block::Table {
                header: vec![
                    "target".into(),
                    "method".into(),
                    "seeds".into(),
                    "mean final |error|".into(),
                ],
                rows: own
                    .cells
                    .iter()
                    .map(|c| {
                        vec![
                            c.0.to_string(),
                            c.1.clone(),
                            c.2.to_string(),
                            format!("{:.4}", c.3),
                        ]
                    })
                    .collect(),
            });
        }
        Ok(())
    }
}

static TOY_FAMILY: Toy = Toy;

const FILE: &str = "\
name: toy_run
seeds: [1, 2, 3]
toy:
  target: 0.5
  draws: 400
  every: 100
sweep:
  toy.target: [0.25, 0.75]
  toy.estimator: [running_mean, first_draw]
";

#[test]
fn a_family_defined_outside_the_crate_runs_resumes_analyses_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("toy.yaml");
    std::fs::write(&file, FILE).unwrap();
    let families = Families::standard().with(&TOY_FAMILY);
    let schemas = families.schemas();

    // The crate alone does not know the family: its files are not toy files.
    assert!(jestbench::family::load(&file, 1000).is_err());
    // Bad input in its section is named with the key.
    std::fs::write(
        dir.path().join("bad.yaml"),
        FILE.replace("every: 100", "every: 7"),
    )
    .unwrap();
    let e = families
        .load(&dir.path().join("bad.yaml"), 1000)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("toy.every"), "{e}");

    let sweep = families.load(&file, 1000).unwrap();
    assert_eq!(sweep.run_ids().len(), 12);
    let out = dir.path().join("results");
    let outcome = run::execute(&*sweep, &Options::new(out.clone()), &run::Quiet).unwrap();
    assert_eq!((outcome.runs, outcome.skipped), (12, 0));
    // Its own evaluations table, its run column in runs.csv, the sweep's keys.
    let evals = std::fs::read_to_string(out.join("evaluations-toy.csv")).unwrap();
    assert!(
        evals.starts_with("run_id,step,") && evals.contains(",estimate,abs_error"),
        "{evals}"
    );
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let header = runs.lines().next().unwrap();
    assert!(
        header.contains("sweep:toy.target") && header.contains(",target,"),
        "{header}"
    );
    assert_eq!(runs.lines().count(), 13);
    // Run again: every run is done; nothing is rerun or duplicated.
    let again = run::execute(&*sweep, &Options::new(out.clone()), &run::Quiet).unwrap();
    assert_eq!(again.skipped, 12);

    let read = log::read_folder(&out, &schemas).unwrap();
    assert_eq!((read.rows.len(), read.summaries.len()), (48, 12));
    assert!(read.rows.iter().all(|r| r.family() == TOY));
    // Readers that do not know the family refuse its table by name.
    let e = log::read_folder(&out, &jestbench::family::schemas())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("evaluations-toy.csv") && e.contains("toy"),
        "{e}"
    );

    let a = families
        .analyse(read.rows, vec![out.clone()], false, &Estimator::CHOSEN)
        .unwrap();
    let part = a.parts.get::<ToyPart>(TOY).unwrap();
    assert_eq!(part.cells.len(), 4);
    // The running mean of 400 draws beats the first draw, at each target.
    for t in [0.25, 0.75] {
        let err = |m: &str| part.cells.iter().find(|c| c.0 == t && c.1 == m).unwrap().3;
        assert!(err("running_mean") < err("first_draw"), "{part:?}");
    }
    let report = dir.path().join("report");
    families.write_report(&a, &report).unwrap();
    let md = std::fs::read_to_string(report.join("report.md")).unwrap();
    assert!(
        md.contains("## Toy estimates") && md.contains("running_mean"),
        "{md}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report.join("analysis.json")).unwrap())
            .unwrap();
    assert_eq!(json["toy"]["cells"].as_array().unwrap().len(), 4);
    assert!(json.get("jest").is_some() && json.get("swim").is_some());
}
