"""JEST data selection inside a JAX training loop, analysed by jestbench.

A small two-tower contrastive model (SigLIP-style sigmoid loss, learnable
temperature t = exp(log_t) and bias c, L2-normalised embeddings) is trained in
JAX on CPU on synthetic paired data made with numpy:

- 40 latent concepts; a pair's latent is drawn around its concept's centre, and
  its view A and view B are two different fixed random linear maps of it, passed
  through tanh, plus a little noise;
- a training pool in which a fraction of the pairs (``--misaligned``, default
  0.5) is misaligned: view B is taken from another, random pair;
- a clean "curated" set, on which a reference model of the same architecture is
  trained with uniform batches (for as many steps as the learners) before them;
- a held-out set of 512 clean pairs for evaluation: top-1 retrieval accuracy of
  the right view B for each view A (zero-shot-like accuracy).

Learners train with a hand-written Adam (lr 1e-3, learning batch b = 64) by two
methods: ``uniform`` (b random pool pairs each step) and ``jest`` at filter ratio
f: a super-batch of B = b / (1 - f) pool pairs is drawn, the learner embeds it
(a jitted forward; the reference's embeddings of the pool are computed once, as
the paper caches them), ``jestbench.select`` picks b of them by joint
learnability (learner loss minus reference loss, chunked sampling), and the
learner trains on those (``--sampler jax``: ``jestbench.jax.select``, the same
sampler in JAX, jit-compiled beside the step). Every run logs its accuracy at step 0 and every
``--eval-every`` steps with ``jestbench.ResultsWriter``, together with cumulative
FLOPs (F = forward FLOPs of one example through both towers; 3F per example
trained, plus F per super-batch example that JEST scores) and cumulative
training seconds (evaluation excluded). Finally ``jestbench report`` turns the
results into a report with calibrated speed-ups of JEST over uniform.

Run it from the repository root:

    pip install ./python jax
    python examples/jax_two_tower.py

(``--steps 60 --seeds 2 --eval-every 20`` for a quick check; ``--no-report`` to
only write the results.) The report command is found as $JESTBENCH, as
``jestbench`` on PATH, or as target/release/jestbench of this repository.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

import jestbench  # noqa: E402

EXPERIMENT = "jax-two-tower"
N_CONCEPTS = 40
LATENT = 16
INPUT = 32
HIDDEN = 64
EMBED = 32
POOL = 20_000
CURATED = 4_000
EVAL = 512
BATCH = 64
N_CHUNKS = 16
LR = 1e-3
DATA_SEED = 12345
REFERENCE_SEED = 777


# ----------------------------------------------------------------------------
# Synthetic paired data (numpy)
# ----------------------------------------------------------------------------


class World:
    """The fixed generative process: concept centres and the two view maps."""

    def __init__(self, rng):
        self.centres = rng.normal(size=(N_CONCEPTS, LATENT)).astype(np.float32)
        self.map_a = (rng.normal(size=(LATENT, INPUT)) / np.sqrt(LATENT)).astype(np.float32)
        self.map_b = (rng.normal(size=(LATENT, INPUT)) / np.sqrt(LATENT)).astype(np.float32)

    def pairs(self, rng, n, misaligned=0.0):
        """n pairs (view A, view B), a share ``misaligned`` of them with view B
        taken from another random pair; also a boolean mask of the clean ones."""
        concept = rng.integers(0, N_CONCEPTS, size=n)
        latent = self.centres[concept] + 0.6 * rng.normal(size=(n, LATENT)).astype(np.float32)
        xa = np.tanh(latent @ self.map_a) + 0.1 * rng.normal(size=(n, INPUT))
        xb = np.tanh(latent @ self.map_b) + 0.1 * rng.normal(size=(n, INPUT))
        clean = np.ones(n, dtype=bool)
        n_bad = int(round(misaligned * n))
        if n_bad:
            bad = rng.choice(n, size=n_bad, replace=False)
            other = (bad + rng.integers(1, n, size=n_bad)) % n  # never the pair itself
            xb[bad] = xb[other]
            clean[bad] = False
        return xa.astype(np.float32), xb.astype(np.float32), clean


# ----------------------------------------------------------------------------
# Two-tower model, sigmoid loss, Adam (JAX)
# ----------------------------------------------------------------------------


def init_tower(key):
    k1, k2 = jax.random.split(key)
    return {
        "w1": jax.random.normal(k1, (INPUT, HIDDEN)) * jnp.sqrt(2.0 / INPUT),
        "b1": jnp.zeros(HIDDEN),
        "w2": jax.random.normal(k2, (HIDDEN, EMBED)) * jnp.sqrt(1.0 / HIDDEN),
        "b2": jnp.zeros(EMBED),
    }


def init_params(key):
    ka, kb = jax.random.split(key)
    return {
        "a": init_tower(ka),
        "b": init_tower(kb),
        "log_t": jnp.log(10.0),
        "c": jnp.asarray(-10.0),
    }


def tower(p, x):
    h = jax.nn.relu(x @ p["w1"] + p["b1"])
    e = h @ p["w2"] + p["b2"]
    return e / jnp.linalg.norm(e, axis=-1, keepdims=True)


def embed(params, xa, xb):
    return tower(params["a"], xa), tower(params["b"], xb)


def sigmoid_loss(params, xa, xb):
    ea, eb = embed(params, xa, xb)
    logits = jnp.exp(params["log_t"]) * ea @ eb.T + params["c"]
    z = 2.0 * jnp.eye(xa.shape[0]) - 1.0
    return -jnp.mean(jax.nn.log_sigmoid(z * logits))


def adam_init(params):
    zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
    return {"m": zeros, "v": zeros, "t": jnp.asarray(0, jnp.int32)}


@jax.jit
def train_step(params, opt, xa, xb):
    loss, grads = jax.value_and_grad(sigmoid_loss)(params, xa, xb)
    b1, b2, eps = 0.9, 0.999, 1e-8
    t = opt["t"] + 1
    m = jax.tree_util.tree_map(lambda m, g: b1 * m + (1 - b1) * g, opt["m"], grads)
    v = jax.tree_util.tree_map(lambda v, g: b2 * v + (1 - b2) * g * g, opt["v"], grads)
    scale = LR * jnp.sqrt(1 - b2**t) / (1 - b1**t)
    params = jax.tree_util.tree_map(
        lambda p, m, v: p - scale * m / (jnp.sqrt(v) + eps), params, m, v
    )
    return params, {"m": m, "v": v, "t": t}, loss


embed_jit = jax.jit(embed)


@jax.jit
def retrieval_accuracy(params, xa, xb):
    ea, eb = embed(params, xa, xb)
    return jnp.mean(jnp.argmax(ea @ eb.T, axis=1) == jnp.arange(xa.shape[0]))


def forward_flops():
    """Forward FLOPs of one example through both towers: 2 per multiply-add of
    each dense layer, 1 per bias add."""
    per_tower = 2 * (INPUT * HIDDEN + HIDDEN * EMBED) + HIDDEN + EMBED
    return 2 * per_tower


# ----------------------------------------------------------------------------
# Training runs
# ----------------------------------------------------------------------------


def train_reference(curated, steps):
    xa, xb, _ = curated
    rng = np.random.default_rng(REFERENCE_SEED)
    params = init_params(jax.random.PRNGKey(REFERENCE_SEED))
    opt = adam_init(params)
    for _ in range(steps):
        idx = rng.choice(len(xa), size=BATCH, replace=False)
        params, opt, _ = train_step(params, opt, xa[idx], xb[idx])
    return params


def run(method, seed, args, pool, reference_emb, held_out, writer):
    """One learner run; returns its final accuracy."""
    xa, xb, _ = pool
    eval_a, eval_b = held_out
    f = args.filter_ratio if method == "jest" else 0.0
    super_batch = int(round(BATCH / (1.0 - f))) if method == "jest" else BATCH
    F = forward_flops()
    step_flops = 3 * F * BATCH + (F * super_batch if method == "jest" else 0)

    rng = np.random.default_rng([seed, 0 if method == "uniform" else 1])
    params = init_params(jax.random.PRNGKey(seed))
    opt = adam_init(params)
    seconds = 0.0

    def log(step):
        acc = float(retrieval_accuracy(params, eval_a, eval_b))
        writer.log(method, seed, step, acc, filter_ratio=f, flops=step * step_flops,
                   seconds=round(seconds, 4), batch_size=BATCH, super_batch=super_batch)
        return acc

    acc = log(0)
    for step in range(1, args.steps + 1):
        start = time.perf_counter()
        if method == "uniform":
            idx = rng.choice(len(xa), size=BATCH, replace=False)
        else:
            cand = rng.choice(len(xa), size=super_batch, replace=False)
            la, lb = embed_jit(params, xa[cand], xb[cand])
            models = dict(
                learner_temperature=jnp.exp(params["log_t"]), learner_bias=params["c"],
                reference_temperature=reference_emb.temperature,
                reference_bias=reference_emb.bias)
            if args.sampler == "jax":
                # The sampler in JAX, jit-compiled beside the step (here the
                # reference's cached embeddings are host arrays, sent with it).
                chosen = np.asarray(jestbench_jax().select(
                    la, lb, reference_emb.a[cand], reference_emb.b[cand], BATCH,
                    key=jax.random.key(int(rng.integers(0, 2**31 - 1))),
                    n_chunks=N_CHUNKS, **models))
            else:
                # The harness's sampler: JAX arrays go in as they are (copied to
                # the host once).
                chosen = jestbench.select(
                    la, lb, reference_emb.a[cand], reference_emb.b[cand], BATCH, "jest",
                    n_chunks=N_CHUNKS, seed=int(rng.integers(0, 2**31 - 1)),
                    **{k: float(v) for k, v in models.items()})
            idx = cand[chosen]
        params, opt, loss = train_step(params, opt, xa[idx], xb[idx])
        loss.block_until_ready()
        seconds += time.perf_counter() - start
        if step % args.eval_every == 0 or step == args.steps:
            acc = log(step)
    return acc


class ReferenceEmbeddings:
    """The reference's embeddings of the whole pool (views A and B, computed
    once), and its temperature t and bias c."""

    def __init__(self, params, xa, xb):
        ea, eb = embed_jit(params, xa, xb)
        self.a, self.b = np.asarray(ea), np.asarray(eb)
        self.temperature = float(jnp.exp(params["log_t"]))
        self.bias = float(params["c"])


def jestbench_jax():
    import jestbench.jax

    return jestbench.jax


def find_jestbench():
    exe = os.environ.get("JESTBENCH") or shutil.which("jestbench")
    if exe:
        return exe
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    exe = os.path.join(root, "target", "release", "jestbench")
    return exe if os.path.exists(exe) else None


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default="results/jax-example", help="results folder")
    p.add_argument("--report", default="reports/jax-example", help="report folder")
    p.add_argument("--steps", type=int, default=400)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--eval-every", type=int, default=50)
    p.add_argument("--filter-ratio", type=float, default=0.8)
    p.add_argument("--misaligned", type=float, default=0.5,
                   help="share of the pool's pairs whose view B is another pair's")
    p.add_argument("--sampler", choices=("rust", "jax"), default="rust",
                   help="JEST's sampler: the harness's (jestbench.select) or the "
                        "JAX one (jestbench.jax.select, jit-compiled)")
    p.add_argument("--no-report", action="store_true", help="skip jestbench report")
    args = p.parse_args()
    if not 0.0 < args.filter_ratio < 1.0:
        p.error("--filter-ratio must lie in (0, 1)")
    if args.steps < 1 or args.seeds < 1 or args.eval_every < 1:
        p.error("--steps, --seeds and --eval-every must be positive")

    t0 = time.perf_counter()
    data_rng = np.random.default_rng(DATA_SEED)
    world = World(data_rng)
    pool = world.pairs(data_rng, POOL, misaligned=args.misaligned)
    curated = world.pairs(data_rng, CURATED)
    eval_a, eval_b, _ = world.pairs(data_rng, EVAL)
    print(f"pool: {POOL} pairs, {1 - pool[2].mean():.0%} misaligned; "
          f"curated: {CURATED}; held out: {EVAL}")

    reference = train_reference(curated, args.steps)
    ref_acc = float(retrieval_accuracy(reference, eval_a, eval_b))
    reference_emb = ReferenceEmbeddings(reference, pool[0], pool[1])
    print(f"reference: {args.steps} steps on the curated set, held-out accuracy {ref_acc:.3f}")

    results = os.path.join(args.out, "results.csv")
    if os.path.exists(results):
        os.remove(results)  # a fresh results file for this run
    final = {}
    with jestbench.ResultsWriter(args.out, experiment=EXPERIMENT) as writer:
        for seed in range(args.seeds):
            for method in ("uniform", "jest"):
                acc = run(method, seed, args, pool, reference_emb, (eval_a, eval_b), writer)
                final.setdefault(method, []).append(acc)
                print(f"seed {seed} {method:8s} step {args.steps}: accuracy {acc:.3f}")
    for method, accs in final.items():
        print(f"{method:8s} final accuracy, mean over {len(accs)} seeds: {np.mean(accs):.3f}")
    print(f"results: {results} ({time.perf_counter() - t0:.1f} s)")

    if args.no_report:
        return 0
    exe = find_jestbench()
    if exe is None:
        print("jestbench binary not found (set JESTBENCH, put it on PATH, or "
              "cargo build --release); skipped the report", file=sys.stderr)
        return 1
    done = subprocess.run([exe, "report", args.out, "--out", args.report])
    if done.returncode != 0:
        return done.returncode
    print(f"report: {os.path.join(args.report, 'report.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
