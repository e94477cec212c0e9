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

/// The levels below the CPU's own (portable, AVX2 + FMA, AVX-512) give the same
/// bits: products (every tile shape and remainder), row-wise products, softplus
/// and the pair terms. The portable build is what `JESTBENCH_SIMD=portable`, a
/// CPU without FMA, or aarch64 runs.
#[test]
fn every_simd_level_gives_the_same_bits() {
    let levels: Vec<Level> = [Level::Portable, Level::Avx2, Level::Avx512]
        .into_iter()
        .filter(|&l| l <= cpu_level())
        .collect();
    if levels.len() < 3 {
        eprintln!("this CPU runs only {levels:?}: the other levels are not compared");
    }
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    // 4-row × 64 tiles, 2 × 32, singles, and rows left over from each.
    for (m, n, k) in [(7, 90, 67), (13, 200, 33), (4, 64, 1), (1, 31, 5)] {
        let a: Vec<f32> = (0..m * k)
            .map(|i| ((i * 37) % 101) as f32 / 7.0 - 6.0)
            .collect();
        let bt: Vec<f32> = (0..n * k)
            .map(|i| ((i * 53) % 97) as f32 / 9.0 - 5.0)
            .collect();
        let mut first: Option<(Vec<u32>, Vec<u32>)> = None;
        for &lv in &levels {
            let mut c = vec![0.0; m * n];
            products::products_at(lv, Operands::new(m, n, k, &a, &bt, n, 0), &mut c);
            let p = products::paired_rows_at(lv, k, &a, &a, m);
            let got = (bits(&c), bits(&p));
            match &first {
                None => first = Some(got),
                Some(f) => assert!(f == &got, "{lv:?} differs at {m}x{n}x{k}"),
            }
        }
    }
    let n = 37;
    let s: Vec<f32> = (0..n * n)
        .map(|i| ((i * 61) % 103) as f32 / 51.0 - 1.0)
        .collect();
    let mut first: Option<Vec<u32>> = None;
    for &lv in &levels {
        let mut xs: Vec<f32> = (0..1000).map(|i| i as f32 * 0.173 - 86.0).collect();
        let (mut sp, mut g) = (vec![0.0; n * n], vec![0.0; n * n]);
        pairs::pair_rows_at(lv, &s, n, 0, [10.0, -10.0, 1.0 / n as f32], &mut sp, &mut g);
        pairs::softplus_at(lv, &mut xs);
        let got = [bits(&xs), bits(&sp), bits(&g)].concat();
        match &first {
            None => first = Some(got),
            Some(f) => assert!(f == &got, "{lv:?}: softplus or pair terms differ"),
        }
    }
}

/// `exp` has libm's `expf` bits on every float of a stride through all 2³² bit
/// patterns and around every threshold libm branches on (computed a slice at a
/// time, so the vectorised build is the one compared).
#[test]
fn exp_is_libms_expf_bit_for_bit() {
    let mut xs: Vec<f32> = (0..=u32::MAX / 251)
        .map(|i| f32::from_bits(i * 251))
        .collect();
    for edge in [
        0x42ae_ac50u32,
        0x42b1_7218,
        0x42cf_f1b5,
        0x3eb1_7218,
        0x3f85_1592,
        0x3900_0000,
        0x7f80_0000,
        0x0000_0000,
    ] {
        for d in 0..2000u32 {
            for sign in [0, 0x8000_0000] {
                xs.push(f32::from_bits(
                    (edge.wrapping_sub(1000).wrapping_add(d)) | sign,
                ));
            }
        }
    }
    // Where results turn subnormal and where k leaves [−126, 127].
    let mut x = -104.5f32;
    while x < 89.5 {
        xs.push(x);
        x = f32::from_bits(x.to_bits() - if x < 0.0 { 97 } else { -97i32 as u32 });
        if x == 0.0 {
            x = 1e-30;
        }
    }
    let ours: Vec<f32> = {
        let mut v = xs.clone();
        #[inline(never)]
        fn all(v: &mut [f32]) {
            for x in v.iter_mut() {
                *x = exp(*x);
            }
        }
        all(&mut v);
        v
    };
    let mut checked = 0u64;
    for (&x, &got) in xs.iter().zip(&ours) {
        let want = libm::expf(x);
        assert!(
            want.to_bits() == got.to_bits() || (want.is_nan() && got.is_nan()),
            "exp({x:e}) [{:#010x}] = {got:e}, libm {want:e}",
            x.to_bits()
        );
        checked += 1;
    }
    assert!(checked > 17_000_000, "{checked}");
}

/// `pair_grad` and `pair_sums` give, bit for bit, what the plain loop gives (one
/// entry at a time with libm's `expf`, sums in row-major order): the host step's
/// results before the kernels.
#[test]
fn the_pair_terms_are_the_plain_loops() {
    for n in [1usize, 5, 64, 300] {
        let s: Vec<f32> = (0..n * n)
            .map(|i| ((i * 7919) % 2003) as f32 / 1001.0 - 1.0)
            .collect();
        let (t, c, inv_n) = (9.7f32, -10.2f32, 1.0 / n as f32);
        let (mut sp, mut g) = (vec![0.0; n * n], vec![0.0; n * n]);
        pair_grad(&s, n, t, c, inv_n, &mut sp, &mut g);
        let sums = pair_sums(&sp, &g, &s);
        let (mut loss, mut want_g) = (0.0f32, vec![0.0f32; n * n]);
        for i in 0..n {
            for j in 0..n {
                let z = t * s[i * n + j] + c;
                loss += softplus(if i == j { -z } else { z });
                let sigma = 1.0 / (1.0 + libm::expf(-z));
                want_g[i * n + j] = (sigma - if i == j { 1.0 } else { 0.0 }) * inv_n;
            }
        }
        let want_sg: f32 = want_g.iter().copied().sum();
        let want_sgs: f32 = want_g.iter().zip(&s).map(|(&a, &b)| a * b).sum();
        assert_eq!(loss.to_bits(), sums.loss.to_bits(), "n = {n}");
        assert_eq!(want_sg.to_bits(), sums.g.to_bits(), "n = {n}");
        assert_eq!(want_sgs.to_bits(), sums.gs.to_bits(), "n = {n}");
        assert!(want_g
            .iter()
            .zip(&g)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
    }
}

/// The parallel product is the serial one, bit for bit, at every split.
#[test]
fn the_parallel_product_is_the_serial_one() {
    for (m, n, k) in [(1000, 70, 64), (64, 1000, 1000), (17, 3000, 40)] {
        let a: Vec<f32> = (0..m * k)
            .map(|i| ((i * 37) % 101) as f32 / 50.0 - 1.0)
            .collect();
        let bt: Vec<f32> = (0..n * k)
            .map(|i| ((i * 53) % 97) as f32 / 40.0 - 1.2)
            .collect();
        let (mut serial, mut par) = (vec![0.0; m * n], vec![0.0; m * n]);
        products(m, n, k, &a, &bt, n, 0, &mut serial);
        products_par(m, n, k, &a, &bt, n, 0, &mut par);
        assert!(serial
            .iter()
            .zip(&par)
            .all(|(x, y)| x.to_bits() == y.to_bits()));
    }
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
    let mut xs: Vec<f32> = (0..1000).map(|i| i as f32 * 0.173 - 80.0).collect();
    let mut ys = xs.clone();
    softplus_in_place(&mut xs);
    pairs::softplus_portable(&mut ys);
    assert_eq!(xs, ys);
}

/// `paired_rows` gives `dot`'s bits row by row at every level, over several
/// blocks of 16 rows and a ragged tail.
#[test]
fn paired_rows_is_dot_row_by_row() {
    for (n, k) in [(37usize, 64usize), (16, 5), (3, 33), (100, 1)] {
        let a: Vec<f32> = (0..n * k)
            .map(|i| ((i * 41) % 113) as f32 / 13.0 - 4.0)
            .collect();
        let b: Vec<f32> = (0..n * k)
            .map(|i| ((i * 67) % 109) as f32 / 11.0 - 5.0)
            .collect();
        let want: Vec<u32> = (0..n)
            .map(|i| dot(&a[i * k..(i + 1) * k], &b[i * k..(i + 1) * k]).to_bits())
            .collect();
        for lv in [Level::Portable, Level::Avx2, Level::Avx512] {
            if lv > cpu_level() {
                continue;
            }
            let got: Vec<u32> = products::paired_rows_at(lv, k, &a, &b, n)
                .iter()
                .map(|x| x.to_bits())
                .collect();
            assert_eq!(got, want, "{lv:?} at {n}x{k}");
        }
    }
}

/// The portable kernels' cheap fused multiply-add (two roundings) is never wrong
/// without saying so: on random triples and on ties built to round twice wrongly,
/// it equals the correctly rounded one or flags (and the kernel recomputes).
#[test]
fn the_flagged_fma_flags_every_sum_it_may_round_twice() {
    let mut r = crate::data::rng::chacha(11, 0);
    use rand::Rng;
    let flagged = std::cell::Cell::new(0u64);
    let check = |a: f32, b: f32, c: f32| {
        let mut flag = 0u32;
        let got = Emulated::fma_flagged(a, b, c, &mut flag);
        let want = a.mul_add(b, c);
        assert!(
            flag != 0 || want.to_bits() == got.to_bits() || (want.is_nan() && got.is_nan()),
            "fma({a:e}, {b:e}, {c:e}) = {want:e}, unflagged {got:e}"
        );
        flagged.set(flagged.get() + flag as u64);
    };
    // Ties built to fail: c = 1 + k·2⁻²³ with k odd (or even), a·b = 2⁻²⁴ ∓ 2⁻⁷⁰,
    // (b = 2⁻²⁴ − 2⁻⁴⁷), whose f64 sum is the midpoint and whose f32 rounding goes the wrong way.
    let a = 1.0 + f32::EPSILON;
    let b = f32::from_bits((2.0f32.powi(-24)).to_bits() - 2);
    for k in 0..64 {
        let c = 1.0 + k as f32 * f32::EPSILON;
        for (x, y) in [(a, b), (-a, b), (a, -b)] {
            check(x, y, c);
            check(x, y, -c);
        }
    }
    let wrong = (a as f64 * b as f64 + (1.0 + f32::EPSILON) as f64) as f32;
    assert_ne!(
        wrong.to_bits(),
        a.mul_add(b, 1.0 + f32::EPSILON).to_bits(),
        "the built tie does round twice wrongly"
    );
    let before = flagged.get();
    for _ in 0..2_000_000 {
        let (a, b, c) = (
            f32::from_bits(r.gen()),
            f32::from_bits(r.gen()),
            f32::from_bits(r.gen()),
        );
        check(a, b, c);
    }
    for _ in 0..1_000_000 {
        let (a, b, c): (f32, f32, f32) = (
            r.gen_range(-2.0..2.0),
            r.gen_range(-2.0..2.0),
            r.gen_range(-8.0..8.0),
        );
        check(a, b, c);
    }
    // On data like a model's, flags are rare (the cheap path is the path taken).
    let random = flagged.get() - before;
    assert!(random < 1_000_000, "{random} of 3,000,000 flagged");
}

/// A product whose dot chain meets a tie the cheap path rounds wrongly: the
/// portable kernels recompute it and agree with the hardware's bit for bit.
#[test]
fn a_tile_with_a_double_rounding_tie_is_recomputed_exactly() {
    let (m, n, k) = (5, 70, 3);
    let tie_a = 1.0 + f32::EPSILON;
    let tie_b = f32::from_bits((2.0f32.powi(-24)).to_bits() - 2);
    let mut a: Vec<f32> = (0..m * k)
        .map(|i| ((i * 7) % 11) as f32 / 5.0 - 1.0)
        .collect();
    let mut bt: Vec<f32> = (0..n * k)
        .map(|i| ((i * 5) % 13) as f32 / 6.0 - 1.0)
        .collect();
    // Row 2, candidate 33: 0 + a·1 = 1 + 2⁻²³, then + a·b on the tie, then + 0.
    a[2 * k..3 * k].copy_from_slice(&[tie_a, tie_a, 0.0]);
    bt[33] = 1.0;
    bt[n + 33] = tie_b;
    let exact = tie_a.mul_add(tie_b, tie_a.mul_add(1.0, 0.0));
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let mut portable = vec![0.0; m * n];
    products::products_at(
        Level::Portable,
        Operands::new(m, n, k, &a, &bt, n, 0),
        &mut portable,
    );
    assert_eq!(portable[2 * n + 33].to_bits(), exact.to_bits());
    if cpu_level() >= Level::Avx2 {
        let mut hardware = vec![0.0; m * n];
        products::products_at(
            Level::Avx2,
            Operands::new(m, n, k, &a, &bt, n, 0),
            &mut hardware,
        );
        assert_eq!(bits(&portable), bits(&hardware));
    }
    // The single-candidate path too (a width no tile covers).
    let mut one = vec![0.0; m];
    products::products_at(
        Level::Portable,
        Operands::new(m, 1, k, &a, &bt, n, 33),
        &mut one,
    );
    assert_eq!(one[2].to_bits(), exact.to_bits());
}

/// Every entry at every level is the in-order chain of fused multiply-adds (the
/// C library's `fmaf` one step at a time) across every seam of the blocking:
/// several blocks of d (256 steps at 16-wide tiles, 128 at 32-wide), a panel
/// boundary (1,024 candidates), 16- and 8-wide tiles and single candidates after
/// them, bands of rows with rows left over, and an offset j0 into a wider Bᵀ.
#[test]
fn products_are_the_in_order_fma_chain_across_every_block_seam() {
    // 53 rows: 6-row tiles (8-row at AVX-512), then 2-row and single leftovers;
    // 13 rows: the few-rows kernels (2 × 32; 4 × 64 at AVX-512).
    for m in [53, 13] {
        let (nb, k, j0) = (1024 + 16 + 8 + 5, 600, 3);
        let n = nb + j0 + 2;
        let a: Vec<f32> = (0..m * k)
            .map(|i| ((i * 37) % 101) as f32 / 50.0 - 1.0)
            .collect();
        let bt: Vec<f32> = (0..n * k)
            .map(|i| ((i * 53) % 97) as f32 / 40.0 - 1.2)
            .collect();
        let mut want = vec![0.0f32; m * nb];
        for q in 0..m {
            for j in 0..nb {
                want[q * nb + j] = (0..k).fold(0.0f32, |s, d| {
                    libm::fmaf(a[q * k + d], bt[d * n + j0 + j], s)
                });
            }
        }
        for lv in [Level::Portable, Level::Avx2, Level::Avx512] {
            if lv > cpu_level() {
                continue;
            }
            let mut c = vec![0.0f32; m * nb];
            products::products_at(lv, Operands::new(m, nb, k, &a, &bt, n, j0), &mut c);
            for (i, (x, y)) in c.iter().zip(&want).enumerate() {
                assert_eq!(
                    x.to_bits(),
                    y.to_bits(),
                    "{lv:?}, {m} rows: entry {i} ({x} vs {y})"
                );
            }
        }
    }
}

/// The transposes (8×8 register blocks, element-by-element edges, bands on the
/// pool) move every element to its place, at shapes with edges on both sides.
#[test]
fn transposes_move_every_element() {
    for (n, k) in [(13, 11), (8, 8), (1, 17), (1000, 300), (517, 1031)] {
        let x: Vec<f32> = (0..n * k).map(|i| i as f32).collect();
        let (mut t, mut tp) = (vec![-1.0; n * k], vec![-1.0; n * k]);
        transpose_into(&x, n, k, &mut t);
        transpose_par(&x, n, k, &mut tp);
        for i in 0..n {
            for d in 0..k {
                assert_eq!(t[d * n + i], x[i * k + d], "{n}x{k} at {i},{d}");
                assert_eq!(tp[d * n + i], x[i * k + d], "{n}x{k} (par) at {i},{d}");
            }
        }
        let x64: Vec<f64> = x.iter().map(|&v| v as f64).collect();
        let mut t64 = vec![0.0f64; n * k];
        transpose_into(&x64, n, k, &mut t64);
        assert!(t64.iter().zip(&t).all(|(a, &b)| *a == b as f64));
    }
}

/// The multiply-add peak is a positive, finite rate at the level the kernels run
/// (the chains are neither folded away nor dropped).
#[test]
fn the_fma_peak_is_a_rate() {
    let g = fma_peak_gflops(1);
    assert!(g.is_finite() && g > 0.01, "{g}");
}

/// The portable kernels' f64 sums rounded to f32 in the subnormal range: a chain
/// built so that rounding twice goes the wrong way there (c = 2⁻¹²⁷ + 2⁻¹⁴⁹, then
/// a·b = 2⁻¹⁵⁰·(1 − 2⁻⁴⁶) added: the f64 sum lands on the midpoint, ties-to-even
/// rounds up, the fused result rounds down), and random chains over the whole
/// exponent range (subnormals, zeros, values below 2⁻⁶⁶ beside ordinary ones,
/// cancellations), are the in-order `fmaf` chain at every level.
#[test]
fn products_round_subnormal_sums_once() {
    let c = f32::from_bits(0x0040_0001);
    let x = f32::from_bits((52 << 23) | 1); // 2⁻⁷⁵·(1 + 2⁻²³)
    let y = f32::from_bits((51 << 23) | 0x7F_FFFE); // 2⁻⁷⁶·(2 − 2⁻²²)
    let fused = libm::fmaf(x, y, c);
    let twice = (x as f64 * y as f64 + c as f64) as f32;
    assert_ne!(
        fused.to_bits(),
        twice.to_bits(),
        "the built chain rounds twice wrongly"
    );
    let mut r = crate::data::rng::chacha(13, 0);
    use rand::Rng;
    let value = |r: &mut rand_chacha::ChaCha8Rng| -> f32 {
        match r.gen_range(0..10) {
            0 => 0.0,
            1 => f32::from_bits(r.gen_range(1..0x0080_0000)), // subnormal
            2 => r.gen_range(1.0f32..2.0) * 2f32.powi(r.gen_range(-126..-60)),
            _ => r.gen_range(-2.0f32..2.0),
        }
    };
    for (m, nb, k) in [(6, 9, 2), (9, 13, 300), (50, 1030, 20)] {
        let mut a: Vec<f32> = (0..m * k).map(|_| value(&mut r)).collect();
        let mut bt: Vec<f32> = (0..nb * k).map(|_| value(&mut r)).collect();
        if k == 2 {
            // Row 1, candidate 2: 1·c, then x·y.
            a[k..2 * k].copy_from_slice(&[1.0, x]);
            bt[2] = c;
            bt[nb + 2] = y;
        }
        // Flip signs so that some sums cancel.
        for v in a.iter_mut().step_by(3) {
            *v = -*v;
        }
        for lv in [Level::Portable, Level::Avx2, Level::Avx512] {
            if lv > cpu_level() {
                continue;
            }
            let mut got = vec![0.0f32; m * nb];
            products::products_at(lv, Operands::new(m, nb, k, &a, &bt, nb, 0), &mut got);
            for q in 0..m {
                for j in 0..nb {
                    let want =
                        (0..k).fold(0.0f32, |s, d| libm::fmaf(a[q * k + d], bt[d * nb + j], s));
                    let g = got[q * nb + j];
                    assert_eq!(
                        g.to_bits(),
                        want.to_bits(),
                        "{lv:?} {m}x{nb}x{k} at {q},{j}: {g:e} vs {want:e}"
                    );
                }
            }
            if k == 2 {
                assert_eq!(got[nb + 2].to_bits(), fused.to_bits());
            }
        }
    }
}
