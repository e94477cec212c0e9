//! The learner's towers over a super-batch on the host (the CPU's scoring forward):
//! fused passes per layer (product, bias and ReLU), then the L2 normalisation, in
//! blocks of rows in parallel.

use rayon::prelude::*;

use super::PARALLEL_WORK;
use crate::data::Matrix;
use crate::kernels;
use crate::model::{flexi, Slot};

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
    let out_dim = layers.last().map_or(x.cols, |(w, _)| w.cols);
    let first = layers
        .first()
        .filter(|_| r > 1)
        .map(|(w, _)| flexi::sum_weights(&theta[w.range()], w.rows, w.cols, r));
    let rows_of = |rows: &[usize]| -> Vec<f32> {
        let m = rows.len();
        let mut h: Vec<f32> = Vec::with_capacity(m * x.cols);
        for &i in rows {
            h.extend_from_slice(x.row(i));
        }
        if r > 1 {
            h = flexi::average_groups(&h, m, x.cols, r);
        }
        for (li, (w, b)) in layers.iter().enumerate() {
            let mut next = vec![0.0f32; m * w.cols];
            let (weights, rows_in) = match (li, &first) {
                (0, Some(f)) => (&f[..], flexi::groups(w.rows, r)),
                _ => (&theta[w.range()], w.rows),
            };
            kernels::products(m, w.cols, rows_in, &h, weights, w.cols, 0, &mut next);
            let bias = &theta[b.range()];
            let last = li + 1 == layers.len();
            for row in next.chunks_mut(w.cols) {
                for (v, &c) in row.iter_mut().zip(bias) {
                    *v += c;
                    if !last {
                        *v = v.max(0.0);
                    }
                }
            }
            h = next;
        }
        for row in h.chunks_mut(out_dim) {
            let norm = (row.iter().map(|v| v * v).sum::<f32>() + 1e-12).sqrt();
            row.iter_mut().for_each(|v| *v /= norm);
        }
        h
    };
    let per_row: usize = layers.iter().map(|(w, _)| w.rows * w.cols).sum();
    if items.len() * per_row < PARALLEL_WORK {
        return rows_of(items);
    }
    let blocks: Vec<Vec<f32>> = items.par_chunks(TOWER_ROWS).map(rows_of).collect();
    blocks.concat()
}
