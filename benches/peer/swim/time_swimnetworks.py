#!/usr/bin/env python3
"""Time the authors' SWIM package (swimnetworks==0.0.2, PyPI) on UCI mfeat-pix.

Peer reference point for jestbench: one sampled Dense layer (width 512, tanh,
SWIM pair sampling for classification) followed by the package's Linear
least-squares head on one-hot targets.

Measures, as the median over --reps repetitions after --warmup warm-up fits:
  * end-to-end fit time: sklearn Pipeline.fit = pair sampling + weight/bias
    construction + hidden features + least-squares head;
  * head-only time: the Linear layer's fit on precomputed hidden features
    (one-hot encoding + bias column + numpy.linalg.lstsq);
  * the bare numpy.linalg.lstsq call on the same matrices, for reference;
and the test accuracy of every timed repetition.

This script is our own; it only calls the public API of swimnetworks.
Run it with the thread count fixed, e.g.
  OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 MKL_NUM_THREADS=2 python time_swimnetworks.py
(the defaults below set 2 if the variables are unset, before numpy loads).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import sys
import time

# Thread counts must be fixed before numpy / BLAS is imported.
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")
for _v in _THREAD_VARS:
    os.environ.setdefault(_v, "2")

import numpy as np  # noqa: E402

DEFAULT_DATA = "/work/shared/data/uci-mfeat/mfeat-pix.csv"


def load_mfeat_pix(path: str) -> tuple[np.ndarray, np.ndarray]:
    """Pixel view: header line of column numbers, 240 features, label last."""
    raw = np.loadtxt(path, delimiter=",", skiprows=1)
    if raw.shape != (2000, 241):
        raise ValueError(f"unexpected shape {raw.shape} for {path}")
    return raw[:, :-1].astype(np.float64), raw[:, -1].astype(np.int64)


def split_and_standardise(x, y, seed: int, n_train: int):
    """Seeded shuffle, first n_train rows train, rest test; z-score on train."""
    perm = np.random.default_rng(seed).permutation(x.shape[0])
    tr, te = perm[:n_train], perm[n_train:]
    mu = x[tr].mean(axis=0)
    sd = x[tr].std(axis=0)
    sd[sd == 0.0] = 1.0  # constant pixel columns: leave centred at 0
    return (x[tr] - mu) / sd, y[tr], (x[te] - mu) / sd, y[te]


def build_pipeline(width: int, seed: int, rcond: float):
    from sklearn.pipeline import Pipeline
    from swimnetworks import Dense, Linear
    return Pipeline([
        ("dense", Dense(layer_width=width, activation="tanh",
                        parameter_sampler="tanh", is_classifier=True,
                        random_seed=seed)),
        ("linear", Linear(regularization_scale=rcond, is_classifier=True)),
    ])


def blas_report() -> dict:
    info: dict = {}
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        try:
            np.show_config()
        except Exception as exc:  # pragma: no cover
            print(f"show_config failed: {exc}")
    info["numpy_show_config"] = buf.getvalue()
    try:
        from threadpoolctl import threadpool_info
        info["threadpools"] = [
            {k: d.get(k) for k in ("internal_api", "version", "num_threads",
                                   "threading_layer", "architecture", "filepath")}
            for d in threadpool_info()
        ]
    except Exception as exc:  # pragma: no cover
        info["threadpools"] = f"threadpoolctl unavailable: {exc}"
    return info


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--split-seed", type=int, default=0)
    ap.add_argument("--model-seed", type=int, default=1,
                    help="Dense random_seed of rep i is model_seed + i")
    ap.add_argument("--n-train", type=int, default=1500)
    ap.add_argument("--width", type=int, default=512)
    ap.add_argument("--rcond", type=float, default=1e-8,
                    help="Linear.regularization_scale (= lstsq rcond); 1e-8 is the package default")
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--json", default=None, help="also write results as JSON here")
    ap.add_argument("--show-config", action="store_true",
                    help="print numpy.show_config() in full")
    args = ap.parse_args()

    import scipy
    import sklearn
    from importlib.metadata import version
    from swimnetworks import Linear

    x, y = load_mfeat_pix(args.data)
    xtr, ytr, xte, yte = split_and_standardise(x, y, args.split_seed, args.n_train)

    e2e, head, bare, acc, pruned = [], [], [], [], []
    for i in range(args.warmup + args.reps):
        seed = args.model_seed + max(0, i - args.warmup)
        pipe = build_pipeline(args.width, seed, args.rcond)

        t0 = time.perf_counter()
        pipe.fit(xtr, ytr)
        t1 = time.perf_counter()

        pred = pipe.predict(xte).ravel()
        a = float(np.mean(pred == yte))

        # Head only: a fresh Linear layer fitted on the same hidden features.
        phi = pipe.named_steps["dense"].transform(xtr)
        lin = Linear(regularization_scale=args.rcond, is_classifier=True)
        t2 = time.perf_counter()
        lin.fit(phi, ytr)
        t3 = time.perf_counter()

        # Bare solve: [phi, 1] \ onehot with the same rcond.
        a_mat = np.column_stack([phi, np.ones((phi.shape[0], 1))])
        onehot = np.eye(10)[ytr]
        t4 = time.perf_counter()
        np.linalg.lstsq(a_mat, onehot, rcond=args.rcond)
        t5 = time.perf_counter()

        if i >= args.warmup:
            e2e.append(t1 - t0)
            head.append(t3 - t2)
            bare.append(t5 - t4)
            acc.append(a)
            pruned.append(int(pipe.named_steps["dense"].n_pruned_neurons))

    threads = {v: os.environ.get(v) for v in _THREAD_VARS}
    blas = blas_report()
    res = {
        "versions": {
            "python": platform.python_version(), "numpy": np.__version__,
            "scipy": scipy.__version__, "scikit-learn": sklearn.__version__,
            "swimnetworks": version("swimnetworks"),
        },
        "machine": {"platform": platform.platform(), "processor": platform.processor(),
                    "os_cpu_count": os.cpu_count(),
                    "affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None},
        "thread_env": threads,
        "blas_threadpools": blas["threadpools"],
        "config": {"data": args.data, "n_train": int(xtr.shape[0]), "n_test": int(xte.shape[0]),
                   "n_features": int(xtr.shape[1]), "width": args.width,
                   "activation": "tanh", "parameter_sampler": "tanh (SWIM, is_classifier=True)",
                   "rcond": args.rcond, "split_seed": args.split_seed,
                   "model_seeds": [args.model_seed + i for i in range(args.reps)],
                   "warmup": args.warmup, "reps": args.reps},
        "test_accuracy": {"per_rep": acc, "median": float(np.median(acc)),
                          "min": float(np.min(acc)), "max": float(np.max(acc))},
        "pruned_neurons_per_rep": pruned,
        "seconds": {
            "end_to_end_fit": {"median": float(np.median(e2e)), "min": float(np.min(e2e)),
                               "max": float(np.max(e2e)), "per_rep": e2e},
            "head_only_linear_fit": {"median": float(np.median(head)), "min": float(np.min(head)),
                                     "max": float(np.max(head)), "per_rep": head},
            "bare_numpy_lstsq": {"median": float(np.median(bare)), "min": float(np.min(bare)),
                                 "max": float(np.max(bare)), "per_rep": bare},
        },
    }

    print(f"swimnetworks {res['versions']['swimnetworks']}, numpy {np.__version__}, "
          f"scipy {scipy.__version__}, scikit-learn {sklearn.__version__}, python {platform.python_version()}")
    print(f"threads env: {threads}")
    for tp in (blas["threadpools"] if isinstance(blas["threadpools"], list) else []):
        print(f"BLAS pool: {tp['internal_api']} {tp['version']} num_threads={tp['num_threads']} "
              f"arch={tp.get('architecture')} ({tp.get('filepath')})")
    print(f"data: {xtr.shape[0]} train / {xte.shape[0]} test, {xtr.shape[1]} features; "
          f"width {args.width}, tanh, rcond {args.rcond}")
    print(f"test accuracy: median {res['test_accuracy']['median']:.4f} "
          f"(min {res['test_accuracy']['min']:.4f}, max {res['test_accuracy']['max']:.4f}) over {args.reps} seeds")
    for k, lab in (("end_to_end_fit", "end-to-end fit"), ("head_only_linear_fit", "head only (Linear.fit)"),
                   ("bare_numpy_lstsq", "bare numpy.linalg.lstsq")):
        s = res["seconds"][k]
        print(f"{lab:28s}: median {s['median']*1e3:8.2f} ms  (min {s['min']*1e3:.2f}, max {s['max']*1e3:.2f}) "
              f"over {args.reps} reps after {args.warmup} warm-up")
    if args.show_config:
        print(blas["numpy_show_config"])
    if args.json:
        res["numpy_show_config"] = blas["numpy_show_config"]
        with open(args.json, "w") as fh:
            json.dump(res, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
