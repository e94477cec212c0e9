//! The learner's towers over a super-batch on the host (the CPU's scoring forward):
//! the host model's tower (`model::host::embed`) over blocks of rows in parallel.

use rayon::prelude::*;

use super::PARALLEL_WORK;
use crate::data::Matrix;
use crate::model::{flexi, host, Slot};

/// Rows per parallel block of a host tower forward.
const TOWER_ROWS: usize = 32;

/// One tower over the rows `items` of `x` on the host at resolution r: dense layers
/// (ReLU between), then rows divided by sqrt(‖h‖² + 1e-12), as `TwoTower::tower_at`
/// computes (r > 1: inputs averaged in groups of r, first-layer rows summed alike).
pub fn tower_host(
    theta: &[f32],
    layers: &[(Slot, Slot)],
    x: &Matrix,
    items: &[usize],
    r: usize,
) -> Vec<f32> {
    let first = host::first_layer(theta, layers, r);
    let rows_of = |rows: &[usize]| -> Vec<f32> {
        let m = rows.len();
        let mut h: Vec<f32> = Vec::with_capacity(m * x.cols);
        for &i in rows {
            h.extend_from_slice(x.row(i));
        }
        if r > 1 {
            h = flexi::average_groups(&h, m, x.cols, r);
        }
        host::embed(theta, layers, first.as_ref(), &h, m)
    };
    let per_row: usize = layers.iter().map(|(w, _)| w.rows * w.cols).sum();
    if items.len() * per_row < PARALLEL_WORK {
        return rows_of(items);
    }
    let blocks: Vec<Vec<f32>> = items.par_chunks(TOWER_ROWS).map(rows_of).collect();
    blocks.concat()
}
