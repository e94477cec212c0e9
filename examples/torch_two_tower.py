"""JEST data selection inside a PyTorch training loop, analysed by jestbench.

The PyTorch twin of examples/jax_two_tower.py (read its docstring for the data
and the method): the same synthetic paired data made with numpy (40 concepts, a
pool of 20,000 pairs of which ``--misaligned`` have another pair's view B, a
clean curated set, 512 held-out pairs), the same two-tower model (one ReLU layer
of 64, embeddings of 32, L2-normalised, SigLIP sigmoid loss with learnable
temperature t = exp(log_t) and bias c) trained with torch.optim.Adam (lr 1e-3,
b = 64) on CPU, a reference of the same architecture trained on the curated set,
and two methods: ``uniform`` and ``jest`` at filter ratio f, where the learner
embeds a super-batch of B = b / (1 - f) under ``torch.no_grad()`` and
``jestbench.select`` takes the torch tensors as they are (read through DLPack,
copied once into the harness's matrices) and returns b indices by joint
learnability. Every run logs its
held-out top-1 retrieval accuracy at step 0 and every ``--eval-every`` steps
with ``jestbench.ResultsWriter`` (with cumulative FLOPs and training seconds),
and ``jestbench report`` turns the results into a report.

    pip install ./python torch
    python examples/torch_two_tower.py          # --steps 60 --seeds 2 --eval-every 20 for a quick check

The report command is found as $JESTBENCH, as ``jestbench`` on PATH, or as
target/release/jestbench of this repository.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import torch

import jestbench

EXPERIMENT = "torch-two-tower"
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


class World:
    """The fixed generative process (examples/jax_two_tower.py's, the same draws)."""

    def __init__(self, rng):
        self.centres = rng.normal(size=(N_CONCEPTS, LATENT)).astype(np.float32)
        self.map_a = (rng.normal(size=(LATENT, INPUT)) / np.sqrt(LATENT)).astype(np.float32)
        self.map_b = (rng.normal(size=(LATENT, INPUT)) / np.sqrt(LATENT)).astype(np.float32)

    def pairs(self, rng, n, misaligned=0.0):
        concept = rng.integers(0, N_CONCEPTS, size=n)
        latent = self.centres[concept] + 0.6 * rng.normal(size=(n, LATENT)).astype(np.float32)
        xa = np.tanh(latent @ self.map_a) + 0.1 * rng.normal(size=(n, INPUT))
        xb = np.tanh(latent @ self.map_b) + 0.1 * rng.normal(size=(n, INPUT))
        clean = np.ones(n, dtype=bool)
        n_bad = int(round(misaligned * n))
        if n_bad:
            bad = rng.choice(n, size=n_bad, replace=False)
            other = (bad + rng.integers(1, n, size=n_bad)) % n
            xb[bad] = xb[other]
            clean[bad] = False
        return (torch.from_numpy(xa.astype(np.float32)), torch.from_numpy(xb.astype(np.float32)),
                clean)


class TwoTower(torch.nn.Module):
    def __init__(self):
        super().__init__()

        def tower():
            t = torch.nn.Sequential(torch.nn.Linear(INPUT, HIDDEN), torch.nn.ReLU(),
                                    torch.nn.Linear(HIDDEN, EMBED))
            torch.nn.init.normal_(t[0].weight, std=(2.0 / INPUT) ** 0.5)
            torch.nn.init.zeros_(t[0].bias)
            torch.nn.init.normal_(t[2].weight, std=(1.0 / HIDDEN) ** 0.5)
            torch.nn.init.zeros_(t[2].bias)
            return t

        self.a, self.b = tower(), tower()
        self.log_t = torch.nn.Parameter(torch.tensor(float(np.log(10.0))))
        self.c = torch.nn.Parameter(torch.tensor(-10.0))

    def forward(self, xa, xb):
        ea = torch.nn.functional.normalize(self.a(xa), dim=-1)
        eb = torch.nn.functional.normalize(self.b(xb), dim=-1)
        return ea, eb

    def loss(self, xa, xb):
        ea, eb = self(xa, xb)
        logits = self.log_t.exp() * ea @ eb.T + self.c
        z = 2.0 * torch.eye(xa.shape[0]) - 1.0
        return -torch.nn.functional.logsigmoid(z * logits).mean()


def train_step(model, opt, xa, xb):
    opt.zero_grad()
    loss = model.loss(xa, xb)
    loss.backward()
    opt.step()
    return loss.detach()


@torch.no_grad()
def retrieval_accuracy(model, xa, xb):
    ea, eb = model(xa, xb)
    return (torch.argmax(ea @ eb.T, dim=1) == torch.arange(xa.shape[0])).float().mean().item()


def forward_flops():
    per_tower = 2 * (INPUT * HIDDEN + HIDDEN * EMBED) + HIDDEN + EMBED
    return 2 * per_tower


def run(method, seed, args, pool, reference, held_out, writer):
    """One learner run; returns its final accuracy."""
    xa, xb, _ = pool
    eval_a, eval_b = held_out
    f = args.filter_ratio if method == "jest" else 0.0
    super_batch = int(round(BATCH / (1.0 - f))) if method == "jest" else BATCH
    F = forward_flops()
    step_flops = 3 * F * BATCH + (F * super_batch if method == "jest" else 0)
    rng = np.random.default_rng([seed, 0 if method == "uniform" else 1])
    torch.manual_seed(seed)
    model = TwoTower()
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    seconds = 0.0

    def log(step):
        acc = retrieval_accuracy(model, eval_a, eval_b)
        writer.log(method, seed, step, acc, filter_ratio=f, flops=step * step_flops,
                   seconds=round(seconds, 4), batch_size=BATCH, super_batch=super_batch)
        return acc

    acc = log(0)
    for step in range(1, args.steps + 1):
        start = time.perf_counter()
        if method == "uniform":
            idx = torch.from_numpy(rng.choice(len(xa), size=BATCH, replace=False))
        else:
            cand = torch.from_numpy(rng.choice(len(xa), size=super_batch, replace=False))
            with torch.no_grad():
                la, lb = model(xa[cand], xb[cand])
            # Tensors go in as they are (read through DLPack; the harness copies
            # them once into its own matrices).
            chosen = jestbench.select(
                la, lb, reference.a[cand], reference.b[cand], BATCH, "jest",
                n_chunks=N_CHUNKS, seed=int(rng.integers(0, 2**31 - 1)),
                learner_temperature=model.log_t.exp().item(), learner_bias=model.c.item(),
                reference_temperature=reference.temperature, reference_bias=reference.bias)
            idx = cand[torch.from_numpy(chosen)]
        train_step(model, opt, xa[idx], xb[idx])
        seconds += time.perf_counter() - start
        if step % args.eval_every == 0 or step == args.steps:
            acc = log(step)
    return acc


class ReferenceEmbeddings:
    """The reference's embeddings of the whole pool, computed once, and its t and c."""

    def __init__(self, model, xa, xb):
        with torch.no_grad():
            self.a, self.b = model(xa, xb)
        self.temperature = model.log_t.exp().item()
        self.bias = model.c.item()


def find_jestbench():
    exe = os.environ.get("JESTBENCH") or shutil.which("jestbench")
    if exe:
        return exe
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    exe = os.path.join(root, "target", "release", "jestbench")
    return exe if os.path.exists(exe) else None


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default="results/torch-example", help="results folder")
    p.add_argument("--report", default="reports/torch-example", help="report folder")
    p.add_argument("--steps", type=int, default=400)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--eval-every", type=int, default=50)
    p.add_argument("--filter-ratio", type=float, default=0.8)
    p.add_argument("--misaligned", type=float, default=0.5)
    p.add_argument("--threads", type=int, default=2, help="torch's CPU threads")
    p.add_argument("--no-report", action="store_true", help="skip jestbench report")
    args = p.parse_args()
    if not 0.0 < args.filter_ratio < 1.0:
        p.error("--filter-ratio must lie in (0, 1)")
    if args.steps < 1 or args.seeds < 1 or args.eval_every < 1:
        p.error("--steps, --seeds and --eval-every must be positive")
    torch.set_num_threads(args.threads)

    t0 = time.perf_counter()
    data_rng = np.random.default_rng(DATA_SEED)
    world = World(data_rng)
    pool = world.pairs(data_rng, POOL, misaligned=args.misaligned)
    curated = world.pairs(data_rng, CURATED)
    eval_a, eval_b, _ = world.pairs(data_rng, EVAL)
    print(f"pool: {POOL} pairs, {1 - pool[2].mean():.0%} misaligned; curated: {CURATED}; held out: {EVAL}")

    torch.manual_seed(REFERENCE_SEED)
    reference = TwoTower()
    opt = torch.optim.Adam(reference.parameters(), lr=LR)
    rng = np.random.default_rng(REFERENCE_SEED)
    for _ in range(args.steps):
        idx = torch.from_numpy(rng.choice(len(curated[0]), size=BATCH, replace=False))
        train_step(reference, opt, curated[0][idx], curated[1][idx])
    ref_acc = retrieval_accuracy(reference, eval_a, eval_b)
    reference_emb = ReferenceEmbeddings(reference, pool[0], pool[1])
    print(f"reference: {args.steps} steps on the curated set, held-out accuracy {ref_acc:.3f}")

    results = os.path.join(args.out, "results.csv")
    if os.path.exists(results):
        os.remove(results)
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
