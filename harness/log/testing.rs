//! Two families of rows for the tests of `log` (which names none of the crate's):
//! `alpha`, with columns kept once per run and one that older files lack, and
//! `beta`, whose columns all vary per evaluation.

use serde::{Deserialize, Serialize};

use super::{Common, FamilyRow, Row, RowSchema, RunStatus, Schema};
use crate::method::{Family, Method};

pub const ALPHA: Family = Family::new("alpha");
pub const BETA: Family = Family::new("beta");
pub const A_FIT: Method = Method::new(900, "a_fit", ALPHA);
pub const B_FIT: Method = Method::new(901, "b_fit", BETA);

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AlphaRow {
    #[serde(skip)]
    pub common: Common,
    pub knob: f64,
    pub examples_seen: u64,
    pub late: Option<f64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BetaRow {
    #[serde(skip)]
    pub common: Common,
    pub drift: Option<f64>,
}

pub static ALPHA_SCHEMA: RowSchema<AlphaRow> =
    RowSchema::new(ALPHA, &["knob"], &["late"], || vec![A_FIT]);
pub static BETA_SCHEMA: RowSchema<BetaRow> = RowSchema::new(BETA, &[], &[], || vec![B_FIT]);
pub static SCHEMAS: [&dyn Schema; 2] = [&ALPHA_SCHEMA, &BETA_SCHEMA];

macro_rules! family_row {
    ($t:ty, $s:expr) => {
        impl FamilyRow for $t {
            fn schema(&self) -> &'static dyn Schema {
                &$s
            }
            fn common(&self) -> &Common {
                &self.common
            }
            fn common_mut(&mut self) -> &mut Common {
                &mut self.common
            }
        }
    };
}
family_row!(AlphaRow, ALPHA_SCHEMA);
family_row!(BetaRow, BETA_SCHEMA);

/// An alpha row of run `id` at `step` (its last when `last`).
pub fn alpha(id: &str, step: usize, last: bool, sweep: &str) -> Row {
    Row::new(AlphaRow {
        common: Common {
            experiment: "e".into(),
            run_id: id.into(),
            method: A_FIT,
            step,
            sweep: sweep.into(),
            eval_score: Some(step as f64 / 10.0),
            status: if last {
                RunStatus::Complete
            } else {
                RunStatus::Running
            },
            ..Common::default()
        },
        knob: 0.8,
        examples_seen: step as u64 * 3,
        late: Some(step as f64),
    })
}

/// A beta run's one row.
pub fn beta(id: &str) -> Row {
    Row::new(BetaRow {
        common: Common {
            experiment: "e".into(),
            run_id: id.into(),
            method: B_FIT,
            eval_score: Some(0.5),
            status: RunStatus::Complete,
            ..Common::default()
        },
        drift: Some(f64::INFINITY),
    })
}
