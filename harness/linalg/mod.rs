//! Dense f64 linear algebra for SWIM (products, Cholesky, triangular solves,
//! Householder QR, one-sided Jacobi SVD), deterministic by construction: the same
//! inputs give the same bits on any CPU and with any number of threads.
//!
//! Why our own: faer's and nalgebra's products pick their kernels and blockings at
//! run time. nalgebra's `DMatrix * DMatrix` goes to matrixmultiply, which chooses an
//! AVX-512, AVX2+FMA, AVX or SSE2 kernel by the CPU, each with its own fused or
//! separate multiply-adds; faer's products (gemm-common) size their k-blocks from
//! the L1/L2 cache sizes the CPU reports, so one entry is summed in a different
//! grouping on a CPU with other caches; its factorisations split work by the
//! thread count. Any of these changes the last bits, and SWIM's least squares on
//! 10⁻⁸-level residuals amplify them to the printed digits.
//!
//! The rules here: every sum runs in an order the code fixes, never one that the
//! vector width or the thread count chooses. A product entry is Σ_p a_ip·b_pj from
//! p = 0 upwards, one multiply and one add per step (Rust never contracts them into
//! an FMA), with lanes across independent entries only; a dot product keeps
//! [`LANES`] partial sums (fixed by the code, whatever width the CPU's vectors
//! have) combined in one fixed tree; parallel work is split by output columns (or
//! disjoint column pairs), so a thread computes whole entries.

use faer::MatRef;

/// Partial sums of a dot product: a constant of the code, not of the CPU.
pub const LANES: usize = 8;

/// Work (multiply-adds) below which a product runs on the calling thread.
pub(crate) const PARALLEL_WORK: usize = 1 << 18;

/// Whether the AVX2 build of the hot loops runs: the same code compiled for
/// 4-lane vectors, with separate multiplies and adds as in the portable build
/// (no FMA is enabled, and Rust never contracts), so the bits are the same;
/// `JESTBENCH_SIMD=portable` turns it off.
fn wide() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        static WIDE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *WIDE.get_or_init(|| {
            !crate::kernels::portable_forced() && std::is_x86_feature_detected!("avx2")
        })
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Runs `$body` (an expression over the function's arguments) through an AVX2
/// build where [`wide`] says so, else as compiled for the baseline.
macro_rules! dispatch {
    (fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty $body:block) => {
        #[inline(always)]
        fn portable($($arg: $ty),*) -> $ret $body
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2")]
        unsafe fn avx2($($arg: $ty),*) -> $ret {
            portable($($arg),*)
        }
        #[cfg(target_arch = "x86_64")]
        if wide() {
            // SAFETY: the CPU has AVX2, which is all the compiled function assumes.
            return unsafe { avx2($($arg),*) };
        }
        return portable($($arg),*);
    };
}

/// ⟨x, y⟩ with [`LANES`] partial sums in a fixed order, then the tail in order.
pub fn dot(x: &[f64], y: &[f64]) -> f64 {
    dispatch! {
        fn dot_of(x: &[f64], y: &[f64]) -> f64 {
    assert_eq!(x.len(), y.len());
    let n = x.len() / LANES * LANES;
    let mut acc = [0.0f64; LANES];
    for (xc, yc) in x[..n].chunks_exact(LANES).zip(y[..n].chunks_exact(LANES)) {
        for l in 0..LANES {
            acc[l] += xc[l] * yc[l];
        }
    }
    let mut s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (a, b) in x[n..].iter().zip(&y[n..]) {
        s += a * b;
    }
    s
        }
    }
}

/// ‖x‖₂ from [`dot`].
pub fn norm(x: &[f64]) -> f64 {
    dot(x, x).sqrt()
}

/// y ← y + α·x, entry by entry.
pub fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    dispatch! {
        fn axpy_of(alpha: f64, x: &[f64], y: &mut [f64]) -> () {
            for (yi, xi) in y.iter_mut().zip(x) {
                *yi += alpha * xi;
            }
        }
    }
}

/// Σ of the squares of every entry of `m`, column after column: a column's with
/// eight partial sums over its rows i ≡ l (mod 8) while eight remain, combined
/// (0+4), (1+5), (2+6), (3+7) into the running total, then its remaining rows one
/// by one. The order SWIM's norms have always been summed in (nalgebra's
/// `norm_squared`, which the committed results used), kept so they keep their bits.
pub fn sum_of_squares(m: MatRef<'_, f64>) -> f64 {
    let mut total = 0.0;
    for j in 0..m.ncols() {
        let mut col = 0.0;
        let mut acc = [0.0f64; 8];
        let n = m.nrows();
        let mut i = 0;
        while n - i >= 8 {
            for (l, a) in acc.iter_mut().enumerate() {
                let v = m.read(i + l, j);
                *a += v * v;
            }
            i += 8;
        }
        col += acc[0] + acc[4];
        col += acc[1] + acc[5];
        col += acc[2] + acc[6];
        col += acc[3] + acc[7];
        for k in i..n {
            let v = m.read(k, j);
            col += v * v;
        }
        total += col;
    }
    total
}

/// The Frobenius norm, √[`sum_of_squares`].
pub fn frobenius(m: MatRef<'_, f64>) -> f64 {
    sum_of_squares(m).sqrt()
}

/// The mean of every entry, summed column after column from +0.
pub fn mean(m: MatRef<'_, f64>) -> f64 {
    let len = m.nrows() * m.ncols();
    if len == 0 {
        return 0.0;
    }
    let mut s = 0.0;
    for j in 0..m.ncols() {
        for i in 0..m.nrows() {
            s += m.read(i, j);
        }
    }
    s / len as f64
}

/// Row i of `m`.
pub fn row(m: MatRef<'_, f64>, i: usize) -> Vec<f64> {
    (0..m.ncols()).map(|j| m.read(i, j)).collect()
}

/// A slice as an n × 1 column view.
pub fn column(x: &[f64]) -> MatRef<'_, f64> {
    faer::mat::from_column_major_slice(x, x.len(), 1)
}

/// A column-major copy (m×n, leading dimension m) of a view of any strides.
pub fn packed(a: MatRef<'_, f64>) -> Vec<f64> {
    let (m, n) = (a.nrows(), a.ncols());
    let mut out = Vec::with_capacity(m * n);
    for j in 0..n {
        if a.row_stride() == 1 && m > 0 {
            // SAFETY: column j holds m entries at unit stride from its start.
            let col = unsafe { std::slice::from_raw_parts(a.ptr_at(0, j), m) };
            out.extend_from_slice(col);
        } else {
            out.extend((0..m).map(|i| a.read(i, j)));
        }
    }
    out
}

/// (x, y) ← (c·x − s·y, s·x + c·y), entry by entry.
fn plane_rotation(x: &mut [f64], y: &mut [f64], c: f64, s: f64) {
    dispatch! {
        fn rotation_of(x: &mut [f64], y: &mut [f64], c: f64, s: f64) -> () {
            for (xi, yi) in x.iter_mut().zip(y.iter_mut()) {
                let (a, b) = (*xi, *yi);
                *xi = c * a - s * b;
                *yi = s * a + c * b;
            }
        }
    }
}

mod factor;
mod gemm;
mod jacobi;
mod qr;

pub use factor::{cholesky, solve_lower, solve_lower_transposed};
pub use gemm::{gemm_ld, gemm_packed, gram_lower, matmul, mul};
pub use jacobi::{jacobi_svd, jacobi_svd_carrying, Svd, MAX_SWEEPS};
pub use qr::{qr_apply, qr_blocked_apply, qr_pivoted_apply};

#[cfg(test)]
mod tests;
