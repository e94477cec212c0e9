use super::*;
use crate::data::rng::{chacha, normal};
use faer::{Mat, MatRef};

fn random(m: usize, n: usize, seed: u64) -> Mat<f64> {
    let mut r = chacha(seed, 0);
    Mat::from_fn(m, n, |_, _| normal(&mut r))
}

/// `mul(a, b)`'s every entry is Σ_p a_ip·b_pj summed from p = 0, bit for bit.
fn assert_in_order(a: MatRef<'_, f64>, b: MatRef<'_, f64>, label: &str) {
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    let c = mul(a, b);
    for i in 0..m {
        for j in 0..n {
            let mut s = 0.0;
            for p in 0..k {
                s += a.read(i, p) * b.read(p, j);
            }
            assert_eq!(
                c.read(i, j).to_bits(),
                s.to_bits(),
                "{label}: ({i}, {j}) of {m}×{n}×{k}"
            );
        }
    }
}

#[test]
fn every_product_entry_is_the_in_order_sum() {
    for (m, n, k) in [
        (37, 23, 41),
        (8, 4, 3),
        (100, 1, 9),
        (3, 70, 700),
        (64, 64, 64),
    ] {
        let (a, b) = (random(m, k, 1), random(k, n, 2));
        assert_in_order(a.as_ref(), b.as_ref(), "dense");
        let c = mul(a.as_ref(), b.as_ref());
        // Transposed views give the transposed product's entries, bit for bit.
        let ct = mul(b.transpose(), a.transpose());
        assert_eq!(ct.transpose().to_owned(), c);
    }
}

/// Views that are blocks of larger matrices (columns further apart than their
/// length, read in place) and views with reversed rows (copied first) give the
/// in-order sums too; so does a call after a larger one on the same thread
/// (the product's buffers are reused, never their old contents).
#[test]
fn products_of_strided_views_are_the_in_order_sums() {
    let big_a = random(90, 80, 5);
    let big_b = random(80, 70, 6);
    for (m, n, k) in [(61, 29, 300), (9, 7, 5), (40, 13, 77)] {
        let k = k.min(79);
        let a = big_a.as_ref().submatrix(2, 1, m, k);
        let b = big_b.as_ref().submatrix(1, 3, k, n);
        let rev = b.reverse_rows();
        for (label, b) in [("block", b), ("reversed rows", rev)] {
            assert_in_order(a, b, label);
        }
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let a = random(300, 120, 3);
    let y = random(300, 2, 4);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let g = mul(a.transpose(), a.as_ref());
            let (r, qty) = qr_apply(a.as_ref(), y.as_ref());
            let (rp, _, _) = qr_pivoted_apply(a.as_ref(), y.as_ref());
            let svd = jacobi_svd(rp.transpose()).unwrap();
            (g, r, qty, svd.sigma, svd.v)
        })
    };
    let one = run(1);
    for t in [2, 3, 8] {
        let other = run(t);
        assert!(
            one.0 == other.0 && one.1 == other.1 && one.2 == other.2,
            "{t} threads"
        );
        assert_eq!(one.3, other.3, "{t} threads");
        assert_eq!(one.4, other.4, "{t} threads");
    }
}

#[test]
fn the_dot_product_fixes_its_order() {
    let x: Vec<f64> = (0..37).map(|i| 1.0 / (i as f64 + 1.0)).collect();
    let y: Vec<f64> = (0..37).map(|i| (i as f64).sqrt() - 2.5).collect();
    let mut acc = [0.0; LANES];
    for i in 0..32 {
        acc[i % LANES] += x[i] * y[i];
    }
    let mut want =
        ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for i in 32..37 {
        want += x[i] * y[i];
    }
    assert_eq!(dot(&x, &y).to_bits(), want.to_bits());
}

#[test]
fn factorisations_reconstruct_their_matrix() {
    let a = random(200, 30, 5);
    let g = mul(a.transpose(), a.as_ref());
    let l = cholesky(g.as_ref()).unwrap();
    let back = mul(l.as_ref(), l.transpose());
    assert!((&back - &g).norm_max() < 1e-10 * g.norm_max());
    // L Lᵀ x = b.
    let b = random(30, 2, 6);
    let mut x = b.clone();
    solve_lower(l.as_ref(), x.as_mut());
    solve_lower_transposed(l.as_ref(), x.as_mut());
    let gb = mul(g.as_ref(), x.as_ref());
    assert!((&gb - &b).norm_max() < 1e-9);
    // QR: RᵀR = AᵀA, and Qᵀy keeps what R explains.
    let (r, _) = qr_apply(a.as_ref(), random(200, 1, 7).as_ref());
    let rtr = mul(r.transpose(), r.as_ref());
    assert!((&rtr - &g).norm_max() < 1e-10 * g.norm_max());
    // SVD: A V = U Σ with orthogonal V, and σ matches the Gram matrix's.
    let svd = jacobi_svd(a.as_ref()).unwrap();
    for i in 0..30 {
        for j in 0..30 {
            let vv = dot(&svd.v[i], &svd.v[j]);
            assert!((vv - f64::from(u8::from(i == j))).abs() < 1e-12);
            if i != j {
                let uu = dot(&svd.us[i], &svd.us[j]);
                assert!(uu.abs() < 1e-10 * svd.sigma[i] * svd.sigma[j] + 1e-300);
            }
        }
    }
    let s2: f64 = svd.sigma.iter().map(|s| s * s).sum();
    let trace: f64 = (0..30).map(|i| g.read(i, i)).sum();
    assert!((s2 - trace).abs() < 1e-10 * trace);
    // Blocked QR (panels of 32; here 70 columns: two full panels and a part)
    // matches the unblocked one to rounding, R and Qᵀy alike.
    let tall = random(300, 70, 10);
    let ty = random(300, 2, 11);
    let (r0, q0) = qr_apply(tall.as_ref(), ty.as_ref());
    let (r1, q1) = qr_blocked_apply(tall.as_ref(), ty.as_ref());
    assert!(
        (&r1 - &r0).norm_max() < 1e-12 * r0.norm_max(),
        "{}",
        (&r1 - &r0).norm_max()
    );
    assert!((&q1 - &q0).norm_max() < 1e-12 * q0.norm_max().max(1.0));
    // Pivoted QR: A·P = Q·R with |R_jj| non-increasing, (AP)ᵀ(AP) = RᵀR.
    let (rp, _, perm) = qr_pivoted_apply(a.as_ref(), random(200, 1, 8).as_ref());
    let mut sorted = perm.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..30).collect::<Vec<_>>());
    for j in 1..30 {
        assert!(rp.read(j, j).abs() <= rp.read(j - 1, j - 1).abs() * (1.0 + 1e-12));
    }
    let ap = Mat::from_fn(200, 30, |i, j| a.read(i, perm[j]));
    let gp = mul(ap.transpose(), ap.as_ref());
    let rtr = mul(rp.transpose(), rp.as_ref());
    assert!((&rtr - &gp).norm_max() < 1e-10 * gp.norm_max());
    // Carrying B's rows leaves VᵀB behind, as forming V and multiplying does.
    let b = random(30, 2, 9);
    let rows: Vec<Vec<f64>> = (0..30).map(|i| vec![b.read(i, 0), b.read(i, 1)]).collect();
    let carried = jacobi_svd_carrying(a.as_ref(), rows).unwrap();
    assert_eq!(carried.sigma, svd.sigma, "the same rotations");
    for i in 0..30 {
        for j in 0..2 {
            let want: f64 = (0..30).map(|r| svd.v[i][r] * b.read(r, j)).sum();
            assert!((carried.v[i][j] - want).abs() < 1e-12 * (1.0 + want.abs()));
        }
    }
    // A non-positive-definite matrix is refused at its first bad pivot.
    let mut bad = g.clone();
    bad.write(3, 3, -1.0);
    assert_eq!(cholesky(bad.as_ref()).unwrap_err(), 3);
}

mod timing {
    use super::*;

    /// `cargo test --release --lib linalg::timing -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn time_the_svd_path() {
        let (n, k) = (8000, 401);
        let mut r = crate::data::rng::chacha(1, 0);
        let a = Mat::from_fn(n, k, |_, _| crate::data::rng::normal(&mut r));
        let y = Mat::from_fn(n, 1, |_, _| crate::data::rng::normal(&mut r));
        let t = std::time::Instant::now();
        let _ = qr_apply(a.as_ref(), y.as_ref());
        println!("unblocked qr {:?}", t.elapsed());
        let t = std::time::Instant::now();
        let (r1, q1) = qr_blocked_apply(a.as_ref(), y.as_ref());
        println!("blocked qr {:?}", t.elapsed());
        let t = std::time::Instant::now();
        let (rr, qty, _) = qr_pivoted_apply(r1.as_ref(), q1.as_ref());
        println!("pivoted qr of R {:?}", t.elapsed());
        let t = std::time::Instant::now();
        let rows = (0..k).map(|i| vec![qty.read(i, 0)]).collect();
        let s = jacobi_svd_carrying(rr.transpose(), rows).unwrap();
        println!("jacobi of Rᵀ {:?} ({} sweeps)", t.elapsed(), s.sweeps);
        let t = std::time::Instant::now();
        let _g = mul(a.transpose(), a.as_ref());
        println!("gram {:?}", t.elapsed());
    }
}

/// AᵀB with Aᵀ read in place (its panels packed from A's columns) and the lower
/// half of AᵀA are the in-order sums, bit for bit, the Gram's upper half zero;
/// at shapes with partial panels, a tail of single columns, and enough work to
/// run on the pool.
#[test]
fn transposed_products_and_the_lower_gram_are_the_in_order_sums() {
    for (n, k, out) in [(37, 23, 5), (300, 70, 3), (1200, 130, 10)] {
        let (a, y) = (random(n, k, 3), random(n, out, 4));
        let sum = |i: usize, j: usize, b: &Mat<f64>| {
            let mut s = 0.0;
            for p in 0..n {
                s += a.read(p, i) * b.read(p, j);
            }
            s
        };
        let aty = mul(a.as_ref().transpose(), y.as_ref());
        for i in 0..k {
            for j in 0..out {
                assert_eq!(aty.read(i, j).to_bits(), sum(i, j, &y).to_bits());
            }
        }
        let g = gram_lower(a.as_ref());
        for j in 0..k {
            for i in 0..k {
                let want = if i >= j { sum(i, j, &a) } else { 0.0 };
                assert_eq!(
                    g.read(i, j).to_bits(),
                    want.to_bits(),
                    "({i}, {j}) of {n}×{k}"
                );
            }
        }
    }
}

/// The unblocked left-looking factor (each entry's terms subtracted with p
/// ascending, then divided by the pivot's root): the blocked one's oracle.
fn cholesky_unblocked(g: &Mat<f64>) -> Mat<f64> {
    let k = g.nrows();
    let mut l = Mat::<f64>::zeros(k, k);
    for j in 0..k {
        for i in j..k {
            let mut v = g.read(i, j);
            for p in 0..j {
                v -= l.read(i, p) * l.read(j, p);
            }
            l.write(i, j, v);
        }
        let d = l.read(j, j).sqrt();
        l.write(j, j, d);
        for i in j + 1..k {
            l.write(i, j, l.read(i, j) / d);
        }
    }
    l
}

/// The blocked factor is the unblocked one bit for bit (blocks of 32 columns,
/// 8 × 4 register tiles and their edges), upper half zero.
#[test]
fn the_blocked_cholesky_is_the_unblocked_one() {
    for k in [1, 7, 32, 33, 70, 131] {
        let a = random(k + 20, k, k as u64);
        let g = gram_lower(a.as_ref());
        let (blocked, plain) = (cholesky(g.as_ref()).unwrap(), cholesky_unblocked(&g));
        for j in 0..k {
            for i in 0..k {
                assert_eq!(
                    blocked.read(i, j).to_bits(),
                    plain.read(i, j).to_bits(),
                    "({i}, {j}) of {k}"
                );
            }
        }
    }
}
