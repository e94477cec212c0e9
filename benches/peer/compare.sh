#!/usr/bin/env bash
# Alternates `jestbench bench` and the JAX peer (jest_jax.py) on the same shapes, R
# times each, in the same minutes, and prints per (f, B, selector) the median over
# repetitions of each side's median ms/iter, the spread across repetitions, and
# jestbench's time over the peer's. Given a BASELINE jestbench binary too (an older
# build), it runs in the same alternation and its column and ratio are added.
#   benches/peer/compare.sh [REPS] [PYTHON] [JESTBENCH] [BASELINE]
#   (defaults: 3, python3 with jax installed per requirements.txt, target/release/jestbench)
# Raw outputs go to target/peer-compare/.
set -euo pipefail
cd "$(dirname "$0")/../.."
reps=${1:-3}
python=${2:-python3}
jb=${3:-target/release/jestbench}
baseline=${4:-}
out=target/peer-compare
mkdir -p "$out"
rm -f "$out"/*.txt
for r in $(seq 1 "$reps"); do
  echo "repetition $r of $reps" >&2
  "$jb" bench --iters 60 --warmup 15 --super-batches none --no-sampler > "$out/jestbench-$r.txt"
  if [ -n "$baseline" ]; then
    "$baseline" bench --iters 60 --warmup 15 --super-batches none --no-sampler > "$out/baseline-$r.txt"
  fi
  (cd benches/peer && "$python" jest_jax.py --iters 60 --warmup 15 --selectors uniform jest independent --no-sanity) > "$out/peer-$r.txt"
done
python3 - "$out" "$reps" << 'PY'
import sys, statistics, glob, re
out, reps = sys.argv[1], int(sys.argv[2])
def rows(path, who):
    d = {}
    for line in open(path):
        p = line.split()
        if len(p) < 5 or not re.match(r"^0\.\d+$", p[0]):
            continue
        if who == "jestbench":   # f B b selector ms/iter ...
            f, B, sel, ms = float(p[0]), int(p[1]), p[3], float(p[4])
        else:                     # f B b selector median ...
            f, B, sel, ms = float(p[0]), int(p[1]), p[3], float(p[4])
        d[(round(f, 3), B, sel)] = ms
    return d
import os
who = ["jestbench", "peer"] + (["baseline"] if os.path.exists(f"{out}/baseline-1.txt") else [])
runs = {w: [rows(f"{out}/{w}-{r}.txt", "jestbench" if w == "baseline" else w) for r in range(1, reps + 1)] for w in who}
keys = sorted(set(runs["jestbench"][0]) & set(runs["peer"][0]), key=lambda k: (k[1], ["uniform", "independent", "jest"].index(k[2])))
extra = "baseline" in runs
print(f"{'f':>5} {'B':>5} {'selector':<12} {'jestbench ms':>14} {'[min, max]':>16} {'peer ms':>9} {'[min, max]':>16} {'ratio':>7}"
      + (f" {'baseline ms':>12} {'[min, max]':>16} {'ratio':>7}" if extra else ""))
for k in keys:
    a = [r[k] for r in runs["jestbench"]]
    b = [r[k] for r in runs["peer"]]
    ratios = [x / y for x, y in zip(a, b)]
    print(f"{k[0]:>5} {k[1]:>5} {k[2]:<12} {statistics.median(a):>14.3f} {'[%.3f, %.3f]' % (min(a), max(a)):>16} "
          f"{statistics.median(b):>9.3f} {'[%.3f, %.3f]' % (min(b), max(b)):>16} {statistics.median(ratios):>6.2f}x", end="")
    if extra:
        c = [r[k] for r in runs["baseline"]]
        rc = [x / y for x, y in zip(a, c)]
        print(f" {statistics.median(c):>12.3f} {'[%.3f, %.3f]' % (min(c), max(c)):>16} {statistics.median(rc):>6.2f}x", end="")
    print()
print("ratio: median over repetitions of jestbench / peer (pairwise); below 1: jestbench is faster."
      + (" Last ratio: jestbench / baseline." if extra else ""))
PY
