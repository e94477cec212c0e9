//! Results rows in memory: the columns every run logs ([`Common`]) and a family's
//! own, in a [`Row`] that holds a row of any family ([`FamilyRow`], whose type
//! the family defines in its own module; `log` names none). On disk a family's
//! columns are laid out by its [`Schema`](super::Schema).

use std::any::Any;
use std::fmt::Debug;

use serde::{Deserialize, Serialize};

use csv::StringRecord;

use crate::method::{Family, Method};

pub const HARNESS_VERSION: &str = env!("CARGO_PKG_VERSION");
pub const GIT_COMMIT: &str = env!("JESTBENCH_GIT_COMMIT");

/// Where a run stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    #[default]
    Running,
    Complete,
    /// The loss became NaN or infinite at this record's step.
    Diverged,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Complete => "complete",
            RunStatus::Diverged => "diverged",
        }
    }
}

/// The columns every run logs, whatever its family.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Common<M = Method> {
    pub experiment: String,
    pub run_id: String,
    pub config_hash: String,
    pub seed: u64,
    /// The selector (jest family) or the fitting method (swim family).
    pub method: M,
    /// Examples per step (swim: Adam's minibatch; 0 for sampled networks).
    pub batch_size: usize,
    /// The swept keys and this run's values, `key=value;...`.
    pub sweep: String,
    /// The evaluation point: a training step (jest), an epoch (swim's Adam), 0.
    pub step: usize,
    pub examples_trained: u64,
    pub flops_train: u64,
    pub train_seconds: f64,
    pub eval_seconds: f64,
    pub train_loss: Option<f64>,
    pub eval_loss: Option<f64>,
    /// The headline metric of the family (jest: zero-shot accuracy).
    pub eval_score: Option<f64>,
    /// What `eval_score` measures: `zero_shot_accuracy` (jest), `accuracy` or
    /// `rel_l2_error` (swim). Empty in files written before it existed.
    #[serde(default)]
    pub eval_metric: String,
    pub status: RunStatus,
    pub device: String,
    pub harness_version: String,
    pub git_commit: String,
}

impl Common<String> {
    /// The columns with the method resolved (`find` knows the family's methods).
    pub(super) fn resolve(self, method: Method) -> Common {
        Common {
            experiment: self.experiment,
            run_id: self.run_id,
            config_hash: self.config_hash,
            seed: self.seed,
            method,
            batch_size: self.batch_size,
            sweep: self.sweep,
            step: self.step,
            examples_trained: self.examples_trained,
            flops_train: self.flops_train,
            train_seconds: self.train_seconds,
            eval_seconds: self.eval_seconds,
            train_loss: self.train_loss,
            eval_loss: self.eval_loss,
            eval_score: self.eval_score,
            eval_metric: self.eval_metric,
            status: self.status,
            device: self.device,
            harness_version: self.harness_version,
            git_commit: self.git_commit,
        }
    }
}

/// The schemas a reader knows (a row of another family is refused, by name).
pub type Schemas<'a> = &'a [&'static dyn Schema];

/// A family's columns and how its rows read back.
pub trait Schema: Sync {
    fn family(&self) -> Family;
    /// Its own columns (beyond [`common_columns`]), in the order it writes them.
    fn columns(&self) -> &[String];
    /// Those of its own columns that are the same on every evaluation of a run (a
    /// run is configured once): results keep them once per run, in runs.csv.
    fn run_columns(&self) -> &'static [&'static str];
    /// Its own columns that files written before they existed lack (their cells
    /// read as empty).
    fn optional_columns(&self) -> &'static [&'static str];
    /// Every method its rows may name, in table order.
    fn methods(&self) -> Vec<Method>;
    /// Its row of `common` and its own cells (in [`Schema::columns`]' order).
    fn read(&self, common: Common, own: &StringRecord) -> Result<Row, String>;
    /// The own cells of a row with no values (a column of another family in an
    /// old file holds these).
    fn empty(&self) -> &StringRecord;
    /// Reads a file in a minimal schema of other tools that this family accepts
    /// (`None`: the header is not one).
    fn foreign(&self, _header: &[String], _text: &str) -> Option<Result<Vec<Row>, String>> {
        None
    }
}

/// A family's row type: the common columns, and its own as the fields serde
/// writes (the common ones `#[serde(skip)]`: their columns are laid out apart).
/// Its family's [`Schema`](super::Schema) reads it back.
pub trait FamilyRow: Serialize + Clone + Debug + PartialEq + Send + Sync + 'static {
    /// Its family's schema (how its rows are laid out and read back).
    fn schema(&self) -> &'static dyn Schema;
    fn common(&self) -> &Common;
    fn common_mut(&mut self) -> &mut Common;
    /// Clears what may differ between two runs of the same configuration and seed
    /// beyond the common timings and provenance (which the core clears): the
    /// family's own timing columns, names older files spelled otherwise.
    fn mask(&mut self) {}
    /// Examples a step of this run handles (what `reproduce --cheapest` ranks
    /// runs by, with their steps).
    fn work_per_step(&self) -> u64 {
        self.common().batch_size as u64
    }
}

/// What [`Row`] keeps of a [`FamilyRow`] (object-safe).
trait Erased: Debug + Send + Sync {
    fn schema(&self) -> &'static dyn Schema;
    fn common(&self) -> &Common;
    fn common_mut(&mut self) -> &mut Common;
    fn mask(&mut self);
    fn work_per_step(&self) -> u64;
    fn own_record(&self) -> csv::StringRecord;
    fn clone_box(&self) -> Box<dyn Erased>;
    fn eq_dyn(&self, other: &dyn Erased) -> bool;
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

impl<R: FamilyRow> Erased for R {
    fn schema(&self) -> &'static dyn Schema {
        FamilyRow::schema(self)
    }
    fn common(&self) -> &Common {
        FamilyRow::common(self)
    }
    fn common_mut(&mut self) -> &mut Common {
        FamilyRow::common_mut(self)
    }
    fn mask(&mut self) {
        FamilyRow::mask(self)
    }
    fn work_per_step(&self) -> u64 {
        FamilyRow::work_per_step(self)
    }
    fn own_record(&self) -> csv::StringRecord {
        super::records::record_of(self)
    }
    fn clone_box(&self) -> Box<dyn Erased> {
        Box::new(self.clone())
    }
    fn eq_dyn(&self, other: &dyn Erased) -> bool {
        other.as_any().downcast_ref::<R>() == Some(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// One row of results (a run at an evaluation point), of any family.
#[derive(Debug)]
pub struct Row(Box<dyn Erased>);

impl Clone for Row {
    fn clone(&self) -> Row {
        Row(self.0.clone_box())
    }
}

impl PartialEq for Row {
    fn eq(&self, other: &Row) -> bool {
        self.0.eq_dyn(&*other.0)
    }
}

impl Row {
    pub fn new<R: FamilyRow>(row: R) -> Row {
        Row(Box::new(row))
    }

    pub fn family(&self) -> Family {
        self.0.schema().family()
    }

    /// How its family lays its rows out.
    pub fn schema(&self) -> &'static dyn Schema {
        self.0.schema()
    }

    /// The columns every family logs.
    pub fn common(&self) -> &Common {
        self.0.common()
    }

    pub fn common_mut(&mut self) -> &mut Common {
        self.0.common_mut()
    }

    /// The family's row, if it is an `R`.
    pub fn get<R: FamilyRow>(&self) -> Option<&R> {
        self.0.as_any().downcast_ref()
    }

    pub fn get_mut<R: FamilyRow>(&mut self) -> Option<&mut R> {
        self.0.as_any_mut().downcast_mut()
    }

    /// The family's row, if it is an `R`.
    pub fn take<R: FamilyRow>(self) -> Option<R> {
        self.0.into_any().downcast().ok().map(|b| *b)
    }

    /// Examples a step of this run handles.
    pub fn work_per_step(&self) -> u64 {
        self.0.work_per_step()
    }

    /// The family's own cells, in its schema's column order.
    pub(super) fn own_record(&self) -> csv::StringRecord {
        self.0.own_record()
    }

    /// The row with its timing columns (`*_seconds`) zeroed, its provenance
    /// columns (harness version, git commit) cleared, and what its family masks
    /// besides: what must be bit-identical when the same configuration and seed
    /// run again on the CPU.
    pub fn masked(&self) -> Row {
        let mut out = self.clone();
        out.0.mask();
        let c = out.0.common_mut();
        c.train_seconds = 0.0;
        c.eval_seconds = 0.0;
        c.harness_version.clear();
        c.git_commit.clear();
        out
    }
}
