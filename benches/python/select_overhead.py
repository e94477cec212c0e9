"""What selecting a learning batch costs at training scale, and what Python adds.

    python benches/python/select_overhead.py [--sizes 2048 8192 16384] [--reps 5]
        [--previous-cli PATH] [--jax]

For each super-batch size B (b = B/8, 16 chunks, embeddings of width 64: the
`jestbench bench` quickstart model's shapes), alternating repetition by
repetition on the same inputs:

- `python`: `jestbench.select` from Python (the fused f32 scores from the four
  arrays' copies, then JEST's sampler);
- `rust`: the same computation timed inside Rust (`_jestbench.time_native_select`,
  no Python in the loop): python / rust is the binding's overhead;
- `iteration`: the training loop's own JEST iteration at the same B and b
  (`jestbench bench --super-batches B`, median of its timed iterations:
  learner forward on B, fused scores, sampling, step on b): select / iteration
  is the target of issue #45 (at most 3x at B = 8,192);
- `jax ms` (with `--jax`): `jestbench.jax.select`, the same sampler in JAX,
  jit-compiled (compiled before timing), on JAX's default device;
- `extra MiB`: the peak resident memory a `select` call adds over the process
  that holds its inputs (measured in a fresh process per size), against the
  inputs' own size (the target: at most 2x the inputs plus O(B));
- with `--previous-cli PATH` (a `jestbench` binary built before the fused path,
  e.g. from commit 6abcc20): `jestbench select` on the same inputs from .npy
  files by that binary and by this one, wall seconds and peak MiB (/usr/bin/time),
  the CLI printing only the chosen indices' line and learnability.

Prints a table; docs/performance.md ("Selection from Python at training scale")
keeps the figures with the machine and date.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import jestbench
from jestbench import _jestbench

ROOT = Path(__file__).resolve().parents[2]
DIM = 64
CHUNKS = 16


def arrays_of(n, dim=DIM):
    rng = np.random.default_rng(n)
    return [(rng.standard_normal((n, dim)) / np.sqrt(dim)).astype(np.float32) for _ in range(4)]


def status_mib(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    raise SystemExit(f"no {key} in /proc/self/status (Linux only)")


def child_memory(n):
    """In a fresh process: the peak MiB a select adds over holding its inputs
    (the peak reset to the resident size once the inputs exist: Linux's
    clear_refs 5; VmHWM then VmRSS)."""
    arrays = arrays_of(n)
    jestbench.select(*[a[:64] for a in arrays], 16, n_chunks=CHUNKS)  # load the code, start the pool
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = status_mib("VmRSS:")
    jestbench.select(*arrays, n // 8, n_chunks=CHUNKS, seed=0)
    extra = status_mib("VmHWM:") - before
    inputs = sum(a.nbytes for a in arrays) / 2**20
    print(json.dumps({"extra": extra, "inputs": inputs}))


def memory(n):
    out = subprocess.run([sys.executable, __file__, "--child-memory", str(n)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def iteration_ms(binary, sizes):
    """The training loop's JEST iteration per B, from `jestbench bench`."""
    out = subprocess.run(
        [binary, "bench", "--iters", "10", "--warmup", "3", "--filter-ratios", "none",
         "--super-batches", ",".join(str(n) for n in sizes), "--selectors", "jest",
         "--no-sampler", "--no-matmul"],
        capture_output=True, text=True, check=True).stdout
    ms = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) > 4 and f[3] == "jest" and f[1].isdigit():
            ms[int(f[1])] = float(f[4])
    return ms


def cli(binary, paths, b):
    """Wall seconds and peak MiB of `jestbench select` on the .npy files."""
    args = ["/usr/bin/time", "-f", "%e %M", binary, "select", "--learner-a", paths[0],
            "--learner-b", paths[1], "--reference-a", paths[2], "--reference-b", paths[3],
            "--b", str(b), "--n-chunks", str(CHUNKS)]
    out = subprocess.run(args, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{binary}: {out.stderr}")
    seconds, kib = out.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kib) / 1024


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", type=int, nargs="+", default=[2048, 8192, 16384])
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--previous-cli", help="a jestbench binary from before the fused select path")
    p.add_argument("--jax", action="store_true", help="also time jestbench.jax.select")
    p.add_argument("--child-memory", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child_memory:
        return child_memory(args.child_memory)
    binary = os.environ.get("JESTBENCH", str(ROOT / "target" / "release" / "jestbench"))
    iteration = iteration_ms(binary, args.sizes)
    jj = None
    if args.jax:
        import jax
        import jestbench.jax as jj
    print(f"{'B':>6} {'b':>5} {'python ms':>10} {'rust ms':>9} {'py/rust':>8} {'iteration ms':>13} "
          f"{'select/iter':>12} {'extra MiB':>10} {'inputs MiB':>11}"
          + (f" {'jax ms':>8}" if jj else "") + f"  (median of {args.reps}, alternating)")
    for n in args.sizes:
        b = n // 8
        arrays = arrays_of(n)
        py, rs, jx = [], [], []
        if jj:
            on_device = [jax.numpy.asarray(a) for a in arrays]
            jj.select(*on_device, b, key=jax.random.key(0), n_chunks=CHUNKS).block_until_ready()
        for r in range(args.reps):
            t = time.perf_counter()
            jestbench.select(*arrays, b, n_chunks=CHUNKS, seed=r)
            py.append(time.perf_counter() - t)
            rs.extend(_jestbench.time_native_select(*arrays, b, CHUNKS, r, 1))
            if jj:
                t = time.perf_counter()
                jj.select(*on_device, b, key=jax.random.key(r), n_chunks=CHUNKS).block_until_ready()
                jx.append(time.perf_counter() - t)
        mp, mr = statistics.median(py) * 1e3, statistics.median(rs) * 1e3
        m = memory(n)
        it = iteration.get(n, float("nan"))
        print(f"{n:>6} {b:>5} {mp:>10.2f} {mr:>9.2f} {mp / mr:>8.3f} {it:>13.2f} {mp / it:>12.2f} "
              f"{m['extra']:>10.1f} {m['inputs']:>11.1f}"
              + (f" {statistics.median(jx) * 1e3:>8.2f}" if jj else ""))
    if args.previous_cli:
        print(f"\n`jestbench select` from .npy files (b = B/8, {CHUNKS} chunks, width {DIM}): "
              "wall seconds and peak MiB, alternating")
        print(f"{'B':>6} {'previous s':>11} {'this s':>8} {'ratio':>7} {'previous MiB':>13} {'this MiB':>9}")
        with tempfile.TemporaryDirectory() as d:
            for n in args.sizes:
                paths = []
                for name, a in zip(("la", "lb", "ra", "rb"), arrays_of(n)):
                    paths.append(os.path.join(d, f"{name}.npy"))
                    np.save(paths[-1], a)
                old, new = [], []
                for _ in range(max(1, args.reps // 2)):
                    old.append(cli(args.previous_cli, paths, n // 8))
                    new.append(cli(binary, paths, n // 8))
                os_, om = statistics.median(x[0] for x in old), max(x[1] for x in old)
                ns, nm = statistics.median(x[0] for x in new), max(x[1] for x in new)
                print(f"{n:>6} {os_:>11.2f} {ns:>8.2f} {os_ / ns:>7.1f} {om:>13.0f} {nm:>9.0f}")


if __name__ == "__main__":
    main()
