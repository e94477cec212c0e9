"""SWIM's least-squares head in numpy/SciPy (LAPACK), the same algorithm as
jestbench's Cholesky path (swim::lstsq::cholesky): unit-norm columns, the lower
half of AᵀA (dsyrk), a relative ridge of 1e-10, Cholesky, two triangular solves.
On [tanh features, 1] at mfeat-pixel's shape (1,500 × 513, 10 targets), one
BLAS thread unless OPENBLAS_NUM_THREADS says otherwise. The Rust side is
examples/swim_head.rs; docs/performance.md alternates them with farm-bench.

    OPENBLAS_NUM_THREADS=1 python benches/peer/swim/head_numpy.py
"""
import os

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import time  # noqa: E402

import numpy as np  # noqa: E402
import scipy.linalg as sl  # noqa: E402
from scipy.linalg.blas import dsyrk  # noqa: E402

N, K, OUT = 1500, 513, 10


def problem(seed=1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, 24))
    w = rng.standard_normal((24, K - 1))
    b = rng.standard_normal(K - 1)
    a = np.asfortranarray(np.hstack([np.tanh(x @ w + b), np.ones((N, 1))]))
    y = np.sin(1.7 * x[:, [j % 24 for j in range(OUT)]])
    return a, y


def head(a, y, ridge=1e-10):
    s = 1.0 / np.linalg.norm(a, axis=0)
    g = dsyrk(1.0, a, trans=1, lower=1)
    g *= s[:, None]
    g *= s[None, :]
    g[np.diag_indices(K)] += ridge
    rhs = (a.T @ y) * s[:, None]
    c = sl.cho_factor(g, lower=True, check_finite=False)
    return sl.cho_solve(c, rhs, check_finite=False) * s[:, None]


def main():
    a, y = problem()
    head(a, y)
    ms = []
    for _ in range(9):
        t = time.perf_counter()
        head(a, y)
        ms.append(1e3 * (time.perf_counter() - t))
    ms.sort()
    print(f"numpy/LAPACK head, {N}×{K}, {OUT} targets: best {ms[0]:.2f} median {ms[4]:.2f} ms "
          f"(numpy {np.__version__}, OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']})")


if __name__ == "__main__":
    main()
