"""jestbench from Python: the harness's exact selectors and its calibrated
speed-up statistics, for training loops written elsewhere (PyTorch, JAX, ...).

- ``learnability``: the score matrix A of one super-batch from embeddings.
- ``select``: the learning batch a selector chooses (the same indices as
  ``jestbench select`` with the same inputs and seed).
- ``speedup``: the calibrated speed-up of a selector over uniform from per-seed
  learning curves, as ``jestbench report`` computes it (both readings, censoring).
- ``ResultsWriter`` / ``read_results``: results in the minimal schema that
  ``jestbench report`` and ``jestbench check`` read, and any results file back.

Arrays are numpy float32 or float64, C- or F-ordered; the GIL is released while
the harness computes. Bad arguments raise ValueError or TypeError naming the
argument and what was expected.
"""

import csv
import io
import math
import os
import unicodedata

import numpy as np

from . import _jestbench

__version__ = _jestbench.__version__

__all__ = [
    "learnability",
    "select",
    "speedup",
    "read_results",
    "ResultsWriter",
    "METHODS",
    "MINIMAL_COLUMNS",
    "OPTIONAL_COLUMNS",
]

#: The selectors' names, as the results' ``method`` column and experiment files say
#: them: the harness's own list (``jestbench select --help`` and results files agree).
METHODS = tuple(_jestbench.methods())
#: The minimal results schema (README, "Results from elsewhere").
MINIMAL_COLUMNS = ("experiment", "method", "filter_ratio", "seed", "step", "eval_score")
OPTIONAL_COLUMNS = ("setting", "flops", "seconds", "batch_size", "super_batch")


def _array(name, x, allow_none=False):
    if x is None:
        if allow_none:
            return None
        raise TypeError(f"{name}: expected a numpy array, found None")
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, (list, tuple)):
        return np.asarray(x, dtype=np.float64)
    # Tensors of other frameworks convert through numpy (torch: .numpy(); jax: np.asarray).
    try:
        return np.asarray(x)
    except Exception as e:  # pragma: no cover - depends on the object
        raise TypeError(f"{name}: expected a numpy array, found {type(x).__name__}") from e


def learnability(
    learner_a,
    learner_b,
    reference_a=None,
    reference_b=None,
    learner_temperature=10.0,
    learner_bias=-10.0,
    reference_temperature=10.0,
    reference_bias=-10.0,
    scoring="learnability",
    diagonal_only=False,
):
    """The B×B score matrix A (float32): L − R (``learnability``), L
    (``hard_learner``) or −R (``easy_reference``), where L and R are the learner's
    and reference's sigmoid pair losses −log σ(z_ij (t⟨a_i, b_j⟩ + c)), z_ij = 1 on
    the diagonal and −1 off it. Row i of every array is candidate i.
    ``diagonal_only=True`` returns A's diagonal (independent prioritisation's scores).
    """
    return _jestbench.learnability(
        _array("learner_a", learner_a),
        _array("learner_b", learner_b),
        _array("reference_a", reference_a, allow_none=True),
        _array("reference_b", reference_b, allow_none=True),
        float(learner_temperature),
        float(learner_bias),
        float(reference_temperature),
        float(reference_bias),
        str(scoring),
        bool(diagonal_only),
    )


def select(
    learner_a,
    learner_b,
    reference_a=None,
    reference_b=None,
    b=None,
    selector="jest",
    n_chunks=16,
    gain=100.0,
    mode=None,
    seed=0,
    scoring="learnability",
    learner_temperature=10.0,
    learner_bias=-10.0,
    reference_temperature=10.0,
    reference_bias=-10.0,
    kinds=None,
):
    """Indices (int64) of the ``b`` candidates ``selector`` chooses, in the order
    chosen: ``uniform``, ``independent_topk``, ``independent_sample``, ``jest`` or
    ``oracle`` (``independent`` with ``mode="topk"|"sample"`` is the older
    spelling). The oracle needs ``kinds``: an integer array (0 clean, 1
    misaligned, 2 heavy noise, 3 duplicate) or a boolean one (True: clean).
    The same inputs and seed give the same indices as ``jestbench select``.
    """
    if b is None:
        raise TypeError("select() needs b, the learning batch size")
    if isinstance(b, bool) or not isinstance(b, (int, np.integer)):
        raise TypeError(f"b: expected an integer, found {b!r}")
    if isinstance(n_chunks, bool) or not isinstance(n_chunks, (int, np.integer)):
        raise TypeError(f"n_chunks: expected an integer, found {n_chunks!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed: expected a non-negative integer, found {seed!r}")
    if kinds is not None and not isinstance(kinds, np.ndarray):
        kinds = np.asarray(kinds)
    return _jestbench.select(
        _array("learner_a", learner_a),
        _array("learner_b", learner_b),
        _array("reference_a", reference_a, allow_none=True),
        _array("reference_b", reference_b, allow_none=True),
        int(b),
        str(selector),
        int(n_chunks),
        float(gain),
        None if mode is None else str(mode),
        int(seed),
        str(scoring),
        float(learner_temperature),
        float(learner_bias),
        float(reference_temperature),
        float(reference_bias),
        kinds,
    )


def speedup(steps, baseline, selector, threshold=None, worlds=None):
    """The speed-up of ``selector`` over ``baseline`` to the baseline's final
    seed-mean score, from per-seed curves (2-D arrays, seeds × evaluation points,
    at ``steps``), computed by the analysis ``jestbench report`` runs: crossings by
    monotone cubic interpolation with their bracket, a bootstrap-t 95% interval
    over seeds (paired by row when both give the same seeds), censoring.

    Returns a dict: ``target_score``; ``trained`` (uniform's trained steps over the
    selector's first-reaching step, the paper's reading) and ``first_reaching``
    (uniform's first-reaching step over the selector's), each a dict of
    ``estimate`` (NaN when censored), ``censored`` ("no", "at least", "below"),
    ``bounds``, ``interval``, ``censored_share`` and ``verdict``; and ``verdict``,
    the two readings' one verdict against ``threshold`` (docs/methods.md §6), or None.

    ``worlds`` (one integer per seed row, paired by row) names the world each seed
    drew (an experiment's ``replicates``, the results' ``world`` column): the
    interval then resamples worlds, then seeds within them (docs/methods.md §7).
    """
    steps = np.asarray(steps)
    if steps.ndim != 1:
        raise ValueError(f"steps: a {steps.ndim}-d array; expected 1-d")
    if not np.issubdtype(steps.dtype, np.integer):
        if not np.all(np.isfinite(steps)) or np.any(steps != np.round(steps)):
            raise ValueError("steps: expected whole numbers of steps")
    return _jestbench.speedup(
        [int(s) for s in steps],
        _array("baseline", baseline),
        _array("selector", selector),
        None if threshold is None else float(threshold),
        None if worlds is None else [int(w) for w in worlds],
    )


def _convert(values):
    for kind in (int, float):
        try:
            return [None if v == "" else kind(v) for v in values]
        except ValueError:
            continue
    return values


def _frame(text):
    try:
        import pandas as pd
    except ImportError:
        pd = None
    if pd is not None:
        return pd.read_csv(io.StringIO(text))
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    return {name: _convert([r[i] for r in body]) for i, name in enumerate(header)}


def read_results(path, tables=False):
    """A results folder or file (jestbench's, either layout, or the minimal
    schema) as the harness reads it: its finished runs only.

    By default one table, each evaluation joined with its run (every column of
    the run on each row). With ``tables=True``, the tidy pair instead: ``(runs,
    evaluations)``, ``runs`` one row per run (each swept key its own
    ``sweep:<key>`` column) and ``evaluations`` a dict from family (``"jest"``,
    ``"swim"``) to its table (``run_id``, ``step`` and what varies per
    evaluation). Tables are pandas DataFrames when pandas is installed, else dicts
    of columns (lists; empty cells are None)."""
    if tables:
        runs, evaluations = _jestbench.read_tables(os.fspath(path))
        return _frame(runs), {family: _frame(text) for family, text in evaluations}
    return _frame(_jestbench.read_results(os.fspath(path)))


class ResultsWriter:
    """Appends rows in the minimal results schema to ``<path>/results.csv``, one
    per run and evaluation point, so that ``jestbench report <path>`` analyses a
    run made elsewhere. Each row is written and flushed at once (a crash keeps
    what was logged); ``close()`` (or leaving a ``with`` block) reads the file back
    through the harness's parser, so a bad file fails here, not in the report.

    A run is (method, filter_ratio, setting, seed); log step 0 (the score before
    training) and every evaluation after it. Uniform is every ratio's baseline.
    ``flops`` is the run's cumulative training FLOPs at that step (in your
    accounting: learner forward and backward, scoring forwards); without it the
    report says "not logged" on FLOP axes.
    """

    def __init__(self, path, experiment):
        _jestbench.check_name(str(experiment))
        self.path = os.fspath(path)
        self.experiment = str(experiment)
        self.file = os.path.join(self.path, "results.csv")
        self.columns = list(MINIMAL_COLUMNS) + list(OPTIONAL_COLUMNS)
        os.makedirs(self.path, exist_ok=True)
        fresh = not os.path.exists(self.file) or os.path.getsize(self.file) == 0
        self._seen = set()
        if not fresh:
            # Reopened (a resumed job): the points already logged are read back, so
            # logging one again is refused here instead of leaving a file that the
            # report cannot read.
            with open(self.file, newline="") as f:
                rows = csv.reader(f)
                header = next(rows, [])
                if header != self.columns:
                    raise ValueError(
                        f"{self.file}: holds other columns ({', '.join(header)}); "
                        "write to an empty folder or one this writer made"
                    )
                for line, row in enumerate(rows, start=2):
                    if len(row) != len(self.columns):
                        raise ValueError(
                            f"{self.file}:{line}: {len(row)} fields, expected {len(self.columns)} "
                            "(a torn last line? remove it, then reopen)"
                        )
                    if row[0] != self.experiment:
                        raise ValueError(
                            f"{self.file}:{line}: rows of experiment {row[0]!r}, not {self.experiment!r}; "
                            "one results folder holds one experiment"
                        )
                    try:
                        key = (row[1], float(row[2]), row[6], int(row[3]), int(row[4]))
                    except ValueError as e:
                        raise ValueError(f"{self.file}:{line}: {e}") from None
                    self._seen.add(key)
        self._f = open(self.file, "a", newline="")
        self._w = csv.writer(self._f, lineterminator="\n")
        if fresh:
            self._w.writerow(self.columns)
            self._f.flush()

    def log(
        self,
        method,
        seed,
        step,
        eval_score,
        filter_ratio=0.0,
        flops=None,
        seconds=None,
        setting=None,
        batch_size=None,
        super_batch=None,
    ):
        """One evaluation point of one run."""
        if method not in METHODS:
            raise ValueError(f"method: {method!r}; expected one of {', '.join(METHODS)}")
        f = float(filter_ratio)
        if not 0.0 <= f < 1.0:
            raise ValueError(f"filter_ratio: {filter_ratio!r}; expected a number in [0, 1)")
        for name, v in (("seed", seed), ("step", step)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise ValueError(f"{name}: {v!r}; expected a non-negative integer")
        score = float(eval_score)
        if not math.isfinite(score):
            raise ValueError(f"eval_score: {eval_score!r}; expected a finite number")
        for name, v in (("flops", flops), ("seconds", seconds)):
            if v is not None and not (math.isfinite(float(v)) and float(v) >= 0):
                raise ValueError(f"{name}: {v!r}; expected a non-negative number")
        if setting is not None:
            setting = str(setting)
            if any(c in setting for c in ",\"") or any(
                unicodedata.category(c) == "Cc" for c in setting
            ):
                raise ValueError(f"setting: {setting!r}; expected key=value pairs joined by ';'")
        key = (method, f, setting or "", int(seed), int(step))
        if key in self._seen:
            raise ValueError(f"step {step} of run ({method}, f = {f}, seed {seed}) was logged already")
        self._seen.add(key)
        blank = lambda v: "" if v is None else v  # noqa: E731
        self._w.writerow(
            [self.experiment, method, repr(f), int(seed), int(step), repr(score),
             blank(setting), blank(flops), blank(seconds), blank(batch_size), blank(super_batch)]
        )
        self._f.flush()

    def close(self):
        """Closes the file and checks it reads as the report will read it."""
        if not self._f.closed:
            self._f.close()
            _jestbench.read_results(self.file)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            self.close()
        else:
            self._f.close()
        return False
