//! JEST's part of an analysis: its rows grouped into sweep cells, each selector
//! against its uniform baseline (curves and horizons), the claims of docs/methods.md §1 the
//! rows bear on, and the worlds of experiments that sweep their data.

use serde::Serialize;

use super::HorizonComparison;
use super::{cells, claims, compare, horizon, world, Analysis, Cell, Comparison};
use crate::method::Family;
use crate::stats::Estimator;
use crate::train::JestRow;

/// What a report shows of data-selection runs.
#[derive(Clone, Debug, Default, Serialize)]
pub struct JestAnalysis {
    pub cells: Vec<Cell>,
    pub comparisons: Vec<Comparison>,
    pub horizons: Vec<HorizonComparison>,
    /// Per world (setting) of experiments that sweep their data: the gain split
    /// and the concept diagnostics (`world`).
    pub worlds: Vec<world::World>,
    /// Across those worlds, the remainder against the cut in same-concept pairs.
    pub concept_cut: Option<world::ConceptCut>,
}

impl Analysis {
    /// JEST's part (empty when the rows had none).
    pub fn jest(&self) -> &JestAnalysis {
        static EMPTY: JestAnalysis = JestAnalysis {
            cells: Vec::new(),
            comparisons: Vec::new(),
            horizons: Vec::new(),
            worlds: Vec::new(),
            concept_cut: None,
        };
        self.parts.get(Family::JEST).unwrap_or(&EMPTY)
    }
}

/// JEST's part of an analysis; adds its claims and its warnings (diverged runs)
/// to `a`.
pub fn analyse(rows: &[JestRow], est: &Estimator, combine: bool, a: &mut Analysis) -> JestAnalysis {
    let cells = cells::cells(rows);
    for c in &cells {
        if c.diverged > 0 {
            a.warnings.push(format!(
                "{} ({}): {} of {} runs diverged and are left out of the statistics",
                c.label(),
                c.experiment,
                c.diverged,
                c.runs.len()
            ));
        }
    }
    let comparisons = compare::comparisons(&cells, est);
    let horizons = horizon::comparisons(&cells, est);
    if !cells.is_empty() {
        let repeats = cells::repeats(&cells);
        let ctx = claims::Ctx {
            cells: &cells,
            comparisons: &comparisons,
            horizons: &horizons,
            repeats: &repeats,
            est,
        };
        a.claims.extend(claims::claims(&ctx, combine));
    }
    let worlds = world::worlds(&cells, &comparisons, &a.claims, est);
    let concept_cut = world::concept_cut(&worlds);
    JestAnalysis {
        cells,
        comparisons,
        horizons,
        worlds,
        concept_cut,
    }
}
