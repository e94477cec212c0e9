//! How JEST's rows lie on disk: [`SCHEMA`] (which columns are kept once per run,
//! which older files lack, the selectors' methods, and other tools' minimal
//! schema, `foreign`).

use super::{foreign, JestRow};
use crate::log::{Common, FamilyRow, RowSchema, Schema};
use crate::method::Family;
use crate::select;

/// JEST rows on disk.
pub static SCHEMA: RowSchema<JestRow> = RowSchema::new(
    Family::JEST,
    // Configured, and the reference trained, once per run.
    &[
        "scoring",
        "filter_ratio",
        "super_batch",
        "n_chunks",
        "gain",
        "reference_quality",
        "score_resolution",
        "low_resolution",
        "low_res_share",
        "reference_score",
        "reference_step",
        "reference_seconds",
        "flops_reference_training",
        "flops_reference_embedding",
        "world",
        "dataset_seed",
        "reference_seed",
    ],
    // Added after the first files were written.
    &[
        "selected_head",
        "selected_torso",
        "selected_tail",
        "superbatch_head",
        "superbatch_torso",
        "superbatch_tail",
        "selected_same_concept",
        "superbatch_same_concept",
        "zero_shot_head",
        "zero_shot_torso",
        "zero_shot_tail",
        "world",
        "dataset_seed",
        "reference_seed",
    ],
    select::methods,
)
.with_foreign(foreign::read_if_foreign);

impl FamilyRow for JestRow {
    fn schema(&self) -> &'static dyn Schema {
        &SCHEMA
    }
    fn common(&self) -> &Common {
        &self.common
    }
    fn common_mut(&mut self) -> &mut Common {
        &mut self.common
    }
    /// Its own timings zeroed, and its selector named as the method is
    /// (`train.selector=independent` in rows from files written before one name
    /// per selector).
    fn mask(&mut self) {
        self.select_seconds = 0.0;
        self.reference_seconds = 0.0;
        let c = &mut self.common;
        c.sweep = c
            .sweep
            .split(';')
            .map(|kv| match kv {
                "train.selector=independent" => format!("train.selector={}", c.method.as_str()),
                _ => kv.to_string(),
            })
            .collect::<Vec<_>>()
            .join(";");
    }
    /// A step trains a batch and scores a super-batch.
    fn work_per_step(&self) -> u64 {
        (self.common.batch_size + self.super_batch) as u64
    }
}
