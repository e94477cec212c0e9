//! The pair loss's elementwise work: softplus with branch-free exp and log1p, an
//! exponential with libm's exact bits that vectorises, and the batch loss's
//! per-pair terms and their sums (the host training step's B×B work).

use rayon::prelude::*;

use super::{level, Level};

const LN2_HI: f32 = 0.693_145_75;
const LN2_LO: f32 = 1.428_606_8e-6;
const ROUND: f32 = 12_582_912.0; // 1.5·2^23: adding it rounds to an integer

/// e^y for y ≤ 0 (values below −87 give e^−87 ≈ 1.6e-38 rather than denormals),
/// relative error about 2e-7.
#[inline(always)]
fn exp_nonpositive(y: f32) -> f32 {
    let y = y.max(-87.0);
    // Adding 1.5·2^23 leaves round(y·log2 e) in the low bits of the sum.
    let shifted = y * std::f32::consts::LOG2_E + ROUND;
    let n = shifted - ROUND;
    let n_int = shifted.to_bits() as i32 - ROUND.to_bits() as i32;
    let r = (y - n * LN2_HI) - n * LN2_LO;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    let scale = f32::from_bits(((n_int + 127) as u32) << 23);
    p * scale
}

/// ln(1 + u) for u in [0, 1], as 2·atanh(u / (2 + u)) (exact for tiny u, relative
/// error about 2e-7).
#[inline(always)]
fn ln_1p_unit(u: f32) -> f32 {
    let s = u / (2.0 + u);
    let s2 = s * s;
    let p = 1.0
        + s2 * (1.0 / 3.0
            + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0 + s2 * (1.0 / 11.0)))));
    2.0 * s * p
}

/// softplus(x) = ln(1 + e^x) = max(x, 0) + ln(1 + e^{−|x|}), the pair loss −log σ(z·x)
/// at x ← −z·x (dfdx's `bce_with_logits` formula, so the unfused path agrees).
/// A NaN (or infinite) input gives a non-finite output, so a diverging run is seen.
#[inline(always)]
pub fn softplus(x: f32) -> f32 {
    // x·0 is 0 for every finite x and NaN otherwise (`max` would hide a NaN).
    x.max(0.0) + ln_1p_unit(exp_nonpositive(-x.abs())) + x * 0.0
}

/// softplus over a slice, in place (vectorised at the kernels' level).
pub fn softplus_in_place(xs: &mut [f32]) {
    softplus_at(level(), xs)
}

/// `softplus_in_place` at a given level (the tests compare the levels).
pub(crate) fn softplus_at(lv: Level, xs: &mut [f32]) {
    match lv {
        // SAFETY: only levels the CPU has are asked for.
        #[cfg(target_arch = "x86_64")]
        Level::Avx512 => unsafe { softplus_avx512(xs) },
        // SAFETY: as above.
        #[cfg(target_arch = "x86_64")]
        Level::Avx2 => unsafe { softplus_avx2(xs) },
        _ => softplus_portable(xs),
    }
}

x86_levels!(softplus_avx2, softplus_avx512, (xs: &mut [f32]) {
    softplus_portable(xs)
});

#[inline(always)]
pub(crate) fn softplus_portable(xs: &mut [f32]) {
    for x in xs.iter_mut() {
        *x = softplus(*x);
    }
}

// libm's `expf` (FreeBSD's e_expf.c): its constants, by their bits.
const EXP_LN2_HI: f32 = f32::from_bits(0x3f31_7200);
const EXP_LN2_LO: f32 = f32::from_bits(0x35bf_be8e);
const INV_LN2: f32 = f32::from_bits(0x3fb8_aa3b);
const P1: f32 = f32::from_bits(0x3e2a_aa8f); // 0xaaaa8f.0p-26
const P2: f32 = f32::from_bits(0xbb35_5215); // -0xb55215.0p-32

/// eˣ with exactly the bits of the `libm` crate's `expf` (what the host step and
/// evaluation used one call at a time), written without branches so that a loop
/// of it vectorises: every case libm branches on is computed and the right one
/// selected. Only f32 multiplies, adds and divides, none fused, so every CPU and
/// vector width gives the same bits; a test compares it with `libm::expf` across
/// the whole float range.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    let bits = x.to_bits();
    let negative = bits >> 31 != 0;
    let hx = bits & 0x7fff_ffff;
    // Argument reduction: k = round(x / ln 2) where |x| > 1.5 ln 2, ±1 where
    // |x| > 0.5 ln 2, else 0 (with k = 0 the reduction below leaves x as it is).
    let half = if negative { -0.5f32 } else { 0.5 };
    let k_far = (INV_LN2 * x + half) as i32;
    let k_near = if negative { -1 } else { 1 };
    let k = if hx > 0x3f85_1592 {
        k_far
    } else if hx > 0x3eb1_7218 {
        k_near
    } else {
        0
    };
    // Lanes libm would have answered early may hold any k: keep them in range.
    let k = k.clamp(-160, 160);
    let kf = k as f32;
    let hi = x - kf * EXP_LN2_HI;
    let lo = kf * EXP_LN2_LO;
    let r = hi - lo;
    let rr = r * r;
    let c = r - rr * (P1 + rr * P2);
    let y = 1.0 + (r * c / (2.0 - c) - lo + hi);
    // scalbnf(y, k) for k in [−150, 128]: first an exact step by 2^127 or 2^−102
    // where 2^k is not a normal float, as libm's scalbn does.
    let (pre, k) = if k > 127 {
        (f32::from_bits(0x7f00_0000), k - 127)
    } else if k < -126 {
        (f32::from_bits(0x0c80_0000), k + 102)
    } else {
        (1.0, k)
    };
    let scaled = y * pre * f32::from_bits(((k + 127) as u32) << 23);
    if hx > 0x7f80_0000 {
        x // NaN
    } else if !negative && hx >= 0x42b1_7218 {
        x * f32::from_bits(0x7f00_0000) // overflow: +inf
    } else if negative && hx >= 0x42cf_f1b5 {
        0.0 // x ≤ −103.97: underflow
    } else if hx <= 0x3900_0000 {
        1.0 + x // |x| ≤ 2^−14
    } else {
        scaled
    }
}

/// The per-pair terms of the batch loss of n pairs from their similarities S
/// (n×n row-major): with z = t·S_ij + c, `sp` gets each pair's loss
/// softplus(−z) on the diagonal and softplus(z) off it, and `g` the loss's
/// gradient in z, (σ(z) − [i = j]) · inv_n with σ(z) = 1 / (1 + eˣ(−z)). Rows are
/// split over rayon's pool; each entry is computed alone, so the bits do not
/// depend on the split or the vector width.
pub fn pair_grad(s: &[f32], n: usize, t: f32, c: f32, inv_n: f32, sp: &mut [f32], g: &mut [f32]) {
    assert!(s.len() >= n * n && sp.len() >= n * n && g.len() >= n * n);
    let rows = if n * n < 1 << 16 {
        n.max(1)
    } else {
        n.div_ceil(4 * rayon::current_num_threads()).max(1)
    };
    let lv = level();
    sp[..n * n]
        .par_chunks_mut(rows * n)
        .zip(g[..n * n].par_chunks_mut(rows * n))
        .enumerate()
        .for_each(|(block, (sp, g))| {
            let i0 = block * rows;
            pair_rows_at(
                lv,
                &s[i0 * n..i0 * n + sp.len()],
                n,
                i0,
                [t, c, inv_n],
                sp,
                g,
            )
        });
}

pub(crate) fn pair_rows_at(
    lv: Level,
    s: &[f32],
    n: usize,
    i0: usize,
    tc: [f32; 3],
    sp: &mut [f32],
    g: &mut [f32],
) {
    match lv {
        // SAFETY: only levels the CPU has are asked for.
        #[cfg(target_arch = "x86_64")]
        Level::Avx512 => unsafe { pair_rows_avx512(s, n, i0, tc, sp, g) },
        // SAFETY: as above.
        #[cfg(target_arch = "x86_64")]
        Level::Avx2 => unsafe { pair_rows_avx2(s, n, i0, tc, sp, g) },
        _ => pair_rows(s, n, i0, tc, sp, g),
    }
}

x86_levels!(
    pair_rows_avx2,
    pair_rows_avx512,
    (s: &[f32], n: usize, i0: usize, tc: [f32; 3], sp: &mut [f32], g: &mut [f32]) {
        pair_rows(s, n, i0, tc, sp, g)
    }
);

/// Rows i0… of `pair_grad` (`s`, `sp`, `g` hold just those rows).
#[inline(always)]
fn pair_rows(
    s: &[f32],
    n: usize,
    i0: usize,
    [t, c, inv_n]: [f32; 3],
    sp: &mut [f32],
    g: &mut [f32],
) {
    let term = |z: f32, matching: bool| {
        let sigma = 1.0 / (1.0 + exp(-z));
        let loss = softplus(if matching { -z } else { z });
        (loss, (sigma - if matching { 1.0 } else { 0.0 }) * inv_n)
    };
    for (r, ((s, sp), g)) in s
        .chunks_exact(n)
        .zip(sp.chunks_exact_mut(n))
        .zip(g.chunks_exact_mut(n))
        .enumerate()
    {
        // Every entry as off the diagonal (the loop vectorises), then the diagonal.
        for ((&s, sp), g) in s.iter().zip(sp.iter_mut()).zip(g.iter_mut()) {
            (*sp, *g) = term(t * s + c, false);
        }
        let i = i0 + r;
        (sp[i], g[i]) = term(t * s[i] + c, true);
    }
}

/// The batch loss's sums over its pairs, each added in row-major order one term
/// at a time (the order that fixes their bits; a sum's order is never the
/// vector's).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairSums {
    /// Σ softplus terms (the loss times n).
    pub loss: f32,
    /// Σ g (the bias's gradient).
    pub g: f32,
    /// Σ g ⊙ S (the log-temperature's gradient over t).
    pub gs: f32,
}

/// `PairSums` of `pair_grad`'s output: three serial chains in one pass (each
/// waits on its own previous add, so the three run side by side).
pub fn pair_sums(sp: &[f32], g: &[f32], s: &[f32]) -> PairSums {
    // `Iterator::sum` starts from −0.0: so do the gradient sums here.
    let start: f32 = std::iter::empty::<f32>().sum();
    let (mut loss, mut sg, mut sgs) = (0.0f32, start, start);
    for ((&sp, &g), &s) in sp.iter().zip(g).zip(s) {
        loss += sp;
        sg += g;
        sgs += g * s;
    }
    PairSums {
        loss,
        g: sg,
        gs: sgs,
    }
}
