//! Products of row-major blocks with every entry summed over d in order, one fused
//! multiply-add per step: the same bits at every SIMD level, tile and thread split.

use rayon::prelude::*;

use super::tiles::{singles, tiles};
use super::{level, Fma, Hardware, Level, Operands, Portable};

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
    products_at(level(), Operands::new(m, nb, k, a, bt, n, j0), c)
}

/// `products` at a given level (the tests compare the levels).
pub(crate) fn products_at(at: Level, op: Operands<'_>, c: &mut [f32]) {
    let Operands {
        m,
        nb,
        k,
        a,
        bt,
        n,
        j0,
    } = op;
    assert!(a.len() >= m * k && bt.len() >= k * n && j0 + nb <= n && c.len() >= m * nb);
    match at {
        // SAFETY: `level()` and the tests only ask for a level the CPU has.
        #[cfg(target_arch = "x86_64")]
        Level::Avx512 => unsafe { products_avx512(op, c) },
        // SAFETY: as above.
        #[cfg(target_arch = "x86_64")]
        Level::Avx2 => unsafe { products_avx2_fma(op, c) },
        #[cfg(target_arch = "x86_64")]
        _ => super::sse2::products(op, c),
        #[cfg(not(target_arch = "x86_64"))]
        _ => {
            let j = tiles::<Portable, 2, 32>(op, c, 0);
            singles::<Portable>(op, c, j);
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
unsafe fn products_avx2_fma(op: Operands<'_>, c: &mut [f32]) {
    // Six rows × 16 candidates: 12 of the 16 ymm registers accumulate (enough
    // independent chains to cover the FMA's latency on both ports), 2 hold Bᵀ's
    // row and 1 the broadcast A value; then 8-wide tiles, then one by one.
    // (Measured against 2 × 32, 3 × 32, 4 × 16 and 4 × 24: docs/performance.md.)
    // Few rows (the score path's chunks: b/16 rows against B candidates): two
    // rows × 32, 8 accumulators in every tile, where 6 × 16 would leave most
    // rows to its 2-row leftovers (4 accumulators).
    let j = if op.m < 24 {
        tiles::<Hardware, 2, 32>(op, c, 0)
    } else {
        let j = tiles::<Hardware, 6, 16>(op, c, 0);
        tiles::<Hardware, 6, 8>(op, c, j)
    };
    singles::<Hardware>(op, c, j);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn products_avx512(op: Operands<'_>, c: &mut [f32]) {
    // Eight rows × 32 candidates: 16 of the 32 zmm registers accumulate, enough
    // independent chains to keep both FMA ports busy, and a tile of Bᵀ (32 wide)
    // still fits its 16 KiB; then the AVX2 kernel's tiles.
    // Few rows: four rows × 64, then two × 32 (as before 8 × 32 tiles).
    let j = if op.m < 32 {
        let j = tiles::<Hardware, 4, 64>(op, c, 0);
        tiles::<Hardware, 2, 32>(op, c, j)
    } else {
        let j = tiles::<Hardware, 8, 32>(op, c, 0);
        let j = tiles::<Hardware, 6, 16>(op, c, j);
        tiles::<Hardware, 6, 8>(op, c, j)
    };
    singles::<Hardware>(op, c, j);
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
