//! The portable x86-64 build's products (`JESTBENCH_SIMD=portable`, or a CPU
//! without FMA): SSE2, the x86-64 baseline, with each fused multiply-add emulated
//! in f64 and the same bits as the hardware's.
//!
//! Every entry is the chain c ← RN₂₄(a·b + c) over d in order, as at every level.
//! In f64 a·b is exact (24 + 24 bits ≤ 53) and a·b + c rounds once, to 53 bits;
//! rounding that to f32 is the fused result unless the second rounding goes the
//! wrong way, which needs one of two things:
//! - the f64 sum lands exactly halfway between two f32 values (the 29 bits f32
//!   drops are 1 then zeros): flagged per step, three vector instructions;
//! - the f64 sum is inexact and in f32's subnormal range, where f32 keeps fewer
//!   bits. That cannot happen when every A and Bᵀ value of the block is zero or
//!   at least 2⁻⁶⁶ in magnitude: a·b is then a multiple of 2⁻¹⁷⁸, every f32 c one
//!   of 2⁻¹⁴⁹, so a sum below 2⁻¹²⁶ has at most 52 significant bits and is exact
//!   in f64. Checked once per packed block, not per step.
//!
//! A block with a value outside that range checks the subnormal range per step
//! as well (six more instructions). A flagged tile is recomputed from its
//! starting sums by the exact emulation (`Emulated::fma`: TwoSum and
//! round-to-odd). Accumulators stay in f64 registers between steps (an f32 value,
//! widened), and A's values are packed already widened and doubled into pairs,
//! Bᵀ's widened, so a step is two multiplies, two adds, two narrowings and two
//! widenings per four entries of a row, plus the flag's three.

use std::arch::x86_64::*;

use super::tiles::singles;
use super::{Emulated, Fma, Operands};

/// Rows of a register tile.
const R: usize = 4;
/// Candidates of a register tile (two f64 pairs per row: 8 accumulators).
const T: usize = 4;
/// Steps of d per block: a tile's packed Bᵀ (256 × 4 f64, 8 KiB) and A (256 × 4
/// pairs, 16 KiB) stay in L1 together.
const DEPTH: usize = 256;
/// Candidates per packed panel of Bᵀ (2 MiB of f64 per block of d).
const PANEL: usize = 1024;
/// Rows per packed band of A (192 KiB of pairs per block of d, in L2).
const BAND: usize = 48;
/// The smallest nonzero magnitude the per-step check is enough for: 2⁻⁶⁶.
const SMALLEST: f32 = 1.355_252_7e-20;

std::thread_local! {
    /// Each thread's packing buffers (A's band as pairs, Bᵀ's panel), kept
    /// between calls.
    static PACKS: std::cell::Cell<(Vec<f64>, Vec<f64>)> =
        const { std::cell::Cell::new((Vec::new(), Vec::new())) };
}

/// Whether a value keeps the per-step check enough (zero, or at least 2⁻⁶⁶ in
/// magnitude; infinities too: NaN is not).
#[inline(always)]
fn in_range(x: f32) -> bool {
    (x == 0.0) | (x.abs() >= SMALLEST)
}

/// `products` at the portable level on x86-64 (see `products::products`).
pub(super) fn products(op: Operands<'_>, c: &mut [f32]) {
    let end = op.nb / T * T;
    if end > 0 && op.m > 0 {
        tiles(op, c, end);
    }
    // Candidates no whole tile covers, one by one (the flagged path, scalar).
    singles::<Emulated>(op, c, end);
}

/// Candidates 0..end in R × T register tiles, blocked and packed as
/// GotoBLAS packs a product; rows past the last whole tile are packed as zeros
/// and their sums dropped.
fn tiles(op: Operands<'_>, c: &mut [f32], end: usize) {
    let Operands {
        m,
        nb,
        k,
        a,
        bt,
        n,
        j0,
    } = op;
    let (mut apack, mut bpack) = PACKS.take();
    let depth_max = DEPTH.min(k.max(1));
    let a_need = BAND.next_multiple_of(R) * depth_max * 2;
    let b_need = depth_max * PANEL.min(end);
    if apack.len() < a_need {
        apack.resize(a_need, 0.0);
    }
    if bpack.len() < b_need {
        bpack.resize(b_need, 0.0);
    }
    // At least one block, so that k = 0 still writes its zeros.
    for d0 in (0..k.max(1)).step_by(DEPTH) {
        let depth = (d0 + DEPTH).min(k) - d0;
        for p0 in (0..end).step_by(PANEL) {
            let width = PANEL.min(end - p0);
            // Bᵀ's panel, tile by tile: tile t holds its T candidates' values
            // step after step.
            let mut b_ok = true;
            for t in 0..width / T {
                let tile = &mut bpack[t * depth * T..(t + 1) * depth * T];
                for (dd, dst) in tile.chunks_exact_mut(T).enumerate() {
                    let at = (d0 + dd) * n + j0 + p0 + t * T;
                    for (d, &x) in dst.iter_mut().zip(&bt[at..at + T]) {
                        b_ok &= in_range(x);
                        *d = x as f64;
                    }
                }
            }
            for q0 in (0..m).step_by(BAND) {
                let rows = BAND.min(m - q0);
                let groups = rows.div_ceil(R);
                // A's band, R rows at a time by d, each value twice (a pair).
                let mut a_ok = true;
                for g in 0..groups {
                    let group = &mut apack[g * depth * R * 2..(g + 1) * depth * R * 2];
                    for r in 0..R {
                        let q = q0 + g * R + r;
                        if q < q0 + rows {
                            let src = &a[q * k + d0..q * k + d0 + depth];
                            for (dd, &x) in src.iter().enumerate() {
                                a_ok &= in_range(x);
                                let at = (dd * R + r) * 2;
                                group[at] = x as f64;
                                group[at + 1] = x as f64;
                            }
                        } else {
                            for dd in 0..depth {
                                let at = (dd * R + r) * 2;
                                group[at..at + 2].fill(0.0);
                            }
                        }
                    }
                }
                let checked = a_ok && b_ok;
                for t in 0..width / T {
                    let j = p0 + t * T;
                    let bs = &bpack[t * depth * T..(t + 1) * depth * T];
                    for g in 0..groups {
                        let q = q0 + g * R;
                        let live = R.min(q0 + rows - q);
                        let xs = &apack[g * depth * R * 2..(g + 1) * depth * R * 2];
                        let mut acc = [[0.0f32; T]; R];
                        if d0 > 0 {
                            for (r, acc) in acc.iter_mut().enumerate().take(live) {
                                acc.copy_from_slice(&c[(q + r) * nb + j..(q + r) * nb + j + T]);
                            }
                        }
                        let start = acc;
                        // SAFETY: SSE2 is part of x86-64's baseline; the slices
                        // hold `depth` steps (checked inside).
                        let flagged = unsafe {
                            if checked {
                                block::<false>(&mut acc, xs, bs, depth)
                            } else {
                                block::<true>(&mut acc, xs, bs, depth)
                            }
                        };
                        if flagged {
                            acc = start;
                            exact(&mut acc, xs, bs, depth);
                        }
                        for (r, acc) in acc.iter().enumerate().take(live) {
                            c[(q + r) * nb + j..(q + r) * nb + j + T].copy_from_slice(acc);
                        }
                    }
                }
            }
        }
    }
    PACKS.set((apack, bpack));
}

/// `depth` steps of an R × T tile from its packed A pairs (`xs`: step dd, row r
/// at (dd·R + r)·2) and Bᵀ values (`bs`: step dd at dd·T), each a·b + c in f64
/// rounded to f32; returns whether a sum landed halfway between two f32 values,
/// or (`SUBNORMAL`, for a block with values below 2⁻⁶⁶) in f32's subnormal range.
#[inline(always)]
unsafe fn block<const SUBNORMAL: bool>(
    acc: &mut [[f32; T]; R],
    xs: &[f64],
    bs: &[f64],
    depth: usize,
) -> bool {
    assert!(xs.len() >= depth * R * 2 && bs.len() >= depth * T);
    let mut s = [[_mm_setzero_pd(); 2]; R];
    for (s, acc) in s.iter_mut().zip(acc.iter()) {
        let v = _mm_loadu_ps(acc.as_ptr());
        *s = [_mm_cvtps_pd(v), _mm_cvtps_pd(_mm_movehl_ps(v, v))];
    }
    // The high words: 0 < |s| < 2⁻¹²⁶ (a nonzero sum here is a normal f64, at
    // least 2⁻²⁹⁸, so its high word without the sign is at least 0x0010_0000).
    let magnitude = _mm_set1_epi32(0x7FFF_FFFF);
    let normal = _mm_set1_epi32(0x3810_0000);
    let mut flags = _mm_setzero_si128();
    let (xp, bp) = (xs.as_ptr(), bs.as_ptr());
    for dd in 0..depth {
        let b0 = _mm_loadu_pd(bp.add(dd * T));
        let b1 = _mm_loadu_pd(bp.add(dd * T + 2));
        for (r, s) in s.iter_mut().enumerate() {
            let x = _mm_loadu_pd(xp.add((dd * R + r) * 2));
            let s0 = _mm_add_pd(_mm_mul_pd(x, b0), s[0]);
            let s1 = _mm_add_pd(_mm_mul_pd(x, b1), s[1]);
            if SUBNORMAL {
                let highs = _mm_and_si128(
                    _mm_castps_si128(_mm_shuffle_ps::<0b11_01_11_01>(
                        _mm_castpd_ps(s0),
                        _mm_castpd_ps(s1),
                    )),
                    magnitude,
                );
                let tiny = _mm_and_si128(
                    _mm_cmpgt_epi32(highs, _mm_setzero_si128()),
                    _mm_cmpgt_epi32(normal, highs),
                );
                flags = _mm_or_si128(flags, tiny);
            }
            *s = round(s0, s1, &mut flags);
        }
    }
    for (s, acc) in s.iter().zip(acc.iter_mut()) {
        let v = _mm_movelh_ps(_mm_cvtpd_ps(s[0]), _mm_cvtpd_ps(s[1]));
        _mm_storeu_ps(acc.as_mut_ptr(), v);
    }
    _mm_movemask_epi8(flags) != 0
}

/// A step's two pairs of f64 sums rounded to f32 and widened back (the next
/// running sums), with the midpoint flag ORed into `flags`: a sum whose low 29
/// bits are 1 then 28 zeros lies halfway between two f32 values, where rounding
/// twice may differ from rounding once. The low words of the four sums are
/// tested together.
#[inline(always)]
unsafe fn round(s0: __m128d, s1: __m128d, flags: &mut __m128i) -> [__m128d; 2] {
    let lows = _mm_castps_si128(_mm_shuffle_ps::<0b10_00_10_00>(
        _mm_castpd_ps(s0),
        _mm_castpd_ps(s1),
    ));
    let halfway = _mm_cmpeq_epi32(
        _mm_and_si128(lows, _mm_set1_epi32(0x1FFF_FFFF)),
        _mm_set1_epi32(0x1000_0000),
    );
    *flags = _mm_or_si128(*flags, halfway);
    [
        _mm_cvtps_pd(_mm_cvtpd_ps(s0)),
        _mm_cvtps_pd(_mm_cvtpd_ps(s1)),
    ]
}

/// The same steps by the exact emulation (a flagged tile, or a block with values
/// the per-step check is not enough for).
fn exact(acc: &mut [[f32; T]; R], xs: &[f64], bs: &[f64], depth: usize) {
    for dd in 0..depth {
        let b = &bs[dd * T..(dd + 1) * T];
        for (r, acc) in acc.iter_mut().enumerate() {
            let x = xs[(dd * R + r) * 2] as f32;
            for (s, &y) in acc.iter_mut().zip(b) {
                *s = Emulated::fma(x, y as f32, *s);
            }
        }
    }
}

/// The portable level's multiply-add peak (`fma_peak_gflops`): the kernel's step
/// (f64 multiply and add, narrowing and widening, the midpoint flag) on 12
/// accumulators of two lanes that stay in registers, `steps` each; returns their
/// sum (with the flag, so that nothing is dropped) and the multiply-adds made.
pub(super) fn chains(seed: f32, steps: usize) -> (f32, usize) {
    const C: usize = 12;
    // SAFETY: SSE2 is part of x86-64's baseline.
    unsafe {
        let x = _mm_set1_pd(std::hint::black_box(seed) as f64);
        let y = _mm_set1_pd(std::hint::black_box(0.999_999f32) as f64);
        let mut flags = _mm_setzero_si128();
        let mut acc: [__m128d; C] = std::array::from_fn(|c| _mm_set1_pd(c as f64 * 1e-3));
        for _ in 0..steps {
            for pair in acc.chunks_exact_mut(2) {
                let s0 = _mm_add_pd(_mm_mul_pd(pair[0], y), x);
                let s1 = _mm_add_pd(_mm_mul_pd(pair[1], y), x);
                [pair[0], pair[1]] = round(s0, s1, &mut flags);
            }
        }
        let mut sum = _mm_movemask_epi8(flags) as f32;
        for a in acc {
            let mut two = [0.0f64; 2];
            _mm_storeu_pd(two.as_mut_ptr(), a);
            sum += (two[0] + two[1]) as f32;
        }
        (sum, steps * 2 * C)
    }
}
