#!/usr/bin/env bash
# Alternates `jestbench bench` and the JAX peer (jest_jax.py) on the same shapes, R
# times each, in the same minutes, and prints per (f, B, selector) the median over
# repetitions of each side's median ms/iter, the spread across repetitions, and
# jestbench's time over the peer's. Given a BASELINE jestbench binary too (an older
# build), it runs in the same alternation and its column and ratio are added.
#   benches/peer/compare.sh [REPS] [PYTHON] [JESTBENCH] [BASELINE]
#   (defaults: 3, python3 with jax installed per requirements.txt, target/release/jestbench)
# Shapes and lengths from the environment (every b crossed with every f, B = round(b/(1-f))):
#   BATCH_SIZES    comma-separated learning batch sizes b     (default 64)
#   FILTER_RATIOS  comma-separated filtering ratios f         (default 0.5,0.8,0.9)
#   ITERS, WARMUP  timed and warm-up iterations per shape     (default 60, 15)
#   MAX_GIB        the peer skips shapes it estimates above this many GiB (default 6)
#   e.g. BATCH_SIZES=256,1024,4096 FILTER_RATIOS=0.8,0.9 ITERS=10 WARMUP=3 \
#        benches/peer/compare.sh 3 /tmp/venv/bin/python
# A shape one side skipped or failed to print shows "—" on that side.
# Raw outputs go to target/peer-compare/.
set -euo pipefail
cd "$(dirname "$0")/../.."
reps=${1:-3}
python=${2:-python3}
jb=${3:-target/release/jestbench}
baseline=${4:-}
batch_sizes=${BATCH_SIZES:-64}
batch_sizes=${batch_sizes// /}
filter_ratios=${FILTER_RATIOS:-0.5,0.8,0.9}
filter_ratios=${filter_ratios// /}
iters=${ITERS:-60}
warmup=${WARMUP:-15}
max_gib=${MAX_GIB:-6}
out=target/peer-compare
mkdir -p "$out"
rm -f "$out"/*.txt

# The arguments `jestbench bench` gets. A binary from before --batch-sizes (an older
# baseline) times b = 64 only: it gets the ratios alone when 64 is among the sizes,
# and is not run otherwise; its other rows show "—".
jb_args() {
  local help
  help=$("$1" bench --help 2>&1 || true)
  local common=(--iters "$iters" --warmup "$warmup" --super-batches none --no-sampler)
  case "$help" in
    *--batch-sizes*)
      echo "${common[@]}" --batch-sizes "$batch_sizes" --filter-ratios "$filter_ratios" ;;
    *)
      case ",$batch_sizes," in
        *,64,*)
          [ "$batch_sizes" = 64 ] ||
            echo "note: $1 has no --batch-sizes; it times b = 64 only" >&2
          echo "${common[@]}" --filter-ratios "$filter_ratios" ;;
        *)
          echo "note: $1 has no --batch-sizes and 64 is not among BATCH_SIZES; not run" >&2
          echo "SKIP" ;;
      esac ;;
  esac
}
jb_run=$(jb_args "$jb")
if [ -n "$baseline" ]; then
  base_run=$(jb_args "$baseline")
fi
# shellcheck disable=SC2206  # plain words: sizes and ratios
peer_args=(--iters "$iters" --warmup "$warmup" --batch-sizes ${batch_sizes//,/ }
           --filter-ratios ${filter_ratios//,/ } --max-gib "$max_gib"
           --selectors uniform jest independent_topk --no-sanity)
for r in $(seq 1 "$reps"); do
  echo "repetition $r of $reps" >&2
  # shellcheck disable=SC2086  # jb_args' words
  if [ "$jb_run" = SKIP ]; then : > "$out/jestbench-$r.txt"; else "$jb" bench $jb_run > "$out/jestbench-$r.txt"; fi
  if [ -n "$baseline" ]; then
    # shellcheck disable=SC2086
    if [ "$base_run" = SKIP ]; then : > "$out/baseline-$r.txt"; else "$baseline" bench $base_run > "$out/baseline-$r.txt"; fi
  fi
  (cd benches/peer && "$python" jest_jax.py "${peer_args[@]}") > "$out/peer-$r.txt"
done
python3 - "$out" "$reps" << 'PY'
import os, re, statistics, sys
out, reps = sys.argv[1], int(sys.argv[2])
ORDER = ["uniform", "independent_topk", "independent-diag", "jest"]
ALIAS = {"independent": "independent_topk"}  # older jestbench builds and peers
BRACKET = re.compile(r"\[\s*([-\d.eE+]+),\s*([-\d.eE+]+)\s*\]")
SKIPPED = re.compile(r"^skipped\s+([01]\.\d+)\s+(\d+)\s+(\d+)\s+(\S+?):")
skipped = {}  # (f, B, selector) -> b, for shapes a side printed as `skipped f B b selector: ...`
def rows(path):
    """{(f, B, selector): (b, ms, min, max)} from a jestbench or peer table. Both start a
    row with f B b selector ms; jestbench gives [min, max] in a bracket, the peer min and
    max as the next two fields. `skipped f B b selector: ...` lines go to `skipped`;
    other lines (headers, notes) are ignored."""
    d = {}
    if not os.path.exists(path):
        return d
    for line in open(path, encoding="utf-8"):
        s = SKIPPED.match(line)
        if s:
            skipped[(round(float(s[1]), 3), int(s[2]), ALIAS.get(s[4], s[4]))] = int(s[3])
            continue
        p = line.split()
        if len(p) < 5 or not re.match(r"^[01]\.\d+$", p[0]):
            continue
        try:
            f, B, b, ms = float(p[0]), int(p[1]), int(p[2]), float(p[4])
        except ValueError:
            continue
        sel = ALIAS.get(p[3], p[3])
        m = BRACKET.search(line)
        lo, hi = (float(m[1]), float(m[2])) if m else (float(p[5]), float(p[6])) if len(p) > 6 else (ms, ms)
        d[(round(f, 3), B, sel)] = (b, ms, lo, hi)
    return d
who = ["jestbench", "peer"] + (["baseline"] if os.path.exists(f"{out}/baseline-1.txt") else [])
runs = {w: [rows(f"{out}/{w}-{r}.txt") for r in range(1, reps + 1)] for w in who}
keys = set(skipped)
for w in ("jestbench", "peer"):
    for r in runs[w]:
        keys |= set(r)
batch = {k: next((r[k][0] for w in who for r in runs[w] if k in r), skipped.get(k)) for k in keys}
rank = lambda s: (ORDER.index(s) if s in ORDER else len(ORDER), s)  # noqa: E731
keys = sorted(keys, key=lambda k: (batch[k], k[1], rank(k[2])))
extra = "baseline" in runs
DASH = "—"
def col(vals, w):
    if not vals:
        return f"{DASH:>{w}} {DASH:>20}"
    return f"{statistics.median(vals):>{w}.3f} {'[%.3f, %.3f]' % (min(vals), max(vals)):>20}"
def ratio(k, a, c):
    rs = [x[k][1] / y[k][1] for x, y in zip(runs[a], runs[c]) if k in x and k in y]
    return f"{statistics.median(rs):>6.2f}x" if rs else f"{DASH:>7}"
print(f"{'f':>5} {'B':>5} {'b':>5} {'selector':<16} {'jestbench ms':>14} {'[min, max]':>20} {'peer ms':>9} {'[min, max]':>20} {'ratio':>7}"
      + (f" {'baseline ms':>12} {'[min, max]':>20} {'ratio':>7}" if extra else ""))
for k in keys:
    a = [r[k][1] for r in runs["jestbench"] if k in r]
    b = [r[k][1] for r in runs["peer"] if k in r]
    line = f"{k[0]:>5} {k[1]:>5} {batch[k]:>5} {k[2]:<16} {col(a, 14)} {col(b, 9)} {ratio(k, 'jestbench', 'peer')}"
    if extra:
        c = [r[k][1] for r in runs["baseline"] if k in r]
        line += f" {col(c, 12)} {ratio(k, 'jestbench', 'baseline')}"
    print(line)
print("ratio: median over repetitions of jestbench / peer (pairwise); below 1: jestbench is faster."
      + (" Last ratio: jestbench / baseline." if extra else "")
      + f" {DASH}: no row on that side (skipped, or a shape it does not time).")
if skipped:
    print("skipped (printed so by a side, e.g. the peer over --max-gib): "
          + ", ".join(f"f {k[0]} B {k[1]} {k[2]}" for k in sorted(skipped, key=lambda k: (skipped[k], k[1], rank(k[2])))))
PY
