//! The machine's float32 rates that `bench` sets beside the step's: dfdx's CPU
//! matmul (the `gemm` crate), OpenBLAS's `cblas_sgemm` where the library loads
//! (the reference of docs/performance.md's "fraction of the machine"), and the
//! kernels' multiply-add peak (`kernels::fma_peak_gflops`), and the harness's own
//! products (`kernels::products_par`, the step's kernel). Every one on every
//! thread of the pool, n×n by n×n, after two warm-up products, the best of 7: a
//! rate the box reaches, so that a share of it is a lower bound on a shared,
//! noisy machine (a median reference moved the shares by a third between runs).

use std::time::Instant;

/// The rates measured in one `bench` run.
#[derive(Clone, Debug, PartialEq)]
pub struct MachineRates {
    /// The products' side: n×n by n×n.
    pub n: usize,
    /// dfdx's CPU matmul, GFLOP/s.
    pub dfdx: f64,
    /// OpenBLAS's sgemm, GFLOP/s, and the library it came from; or why it was
    /// not measured.
    pub openblas: Result<(f64, String), String>,
    /// The kernels' fused multiply-add peak, GFLOP/s (best of 7 rounds).
    pub peak: f64,
    /// The harness's products (`kernels::products_par`), GFLOP/s.
    pub products: f64,
}

impl MachineRates {
    pub fn measure(n: usize) -> MachineRates {
        MachineRates {
            n,
            dfdx: dfdx_rate(n),
            openblas: OpenBlas::load().map(|blas| (blas.rate(n), blas.name.clone())),
            peak: crate::kernels::fma_peak_gflops(7),
            products: products_rate(n),
        }
    }
}

/// The best of 7 timed calls after 2 warm-up calls, as GFLOP/s of an n³ product.
fn rate(n: usize, mut product: impl FnMut()) -> f64 {
    let best = (0..9)
        .map(|_| {
            let t = Instant::now();
            product();
            t.elapsed().as_secs_f64()
        })
        .skip(2)
        .fold(f64::INFINITY, f64::min);
    2.0 * (n as f64).powi(3) / best / 1e9
}

/// The harness's own products, C = A·B through `kernels::products_par` (B given
/// as Bᵀ's rows: A·B's operand as the step passes it), on seeded uniform values
/// in [−1, 1). A short periodic pattern does not measure the portable build:
/// with (i mod 97 − 48)/50 its f64 sums land on f32 midpoints somewhere in 88%
/// of its 4 × 4 tiles' blocks of 256 steps (at 1,024³), each then recomputed by
/// the exact emulation, which a model's values do not do.
fn products_rate(n: usize) -> f64 {
    use rand::Rng;
    let mut r = crate::data::rng::chacha(0, 0);
    let a: Vec<f32> = (0..n * n).map(|_| r.gen_range(-1.0f32..1.0)).collect();
    let mut c = vec![0.0f32; n * n];
    rate(n, || {
        crate::kernels::products_par(n, n, n, &a, &a, n, 0, &mut c)
    })
}

/// dfdx's CPU matmul (the `gemm` crate, blocked and packed, on every thread of
/// the pool).
fn dfdx_rate(n: usize) -> f64 {
    use dfdx::prelude::*;
    let dev = Cpu::seed_from_u64(0);
    let a: Tensor<(usize, usize), f32, Cpu> = dev.sample_normal_like(&(n, n));
    let b: Tensor<(usize, usize), f32, Cpu> = dev.sample_normal_like(&(n, n));
    rate(n, || {
        std::hint::black_box(a.clone().matmul(b.clone()));
    })
}

/// `cblas_sgemm`'s signature (LP64: 32-bit dimensions).
type Sgemm = unsafe extern "C" fn(
    order: i32,
    trans_a: i32,
    trans_b: i32,
    m: i32,
    n: i32,
    k: i32,
    alpha: f32,
    a: *const f32,
    lda: i32,
    b: *const f32,
    ldb: i32,
    beta: f32,
    c: *mut f32,
    ldc: i32,
);
const ROW_MAJOR: i32 = 101;
const NO_TRANS: i32 = 111;

/// OpenBLAS loaded at run time: the build does not link it, so `bench` runs
/// without it and says so.
pub struct OpenBlas {
    sgemm: Sgemm,
    /// The file it was loaded from.
    pub name: String,
    _lib: libloading::Library,
}

impl OpenBlas {
    /// The library named by `JESTBENCH_OPENBLAS` (a path; an error if it does not
    /// load), else the system's `libopenblas` (Debian: `apt install
    /// libopenblas0`); its threads set to the pool's.
    pub fn load() -> Result<OpenBlas, String> {
        let names: Vec<String> = match std::env::var("JESTBENCH_OPENBLAS") {
            Ok(path) => vec![path],
            Err(_) => [
                "libopenblas.so.0",
                "libopenblas.so",
                "libopenblas.dylib",
                "libopenblas.dll",
            ]
            .map(String::from)
            .to_vec(),
        };
        let mut why = Vec::new();
        for name in &names {
            // SAFETY: loading runs the library's initialisers; OpenBLAS's only
            // set up its thread pool.
            match unsafe { libloading::Library::new(name) } {
                Ok(lib) => return Self::from_library(lib, name),
                Err(e) => why.push(format!("{name}: {e}")),
            }
        }
        Err(format!(
            "OpenBLAS not found ({}); install it (Debian: apt install libopenblas0) or set \
             JESTBENCH_OPENBLAS to its path",
            why.join("; ")
        ))
    }

    fn from_library(lib: libloading::Library, name: &str) -> Result<OpenBlas, String> {
        // SAFETY: the symbols are OpenBLAS's C functions with these signatures.
        unsafe {
            let sgemm: Sgemm = *lib
                .get::<Sgemm>(b"cblas_sgemm\0")
                .map_err(|e| format!("{name}: no cblas_sgemm ({e})"))?;
            if let Ok(threads) = lib.get::<unsafe extern "C" fn(i32)>(b"openblas_set_num_threads\0")
            {
                threads(rayon::current_num_threads() as i32);
            }
            Ok(OpenBlas {
                sgemm,
                name: name.to_string(),
                _lib: lib,
            })
        }
    }

    /// C = A·B, all row-major: A is m×k, B k×n, C m×n.
    pub fn product(&self, m: usize, n: usize, k: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
        assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n);
        let dim = |x: usize| i32::try_from(x).expect("a dimension OpenBLAS (LP64) takes");
        // SAFETY: the slices hold the m×k, k×n and m×n matrices the call reads and
        // writes, with leading dimensions k, n and n.
        unsafe {
            (self.sgemm)(
                ROW_MAJOR,
                NO_TRANS,
                NO_TRANS,
                dim(m),
                dim(n),
                dim(k),
                1.0,
                a.as_ptr(),
                dim(k),
                b.as_ptr(),
                dim(n),
                0.0,
                c.as_mut_ptr(),
                dim(n),
            )
        }
    }

    /// GFLOP/s of an n×n by n×n product.
    pub fn rate(&self, n: usize) -> f64 {
        let a: Vec<f32> = (0..n * n)
            .map(|i| ((i % 97) as f32 - 48.0) / 50.0)
            .collect();
        let mut c = vec![0.0f32; n * n];
        rate(n, || self.product(n, n, n, &a, &a, &mut c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where OpenBLAS loads, its product is the product (within f32 rounding), so
    /// the reference `bench` reports is a real sgemm; where it does not, the
    /// reason names the variable that points at it.
    #[test]
    fn openblas_where_it_loads_multiplies() {
        match OpenBlas::load() {
            Ok(blas) => {
                let (m, n, k) = (5, 7, 3);
                let a: Vec<f32> = (0..m * k).map(|i| i as f32 - 4.0).collect();
                let b: Vec<f32> = (0..k * n).map(|i| 0.5 * i as f32 - 3.0).collect();
                let mut c = vec![0.0f32; m * n];
                blas.product(m, n, k, &a, &b, &mut c);
                for i in 0..m {
                    for j in 0..n {
                        let want: f32 = (0..k).map(|d| a[i * k + d] * b[d * n + j]).sum();
                        assert!((c[i * n + j] - want).abs() < 1e-4, "{i},{j}");
                    }
                }
            }
            Err(why) => assert!(why.contains("JESTBENCH_OPENBLAS"), "{why}"),
        }
    }
}
