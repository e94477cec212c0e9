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
    assert!(a.len() >= m * k);
    let ap = pack_a(m, k, (a, m), Major::Column);
    gemm_panels(m, n, k, &ap, (b, ldb), c, false)
}

/// How A is stored: column-major (entry (i, p) at `a[p·lda + i]`) or row-major
/// (`a[i·lda + p]`, the transpose of a column-major matrix read in place).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Major {
    Column,
    Row,
}

/// A (m×k) in panels of MR rows, each stored p-major ([p][r], zero-padded rows),
/// so that a tile reads it contiguously.
fn pack_a(m: usize, k: usize, (a, lda): (&[f64], usize), major: Major) -> Vec<f64> {
    let panels = m.div_ceil(MR);
    let mut ap = vec![0.0f64; panels * MR * k];
    for (t, panel) in ap.chunks_mut(MR * k).enumerate() {
        let rows = MR.min(m - t * MR);
        match major {
            Major::Column => {
                for p in 0..k {
                    for r in 0..rows {
                        panel[p * MR + r] = a[p * lda + t * MR + r];
                    }
                }
            }
            Major::Row => {
                for r in 0..rows {
                    let row = &a[(t * MR + r) * lda..(t * MR + r) * lda + k];
                    for (p, &v) in row.iter().enumerate() {
                        panel[p * MR + r] = v;
                    }
                }
            }
        }
    }
    ap
}

/// C = A·B from A's panels; with `lower`, only C's entries on and below the
/// diagonal are needed, and the register tiles wholly above it are skipped
/// (they stay zero).
fn gemm_panels(
    m: usize,
    n: usize,
    k: usize,
    ap: &[f64],
    (b, ldb): (&[f64], usize),
    c: &mut [f64],
    lower: bool,
) {
    assert!(ldb >= k && c.len() >= m * n);
    assert!(n == 0 || b.len() >= (n - 1) * ldb + k);
    if m == 0 || n == 0 {
        return;
    }
    let block = NR * NB_TILES;
    let task = |(jb, cb): (usize, &mut [f64])| {
        let j0 = jb * block;
        let nb = cb.len() / m;
        columns(m, nb, k, ap, (&b[j0 * ldb..], ldb), cb, lower.then_some(j0));
    };
    let work = if lower { m * n * k / 2 } else { m * n * k };
    if work >= PARALLEL_WORK {
        c[..m * n]
            .par_chunks_mut(m * block)
            .enumerate()
            .for_each(task);
    } else {
        c[..m * n].chunks_mut(m * block).enumerate().for_each(task);
    }
}

/// `nb` columns of C from the matching columns of B (column-major, k per column),
/// A given in MR-row panels; `diagonal`: these are C's columns from that one on,
/// and only entries on and below the diagonal are needed.
fn columns(
    m: usize,
    nb: usize,
    k: usize,
    ap: &[f64],
    b: (&[f64], usize),
    c: &mut [f64],
    diagonal: Option<usize>,
) {
    dispatch! {
        fn columns_of(m: usize, nb: usize, k: usize, ap: &[f64], b: (&[f64], usize), c: &mut [f64], diagonal: Option<usize>) -> () {
    c[..m * nb].iter_mut().for_each(|v| *v = 0.0);
    let panels = m.div_ceil(MR);
    for p0 in (0..k).step_by(KC) {
        let p1 = (p0 + KC).min(k);
        let mut j = 0;
        while j < nb {
            let w = NR.min(nb - j);
            // The first panel holding an entry on or below the diagonal of the
            // tile's first column.
            let first = diagonal.map_or(0, |j0| (j0 + j) / MR);
            for t in first..panels {
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

/// A's panels from a view of any strides: read in place where it is column- or
/// row-major (a transposed column-major matrix, AᵀB's A), else copied first.
fn panels_of(a: MatRef<'_, f64>) -> Vec<f64> {
    let (m, k) = (a.nrows(), a.ncols());
    if m > 0 && k > 0 && a.col_stride() == 1 && a.row_stride() >= k as isize {
        let lda = a.row_stride() as usize;
        // SAFETY: row i holds k entries at unit stride from `lda·i`; the last row
        // ends at (m − 1)·lda + k.
        let s = unsafe { std::slice::from_raw_parts(a.as_ptr(), (m - 1) * lda + k) };
        return pack_a(m, k, (s, lda), Major::Row);
    }
    pack_a(m, k, (&packed(a), m), Major::Column)
}

/// C = A·B (or C + A·B when `accumulate`: the product is summed first, then
/// added to C once) for views of any strides.
pub fn matmul(c: MatMut<'_, f64>, a: MatRef<'_, f64>, b: MatRef<'_, f64>, accumulate: bool) {
    product_into(c, a, b, accumulate, false)
}

fn product_into(
    mut c: MatMut<'_, f64>,
    a: MatRef<'_, f64>,
    b: MatRef<'_, f64>,
    accumulate: bool,
    lower: bool,
) {
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    assert!(
        b.nrows() == k && c.nrows() == m && c.ncols() == n,
        "matmul shapes"
    );
    let (ap, pb) = (panels_of(a), packed(b));
    let mut out = vec![0.0; m * n];
    gemm_panels(m, n, k, &ap, (&pb, k), &mut out, lower);
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

/// The lower half of AᵀA (diagonal included; zeros above it): each entry the one
/// `mul(a.transpose(), a)` gives, bit for bit, at about half its work (the
/// register tiles wholly above the diagonal are skipped).
pub fn gram_lower(a: MatRef<'_, f64>) -> Mat<f64> {
    let k = a.ncols();
    let mut c = Mat::<f64>::zeros(k, k);
    product_into(c.as_mut(), a.transpose(), a, false, true);
    for j in 1..k {
        for i in 0..j {
            c.write(i, j, 0.0);
        }
    }
    c
}
