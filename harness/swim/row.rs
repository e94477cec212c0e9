//! SWIM's results rows: the columns a sampled-network (or Adam baseline) run logs
//! beside the common ones ([`SwimRow`]), and their [`SCHEMA`].

use serde::{Deserialize, Serialize};

use super::SwimMethod;
use crate::log::{Common, FamilyRow, RowSchema, Schema};
use crate::method::{Family, Method};

/// A sampled-network (or Adam baseline) run's row: the common columns and SWIM's own.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SwimRow {
    #[serde(skip)]
    pub common: Common,
    /// Adam: the validation loss of this epoch's weights (what early stopping
    /// watches; `eval_score` is the checkpoint's test metric).
    pub val_loss: Option<f64>,
    /// Hamiltonian tasks: the relative L2 error of the learned gradient (the
    /// vector field's) on the test set.
    pub grad_error: Option<f64>,
    /// Hamiltonian tasks, a run's last row: max |H(x_t) − H(x₀)| of the true H
    /// along the trajectory integrated with the learned H (`inf`: it blew up).
    pub energy_drift: Option<f64>,
}

/// SWIM rows on disk: every column varies per evaluation (an Adam run's epochs).
pub static SCHEMA: RowSchema<SwimRow> = RowSchema::new(
    Family::SWIM,
    &[],
    // Added after the first files were written.
    &["val_loss", "grad_error", "energy_drift"],
    methods,
);

/// Every fitting method, in table order.
pub fn methods() -> Vec<Method> {
    SwimMethod::ALL.iter().map(|m| m.method()).collect()
}

impl FamilyRow for SwimRow {
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
