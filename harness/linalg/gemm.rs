//! Products whose every entry is Σ_p a_ip·b_pj summed from p = 0: register tiles
//! of MR×NR, A packed in MR-row panels, k-blocks that store and reload running
//! sums, parallel by output columns.

use faer::{Mat, MatMut, MatRef};
use rayon::prelude::*;

use super::{packed, wide, PARALLEL_WORK};

/// Rows of a register tile of the product kernel.
const MR: usize = 8;
/// Columns of a register tile (and of a parallel task's block, times `NB_TILES`).
const NR: usize = 4;
const NB_TILES: usize = 4;

/// Depth of a k-block: an MR-row panel of A (16 KiB) and NR columns of B (8 KiB)
/// stay in L1 while a block of C's tiles is updated. A running sum is stored and
/// reloaded between k-blocks, which leaves its order (p ascending) unchanged.
const KC: usize = 256;

/// C = A·B for column-major A (m×k) and B (k×n), into column-major C (m×n).
/// Entry (i, j) is Σ_p a_ip·b_pj summed from p = 0, whatever the tile or thread.
pub fn gemm_packed(m: usize, n: usize, k: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    gemm_ld(m, n, k, a, (b, k), c)
}

/// As [`gemm_packed`], B's column j starting at `b[j·ldb]` (ldb ≥ k): a block of
/// a larger column-major matrix, read in place.
pub fn gemm_ld(m: usize, n: usize, k: usize, a: &[f64], (b, ldb): (&[f64], usize), c: &mut [f64]) {
    assert!(ldb >= k && a.len() >= m * k && c.len() >= m * n);
    assert!(n == 0 || b.len() >= (n - 1) * ldb + k);
    if m == 0 || n == 0 {
        return;
    }
    // A in panels of MR rows, each stored p-major ([p][r], zero-padded rows), so
    // a tile reads it contiguously.
    let panels = m.div_ceil(MR);
    let mut ap = vec![0.0f64; panels * MR * k];
    for (t, panel) in ap.chunks_mut(MR * k).enumerate() {
        for p in 0..k {
            for r in 0..MR.min(m - t * MR) {
                panel[p * MR + r] = a[p * m + t * MR + r];
            }
        }
    }
    let block = NR * NB_TILES;
    let task = |(jb, cb): (usize, &mut [f64])| {
        let j0 = jb * block;
        let nb = cb.len() / m;
        columns(m, nb, k, &ap, (&b[j0 * ldb..], ldb), cb);
    };
    if m * n * k >= PARALLEL_WORK {
        c[..m * n]
            .par_chunks_mut(m * block)
            .enumerate()
            .for_each(task);
    } else {
        c[..m * n].chunks_mut(m * block).enumerate().for_each(task);
    }
}

/// `nb` columns of C from the matching columns of B (column-major, k per column),
/// A given in MR-row panels.
fn columns(m: usize, nb: usize, k: usize, ap: &[f64], b: (&[f64], usize), c: &mut [f64]) {
    dispatch! {
        fn columns_of(m: usize, nb: usize, k: usize, ap: &[f64], b: (&[f64], usize), c: &mut [f64]) -> () {
    c[..m * nb].iter_mut().for_each(|v| *v = 0.0);
    let panels = m.div_ceil(MR);
    for p0 in (0..k).step_by(KC) {
        let p1 = (p0 + KC).min(k);
        let mut j = 0;
        while j < nb {
            let w = NR.min(nb - j);
            for t in 0..panels {
                let panel = &ap[t * MR * k..(t + 1) * MR * k];
                if w == NR {
                    tile::<NR>(t, j, m, (p0, p1), panel, b, c);
                } else {
                    for jj in j..j + w {
                        tile::<1>(t, jj, m, (p0, p1), panel, b, c);
                    }
                }
            }
            j += w;
        }
    }
        }
    }
}

/// An MR×W tile of C (panel t, columns j..j+W) advanced over p in [p0, p1): its
/// running sums are loaded, carried in registers, and stored back.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn tile<const W: usize>(
    t: usize,
    j: usize,
    m: usize,
    (p0, p1): (usize, usize),
    panel: &[f64],
    (b, ldb): (&[f64], usize),
    c: &mut [f64],
) {
    let i = t * MR;
    let rows = MR.min(m - i);
    let mut acc = [[0.0f64; MR]; W];
    for (jj, accj) in acc.iter_mut().enumerate() {
        accj[..rows].copy_from_slice(&c[(j + jj) * m + i..(j + jj) * m + i + rows]);
    }
    for p in p0..p1 {
        let col: &[f64; MR] = panel[p * MR..p * MR + MR].try_into().expect("MR");
        for (jj, accj) in acc.iter_mut().enumerate() {
            let bv = b[(j + jj) * ldb + p];
            for r in 0..MR {
                accj[r] += col[r] * bv;
            }
        }
    }
    for (jj, accj) in acc.iter().enumerate() {
        c[(j + jj) * m + i..(j + jj) * m + i + rows].copy_from_slice(&accj[..rows]);
    }
}

/// C = A·B (or C + A·B when `accumulate`: the product is summed first, then
/// added to C once) for views of any strides.
pub fn matmul(mut c: MatMut<'_, f64>, a: MatRef<'_, f64>, b: MatRef<'_, f64>, accumulate: bool) {
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    assert!(
        b.nrows() == k && c.nrows() == m && c.ncols() == n,
        "matmul shapes"
    );
    let (pa, pb) = (packed(a), packed(b));
    let mut out = vec![0.0; m * n];
    gemm_packed(m, n, k, &pa, &pb, &mut out);
    for j in 0..n {
        for i in 0..m {
            let v = out[j * m + i];
            c.write(i, j, if accumulate { c.read(i, j) + v } else { v });
        }
    }
}

/// A·B as a new matrix.
pub fn mul(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> Mat<f64> {
    let mut c = Mat::<f64>::zeros(a.nrows(), b.ncols());
    matmul(c.as_mut(), a, b, false);
    c
}
