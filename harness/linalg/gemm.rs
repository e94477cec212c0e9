//! Products whose every entry is Σ_p a_ip·b_pj summed from p = 0: register tiles
//! of MR×NR, A packed in MR-row panels, k-blocks that store and reload running
//! sums, parallel by output columns.

use faer::{Mat, MatMut, MatRef};
use rayon::prelude::*;

use super::{packed, wide, PARALLEL_WORK};

/// Rows of a register tile of the product kernel.
const MR: usize = 8;
/// Columns of a register tile (and of a parallel task's block, times `NB_TILES`):
/// with MR, 12 running sums of 4 lanes, enough to keep the adds' pipes busy
/// (8 × 4 reached 13.5 G multiply-adds/s on SWIM's Gram matrix, 8 × 6 14.4, 12 × 4 9.5).
const NR: usize = 6;
const NB_TILES: usize = 4;

/// Depth of a k-block: an MR-row panel of A (16 KiB) and NR columns of B (12 KiB)
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
fn pack_a(m: usize, k: usize, a: (&[f64], usize), major: Major) -> Vec<f64> {
    let mut ap = Vec::new();
    pack_a_into(m, k, a, major, &mut ap);
    ap
}

/// [`pack_a`] into `ap` (resized to fit; what it held before is overwritten).
fn pack_a_into(m: usize, k: usize, (a, lda): (&[f64], usize), major: Major, ap: &mut Vec<f64>) {
    let panels = m.div_ceil(MR);
    ap.resize(panels * MR * k, 0.0);
    for (t, panel) in ap[..panels * MR * k].chunks_mut(MR * k).enumerate() {
        let rows = MR.min(m - t * MR);
        match major {
            Major::Column => {
                for p in 0..k {
                    for r in 0..rows {
                        panel[p * MR + r] = a[p * lda + t * MR + r];
                    }
                }
            }
            Major::Row if rows == MR => {
                // Four steps of all MR rows at a time, transposed in registers
                // (whole rows of the panel written at once).
                let src: [&[f64]; MR] = std::array::from_fn(|r| {
                    let at = (t * MR + r) * lda;
                    &a[at..at + k]
                });
                let k4 = k / 4 * 4;
                for (p0, out) in (0..k4).step_by(4).zip(panel.chunks_exact_mut(4 * MR)) {
                    let block: [[f64; 4]; MR] =
                        std::array::from_fn(|r| src[r][p0..p0 + 4].try_into().expect("4"));
                    for (pp, row) in out.chunks_exact_mut(MR).enumerate() {
                        let row: &mut [f64; MR] = row.try_into().expect("MR");
                        *row = std::array::from_fn(|r| block[r][pp]);
                    }
                }
                for p in k4..k {
                    for r in 0..MR {
                        panel[p * MR + r] = src[r][p];
                    }
                }
            }
            Major::Row => {
                // In blocks of 64 steps, so the panel's block (4 KiB) stays in
                // L1 while its rows are written into it one by one.
                for p0 in (0..k).step_by(64) {
                    let p1 = (p0 + 64).min(k);
                    for r in 0..rows {
                        let at = (t * MR + r) * lda;
                        for (p, &v) in (p0..p1).zip(&a[at + p0..at + p1]) {
                            panel[p * MR + r] = v;
                        }
                    }
                }
            }
        }
        if rows < MR {
            for p in 0..k {
                panel[p * MR + rows..(p + 1) * MR].fill(0.0);
            }
        }
    }
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
        // Each panel's k-block is read from memory once and meets every
        // column of the block while it sits in L1 (the columns' k-block, 48 KiB
        // for NB_TILES tiles of NR, stays in L2).
        for t in 0..panels {
            let panel = &ap[t * MR * k..(t + 1) * MR * k];
            let mut j = 0;
            while j < nb {
                let w = NR.min(nb - j);
                // Skipped when the panel lies wholly above the diagonal of the
                // tile's first column.
                if diagonal.is_some_and(|j0| t < (j0 + j) / MR) {
                    j += w;
                    continue;
                }
                if w == NR {
                    tile::<NR>(t, j, m, (p0, p1), panel, b, c);
                } else {
                    for jj in j..j + w {
                        tile::<1>(t, jj, m, (p0, p1), panel, b, c);
                    }
                }
                j += w;
            }
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
    // Whole panels copy MR values at a time (a fixed-size move, not a call to
    // memcpy per column).
    for (jj, accj) in acc.iter_mut().enumerate() {
        let at = (j + jj) * m + i;
        if rows == MR {
            *accj = c[at..at + MR].try_into().expect("MR");
        } else {
            accj[..rows].copy_from_slice(&c[at..at + rows]);
        }
    }
    // The block's slices, sized once, so the loop runs without bounds checks.
    let len = p1 - p0;
    let cols: [&[f64]; W] = std::array::from_fn(|jj| &b[(j + jj) * ldb + p0..][..len]);
    let panel = &panel[p0 * MR..][..len * MR];
    for (q, col) in panel.chunks_exact(MR).enumerate() {
        let col: &[f64; MR] = col.try_into().expect("MR");
        for (accj, bj) in acc.iter_mut().zip(&cols) {
            // SAFETY: q < len, and every column slice holds exactly len values
            // (a checked index here kept bounds checks and stores of the
            // running sums inside the loop).
            let bv = unsafe { *bj.get_unchecked(q) };
            for r in 0..MR {
                accj[r] += col[r] * bv;
            }
        }
    }
    for (jj, accj) in acc.iter().enumerate() {
        let at = (j + jj) * m + i;
        if rows == MR {
            let out: &mut [f64; MR] = (&mut c[at..at + MR]).try_into().expect("MR");
            *out = *accj;
        } else {
            c[at..at + rows].copy_from_slice(&accj[..rows]);
        }
    }
}

/// A's panels from a view of any strides, into `ap`: read in place where it is
/// column- or row-major (a transposed column-major matrix, AᵀB's A), else from
/// a column-major copy.
fn panels_into(a: MatRef<'_, f64>, ap: &mut Vec<f64>) {
    let (m, k) = (a.nrows(), a.ncols());
    if m > 0 && k > 0 && a.col_stride() == 1 && a.row_stride() >= k as isize {
        let lda = a.row_stride() as usize;
        // SAFETY: row i holds k entries at unit stride from `lda·i`; the last row
        // ends at (m − 1)·lda + k.
        let s = unsafe { std::slice::from_raw_parts(a.as_ptr(), (m - 1) * lda + k) };
        return pack_a_into(m, k, (s, lda), Major::Row, ap);
    }
    if m > 0 && k > 0 && a.row_stride() == 1 && a.col_stride() >= m as isize {
        let lda = a.col_stride() as usize;
        // SAFETY: column p holds m entries at unit stride from `lda·p`; the last
        // column ends at (k − 1)·lda + m.
        let s = unsafe { std::slice::from_raw_parts(a.as_ptr(), (k - 1) * lda + m) };
        return pack_a_into(m, k, (s, lda), Major::Column, ap);
    }
    pack_a_into(m, k, (&packed(a), m), Major::Column, ap)
}

/// Buffers a product reuses from one call to the next on its thread (A's panels,
/// B's copy where it has one, the product before it is written out): fresh
/// megabytes each call cost their page faults and zeroing, a quarter of the
/// time of SWIM's head. Taken out of the thread-local while in use, so a call
/// nested inside another on the same thread (rayon runs other tasks while it
/// waits) gets fresh buffers instead of the ones in use.
#[derive(Default)]
struct Scratch {
    panels: Vec<f64>,
    b: Vec<f64>,
    out: Vec<f64>,
}

thread_local! {
    static SCRATCH: std::cell::Cell<Scratch> = std::cell::Cell::new(Scratch::default());
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
    let mut scratch = SCRATCH.take();
    panels_into(a, &mut scratch.panels);
    // B read in place when its columns are contiguous, else copied.
    let (bs, ldb): (&[f64], usize) =
        if n > 0 && k > 0 && b.row_stride() == 1 && b.col_stride() >= k as isize {
            let ldb = b.col_stride() as usize;
            // SAFETY: column j holds k entries at unit stride from `ldb·j`; the
            // last column ends at (n − 1)·ldb + k.
            (
                unsafe { std::slice::from_raw_parts(b.as_ptr(), (n - 1) * ldb + k) },
                ldb,
            )
        } else {
            scratch.b = packed(b);
            (&scratch.b, k)
        };
    if scratch.out.len() < m * n {
        scratch.out.resize(m * n, 0.0);
    }
    // Every entry of `out[..m·n]` is written (skipped tiles are zeroed).
    gemm_panels(m, n, k, &scratch.panels, (bs, ldb), &mut scratch.out, lower);
    let out = &scratch.out;
    for j in 0..n {
        // With `lower`, only the entries on and below the diagonal (C is zero
        // above it, as the caller made it).
        let from = if lower { j.min(m) } else { 0 };
        let src = &out[j * m + from..(j + 1) * m];
        match c.as_mut().col_mut(j).try_as_slice_mut() {
            Some(col) if !accumulate => col[from..].copy_from_slice(src),
            Some(col) => col[from..].iter_mut().zip(src).for_each(|(x, v)| *x += v),
            None => {
                for (i, &v) in (from..m).zip(src) {
                    c.write(i, j, if accumulate { c.read(i, j) + v } else { v });
                }
            }
        }
    }
    // Kept for the next call up to 64 MiB a buffer (a larger product pays its
    // faults again rather than hold its memory for the thread's lifetime).
    for v in [&mut scratch.panels, &mut scratch.b, &mut scratch.out] {
        if v.capacity() > RETAINED {
            *v = Vec::new();
        }
    }
    SCRATCH.set(scratch);
}

/// The most f64s a [`Scratch`] buffer keeps between calls (64 MiB).
const RETAINED: usize = 1 << 23;

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
    c
}
