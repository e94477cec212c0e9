//! Numeric kernels of the CPU fast paths (the fused score path, the host towers and
//! the host training step), written so the compiler vectorises them: products of
//! row-major blocks, and the pair loss as softplus with branch-free exp and log1p.
//!
//! Same bits on every CPU: every sum runs in an order the code fixes (lanes only
//! across independent entries), and every multiply-add of a product is fused, one
//! rounding, on every CPU. Where the CPU has AVX2 and FMA the kernels are compiled
//! for it and chosen at run time; elsewhere the portable build computes the same
//! fused multiply-add (aarch64 has it in hardware; an x86-64 CPU without FMA gets
//! the correctly rounded `fma` of its C library, slower but identical). Setting
//! `JESTBENCH_SIMD=portable` forces the portable build on any CPU, which is how the
//! test suite checks that both give the same results.

use std::sync::OnceLock;

/// Candidates per register tile of the product kernel.
const TILE: usize = 32;

/// How a kernel computes a·b + c with one rounding (IEEE's fused multiply-add):
/// every implementation gives the same bits, so the builds agree.
trait Fma {
    fn fma(a: f32, b: f32, c: f32) -> f32;
}

/// The hardware instruction (`mul_add` where the build enables FMA, and on
/// aarch64, where it always has one).
struct Hardware;
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
struct Emulated;
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
}

/// The portable build's fused multiply-add: emulated on x86-64 (whose baseline
/// has no FMA), the hardware's elsewhere.
#[cfg(target_arch = "x86_64")]
type Portable = Emulated;
#[cfg(not(target_arch = "x86_64"))]
type Portable = Hardware;

/// Whether `JESTBENCH_SIMD=portable` asks for the portable kernels (read once).
pub fn portable_forced() -> bool {
    static FORCED: OnceLock<bool> = OnceLock::new();
    *FORCED.get_or_init(|| {
        std::env::var("JESTBENCH_SIMD").is_ok_and(|v| v.eq_ignore_ascii_case("portable"))
    })
}

/// Whether this CPU runs the AVX2 + FMA build of the product kernel.
pub fn fused_products() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        !portable_forced()
            && std::is_x86_feature_detected!("avx2")
            && std::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The SIMD level the kernels run at, for logs and `bench`.
pub fn simd_level() -> &'static str {
    if fused_products() {
        "avx2+fma"
    } else if portable_forced() {
        "portable (forced)"
    } else {
        "portable"
    }
}

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
    assert!(a.len() >= m * k && bt.len() >= k * n && j0 + nb <= n && c.len() >= m * nb);
    #[cfg(target_arch = "x86_64")]
    if fused_products() {
        // SAFETY: the CPU has AVX2 and FMA, which is all the compiled function assumes.
        return unsafe { products_avx2_fma(m, nb, k, a, bt, n, j0, c) };
    }
    products_with::<Portable>(m, nb, k, a, bt, n, j0, c)
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
    products_with::<Hardware>(m, nb, k, a, bt, n, j0, c)
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn products_with<F: Fma>(
    m: usize,
    nb: usize,
    k: usize,
    a: &[f32],
    bt: &[f32],
    n: usize,
    j0: usize,
    c: &mut [f32],
) {
    let mut j = 0;
    // Two rows of A against TILE candidates at a time, in registers.
    while j + TILE <= nb {
        let mut q = 0;
        while q + 2 <= m {
            let mut acc = [[0.0f32; TILE]; 2];
            for d in 0..k {
                let row: &[f32; TILE] = bt[d * n + j0 + j..d * n + j0 + j + TILE]
                    .try_into()
                    .expect("TILE");
                let (x0, x1) = (a[q * k + d], a[(q + 1) * k + d]);
                for l in 0..TILE {
                    acc[0][l] = F::fma(x0, row[l], acc[0][l]);
                    acc[1][l] = F::fma(x1, row[l], acc[1][l]);
                }
            }
            c[q * nb + j..q * nb + j + TILE].copy_from_slice(&acc[0]);
            c[(q + 1) * nb + j..(q + 1) * nb + j + TILE].copy_from_slice(&acc[1]);
            q += 2;
        }
        if q < m {
            let mut acc = [0.0f32; TILE];
            for d in 0..k {
                let row: &[f32; TILE] = bt[d * n + j0 + j..d * n + j0 + j + TILE]
                    .try_into()
                    .expect("TILE");
                let x = a[q * k + d];
                for l in 0..TILE {
                    acc[l] = F::fma(x, row[l], acc[l]);
                }
            }
            c[q * nb + j..q * nb + j + TILE].copy_from_slice(&acc);
        }
        j += TILE;
    }
    // The last candidates, one by one (the same order of sums).
    for jj in j..nb {
        for q in 0..m {
            let mut s = 0.0f32;
            for d in 0..k {
                s = F::fma(a[q * k + d], bt[d * n + j0 + jj], s);
            }
            c[q * nb + jj] = s;
        }
    }
}

/// c[i] = Σ_d Aᵀ[d][i] · Bᵀ[d][i] for i < n: the n row-wise products ⟨a_i, b_i⟩ of
/// two n×k matrices given transposed (k×n row-major), lanes across rows, each
/// summed over d in order from 0 exactly as `products` (and `dot`) sum an entry.
pub fn paired_products(k: usize, at: &[f32], bt: &[f32], n: usize) -> Vec<f32> {
    assert!(at.len() >= k * n && bt.len() >= k * n);
    #[cfg(target_arch = "x86_64")]
    if fused_products() {
        // SAFETY: the CPU has AVX2 and FMA, which is all the compiled function assumes.
        return unsafe { paired_avx2_fma(k, at, bt, n) };
    }
    paired_with::<Portable>(k, at, bt, n)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn paired_avx2_fma(k: usize, at: &[f32], bt: &[f32], n: usize) -> Vec<f32> {
    paired_with::<Hardware>(k, at, bt, n)
}

#[inline(always)]
fn paired_with<F: Fma>(k: usize, at: &[f32], bt: &[f32], n: usize) -> Vec<f32> {
    let mut c = vec![0.0f32; n];
    for d in 0..k {
        let (x, y) = (&at[d * n..(d + 1) * n], &bt[d * n..(d + 1) * n]);
        for ((s, &x), &y) in c.iter_mut().zip(x).zip(y) {
            *s = F::fma(x, y, *s);
        }
    }
    c
}

/// The transpose of an n×k row-major matrix (k×n row-major).
pub fn transpose(x: &[f32], n: usize, k: usize) -> Vec<f32> {
    let mut t = vec![0.0f32; n * k];
    transpose_into(x, n, k, &mut t);
    t
}

/// The transpose of an n×k row-major matrix written into `t` (k×n), in 8×8 blocks
/// so reads and writes both stay within a few cache lines.
pub fn transpose_into<T: Copy>(x: &[T], n: usize, k: usize, t: &mut [T]) {
    const BLOCK: usize = 8;
    assert!(x.len() >= n * k && t.len() >= n * k);
    for i0 in (0..n).step_by(BLOCK) {
        for d0 in (0..k).step_by(BLOCK) {
            for i in i0..(i0 + BLOCK).min(n) {
                for d in d0..(d0 + BLOCK).min(k) {
                    t[d * n + i] = x[i * k + d];
                }
            }
        }
    }
}

/// ⟨x, y⟩ summed over d in order, as `products` sums each entry.
pub fn dot(x: &[f32], y: &[f32]) -> f32 {
    let mut c = [0.0f32];
    products(1, 1, x.len(), x, y, 1, 0, &mut c);
    c[0]
}

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

/// softplus over a slice, in place (vectorised; AVX2 where the CPU has it).
pub fn softplus_in_place(xs: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if !portable_forced() && std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, which is all the compiled function assumes.
        return unsafe { softplus_avx2(xs) };
    }
    softplus_portable(xs)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn softplus_avx2(xs: &mut [f32]) {
    softplus_portable(xs)
}

#[inline(always)]
fn softplus_portable(xs: &mut [f32]) {
    for x in xs.iter_mut() {
        *x = softplus(*x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softplus_matches_f64_to_a_few_ulps() {
        let mut worst = 0.0f64;
        let mut x = -95.0f32;
        while x < 95.0 {
            let want = (x as f64).exp().ln_1p();
            let got = softplus(x) as f64;
            let err = (got - want).abs() / want.max(1e-30);
            worst = worst.max(if want < 1e-36 { 0.0 } else { err });
            x += 0.0137;
        }
        assert!(worst < 1e-6, "worst relative error {worst}");
        assert!(softplus(f32::NAN).is_nan());
        assert!(!softplus(f32::INFINITY).is_finite());
        assert!(!softplus(f32::NEG_INFINITY).is_finite());
    }

    /// The emulated fused multiply-add equals the correctly rounded one (the
    /// C library's `fmaf`, through `mul_add`) on random triples across the
    /// exponent range, with cancellations, ties, subnormals and zeros.
    #[test]
    fn the_emulated_fma_is_the_correctly_rounded_one() {
        let mut r = crate::data::rng::chacha(7, 0);
        use rand::Rng;
        let mut checked = 0u64;
        let mut check = |a: f32, b: f32, c: f32| {
            let want = a.mul_add(b, c);
            let got = Emulated::fma(a, b, c);
            assert!(
                want.to_bits() == got.to_bits() || (want.is_nan() && got.is_nan()),
                "fma({a:e}, {b:e}, {c:e}) = {want:e}, emulated {got:e}"
            );
            checked += 1;
        };
        for _ in 0..2_000_000 {
            let e = |r: &mut rand_chacha::ChaCha8Rng, lo: i32, hi: i32| {
                let m: f32 = r.gen_range(1.0..2.0);
                let s = if r.gen::<bool>() { -1.0 } else { 1.0 };
                s * m * 2f32.powi(r.gen_range(lo..hi))
            };
            let (a, b) = (e(&mut r, -70, 70), e(&mut r, -70, 70));
            // c near −a·b (cancellation), or anywhere.
            let c = if r.gen::<bool>() {
                -(a * b) * (1.0 + r.gen_range(-1e-6f32..1e-6))
            } else {
                e(&mut r, -140, 127)
            };
            check(a, b, c);
        }
        // Bits chosen at random (subnormals, infinities, NaNs, zeros among them).
        for _ in 0..2_000_000 {
            let (a, b, c) = (
                f32::from_bits(r.gen()),
                f32::from_bits(r.gen()),
                f32::from_bits(r.gen()),
            );
            check(a, b, c);
        }
        for (a, b, c) in [
            (0.0, 0.0, -0.0),
            (-0.0, 1.0, 0.0),
            (1.0 + f32::EPSILON, 1.0 - f32::EPSILON / 2.0, -1.0),
            (f32::MAX, 2.0, -f32::MAX),
            (f32::MIN_POSITIVE, 0.5, 0.0),
            (1e-30, 1e-30, 1e-45),
        ] {
            check(a, b, c);
        }
        assert!(checked > 4_000_000);
    }

    /// The AVX2 + FMA build and the portable build give the same bits (the
    /// portable one is what `JESTBENCH_SIMD=portable`, a CPU without FMA, or
    /// aarch64 runs).
    #[test]
    fn the_portable_and_the_avx2_builds_agree_bit_for_bit() {
        let (m, n, k) = (7, 90, 67);
        let a: Vec<f32> = (0..m * k)
            .map(|i| ((i * 37) % 101) as f32 / 7.0 - 6.0)
            .collect();
        let bt: Vec<f32> = (0..n * k)
            .map(|i| ((i * 53) % 97) as f32 / 9.0 - 5.0)
            .collect();
        let mut portable = vec![0.0; m * n];
        products_with::<Portable>(m, n, k, &a, &bt, n, 0, &mut portable);
        let pair_portable = paired_with::<Portable>(k, &bt[..k * n], &bt[..k * n], n);
        let mut xs: Vec<f32> = (0..1000).map(|i| i as f32 * 0.173 - 86.0).collect();
        let mut ys = xs.clone();
        softplus_portable(&mut xs);
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            let mut wide = vec![0.0; m * n];
            // SAFETY: the CPU has AVX2 and FMA.
            unsafe { products_avx2_fma(m, n, k, &a, &bt, n, 0, &mut wide) };
            assert!(portable
                .iter()
                .zip(&wide)
                .all(|(x, y)| x.to_bits() == y.to_bits()));
            let pair_wide = unsafe { paired_avx2_fma(k, &bt[..k * n], &bt[..k * n], n) };
            assert!(pair_portable
                .iter()
                .zip(&pair_wide)
                .all(|(x, y)| x.to_bits() == y.to_bits()));
            unsafe { softplus_avx2(&mut ys) };
            assert!(xs.iter().zip(&ys).all(|(x, y)| x.to_bits() == y.to_bits()));
        } else {
            eprintln!("this CPU has no AVX2 + FMA: only the portable build ran");
        }
        let _ = &mut ys;
    }

    #[test]
    fn every_product_is_the_in_order_sum_whatever_its_tile() {
        let (m, n, k) = (5, 75, 70);
        let a: Vec<f32> = (0..m * k)
            .map(|i| ((i * 37) % 101) as f32 / 50.0 - 1.0)
            .collect();
        let b: Vec<f32> = (0..n * k)
            .map(|i| ((i * 53) % 97) as f32 / 40.0 - 1.2)
            .collect();
        let bt = transpose(&b, n, k);
        let mut all = vec![0.0; m * n];
        products(m, n, k, &a, &bt, n, 0, &mut all);
        // Any block of candidates gives the same entries as the whole.
        let (j0, nb) = (37, 38);
        let mut part = vec![0.0; m * nb];
        products(m, nb, k, &a, &bt, n, j0, &mut part);
        for q in 0..m {
            for j in 0..nb {
                assert_eq!(part[q * nb + j], all[q * n + j0 + j]);
            }
            for j in 0..n {
                // The in-order sum, as `dot` computes it; within 1e-6 of the plain
                // one (every build rounds once per step).
                let d = dot(&a[q * k..(q + 1) * k], &b[j * k..(j + 1) * k]);
                assert_eq!(all[q * n + j], d);
                let plain: f32 = (0..k).map(|x| a[q * k + x] * b[j * k + x]).sum();
                assert!((d - plain).abs() <= 1e-5 * plain.abs().max(1.0));
            }
        }
        // Row-wise products from the transposes: the same bits as `dot` on the rows.
        let a2: Vec<f32> = (0..n * k)
            .map(|i| ((i * 29) % 89) as f32 / 30.0 - 1.4)
            .collect();
        let paired = paired_products(k, &transpose(&a2, n, k), &bt, n);
        for (i, &p) in paired.iter().enumerate() {
            assert_eq!(p, dot(&a2[i * k..(i + 1) * k], &b[i * k..(i + 1) * k]));
        }
        let mut xs: Vec<f32> = (0..1000).map(|i| i as f32 * 0.173 - 80.0).collect();
        let mut ys = xs.clone();
        softplus_in_place(&mut xs);
        softplus_portable(&mut ys);
        assert_eq!(xs, ys);
    }
}

#[cfg(test)]
mod timing {
    use super::*;

    #[test]
    #[ignore]
    fn time_kernels() {
        let shape = |v: &str, d: usize| {
            std::env::var(v)
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(d)
        };
        let (m, n, k) = (shape("M", 4), shape("N", 640), shape("K", 64));
        let a: Vec<f32> = (0..m * k).map(|i| (i % 13) as f32 * 0.01).collect();
        let b: Vec<f32> = (0..n * k).map(|i| (i % 17) as f32 * 0.01).collect();
        let mut c = vec![0.0; m * n];
        let reps = 2000;
        let bt = transpose(&b, n, k);
        let t = std::time::Instant::now();
        for _ in 0..reps {
            products(m, n, k, &a, &bt, n, 0, &mut c);
        }
        let s = t.elapsed().as_secs_f64();
        eprintln!(
            "dots {m}x{n}x{k}: {:.2} us, {:.2} GMAC/s",
            s / reps as f64 * 1e6,
            (m * n * k * reps) as f64 / s / 1e9
        );
        // n row-wise products ⟨a_i, b_i⟩ (A's diagonal): one serial dot per row, and
        // lanes across rows from the transposes.
        let a2: Vec<f32> = (0..n * k).map(|i| (i % 11) as f32 * 0.01).collect();
        let t = std::time::Instant::now();
        for _ in 0..reps {
            let d: Vec<f32> = (0..n)
                .map(|i| dot(&a2[i * k..(i + 1) * k], &b[i * k..(i + 1) * k]))
                .collect();
            std::hint::black_box(d);
        }
        let serial = t.elapsed().as_secs_f64() / reps as f64 * 1e6;
        let a2t = transpose(&a2, n, k);
        let t = std::time::Instant::now();
        for _ in 0..reps {
            std::hint::black_box(paired_products(k, &a2t, &bt, n));
        }
        let lanes = t.elapsed().as_secs_f64() / reps as f64 * 1e6;
        eprintln!("{n} row-wise products of {k}: serial dots {serial:.2} us, lanes {lanes:.2} us");
        let mut xs: Vec<f32> = (0..m * n).map(|i| i as f32 * 0.01 - 10.0).collect();
        let t = std::time::Instant::now();
        for _ in 0..reps {
            softplus_in_place(&mut xs);
        }
        let s = t.elapsed().as_secs_f64();
        eprintln!(
            "softplus {}: {:.2} us, {:.2} ns/elem",
            m * n,
            s / reps as f64 * 1e6,
            s / reps as f64 / (m * n) as f64 * 1e9
        );
    }
}
