"""What calling the harness's selection through Python costs over calling it from
Rust: `jestbench.select` timed from Python against the same computation timed
inside Rust (`_jestbench.time_native_select`: the same score matrix and JEST
selection, no Python in the loop), alternating call by call on the same inputs.

    python benches/python/select_overhead.py [--sizes 320 2048 16384] [--reps 5]

Prints, per super-batch size B (b = B/5, 16 chunks, d = 32), the median seconds
of each and their ratio (the target: at most 1.05).
"""

import argparse
import statistics
import time

import numpy as np

import jestbench
from jestbench import _jestbench


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", type=int, nargs="+", default=[320, 2048, 16384])
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--dim", type=int, default=32)
    args = p.parse_args()
    print(f"{'B':>6} {'b':>5} {'python s':>10} {'rust s':>10} {'ratio':>7}  (median of {args.reps}, alternating)")
    for n in args.sizes:
        b = n // 5 // 16 * 16
        rng = np.random.default_rng(n)
        arrays = [(rng.standard_normal((n, args.dim)) / np.sqrt(args.dim)).astype(np.float32)
                  for _ in range(4)]
        py, rs = [], []
        reps = args.reps if n <= 4096 else max(2, args.reps // 2)
        for r in range(reps):
            t = time.perf_counter()
            jestbench.select(*arrays, b=b, n_chunks=16, seed=r)
            py.append(time.perf_counter() - t)
            rs.extend(_jestbench.time_native_select(*arrays, b, 16, r, 1))
        mp, mr = statistics.median(py), statistics.median(rs)
        print(f"{n:>6} {b:>5} {mp:>10.4f} {mr:>10.4f} {mp / mr:>7.3f}")


if __name__ == "__main__":
    main()
