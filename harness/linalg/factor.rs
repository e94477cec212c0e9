//! Cholesky factor and triangular solves, each entry's sum in a fixed order.

use faer::{Mat, MatMut, MatRef};

use super::{axpy, dot, packed, wide};

/// Cholesky factor L (lower, L·Lᵀ = G) of a symmetric k×k G whose lower half is
/// given; `Err(j)` at the first non-positive pivot. Left-looking: column j is
/// G's column minus Σ_{p<j} L_jp·L_{·p}, each entry's terms subtracted one by
/// one with p ascending (a multiply, then a subtraction), then divided by the
/// pivot's square root.
///
/// Blocked by columns: for a block of `NB` columns, the terms of every earlier
/// column (p below the block) are subtracted first by register tiles that keep
/// a tile of running values in registers while p ascends ([`update_block`]),
/// then the block's own columns one by one. Each entry still meets its terms in
/// the order p = 0, 1, …, j − 1, so the factor is the unblocked one bit for bit
/// (the tests compare them), at a fraction of the memory traffic: the unblocked
/// form streams all of L once per column.
pub fn cholesky(g: MatRef<'_, f64>) -> Result<Mat<f64>, usize> {
    let k = g.nrows();
    assert_eq!(g.ncols(), k);
    // Column-major, L_ip at l[p·k + i]; column j holds G's column from row j on,
    // becoming L's as its terms are subtracted.
    let mut l = vec![0.0f64; k * k];
    for j in 0..k {
        match g.col(j).try_as_slice() {
            Some(col) => l[j * k + j..(j + 1) * k].copy_from_slice(&col[j..]),
            None => {
                for i in j..k {
                    l[j * k + i] = g.read(i, j);
                }
            }
        }
    }
    // L's finished columns again, by groups of GR rows, each group p-major:
    // strip[(g·k + p)·GR + r] = L_{g·GR + r, p}. A register tile's rows are two
    // whole groups (its first row is a multiple of GR), read contiguously as p
    // ascends instead of one cache line per p, k floats apart. Each column is
    // packed once, when its block is done, for the rows later blocks read.
    let groups = k.div_ceil(GR);
    let mut strip = vec![0.0f64; groups * k * GR];
    for j0 in (0..k).step_by(NB) {
        let j1 = (j0 + NB).min(k);
        update_block(&mut l, &strip, k, j0, j1);
        for j in j0..j1 {
            let (done, rest) = l.split_at_mut(j * k);
            let col = &mut rest[j..k];
            // c_i − L_ip·L_jp as c_i + (−L_jp)·L_ip: the same bits.
            for p in j0..j {
                axpy(-done[p * k + j], &done[p * k + j..p * k + k], col);
            }
            let d = col[0];
            if d <= 0.0 || d.is_nan() {
                return Err(j);
            }
            let d = d.sqrt();
            col[0] = d;
            for ci in col.iter_mut().skip(1) {
                *ci /= d;
            }
        }
        // Rows j1.. of the block's columns into the strip (later blocks' tiles
        // start at row j1 or below it, a multiple of GR).
        for g in j1 / GR..groups {
            let rows = GR.min(k - g * GR);
            for p in j0..j1 {
                let at = (g * k + p) * GR;
                let from = p * k + g * GR;
                strip[at..at + rows].copy_from_slice(&l[from..from + rows]);
            }
        }
    }
    let mut out = Mat::<f64>::zeros(k, k);
    for j in 0..k {
        let from = &l[j * k + j..(j + 1) * k];
        match out.as_mut().col_mut(j).try_as_slice_mut() {
            Some(col) => col[j..].copy_from_slice(from),
            None => {
                for (i, &v) in (j..k).zip(from) {
                    out.write(i, j, v);
                }
            }
        }
    }
    Ok(out)
}

/// Columns per block of the Cholesky factor.
const NB: usize = 32;
/// Rows × columns of a register tile of the block update.
const TR: usize = 8;
const TC: usize = 4;

/// Subtracts from columns j0..j1 (rows j0.., those on and below the diagonal are
/// the ones read) the terms of every column p < j0, p ascending per entry:
/// l[j·k + i] −= L_ip·L_jp, the earlier columns' rows read from `strip`.
fn update_block(l: &mut [f64], strip: &[f64], k: usize, j0: usize, j1: usize) {
    if j0 == 0 {
        return;
    }
    // The block's rows of L's first j0 columns, p-major: lj[p·NB + (j − j0)].
    let w = j1 - j0;
    let mut lj = vec![0.0f64; j0 * NB];
    for p in 0..j0 {
        for j in j0..j1 {
            lj[p * NB + j - j0] = l[p * k + j];
        }
    }
    let (done, block) = l.split_at_mut(j0 * k);
    update_tiles(done, strip, block, &lj, k, j0, w);
}

/// Rows of a group of the packed strip: half a tile.
const GR: usize = TR / 2;

fn update_tiles(
    done: &[f64],
    strip: &[f64],
    block: &mut [f64],
    lj: &[f64],
    k: usize,
    j0: usize,
    w: usize,
) {
    dispatch! {
        fn update_of(done: &[f64], strip: &[f64], block: &mut [f64], lj: &[f64], k: usize, j0: usize, w: usize) -> () {
    let mut c = 0;
    while c < w {
        let tc = TC.min(w - c);
        // Rows from the diagonal of the tile's first column.
        let mut i = j0 + c;
        while i < k {
            let tr = TR.min(k - i);
            if tr == TR && tc == TC {
                let g = i / GR;
                let lo = &strip[g * k * GR..(g * k + j0) * GR];
                let hi = &strip[(g + 1) * k * GR..((g + 1) * k + j0) * GR];
                tile((lo, hi), block, lj, k, i, c);
            } else {
                for jj in c..c + tc {
                    for ii in i..i + tr {
                        let mut v = block[jj * k + ii];
                        for p in 0..j0 {
                            v -= done[p * k + ii] * lj[p * NB + jj];
                        }
                        block[jj * k + ii] = v;
                    }
                }
            }
            i += tr;
        }
        c += tc;
    }
        }
    }
}

/// A TR × TC tile (rows i.., block columns c..) carried in registers over p;
/// `lo`, `hi`: its two row groups of the packed strip.
#[inline(always)]
fn tile((lo, hi): (&[f64], &[f64]), block: &mut [f64], lj: &[f64], k: usize, i: usize, c: usize) {
    let mut acc = [[0.0f64; TR]; TC];
    for (jj, a) in acc.iter_mut().enumerate() {
        a.copy_from_slice(&block[(c + jj) * k + i..(c + jj) * k + i + TR]);
    }
    let rows = lo.chunks_exact(GR).zip(hi.chunks_exact(GR));
    for (ljp, (l0, l1)) in lj.chunks_exact(NB).zip(rows) {
        let li: [f64; TR] = std::array::from_fn(|r| if r < GR { l0[r] } else { l1[r - GR] });
        let b: &[f64; TC] = ljp[c..c + TC].try_into().expect("TC");
        for (a, &b) in acc.iter_mut().zip(b) {
            for r in 0..TR {
                a[r] -= li[r] * b;
            }
        }
    }
    for (jj, a) in acc.iter().enumerate() {
        block[(c + jj) * k + i..(c + jj) * k + i + TR].copy_from_slice(a);
    }
}

/// Solves L·X = B in place (L lower triangular): for each column of B, each
/// entry subtracts L_ij·x_j for j ascending. All of B's columns advance together,
/// j by j, so L's column j is read once for all of them (each entry's terms keep
/// their order: the columns are independent).
pub fn solve_lower(l: MatRef<'_, f64>, rhs: MatMut<'_, f64>) {
    let k = l.nrows();
    let mut copy = Vec::new();
    let cols = columns(l, &mut copy);
    let mut xs = packed(rhs.as_ref());
    for (j, col) in cols.iter().enumerate() {
        let (d, below) = (col[j], &col[j + 1..]);
        for x in xs.chunks_exact_mut(k.max(1)) {
            x[j] /= d;
            let xj = x[j];
            axpy(-xj, below, &mut x[j + 1..]);
        }
    }
    write_columns(&xs, k, rhs);
}

/// Solves Lᵀ·X = B in place (L lower triangular): x_j = (b_j − ⟨L_{>j,j}, x_{>j}⟩)/L_jj
/// for j descending, all of B's columns together (L's column j read once).
pub fn solve_lower_transposed(l: MatRef<'_, f64>, rhs: MatMut<'_, f64>) {
    let k = l.nrows();
    let mut copy = Vec::new();
    let cols = columns(l, &mut copy);
    let mut xs = packed(rhs.as_ref());
    for (j, col) in cols.iter().enumerate().rev() {
        let (d, below) = (col[j], &col[j + 1..]);
        for x in xs.chunks_exact_mut(k.max(1)) {
            let s = dot(below, &x[j + 1..]);
            x[j] = (x[j] - s) / d;
        }
    }
    write_columns(&xs, k, rhs);
}

/// The columns of a square L (k × k), read in place where they are contiguous
/// (a 2 MB copy per solve at SWIM's 513 columns otherwise), else from a
/// column-major copy kept in `copy`.
fn columns<'a>(l: MatRef<'a, f64>, copy: &'a mut Vec<f64>) -> Vec<&'a [f64]> {
    let k = l.nrows();
    let in_place: Option<Vec<&'a [f64]>> =
        (0..l.ncols()).map(|j| l.col(j).try_as_slice()).collect();
    match in_place {
        Some(cols) => cols,
        None => {
            *copy = packed(l);
            copy.chunks_exact(k.max(1)).collect()
        }
    }
}

/// Column-major values (k per column) written into `rhs`.
fn write_columns(xs: &[f64], k: usize, mut rhs: MatMut<'_, f64>) {
    for r in 0..rhs.ncols() {
        for (i, v) in xs[r * k..(r + 1) * k].iter().enumerate() {
            rhs.write(i, r, *v);
        }
    }
}
