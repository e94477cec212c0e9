//! The register tiles of `products`: a block of C computed R rows × T
//! candidates at a time, with A and Bᵀ packed as GotoBLAS packs them, each entry
//! one in-order chain of fused multiply-adds over d (`F::fma`, or the portable
//! build's flagged cheaper path with its exact recomputation).

use super::{Fma, Operands};

/// The entries of candidates `from`… in register tiles of R rows × T candidates
/// (the rows left over two at a time, then one, still T wide); returns the first
/// candidate no whole tile covers.
///
/// Blocked as GotoBLAS blocks a product: per block of d (`TILE_FLOATS / T`
/// steps) and panel of `PANEL` candidates, that block of Bᵀ is packed tile by
/// tile (each tile contiguous, so that it stays in L1 while the row tiles pass
/// over it: Bᵀ's rows read in place are n floats apart, which maps them to the
/// same few cache sets when n is a power of two); per band of rows, A's block is
/// packed R rows at a time by d. Between blocks of d each accumulator waits in C
/// and resumes where it stopped, so every entry is still one chain of fused
/// multiply-adds over d in order.
#[inline(always)]
pub(super) fn tiles<F: Fma, const R: usize, const T: usize>(
    op: Operands<'_>,
    c: &mut [f32],
    from: usize,
) -> usize {
    let Operands {
        m,
        nb,
        k,
        a,
        bt,
        n,
        j0,
    } = op;
    let end = from + (nb - from) / T * T;
    if end == from {
        return end;
    }
    let rows = BAND / R * R;
    let panel = PANEL / T * T;
    let depth_max = TILE_FLOATS / T;
    // Packing B pays where many rows read its tiles (each element packed once
    // and read by m rows; with few rows it is streamed in place); packing A
    // where more than one tile of candidates does.
    let pack_b = m >= 16;
    let pack_a = end - from > T;
    // Taken out of the thread-local and put back, rather than used inside its
    // closure: a closure is compiled outside the SIMD level's kernel, without FMA.
    let (mut apack, mut bpack) = PACKS.take();
    // Grown, never shrunk: a call that packs less leaves the rest for the next.
    let b_need = if pack_b { depth_max * panel } else { 0 };
    if apack.len() < rows * depth_max {
        apack.resize(rows * depth_max, 0.0);
    }
    if bpack.len() < b_need {
        bpack.resize(b_need, 0.0);
    }
    // At least one block, so that k = 0 still writes its zeros.
    for d0 in (0..k.max(1)).step_by(depth_max) {
        let d1 = (d0 + depth_max).min(k);
        let depth = d1 - d0;
        for p0 in (from..end).step_by(panel) {
            let p1 = (p0 + panel).min(end);
            if pack_b {
                for (ti, j) in (p0..p1).step_by(T).enumerate() {
                    let tile = &mut bpack[ti * depth * T..(ti + 1) * depth * T];
                    for (dd, dst) in tile.chunks_exact_mut(T).enumerate() {
                        let at = (d0 + dd) * n + j0 + j;
                        dst.copy_from_slice(&bt[at..at + T]);
                    }
                }
            }
            for q0 in (0..m).step_by(rows) {
                let q1 = (q0 + rows).min(m);
                let tiles_in_band = (q1 - q0) / R;
                if pack_a {
                    for t in 0..tiles_in_band {
                        for r in 0..R {
                            let q = q0 + t * R + r;
                            let src = &a[q * k + d0..q * k + d1];
                            for (dd, &x) in src.iter().enumerate() {
                                apack[(t * depth + dd) * R + r] = x;
                            }
                        }
                    }
                }
                for (ti, j) in (p0..p1).step_by(T).enumerate() {
                    // The tile of Bᵀ: packed (rows T apart), or in place.
                    let (bs, stride) = if pack_b {
                        (&bpack[ti * depth * T..(ti + 1) * depth * T], T)
                    } else {
                        // (Empty when k = 0: no step reads it.)
                        (bt.get(d0 * n + j0 + j..).unwrap_or(&[]), n)
                    };
                    for t in 0..tiles_in_band {
                        let q = q0 + t * R;
                        // The block's steps: A's rows packed, or read in place.
                        let xs = if pack_a {
                            Xs::Packed(&apack[t * depth * R..(t + 1) * depth * R])
                        } else {
                            Xs::Rows(std::array::from_fn(|r| {
                                &a[(q + r) * k + d0..(q + r) * k + d1]
                            }))
                        };
                        advance::<F, R, T>(c, nb, (q, j), d0 == 0, &xs, (bs, stride), depth);
                    }
                    // Rows left over: two at a time (small m, such as the
                    // score path's chunks, is all leftovers), then one.
                    let mut q = q0 + tiles_in_band * R;
                    while q + 2 <= q1 {
                        let xs = Xs::Rows(std::array::from_fn(|r| {
                            &a[(q + r) * k + d0..(q + r) * k + d1]
                        }));
                        advance::<F, 2, T>(c, nb, (q, j), d0 == 0, &xs, (bs, stride), depth);
                        q += 2;
                    }
                    if q < q1 {
                        let xs = Xs::Rows([&a[q * k + d0..q * k + d1]]);
                        advance::<F, 1, T>(c, nb, (q, j), d0 == 0, &xs, (bs, stride), depth);
                    }
                }
            }
        }
    }
    PACKS.set((apack, bpack));
    end
}

/// Rows of A per band (rounded down to whole register tiles): a band's packed
/// block of A (48 × 256 floats at T = 16) stays in L2.
const BAND: usize = 48;
/// Floats in a packed tile of Bᵀ (16 KiB, half of a 32 KiB L1, beside the
/// register tile's A values): a block of d is TILE_FLOATS / T steps (256 at
/// T = 16).
const TILE_FLOATS: usize = 4096;
/// Candidates per packed panel of Bᵀ (a block of d by PANEL, 1 MiB at T = 16).
const PANEL: usize = 1024;

std::thread_local! {
    /// Each thread's packing buffers (A's band, Bᵀ's panel), kept between calls.
    static PACKS: std::cell::Cell<(Vec<f32>, Vec<f32>)> =
        const { std::cell::Cell::new((Vec::new(), Vec::new())) };
}

/// A register tile's A values: packed by d (R per step), or its R rows in place.
enum Xs<'a, const R: usize> {
    Packed(&'a [f32]),
    Rows([&'a [f32]; R]),
}

/// A register tile of C (rows q.., candidates j.., C's rows nb apart) over one
/// block of d: its running sums loaded from C (zeros in the first block),
/// advanced by [`block`], stored back; where the cheap path flagged a sum it may
/// have rounded twice, the block again, exactly, from where it started.
#[inline(always)]
fn advance<F: Fma, const R: usize, const T: usize>(
    c: &mut [f32],
    nb: usize,
    (q, j): (usize, usize),
    first: bool,
    xs: &Xs<'_, R>,
    (bs, stride): (&[f32], usize),
    depth: usize,
) {
    let mut acc = [[0.0f32; T]; R];
    if !first {
        for (r, acc) in acc.iter_mut().enumerate() {
            acc.copy_from_slice(&c[(q + r) * nb + j..(q + r) * nb + j + T]);
        }
    }
    let start = acc;
    let flag = block::<F, R, T>(&mut acc, xs, bs, stride, depth, false);
    if F::FLAGGED && flag != 0 {
        acc = start;
        block::<F, R, T>(&mut acc, xs, bs, stride, depth, true);
    }
    for (r, acc) in acc.iter().enumerate() {
        c[(q + r) * nb + j..(q + r) * nb + j + T].copy_from_slice(acc);
    }
}

/// `depth` steps of d for a register tile from A's values and Bᵀ's rows (`bs`:
/// row dd of the block at `dd·n`), by `F::fma` (`exact`) or `F::fma_flagged`;
/// returns the flag. A function, not a closure, so that it is compiled inside
/// each SIMD level's kernel (a closure can be left outside, without FMA).
#[inline(always)]
fn block<F: Fma, const R: usize, const T: usize>(
    acc: &mut [[f32; T]; R],
    xs: &Xs<'_, R>,
    bs: &[f32],
    n: usize,
    depth: usize,
    exact: bool,
) -> u32 {
    // One flag per lane: ORed there, reduced once at the end.
    let mut flags = [0u32; T];
    let b_at = |dd: usize| -> &[f32; T] { bs[dd * n..dd * n + T].try_into().expect("T") };
    match xs {
        Xs::Packed(xs) => {
            for (dd, x) in xs.chunks_exact(R).enumerate() {
                step::<F, R, T>(acc, x, b_at(dd), exact, &mut flags);
            }
        }
        Xs::Rows(rows) => {
            // dd indexes the R rows at once (one column of the tile).
            #[allow(clippy::needless_range_loop)]
            for dd in 0..depth {
                let x: [f32; R] = std::array::from_fn(|r| rows[r][dd]);
                step::<F, R, T>(acc, &x, b_at(dd), exact, &mut flags);
            }
        }
    }
    flags.iter().fold(0, |f, g| f | g)
}

/// One step of d for a register tile: acc[r][l] += x[r] · row[l], fused
/// (`exact`: by `F::fma`; else by `F::fma_flagged`, which may set lane l's flag).
#[inline(always)]
fn step<F: Fma, const R: usize, const T: usize>(
    acc: &mut [[f32; T]; R],
    x: &[f32],
    row: &[f32; T],
    exact: bool,
    flags: &mut [u32; T],
) {
    for r in 0..R {
        for l in 0..T {
            acc[r][l] = fused::<F>(x[r], row[l], acc[r][l], exact, &mut flags[l]);
        }
    }
}

/// a·b + c by `F::fma` (`exact`) or `F::fma_flagged`.
#[inline(always)]
fn fused<F: Fma>(a: f32, b: f32, c: f32, exact: bool, flag: &mut u32) -> f32 {
    if exact || !F::FLAGGED {
        F::fma(a, b, c)
    } else {
        F::fma_flagged(a, b, c, flag)
    }
}

/// The candidates from `from` on, one by one (the same order of sums).
#[inline(always)]
pub(super) fn singles<F: Fma>(op: Operands<'_>, c: &mut [f32], from: usize) {
    let Operands {
        m,
        nb,
        k,
        a,
        bt,
        n,
        j0,
    } = op;
    for jj in from..nb {
        for q in 0..m {
            let xs = Xs::Rows([&a[q * k..(q + 1) * k]]);
            let bs = bt.get(j0 + jj..).unwrap_or(&[]);
            advance::<F, 1, 1>(c, nb, (q, jj), true, &xs, (bs, n), k);
        }
    }
}
