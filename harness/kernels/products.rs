//! Products of row-major blocks with every entry summed over d in order, one fused
//! multiply-add per step: the same bits at every SIMD level, tile and thread split.

use rayon::prelude::*;

use super::{level, Fma, Hardware, Level, Portable};

/// C[q][j] = Σ_d A[q][d] · Bᵀ[d][j0 + j] for q < m, j < nb: A is m×k row-major,
/// Bᵀ is k×n row-major (for A·B, B itself; for scores, the candidates' embeddings
/// transposed, one row per coordinate), C is m×nb row-major. Each C entry sums over
/// d in order, whatever the tile it falls in.
#[allow(clippy::too_many_arguments)]
pub fn products(
    m: usize,
    nb: usize,
    k: usize,
    a: &[f32],
    bt: &[f32],
    n: usize,
    j0: usize,
    c: &mut [f32],
) {
    products_at(level(), m, nb, k, a, bt, n, j0, c)
}

/// `products` at a given level (the tests compare the levels).
#[allow(clippy::too_many_arguments)]
pub(crate) fn products_at(
    at: Level,
    m: usize,
    nb: usize,
    k: usize,
    a: &[f32],
    bt: &[f32],
    n: usize,
    j0: usize,
    c: &mut [f32],
) {
    assert!(a.len() >= m * k && bt.len() >= k * n && j0 + nb <= n && c.len() >= m * nb);
    match at {
        // SAFETY: `level()` and the tests only ask for a level the CPU has.
        #[cfg(target_arch = "x86_64")]
        Level::Avx512 => unsafe { products_avx512(m, nb, k, a, bt, n, j0, c) },
        // SAFETY: as above.
        #[cfg(target_arch = "x86_64")]
        Level::Avx2 => unsafe { products_avx2_fma(m, nb, k, a, bt, n, j0, c) },
        _ => {
            let j = tiles::<Portable, 2, 32>(m, nb, k, a, bt, n, j0, c, 0);
            singles::<Portable>(m, nb, k, a, bt, n, j0, c, j);
        }
    }
}

/// Entries of A·B (or A·Bᵀ given Bᵀ) below which `products_par` stays on one
/// thread: about 30 µs of work, several times a parallel block's start-up.
const PARALLEL_WORK: usize = 1 << 20;

/// `products` with C's rows split over rayon's pool in blocks of whole tiles: every
/// entry is the one `products` computes, so the split never changes a bit.
#[allow(clippy::too_many_arguments)]
pub fn products_par(
    m: usize,
    nb: usize,
    k: usize,
    a: &[f32],
    bt: &[f32],
    n: usize,
    j0: usize,
    c: &mut [f32],
) {
    let threads = rayon::current_num_threads();
    if threads < 2 || m * nb * k < PARALLEL_WORK || nb == 0 {
        return products(m, nb, k, a, bt, n, j0, c);
    }
    // Each block of rows reads all of Bᵀ, each block of columns all of A: split
    // the side that makes the other one the smaller read.
    if nb <= m || nb < 128 * threads {
        // About four blocks per thread, whole 4-row tiles each.
        let rows = m.div_ceil(4 * threads).next_multiple_of(4);
        c[..m * nb]
            .par_chunks_mut(rows * nb)
            .enumerate()
            .for_each(|(i, block)| {
                let q = i * rows;
                let r = block.len() / nb;
                products(r, nb, k, &a[q * k..(q + r) * k], bt, n, j0, block);
            });
    } else {
        // More columns than rows (E_Aᵀ·G: 64 rows, b columns): split the columns,
        // so that Bᵀ is read once; each block into its own buffer, then copied.
        let width = nb.div_ceil(2 * threads).next_multiple_of(64);
        let blocks: Vec<(usize, Vec<f32>)> = (0..nb)
            .step_by(width)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|j| {
                let w = width.min(nb - j);
                let mut block = vec![0.0f32; m * w];
                products(m, w, k, a, bt, n, j0 + j, &mut block);
                (j, block)
            })
            .collect();
        for (j, block) in blocks {
            let w = block.len() / m.max(1);
            for q in 0..m {
                c[q * nb + j..q * nb + j + w].copy_from_slice(&block[q * w..(q + 1) * w]);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
unsafe fn products_avx2_fma(
    m: usize,
    nb: usize,
    k: usize,
    a: &[f32],
    bt: &[f32],
    n: usize,
    j0: usize,
    c: &mut [f32],
) {
    // Six rows × 16 candidates: 12 of the 16 ymm registers accumulate (enough
    // independent chains to cover the FMA's latency on both ports), 2 hold Bᵀ's
    // row and 1 the broadcast A value; then 8-wide tiles, then one by one.
    // (Measured against 2 × 32, 3 × 32, 4 × 16 and 4 × 24: docs/performance.md.)
    // Few rows (the score path's chunks: b/16 rows against B candidates): two
    // rows × 32, 8 accumulators in every tile, where 6 × 16 would leave most
    // rows to its 2-row leftovers (4 accumulators).
    let j = if m < 24 {
        tiles::<Hardware, 2, 32>(m, nb, k, a, bt, n, j0, c, 0)
    } else {
        let j = tiles::<Hardware, 6, 16>(m, nb, k, a, bt, n, j0, c, 0);
        tiles::<Hardware, 6, 8>(m, nb, k, a, bt, n, j0, c, j)
    };
    singles::<Hardware>(m, nb, k, a, bt, n, j0, c, j);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
#[allow(clippy::too_many_arguments)]
unsafe fn products_avx512(
    m: usize,
    nb: usize,
    k: usize,
    a: &[f32],
    bt: &[f32],
    n: usize,
    j0: usize,
    c: &mut [f32],
) {
    // Eight rows × 32 candidates: 16 of the 32 zmm registers accumulate, enough
    // independent chains to keep both FMA ports busy, and a tile of Bᵀ (32 wide)
    // still fits its 16 KiB; then the AVX2 kernel's tiles.
    // Few rows: four rows × 64, then two × 32 (as before 8 × 32 tiles).
    let j = if m < 32 {
        let j = tiles::<Hardware, 4, 64>(m, nb, k, a, bt, n, j0, c, 0);
        tiles::<Hardware, 2, 32>(m, nb, k, a, bt, n, j0, c, j)
    } else {
        let j = tiles::<Hardware, 8, 32>(m, nb, k, a, bt, n, j0, c, 0);
        let j = tiles::<Hardware, 6, 16>(m, nb, k, a, bt, n, j0, c, j);
        tiles::<Hardware, 6, 8>(m, nb, k, a, bt, n, j0, c, j)
    };
    singles::<Hardware>(m, nb, k, a, bt, n, j0, c, j);
}

/// The entries of candidates `from`… in register tiles of R rows × T candidates
/// (the last rows one at a time, still T wide); returns the first candidate no
/// whole tile covers.
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
#[allow(clippy::too_many_arguments)]
fn tiles<F: Fma, const R: usize, const T: usize>(
    m: usize,
    nb: usize,
    k: usize,
    a: &[f32],
    bt: &[f32],
    n: usize,
    j0: usize,
    c: &mut [f32],
    from: usize,
) -> usize {
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
                        let mut acc = [[0.0f32; T]; R];
                        if d0 > 0 {
                            for (r, acc) in acc.iter_mut().enumerate() {
                                acc.copy_from_slice(&c[(q + r) * nb + j..(q + r) * nb + j + T]);
                            }
                        }
                        // The block's steps: A's rows packed, or read in place.
                        let xs = if pack_a {
                            Xs::Packed(&apack[t * depth * R..(t + 1) * depth * R])
                        } else {
                            Xs::Rows(std::array::from_fn(|r| {
                                &a[(q + r) * k + d0..(q + r) * k + d1]
                            }))
                        };
                        let start = acc;
                        let flag = block::<F, R, T>(&mut acc, &xs, bs, stride, depth, false);
                        if F::FLAGGED && flag != 0 {
                            // A sum the cheap path may have rounded twice: the
                            // block again, exactly, from where it started.
                            acc = start;
                            block::<F, R, T>(&mut acc, &xs, bs, stride, depth, true);
                        }
                        for (r, acc) in acc.iter().enumerate() {
                            c[(q + r) * nb + j..(q + r) * nb + j + T].copy_from_slice(acc);
                        }
                    }
                    // Rows left over: two at a time (small m, such as the
                    // score path's chunks, is all leftovers), then one.
                    let mut q = q0 + tiles_in_band * R;
                    while q + 2 <= q1 {
                        let mut acc = [[0.0f32; T]; 2];
                        if d0 > 0 {
                            for (r, acc) in acc.iter_mut().enumerate() {
                                acc.copy_from_slice(&c[(q + r) * nb + j..(q + r) * nb + j + T]);
                            }
                        }
                        let xs = Xs::Rows(std::array::from_fn(|r| {
                            &a[(q + r) * k + d0..(q + r) * k + d1]
                        }));
                        let start = acc;
                        let flag = block::<F, 2, T>(&mut acc, &xs, bs, stride, depth, false);
                        if F::FLAGGED && flag != 0 {
                            acc = start;
                            block::<F, 2, T>(&mut acc, &xs, bs, stride, depth, true);
                        }
                        for (r, acc) in acc.iter().enumerate() {
                            c[(q + r) * nb + j..(q + r) * nb + j + T].copy_from_slice(acc);
                        }
                        q += 2;
                    }
                    if q < q1 {
                        let mut acc = [0.0f32; T];
                        if d0 > 0 {
                            acc.copy_from_slice(&c[q * nb + j..q * nb + j + T]);
                        }
                        let xs = &a[q * k + d0..q * k + d1];
                        let start = acc;
                        let flag = row_block::<F, T>(&mut acc, xs, bs, stride, false);
                        if F::FLAGGED && flag != 0 {
                            acc = start;
                            row_block::<F, T>(&mut acc, xs, bs, stride, true);
                        }
                        c[q * nb + j..q * nb + j + T].copy_from_slice(&acc);
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

/// `xs.len()` steps of d for one row of T candidates (as [`block`]).
#[inline(always)]
fn row_block<F: Fma, const T: usize>(
    acc: &mut [f32; T],
    xs: &[f32],
    bs: &[f32],
    n: usize,
    exact: bool,
) -> u32 {
    let mut flags = [0u32; T];
    for (dd, &x) in xs.iter().enumerate() {
        let row: &[f32; T] = bs[dd * n..dd * n + T].try_into().expect("T");
        for l in 0..T {
            acc[l] = fused::<F>(x, row[l], acc[l], exact, &mut flags[l]);
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
#[allow(clippy::too_many_arguments)]
fn singles<F: Fma>(
    m: usize,
    nb: usize,
    k: usize,
    a: &[f32],
    bt: &[f32],
    n: usize,
    j0: usize,
    c: &mut [f32],
    from: usize,
) {
    for jj in from..nb {
        for q in 0..m {
            let xs = &a[q * k..(q + 1) * k];
            let bs = bt.get(j0 + jj..).unwrap_or(&[]);
            let mut s = [0.0f32];
            let flag = row_block::<F, 1>(&mut s, xs, bs, n, false);
            if F::FLAGGED && flag != 0 {
                s = [0.0];
                row_block::<F, 1>(&mut s, xs, bs, n, true);
            }
            c[q * nb + jj] = s[0];
        }
    }
}

/// The n row-wise products ⟨a_i, b_i⟩ of two n×k row-major matrices (A's
/// diagonal), each summed over d in order from 0 with one FMA per term, exactly as
/// `products` (and `dot`) sum an entry; lanes run across rows, which are transposed
/// 16 at a time into a small buffer that stays in L1.
pub fn paired_rows(k: usize, a: &[f32], b: &[f32], n: usize) -> Vec<f32> {
    paired_rows_at(level(), k, a, b, n)
}

pub(crate) fn paired_rows_at(lv: Level, k: usize, a: &[f32], b: &[f32], n: usize) -> Vec<f32> {
    assert!(a.len() >= k * n && b.len() >= k * n);
    match lv {
        // SAFETY: only levels the CPU has are asked for.
        #[cfg(target_arch = "x86_64")]
        Level::Avx512 => unsafe { paired_rows_avx512(k, a, b, n) },
        // SAFETY: as above.
        #[cfg(target_arch = "x86_64")]
        Level::Avx2 => unsafe { paired_rows_avx2_fma(k, a, b, n) },
        _ => paired_rows_with::<Portable>(k, a, b, n),
    }
}

x86_levels!(paired_rows_avx2_fma, paired_rows_avx512, (k: usize, a: &[f32], b: &[f32], n: usize) -> Vec<f32> {
    paired_rows_with::<Hardware>(k, a, b, n)
});

#[inline(always)]
fn paired_rows_with<F: Fma>(k: usize, a: &[f32], b: &[f32], n: usize) -> Vec<f32> {
    const L: usize = 16;
    let mut c = vec![0.0f32; n];
    let (mut xa, mut xb) = (vec![0.0f32; k * L], vec![0.0f32; k * L]);
    for (block, out) in c.chunks_mut(L).enumerate() {
        let (i0, w) = (block * L, out.len());
        for l in 0..w {
            let (ra, rb) = (
                &a[(i0 + l) * k..(i0 + l + 1) * k],
                &b[(i0 + l) * k..(i0 + l + 1) * k],
            );
            for (d, (&x, &y)) in ra.iter().zip(rb).enumerate() {
                xa[d * L + l] = x;
                xb[d * L + l] = y;
            }
        }
        for (x, y) in xa.chunks_exact(L).zip(xb.chunks_exact(L)) {
            for ((s, &x), &y) in out.iter_mut().zip(x).zip(y) {
                *s = F::fma(x, y, *s);
            }
        }
    }
    c
}
