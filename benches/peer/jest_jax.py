#!/usr/bin/env python3
"""JAX/XLA peer of one jestbench training iteration (speed comparison only).

What it measures
    Wall-clock time of ONE training iteration per data selector, each iteration a
    single jitted XLA function with everything on device (CPU here):
      uniform      b of the B super-batch indices drawn uniformly without replacement
                   on device (jax.random.choice(replace=False)), gather, one training
                   step. The super-batch is not scored.
      jest         learnability scoring + joint sampling (16 chunks, gain 100) + step:
                   a. learner forward (no gradient) over the B candidates -> L (BxB pair loss)
                   b. cached reference embeddings of the B candidates -> R (BxB pair loss)
                   c. A = L - R
                   d. Gumbel top-k joint sampling: score_i = A_ii; 16 chunks of b/16,
                      keys = gain*score + Gumbel, chosen -> -inf, top `chunk`, then
                      score += A[k,:] + A[:,k] for every newly chosen k.  The 16 chunks
                      are a Python loop unrolled under jit (measured faster than
                      lax.fori_loop here; --fori switches to fori_loop).
                   e. training step on the b chosen pairs (fresh forward with gradients).
      independent_topk  steps a-c, top-b of diag(A) (lax.top_k), training step. The
                   full BxB A is materialised (lax.optimization_barrier), mirroring the
                   harness; otherwise XLA would fuse diag() into the log-sigmoid.
                   (`--selectors independent` is accepted as an alias.)
      independent-diag  as independent_topk, but computes only the diagonal of A (B
                   row-wise dot products, no BxB matrix): a separate, cheaper variant.
    Training step: SigLIP loss (sum of -log sigmoid(z_ij Z_ij) over the bxb logits,
    divided by b), gradient w.r.t. all parameters, global grad-norm clip at 1.0, AdamW
    (b1 0.9, b2 0.95, eps 1e-8, bias-corrected, decoupled wd 1e-4 on weight matrices
    only, lr 1e-3 constant): theta -= lr*(m_hat/(sqrt(v_hat)+eps) + wd*mask*theta), as
    the harness's optim.rs. Parameters and optimizer state are donated (donate_argnums).

Shapes (the harness's "quickstart" model)
    Tower A 48 -> 128 (ReLU) -> 64, tower B 32 -> 128 (ReLU) -> 64, L2-normalised rows
    (x / sqrt(sum x^2 + 1e-12)), log-temperature t' = ln 10, bias c = -10, LeCun-normal
    weights, zero biases, float32. Pool N = max(30,000, largest B asked) pairs
    (synthetic Gaussian features sharing a 16-d latent, so that training has something
    to learn), a fixed randomly initialised reference model embeds the pool once before
    timing (t_ref 10, c_ref -10).
    Every b in --batch-sizes (default 64) crossed with every f in --filter-ratios:
    B = round(b / (1 - f)), halves away from zero like the harness (b = 64: 0.5 -> 128,
    0.8 -> 320, 0.9 -> 640); --super-batches B... adds each B (e.g. 2048 8192) with
    b = B/8 (f = 0.875), uniform and jest only.
    Memory: jest and independent_topk hold BxB float32 matrices (L, R, A); a
    configuration whose estimate (3 * 4 * B^2 bytes, plus 16 * b^2 and the pool)
    exceeds --max-gib (default 6) is skipped with a printed "skipped f B b selector:
    needs ~X GiB" line (e.g. B = 40,960 needs ~19 GiB). uniform and independent-diag
    hold nothing BxB and are not skipped below B ~ millions.
    Super-batches: a seeded host-side permutation of the pool cut into consecutive
    blocks of B (reshuffled when exhausted); the int32 index block and a PRNG key are the
    only host->device inputs per iteration.

Timing
    Each (shape, selector): fresh state, --warmup iterations (the first compiles), then
    --iters iterations each timed with time.perf_counter around the call +
    block_until_ready on every output. Reported: median, min, max ms/iter, and the
    process CPU time / wall time over the timed loop (~ the number of busy cores).
    For jest the sampling step (d) is also jitted and timed alone on a stored A; its
    median over the jest median is reported as "sample%" (approximate: fused inside the
    full iteration it may cost a little less or more).

Threads
    --threads N pins the process to the first N CPUs with os.sched_setaffinity BEFORE
    jax is imported; XLA's CPU client sizes its thread pools from the affinity mask.
    With N = 1, XLA_FLAGS also gets --xla_cpu_multi_thread_eigen=false.

Run
    python3 -m venv /work/venvs/peer && /work/venvs/peer/bin/pip install -r requirements.txt
    /work/venvs/peer/bin/python jest_jax.py                      # f = 0.5 0.8 0.9
    /work/venvs/peer/bin/python jest_jax.py --super-batches 2048 8192 --filter-ratios
    /work/venvs/peer/bin/python jest_jax.py --batch-sizes 256 1024 4096 --filter-ratios 0.8 0.9 \
        --selectors uniform jest independent_topk --iters 10 --warmup 3 --no-sanity
"""

import argparse
import math
import os
import sys
import time


SELECTORS = ["uniform", "jest", "independent_topk", "independent-diag"]
ALIASES = {"independent": "independent_topk"}  # the harness's older name


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--iters", type=int, default=60)
    p.add_argument("--warmup", type=int, default=15)
    p.add_argument("--batch-sizes", type=int, nargs="*", default=[64],
                   help="learning batch sizes b, crossed with --filter-ratios: "
                        "B = round(b / (1 - f))")
    p.add_argument("--filter-ratios", type=float, nargs="*", default=[0.5, 0.8, 0.9])
    p.add_argument("--super-batches", type=int, nargs="*", default=[])
    p.add_argument("--max-gib", type=float, default=6.0,
                   help="skip a configuration whose estimated memory exceeds this (GiB)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--selectors", nargs="+", default=list(SELECTORS),
                   choices=SELECTORS + list(ALIASES))
    p.add_argument("--fori", action="store_true",
                   help="JEST sampling with lax.fori_loop instead of an unrolled loop")
    p.add_argument("--no-sanity", action="store_true")
    p.add_argument("--sanity-steps", type=int, default=300)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    sels = [ALIASES.get(s, s) for s in a.selectors]
    a.selectors = [s for i, s in enumerate(sels) if s not in sels[:i]]  # dedupe, keep order
    for b in a.batch_sizes:
        if b < 1:
            p.error(f"--batch-sizes {b}: give positive sizes")
        if "jest" in a.selectors and b % N_CHUNKS:
            p.error(f"--batch-sizes {b}: jest draws {N_CHUNKS} chunks, so b must be a "
                    f"multiple of {N_CHUNKS}")
    for f in a.filter_ratios:
        if not 0.0 <= f < 0.99:
            p.error(f"--filter-ratios {f}: give ratios in [0, 0.99)")
    for B in a.super_batches:
        if B < 16:
            p.error(f"--super-batches {B}: give sizes of at least 16")
    return a


N_CHUNKS = 16
ARGS = parse_args()

# ---- thread restriction: must happen before jax is imported -------------------------
_cpus = sorted(os.sched_getaffinity(0))
if ARGS.threads < 1 or ARGS.threads > len(_cpus):
    sys.exit(f"--threads must be in 1..{len(_cpus)}")
os.sched_setaffinity(0, _cpus[: ARGS.threads])
if ARGS.threads == 1:
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                               " --xla_cpu_multi_thread_eigen=false").strip()
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
from jax import lax  # noqa: E402

# ---- constants -----------------------------------------------------------------------
MIN_POOL, DIM_A, DIM_B, HIDDEN, EMBED, LATENT = 30_000, 48, 32, 128, 64, 16
GAIN = 100.0  # N_CHUNKS = 16 is defined above (the argument checks use it)
LR, B1, B2, EPS, WD, CLIP = 1e-3, 0.9, 0.95, 1e-8, 1e-4, 1.0
T_REF, C_REF = 10.0, -10.0
WEIGHTS = ("wa1", "wa2", "wb1", "wb2")  # decayed; biases, t', c are not


# ---- model ---------------------------------------------------------------------------
def init_params(key):
    ks = jax.random.split(key, 4)

    def lecun(k, fi, fo):
        return jax.random.normal(k, (fi, fo), jnp.float32) / math.sqrt(fi)

    return {
        "wa1": lecun(ks[0], DIM_A, HIDDEN), "ba1": jnp.zeros(HIDDEN, jnp.float32),
        "wa2": lecun(ks[1], HIDDEN, EMBED), "ba2": jnp.zeros(EMBED, jnp.float32),
        "wb1": lecun(ks[2], DIM_B, HIDDEN), "bb1": jnp.zeros(HIDDEN, jnp.float32),
        "wb2": lecun(ks[3], HIDDEN, EMBED), "bb2": jnp.zeros(EMBED, jnp.float32),
        "tp": jnp.asarray(math.log(10.0), jnp.float32),
        "c": jnp.asarray(-10.0, jnp.float32),
    }


def l2n(x):
    return x / jnp.sqrt(jnp.sum(x * x, axis=-1, keepdims=True) + 1e-12)


def tower_a(p, x):
    return l2n(jax.nn.relu(x @ p["wa1"] + p["ba1"]) @ p["wa2"] + p["ba2"])


def tower_b(p, x):
    return l2n(jax.nn.relu(x @ p["wb1"] + p["bb1"]) @ p["wb2"] + p["bb2"])


def pair_loss_matrix(ea, eb, temp, bias):
    """l_ij = -log sigmoid(z_ij Z_ij), Z = temp <a_i, b_j> + bias, z = +1 on the diagonal."""
    z = temp * (ea @ eb.T) + bias
    n = z.shape[0]
    sign = jnp.where(jnp.eye(n, dtype=bool), 1.0, -1.0).astype(z.dtype)
    return -jax.nn.log_sigmoid(sign * z)


def pair_loss_diag(ea, eb, temp, bias):
    return -jax.nn.log_sigmoid(temp * jnp.sum(ea * eb, axis=-1) + bias)


def batch_loss(p, xa, xb):
    l = pair_loss_matrix(tower_a(p, xa), tower_b(p, xb), jnp.exp(p["tp"]), p["c"])
    return jnp.sum(l) / xa.shape[0]


def init_opt(p):
    z = jax.tree_util.tree_map(jnp.zeros_like, p)
    return {"m": z, "v": jax.tree_util.tree_map(jnp.zeros_like, p),
            "t": jnp.zeros((), jnp.int32)}


def train_step(p, opt, xa, xb):
    loss, g = jax.value_and_grad(batch_loss)(p, xa, xb)
    leaves = jax.tree_util.tree_leaves(g)
    gnorm = jnp.sqrt(sum(jnp.sum(x * x) for x in leaves))
    scale = jnp.where(gnorm > CLIP, CLIP / gnorm, 1.0)
    t = opt["t"] + 1
    tf = t.astype(jnp.float32)
    bc1, bc2 = 1.0 - B1 ** tf, 1.0 - B2 ** tf
    new_p, new_m, new_v = {}, {}, {}
    for k in p:
        gk = g[k] * scale
        m = B1 * opt["m"][k] + (1.0 - B1) * gk
        v = B2 * opt["v"][k] + (1.0 - B2) * gk * gk
        upd = (m / bc1) / (jnp.sqrt(v / bc2) + EPS)
        if k in WEIGHTS:
            upd = upd + WD * p[k]
        new_p[k], new_m[k], new_v[k] = p[k] - LR * upd, m, v
    return new_p, {"m": new_m, "v": new_v, "t": t}, loss


# ---- scoring and selection -----------------------------------------------------------
def learnability(p, data, idx):
    """A = L - R over the B candidates idx (learner forward without gradient)."""
    xa, xb, ra, rb = data["xa"][idx], data["xb"][idx], data["ra"][idx], data["rb"][idx]
    p = lax.stop_gradient(p)
    L = pair_loss_matrix(tower_a(p, xa), tower_b(p, xb), jnp.exp(p["tp"]), p["c"])
    R = pair_loss_matrix(ra, rb, T_REF, C_REF)
    return L - R


def learnability_diag(p, data, idx):
    xa, xb, ra, rb = data["xa"][idx], data["xb"][idx], data["ra"][idx], data["rb"][idx]
    L = pair_loss_diag(tower_a(p, xa), tower_b(p, xb), jnp.exp(p["tp"]), p["c"])
    return L - pair_loss_diag(ra, rb, T_REF, C_REF)


def jest_sample(A, key, b, fori=False):
    """Joint Gumbel top-k sampling in N_CHUNKS chunks; returns b positions into 0..B-1."""
    B = A.shape[0]
    chunk = b // N_CHUNKS
    gumbel = jax.random.gumbel(key, (N_CHUNKS, B), jnp.float32)
    score0 = jnp.diagonal(A)
    neg_inf = jnp.float32(-jnp.inf)

    def body(c, carry):
        score, taken, chosen = carry
        keys = jnp.where(taken, neg_inf, GAIN * score + gumbel[c])
        _, new = lax.top_k(keys, chunk)
        taken = taken.at[new].set(True)
        chosen = lax.dynamic_update_slice(chosen, new, (c * chunk,))
        score = score + jnp.sum(A[new, :], axis=0) + jnp.sum(A[:, new], axis=1)
        return score, taken, chosen

    carry = (score0, jnp.zeros(B, bool), jnp.zeros(b, jnp.int32))
    if fori:
        carry = lax.fori_loop(0, N_CHUNKS, body, carry)
    else:
        for c in range(N_CHUNKS):
            carry = body(c, carry)
    return carry[2]


def make_iteration(selector, B, b, fori):
    """One jitted training iteration: (params, opt, data, idx_block, key) -> (params, opt, loss)."""

    def it(p, opt, data, idx, key):
        if selector == "uniform":
            pos = jax.random.choice(key, B, (b,), replace=False)
        elif selector == "jest":
            pos = jest_sample(learnability(p, data, idx), key, b, fori)
        elif selector == "independent_topk":
            # optimization_barrier: materialise the full BxB A as the harness does;
            # without it XLA fuses the diagonal into the log-sigmoid and skips the
            # off-diagonal elementwise work (only the two BxB matmuls remain).
            A = lax.optimization_barrier(learnability(p, data, idx))
            _, pos = lax.top_k(jnp.diagonal(A), b)
        elif selector == "independent-diag":
            _, pos = lax.top_k(learnability_diag(p, data, idx), b)
        else:
            raise ValueError(selector)
        chosen = idx[pos]
        return train_step(p, opt, data["xa"][chosen], data["xb"][chosen])

    return jax.jit(it, donate_argnums=(0, 1))


class SuperBatches:
    """Seeded permutation of the pool cut into consecutive blocks of B (host side)."""

    def __init__(self, n, B, seed):
        self.n, self.B, self.rng, self.perm, self.pos = n, B, np.random.default_rng(seed), None, n

    def next(self):
        if self.pos + self.B > self.n:
            self.perm, self.pos = self.rng.permutation(self.n).astype(np.int32), 0
        blk = self.perm[self.pos:self.pos + self.B]
        self.pos += self.B
        return jax.device_put(blk)


# ---- data ----------------------------------------------------------------------------
def make_data(seed, n):
    k = jax.random.split(jax.random.PRNGKey(seed), 6)
    z = jax.random.normal(k[0], (n, LATENT))
    xa = z @ jax.random.normal(k[1], (LATENT, DIM_A)) + 0.5 * jax.random.normal(k[2], (n, DIM_A))
    xb = z @ jax.random.normal(k[3], (LATENT, DIM_B)) + 0.5 * jax.random.normal(k[4], (n, DIM_B))
    ref = init_params(k[5])  # fixed, randomly initialised reference model
    emb = jax.jit(lambda p, a, b: (tower_a(p, a), tower_b(p, b)))
    ra, rb = emb(ref, xa, xb)
    data = {"xa": xa, "xb": xb, "ra": ra, "rb": rb}
    return jax.block_until_ready(data)


# ---- timing --------------------------------------------------------------------------
def time_config(selector, B, b, data, args):
    it = make_iteration(selector, B, b, args.fori)
    p = init_params(jax.random.PRNGKey(args.seed + 1))
    opt = init_opt(p)
    sb = SuperBatches(data["xa"].shape[0], B, args.seed + 2)
    key = jax.random.PRNGKey(args.seed + 3)
    times = []
    cpu0 = wall0 = None
    for i in range(args.warmup + args.iters):
        if i == args.warmup:
            cpu0, wall0 = time.process_time(), time.perf_counter()
        idx = sb.next()
        key, sub = jax.random.split(key)
        t0 = time.perf_counter()
        p, opt, loss = it(p, opt, data, idx, sub)
        jax.block_until_ready((p, opt, loss))
        if i >= args.warmup:
            times.append(time.perf_counter() - t0)
    cores = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
    sample_ms = None
    if selector == "jest":
        A = jax.jit(learnability)(p, data, sb.next())
        samp = jax.jit(lambda A, k: jest_sample(A, k, b, args.fori))
        st = []
        for i in range(args.warmup + args.iters):
            key, sub = jax.random.split(key)
            t0 = time.perf_counter()
            jax.block_until_ready(samp(A, sub))
            if i >= args.warmup:
                st.append(time.perf_counter() - t0)
        sample_ms = 1e3 * float(np.median(st))
    ms = 1e3 * np.asarray(times)
    return float(np.median(ms)), float(ms.min()), float(ms.max()), cores, sample_ms


# ---- sanity checks (not timed) -------------------------------------------------------
def sanity(data, args):
    b, B = 64, 320
    p = init_params(jax.random.PRNGKey(args.seed + 1))
    opt = init_opt(p)
    sb = SuperBatches(data["xa"].shape[0], B, args.seed + 2)

    @jax.jit
    def mean_learn(p, data, idx, key):
        A = learnability(p, data, idx)
        k1, k2 = jax.random.split(key)
        pj = jest_sample(A, k1, b)
        pu = jax.random.choice(k2, B, (b,), replace=False)
        pt = lax.top_k(jnp.diagonal(A), b)[1]
        f = lambda pos: jnp.sum(A[pos][:, pos]) / b  # noqa: E731
        return f(pj), f(pu), f(pt), jnp.unique(pj, size=b, fill_value=-1)

    def report(p, when):
        key = jax.random.PRNGKey(args.seed + 4)
        lj = lu = lt = 0.0
        reps = 20
        for r in range(reps):
            key, sub = jax.random.split(key)
            j, u, t, uq = mean_learn(p, data, sb.next(), sub)
            assert int(jnp.min(uq)) >= 0, "JEST chose a candidate twice"
            lj, lu, lt = lj + float(j) / reps, lu + float(u) / reps, lt + float(t) / reps
        print(f"sanity: mean learnability (sum_ij A_ij / b over the chosen batch, f=0.8, "
              f"{reps} super-batches, {when}): jest {lj:.3f}  independent {lt:.3f}  uniform {lu:.3f}  "
              f"-> jest > uniform: {lj > lu}")

    report(p, "learner at init")
    it = make_iteration("uniform", B, b, False)
    key = jax.random.PRNGKey(args.seed + 5)
    losses = []
    for s in range(args.sanity_steps):
        key, sub = jax.random.split(key)
        p, opt, loss = it(p, opt, data, sb.next(), sub)
        losses.append(float(loss))
    first, last = np.mean(losses[:20]), np.mean(losses[-20:])
    print(f"sanity: uniform training loss, mean of first 20 steps {first:.3f} -> last 20 "
          f"of {args.sanity_steps} steps {last:.3f} -> decreases: {last < first}")
    report(p, f"learner after {args.sanity_steps} uniform steps")


def round_half_away(x):
    """Rust's f64::round (halves away from zero), so that B matches the harness's."""
    return int(math.floor(x + 0.5))


def configurations(args):
    """(f, B, b, selector) for every b x f (B = round(b / (1 - f))), then --super-batches."""
    configs = []
    for b in args.batch_sizes:
        for f in args.filter_ratios:
            B = round_half_away(b / (1.0 - f))
            configs += [(f, B, b, s) for s in args.selectors]
    for B in args.super_batches:
        configs += [(1 - 1 / 8, B, B // 8, s) for s in args.selectors
                    if s in ("uniform", "jest")]
    return configs


def pool_bytes(n):
    """The pool on device: features (48 + 32) and reference embeddings (2 x 64), float32."""
    return 4 * n * (DIM_A + DIM_B + 2 * EMBED)


def needs_bytes(selector, B, b, n):
    """Rough memory one configuration needs: the pool; for the selectors that score the
    super-batch, three BxB float32 matrices (L, R, A; XLA's compiled iteration reports
    about two BxB of temporaries, and the timing of the sampler alone keeps a stored A
    besides); the training step's bxb logits and their gradients (about four bxb);
    O(B * 128) gathered rows and activations."""
    square = 3 * 4 * B * B if selector in ("jest", "independent_topk") else 0
    step = 4 * 4 * b * b
    per_candidate = 4 * (DIM_A + DIM_B + 2 * EMBED + 4 * HIDDEN)
    return pool_bytes(n) + square + step + per_candidate * max(B, b)


def main():
    args = ARGS
    configs = configurations(args)
    n_pool = max([MIN_POOL] + [B for _, B, _, _ in configs])
    data = make_data(args.seed, n_pool)
    import jaxlib
    print(f"jax {jax.__version__}, jaxlib {jaxlib.__version__}"
          f", backend {jax.default_backend()}, devices {jax.devices()}, "
          f"affinity {sorted(os.sched_getaffinity(0))} (--threads {args.threads}), "
          f"XLA_FLAGS='{os.environ.get('XLA_FLAGS', '')}'")
    print(f"pool N={n_pool}, towers {DIM_A}/{DIM_B} -> {HIDDEN} -> {EMBED}, "
          f"iters {args.iters} (warmup {args.warmup}), jest sampling "
          f"{'lax.fori_loop' if args.fori else 'unrolled'}")
    if not args.no_sanity:
        sanity(data, args)
    hdr = (f"{'f':>6} {'B':>6} {'b':>5}  {'selector':<17}{'median':>9}{'min':>9}{'max':>9}"
           f"{'cores':>7}{'sample ms':>11}{'sample%':>9}")
    print(hdr + "\n" + "-" * len(hdr), flush=True)
    for f, B, b, s in configs:
        need = needs_bytes(s, B, b, n_pool) / 2 ** 30
        if need > args.max_gib:
            print(f"skipped {f:.3f} {B} {b} {s}: needs ~{need:.1f} GiB (over --max-gib "
                  f"{args.max_gib:g})", flush=True)
            continue
        med, lo, hi, cores, smp = time_config(s, B, b, data, args)
        extra = f"{smp:>11.3f}{100 * smp / med:>8.1f}%" if smp is not None else ""
        print(f"{f:>6.3f} {B:>6} {b:>5}  {s:<17}{med:>9.3f}{lo:>9.3f}{hi:>9.3f}{cores:>7.2f}"
              + extra, flush=True)
    print("ms/iter: median, min, max over timed iterations; cores = process CPU time / wall "
          "time over the timed loop; sample = jest step d jitted alone on a stored A.")


if __name__ == "__main__":
    main()
