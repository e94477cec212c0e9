//! The machine's float32 multiply-add peak at the kernels' level: the reference
//! `bench` sets beside the step's rate (its "of peak" column). Each thread runs
//! `CHAINS` independent accumulators of `LANES` floats through fused multiply-adds
//! that stay in registers (no loads), enough chains to cover the instruction's
//! latency on every FMA port. Every thread of rayon's pool runs them at once,
//! each timing its own run (threads start apart on a loaded machine), and the
//! threads' rates add up: as fast as this CPU multiplies and adds at that level.
//! The portable x86-64 build times its products' own step instead (an f64
//! multiply and add, the rounding to f32 and back, the midpoint flag), the
//! emulated multiply-add its kernel runs.

use std::time::Instant;

#[cfg(not(target_arch = "x86_64"))]
use super::Portable;
use super::{level, Fma, Hardware, Level};

/// Multiply-adds per accumulator lane per call (about 10 ms).
const STEPS: usize = 1 << 18;

/// GFLOP/s of fused multiply-adds (2 FLOPs each) on every thread of the pool at
/// once: per round each thread's own rate, summed; the best of `reps` rounds.
pub fn fma_peak_gflops(reps: usize) -> f64 {
    let lv = level();
    let mut best = 0.0f64;
    for _ in 0..reps.max(1) {
        let rates = rayon::broadcast(|ctx| {
            let t = Instant::now();
            let (sink, fmas) = chains_at(lv, 1.0 + ctx.index() as f32 * 1e-7);
            let secs = t.elapsed().as_secs_f64();
            std::hint::black_box(sink);
            2.0 * fmas as f64 / secs / 1e9
        });
        best = best.max(rates.iter().sum());
    }
    best
}

/// One thread's chains: their sum and the multiply-adds made.
fn chains_at(lv: Level, seed: f32) -> (f32, usize) {
    match lv {
        // SAFETY: `level()` only gives a level the CPU has.
        #[cfg(target_arch = "x86_64")]
        Level::Avx512 => unsafe { chains_avx512(seed) },
        // SAFETY: as above.
        #[cfg(target_arch = "x86_64")]
        Level::Avx2 => unsafe { chains_avx2(seed) },
        // The portable build: the f64 step of its products (x86-64), or 12 SSE
        // registers of 4 lanes through the hardware's FMA (aarch64).
        #[cfg(target_arch = "x86_64")]
        _ => super::sse2::chains(seed, STEPS),
        #[cfg(not(target_arch = "x86_64"))]
        _ => chains::<Portable, 4, 12>(seed),
    }
}

/// 12 of the 16 ymm registers accumulate (8 lanes each).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn chains_avx2(seed: f32) -> (f32, usize) {
    chains::<Hardware, 8, 12>(seed)
}

/// 24 of the 32 zmm registers accumulate (16 lanes each).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn chains_avx512(seed: f32) -> (f32, usize) {
    chains::<Hardware, 16, 24>(seed)
}

/// C accumulators of L lanes (as many as the level's registers hold, with room
/// for the operands), STEPS fused multiply-adds each, by values the compiler
/// cannot know (so it can neither fold nor drop them); returns their sum and
/// the multiply-adds made.
#[inline(always)]
fn chains<F: Fma, const L: usize, const C: usize>(seed: f32) -> (f32, usize) {
    let x = std::hint::black_box([seed; L]);
    let y = std::hint::black_box([0.999_999f32; L]);
    let mut acc = [[0.0f32; L]; C];
    for (c, acc) in acc.iter_mut().enumerate() {
        *acc = [c as f32 * 1e-3; L];
    }
    for _ in 0..STEPS {
        for acc in acc.iter_mut() {
            for l in 0..L {
                acc[l] = F::fma(acc[l], y[l], x[l]);
            }
        }
    }
    (acc.iter().flatten().sum(), STEPS * L * C)
}
