"""jestbench from Python: the harness's exact selectors and its calibrated
speed-up statistics, for training loops written elsewhere (PyTorch, JAX, ...).

- ``select``: the learning batch a selector chooses from a super-batch's
  embeddings (the same indices as ``jestbench select``, and as ``jestbench run``'s
  iteration, with the same inputs and seed), scored by the training loop's fused
  f32 path: no B×B matrix.
- ``select_from_scores`` / ``select_from_losses``: the same sampler on a score
  matrix computed elsewhere (on the accelerator, say): only the sampling runs here.
- ``learnability``: the score matrix A of one super-batch (or its diagonal).
- ``speedup``: the calibrated speed-up of a selector over uniform from per-seed
  learning curves, as ``jestbench report`` computes it (both readings, censoring),
  as a frozen :class:`Speedup`.
- ``ResultsWriter`` / ``read_results``: results in the minimal schema that
  ``jestbench report`` and ``jestbench check`` read (your own selectors' names
  included), and any results file back as pandas DataFrames.
- ``jestbench.jax.select``: the same joint sampler in JAX, jit-compilable, for a
  training loop on an accelerator (import ``jestbench.jax``; needs jax).

Arrays may be numpy arrays or any framework's (DLPack or ``__array__``: PyTorch,
JAX, CuPy), float32 or float64 (float16 widens exactly); an array on an
accelerator is copied to the host once. The GIL is released while the harness
computes. Bad arguments raise ValueError or TypeError naming the argument and
what to do.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from . import _jestbench
from ._arrays import framework_array, host_array, host_integers
from ._results import METHODS, MINIMAL_COLUMNS, OPTIONAL_COLUMNS, ResultsWriter, read_results
from ._speedup import Censoring, Reading, Speedup, Verdict

__version__: str = _jestbench.__version__

__all__ = [
    "learnability",
    "select",
    "select_from_scores",
    "select_from_losses",
    "speedup",
    "read_results",
    "ResultsWriter",
    "Speedup",
    "Reading",
    "Censoring",
    "Verdict",
    "METHODS",
    "MINIMAL_COLUMNS",
    "OPTIONAL_COLUMNS",
]


def _integer(name: str, v: Any, positive: bool = True) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{name}: expected an integer, found {v!r}")
    if v < (1 if positive else 0):
        raise ValueError(f"{name} = {v}: must be a {'positive' if positive else 'non-negative'} integer")
    return int(v)


def learnability(
    learner_a: Any,
    learner_b: Any,
    reference_a: Any = None,
    reference_b: Any = None,
    learner_temperature: float = 10.0,
    learner_bias: float = -10.0,
    reference_temperature: float = 10.0,
    reference_bias: float = -10.0,
    scoring: str = "learnability",
    diagonal_only: bool = False,
) -> np.ndarray:
    """The B×B score matrix A (float32): L − R (``learnability``), L
    (``hard_learner``) or −R (``easy_reference``), where L and R are the learner's
    and reference's sigmoid pair losses −log σ(z_ij (t⟨a_i, b_j⟩ + c)), z_ij = 1 on
    the diagonal and −1 off it; each entry the fused f32 path's (the one ``select``
    and the training loop sample from). Row i of every array is candidate i.
    ``diagonal_only=True`` returns A's diagonal (independent prioritisation's
    scores) without forming the matrix. A matrix larger than the memory available
    is refused (ValueError) before it is allocated.
    """
    return _jestbench.learnability(
        host_array("learner_a", learner_a),
        host_array("learner_b", learner_b),
        host_array("reference_a", reference_a, allow_none=True),
        host_array("reference_b", reference_b, allow_none=True),
        float(learner_temperature),
        float(learner_bias),
        float(reference_temperature),
        float(reference_bias),
        str(scoring),
        bool(diagonal_only),
    )


def select(
    learner_a: Any,
    learner_b: Any,
    reference_a: Any,
    reference_b: Any,
    batch_size: int,
    selector: str = "jest",
    *,
    n_chunks: int = 16,
    gain: float = 100.0,
    mode: Optional[str] = None,
    seed: int = 0,
    scoring: str = "learnability",
    learner_temperature: float = 10.0,
    learner_bias: float = -10.0,
    reference_temperature: float = 10.0,
    reference_bias: float = -10.0,
    kinds: Any = None,
) -> np.ndarray:
    """Indices (int64) of the ``batch_size`` candidates ``selector`` chooses, in
    the order chosen: ``uniform``, ``independent_topk``, ``independent_sample``,
    ``jest`` or ``oracle`` (``independent`` with ``mode="topk"|"sample"`` is the
    older spelling). Row i of every array is candidate i; ``reference_a`` and
    ``reference_b`` may be None when the scoring rule does not read them
    (``hard_learner``, or a selector that does not score). The oracle needs
    ``kinds``: an integer array (0 clean, 1 misaligned, 2 heavy noise, 3
    duplicate) or a boolean one (True: clean).

    Scores come from the training loop's fused f32 path (A's entries on demand:
    O(B·e) memory, O(B·b·e) work for JEST), so the same inputs, model settings
    and seed give the same indices as ``jestbench select`` and as ``jestbench
    run``'s iteration.
    """
    batch_size = _integer("batch_size", batch_size)
    n_chunks = _integer("n_chunks", n_chunks)
    seed = _integer("seed", seed, positive=False)
    return _jestbench.select(
        host_array("learner_a", learner_a),
        host_array("learner_b", learner_b),
        host_array("reference_a", reference_a, allow_none=True),
        host_array("reference_b", reference_b, allow_none=True),
        batch_size,
        str(selector),
        n_chunks,
        float(gain),
        None if mode is None else str(mode),
        seed,
        str(scoring),
        float(learner_temperature),
        float(learner_bias),
        float(reference_temperature),
        float(reference_bias),
        host_integers("kinds", kinds),
    )


def select_from_scores(
    scores: Any,
    batch_size: int,
    selector: str = "jest",
    *,
    n_chunks: int = 16,
    gain: float = 100.0,
    mode: Optional[str] = None,
    seed: int = 0,
    kinds: Any = None,
) -> np.ndarray:
    """``select`` on a precomputed B×B score matrix A (row i, column j: A_ij, as
    ``learnability`` returns it), computed anywhere: on an accelerator it is
    copied to the host once and only the sampling runs here. Same sampler and
    random stream as ``select``: the same A and seed give the same indices.
    """
    batch_size = _integer("batch_size", batch_size)
    n_chunks = _integer("n_chunks", n_chunks)
    seed = _integer("seed", seed, positive=False)
    return _jestbench.select_from_matrix(
        host_array("scores", scores),
        batch_size,
        str(selector),
        n_chunks,
        float(gain),
        None if mode is None else str(mode),
        seed,
        host_integers("kinds", kinds),
    )


def select_from_losses(
    learner_loss: Any,
    reference_loss: Any,
    batch_size: int,
    selector: str = "jest",
    *,
    scoring: str = "learnability",
    n_chunks: int = 16,
    gain: float = 100.0,
    mode: Optional[str] = None,
    seed: int = 0,
    kinds: Any = None,
) -> np.ndarray:
    """``select_from_scores`` on the learner's and reference's B×B pair-loss
    matrices (L_ij and R_ij, e.g. −log σ(z_ij · logits_ij) computed in your
    framework): A = L − R (``learnability``), L (``hard_learner``) or −R
    (``easy_reference``), formed in the arrays' own framework (on the accelerator,
    for accelerator arrays) before the one copy to the host. Either loss may be
    None when the rule does not read it.
    """
    needs = {"learnability": (True, True), "hard_learner": (True, False),
             "easy_reference": (False, True)}
    if scoring not in needs:
        raise ValueError(f"scoring: {scoring!r}; expected learnability, hard_learner or easy_reference")
    need_l, need_r = needs[scoring]
    losses = {}
    for name, value, need in (("learner_loss", learner_loss, need_l),
                              ("reference_loss", reference_loss, need_r)):
        if need and value is None:
            raise ValueError(f"{name}: scoring `{scoring}` needs it")
        if need:
            losses[name] = framework_array(name, value)
    if scoring == "learnability":
        l, r = losses["learner_loss"], losses["reference_loss"]
        if tuple(l.shape) != tuple(r.shape):
            raise ValueError(
                f"learner_loss and reference_loss: shapes {tuple(l.shape)} and {tuple(r.shape)}; "
                "expected the same B×B")
        scores, what = l - r, "learner_loss − reference_loss"
    elif scoring == "hard_learner":
        scores, what = losses["learner_loss"], "learner_loss"
    else:
        scores, what = -losses["reference_loss"], "−reference_loss"
    try:
        return select_from_scores(scores, batch_size, selector, n_chunks=n_chunks, gain=gain,
                                  mode=mode, seed=seed, kinds=kinds)
    except ValueError as e:
        text = str(e)
        if text.startswith("scores:"):
            raise ValueError(what + text[len("scores"):]) from None
        raise


def speedup(
    steps: Sequence[int],
    baseline: Any,
    selector: Any,
    threshold: Optional[float] = None,
    worlds: Optional[Sequence[int]] = None,
) -> Speedup:
    """The speed-up of ``selector`` over ``baseline`` to the baseline's final
    seed-mean score, from per-seed curves (2-D arrays, seeds × evaluation points,
    at ``steps``), computed by the analysis ``jestbench report`` runs: crossings by
    monotone cubic interpolation with their bracket, a bootstrap-t 95% interval
    over seeds (paired by row when both give the same seeds), censoring.

    Returns a frozen :class:`Speedup`: ``target_score``; ``trained`` (uniform's
    trained steps over the selector's first-reaching step, the paper's reading)
    and ``first_reaching`` (uniform's first-reaching step over the selector's),
    each a :class:`Reading` (``estimate``, None when censored; ``censored``, a
    :class:`Censoring`; ``bounds``; ``interval``; ``censored_share``; ``verdict``,
    a :class:`Verdict` or None); and ``verdict``, the two readings' one verdict
    against ``threshold`` (docs/methods.md §6), or None without a threshold.

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
    return Speedup._from(_jestbench.speedup(
        [int(s) for s in steps],
        host_array("baseline", baseline),
        host_array("selector", selector),
        None if threshold is None else float(threshold),
        None if worlds is None else [int(w) for w in worlds],
    ))
