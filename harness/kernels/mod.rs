//! Numeric kernels of the CPU fast paths (the fused score path, the host towers and
//! the host training step), written so the compiler vectorises them: products of
//! row-major blocks (`products`), and the pair loss as softplus with branch-free
//! exp and log1p (`pairs`).
//!
//! Same bits on every CPU: every sum runs in an order the code fixes (lanes only
//! across independent entries), and every multiply-add of a product is fused, one
//! rounding, on every CPU. Where the CPU has AVX-512 (or AVX2 and FMA) the kernels
//! are compiled for it and chosen at run time; elsewhere the portable build
//! computes the same fused multiply-add (aarch64 has it in hardware; an x86-64 CPU
//! without FMA gets it emulated exactly in f64, slower but identical). A wider
//! vector holds more independent entries, never a different order of one sum, so
//! every level gives the same bits. `JESTBENCH_SIMD=portable` forces the portable
//! build and `JESTBENCH_SIMD=avx2` caps the level at AVX2 on any CPU, which is how
//! the test suite checks that the levels agree.

use std::sync::OnceLock;

/// A kernel body compiled twice for the x86-64 levels: `$avx2` with AVX2 and FMA
/// enabled, `$avx512` with AVX-512 too. Callers dispatch on [`Level`] and hold the
/// safety contract: only a level the CPU has (`cpu_level`).
macro_rules! x86_levels {
    ($avx2:ident, $avx512:ident, ($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn $avx2($($arg: $ty),*) $(-> $ret)? $body

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx512f,avx2,fma")]
        unsafe fn $avx512($($arg: $ty),*) $(-> $ret)? $body
    };
}

mod pairs;
mod peak;
mod products;
#[cfg(target_arch = "x86_64")]
mod sse2;
mod tiles;

pub use pairs::{exp, pair_grad, pair_sums, softplus, softplus_in_place, PairSums};
pub use peak::fma_peak_gflops;
pub use products::{paired_rows, products, products_par};

/// A product's operands (see [`products`]): C (m × nb, row-major) is A (m × k,
/// row-major) times the columns j0..j0 + nb of Bᵀ (k × n, row-major).
#[derive(Clone, Copy)]
pub(crate) struct Operands<'a> {
    pub m: usize,
    pub nb: usize,
    pub k: usize,
    pub a: &'a [f32],
    pub bt: &'a [f32],
    pub n: usize,
    pub j0: usize,
}

impl<'a> Operands<'a> {
    pub(crate) fn new(
        m: usize,
        nb: usize,
        k: usize,
        a: &'a [f32],
        bt: &'a [f32],
        n: usize,
        j0: usize,
    ) -> Self {
        Self {
            m,
            nb,
            k,
            a,
            bt,
            n,
            j0,
        }
    }
}

/// How a kernel computes a·b + c with one rounding (IEEE's fused multiply-add):
/// every implementation gives the same bits, so the builds agree.
pub(crate) trait Fma {
    fn fma(a: f32, b: f32, c: f32) -> f32;

    /// Whether [`Fma::fma_flagged`] may differ from [`Fma::fma`].
    const FLAGGED: bool = false;

    /// a·b + c, cheaper where it may be wrong in the last bit: wherever it could
    /// differ from [`Fma::fma`] it sets `flag` (never clears it), and the kernel
    /// recomputes with `fma`. Where `FLAGGED` is false it is `fma` itself.
    #[inline(always)]
    fn fma_flagged(a: f32, b: f32, c: f32, _flag: &mut u32) -> f32 {
        Self::fma(a, b, c)
    }
}

/// The hardware instruction (`mul_add` where the build enables FMA, and on
/// aarch64, where it always has one).
pub(crate) struct Hardware;
impl Fma for Hardware {
    #[inline(always)]
    fn fma(a: f32, b: f32, c: f32) -> f32 {
        a.mul_add(b, c)
    }
}

/// The fused multiply-add emulated exactly in f64, for x86-64 builds without FMA
/// (a library call per element would be ~25x slower): the product of two f32 is
/// exact in f64; the sum with c is rounded to f64 with its exact error found by
/// TwoSum, then made odd (round-to-odd) when inexact, and rounding that to f32 is
/// the correctly rounded a·b + c (Boldo and Melquiond: 53 ≥ 24 + 2 bits). Branch
/// free, so it vectorises.
pub(crate) struct Emulated;
impl Fma for Emulated {
    #[inline(always)]
    fn fma(a: f32, b: f32, c: f32) -> f32 {
        let p = a as f64 * b as f64;
        let c = c as f64;
        let s = p + c;
        let bb = s - p;
        let e = (p - (s - bb)) + (c - bb);
        let bits = s.to_bits();
        // Inexact with an even last bit: step one ulp towards the exact value.
        let adjust = e != 0.0 && bits & 1 == 0 && s.is_finite();
        let away = (e > 0.0) == (s > 0.0);
        let step: i64 = if adjust {
            if away {
                1
            } else {
                -1
            }
        } else {
            0
        };
        f64::from_bits((bits as i64 + step) as u64) as f32
    }

    const FLAGGED: bool = true;

    /// a·b + c rounded to f64 (a·b is exact there), then to f32: two roundings,
    /// which differ from one only where the f64 sum lands exactly halfway
    /// between two f32 values (the 29 bits f32 drops are 1 then zeros), or in
    /// f32's subnormal range, where fewer bits are kept. Those are flagged
    /// (rare on data without special structure: a tie needs 28 given bits), and the
    /// kernel recomputes its tile exactly; the flag never misses a wrong result
    /// (the tests check it on ties built to fail). About a third of the exact
    /// emulation's instructions.
    #[inline(always)]
    fn fma_flagged(a: f32, b: f32, c: f32, flag: &mut u32) -> f32 {
        let s = a as f64 * b as f64 + c as f64;
        let low = s.to_bits() as u32 & 0x1FFF_FFFF;
        let tiny = s.abs() < f32::MIN_POSITIVE as f64 && s != 0.0;
        *flag |= ((low == 0x1000_0000) | tiny) as u32;
        s as f32
    }
}

/// The portable build's fused multiply-add: emulated on x86-64 (whose baseline
/// has no FMA), the hardware's elsewhere.
#[cfg(target_arch = "x86_64")]
pub(crate) type Portable = Emulated;
#[cfg(not(target_arch = "x86_64"))]
pub(crate) type Portable = Hardware;

/// The instruction sets a kernel is compiled for, chosen once per process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Baseline instructions (the fused multiply-add emulated on x86-64).
    Portable,
    /// AVX2 and FMA: 8 lanes.
    Avx2,
    /// AVX-512F (with AVX2 and FMA): 16 lanes and twice the registers.
    Avx512,
}

/// What `JESTBENCH_SIMD` asks for (read once): `portable` forces the portable
/// build, `avx2` caps the level at AVX2; unset, the best the CPU has.
fn requested() -> Option<Level> {
    static REQUESTED: OnceLock<Option<Level>> = OnceLock::new();
    *REQUESTED.get_or_init(|| {
        let v = std::env::var("JESTBENCH_SIMD").ok()?;
        if v.eq_ignore_ascii_case("portable") {
            Some(Level::Portable)
        } else if v.eq_ignore_ascii_case("avx2") {
            Some(Level::Avx2)
        } else {
            None
        }
    })
}

/// Whether `JESTBENCH_SIMD=portable` asks for the portable kernels.
pub fn portable_forced() -> bool {
    requested() == Some(Level::Portable)
}

/// The best level this CPU runs, ignoring `JESTBENCH_SIMD`.
pub fn cpu_level() -> Level {
    #[cfg(target_arch = "x86_64")]
    {
        let fma = std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma");
        if fma && std::is_x86_feature_detected!("avx512f") {
            Level::Avx512
        } else if fma {
            Level::Avx2
        } else {
            Level::Portable
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        Level::Portable
    }
}

/// The level the kernels run at: the CPU's, capped by `JESTBENCH_SIMD`.
pub fn level() -> Level {
    static LEVEL: OnceLock<Level> = OnceLock::new();
    *LEVEL.get_or_init(|| match requested() {
        Some(cap) => cap.min(cpu_level()),
        None => cpu_level(),
    })
}

/// Whether the kernels run a build with hardware FMA (AVX2 or AVX-512).
pub fn fused_products() -> bool {
    level() != Level::Portable
}

/// The SIMD level the kernels run at, for logs and `bench`.
pub fn simd_level() -> &'static str {
    match (level(), requested()) {
        (Level::Avx512, _) => "avx512+fma",
        (Level::Avx2, Some(Level::Avx2)) => "avx2+fma (capped)",
        (Level::Avx2, _) => "avx2+fma",
        (Level::Portable, Some(Level::Portable)) => "portable (forced)",
        (Level::Portable, _) => "portable",
    }
}

/// The transpose of an n×k row-major matrix (k×n row-major).
pub fn transpose(x: &[f32], n: usize, k: usize) -> Vec<f32> {
    let mut t = vec![0.0f32; n * k];
    transpose_into(x, n, k, &mut t);
    t
}

/// The transpose of an n×k row-major matrix written into `t` (k×n), in 8×8
/// blocks held in registers (so reads and writes both run 8 floats at a time),
/// the edges element by element.
pub fn transpose_into<T: Copy>(x: &[T], n: usize, k: usize, t: &mut [T]) {
    assert!(x.len() >= n * k && t.len() >= n * k);
    transpose_rows(x, n, k, 0, k, t);
}

/// Rows d0..d0 + width of the transpose of an n×k row-major matrix, into `t`
/// (width × n): t[(d − d0)·n + i] = x[i·k + d].
fn transpose_rows<T: Copy>(x: &[T], n: usize, k: usize, d0: usize, width: usize, t: &mut [T]) {
    if std::mem::size_of::<T>() == 4 && level() != Level::Portable {
        // SAFETY: T is 4 bytes and `Copy` (f32 or u32 here): moved as u32 bits, never
        // read as anything else.
        let (x4, t4) = unsafe {
            (
                std::slice::from_raw_parts(x.as_ptr() as *const u32, x.len()),
                std::slice::from_raw_parts_mut(t.as_mut_ptr() as *mut u32, t.len()),
            )
        };
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `level()` is AVX2 or above, which the CPU has.
        unsafe {
            return transpose_rows_avx2(x4, n, k, d0, width, t4);
        }
    }
    transpose_rows_with(x, n, k, d0, width, t)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn transpose_rows_avx2(
    x: &[u32],
    n: usize,
    k: usize,
    d0: usize,
    width: usize,
    t: &mut [u32],
) {
    transpose_rows_with(x, n, k, d0, width, t)
}

#[inline(always)]
fn transpose_rows_with<T: Copy>(x: &[T], n: usize, k: usize, d0: usize, width: usize, t: &mut [T]) {
    const B: usize = 8;
    let (n8, w8) = (n / B * B, width / B * B);
    for i0 in (0..n8).step_by(B) {
        for dd0 in (0..w8).step_by(B) {
            let block: [[T; B]; B] = std::array::from_fn(|r| {
                let at = (i0 + r) * k + d0 + dd0;
                x[at..at + B].try_into().expect("8")
            });
            // c indexes the block's columns and t's rows at once.
            #[allow(clippy::needless_range_loop)]
            for c in 0..B {
                let at = (dd0 + c) * n + i0;
                let row: [T; B] = std::array::from_fn(|r| block[r][c]);
                t[at..at + B].copy_from_slice(&row);
            }
        }
    }
    // The edges: rows of x past the last whole block, and columns past it.
    for i in 0..n {
        let from = if i < n8 { w8 } else { 0 };
        for dd in from..width {
            t[dd * n + i] = x[i * k + d0 + dd];
        }
    }
}

/// The transpose of an n×k row-major matrix (k×n), its rows split over rayon's
/// pool in bands when it is large.
pub fn transpose_par(x: &[f32], n: usize, k: usize, t: &mut [f32]) {
    use rayon::prelude::*;
    const BAND: usize = 64;
    assert!(x.len() >= n * k && t.len() >= n * k);
    if n * k < 1 << 18 || n == 0 {
        return transpose_into(x, n, k, t);
    }
    t[..n * k]
        .par_chunks_mut(BAND * n)
        .enumerate()
        .for_each(|(band, rows)| transpose_rows(x, n, k, band * BAND, rows.len() / n, rows));
}

/// ⟨x, y⟩ summed over d in order, as `products` sums each entry.
pub fn dot(x: &[f32], y: &[f32]) -> f32 {
    let mut c = [0.0f32];
    products(1, 1, x.len(), x, y, 1, 0, &mut c);
    c[0]
}

#[cfg(test)]
mod tests;
