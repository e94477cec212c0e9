"""JEST's joint sampler in JAX: the same selection as ``jestbench.select``
(docs/methods.md §2), written with ``jax.numpy`` and ``jax.lax`` control flow, so
it jit-compiles and runs where the training loop runs (CPU, GPU, TPU), with its
random draws from a JAX key.

    import jax, jestbench.jax as jj
    idx = jj.select(la, lb, ra, rb, batch_size=1024, key=jax.random.key(step))

It scores the super-batch the way the harness does (sigmoid pair losses of each
model, A = L − R by default) without forming the B×B matrix: the diagonal, then
per chunk the rows and columns of the items just drawn, O(B·b·e) work and O(B·e)
memory. Chunk r draws ``batch_size / n_chunks`` of the unchosen candidates without
replacement with p ∝ exp(gain · s_i) (Gumbel top-k), s_i = A_ii + Σ_{k chosen}
(A_ki + A_ik).

It is tested against the harness's Rust core (python/tests/test_jax.py): the same
scores and conditional probabilities to float32 tolerance, the same indices given
the same uniform draws (``uniforms=``, chunk r's draw for candidate i at [r, i]),
and the same selection distribution (chi-square) from its own keys. Everything
here is float32 (JAX's default); the Rust core sums scores in float64.
"""

from __future__ import annotations

import math
import operator
from functools import partial
from typing import Any, NamedTuple, Optional, Tuple

import jax
import jax.numpy as jnp
from jax import lax

__all__ = ["select", "select_from_scores", "learnability", "Model", "Selection"]

_RULES = ("learnability", "hard_learner", "easy_reference")
#: −ln(−ln u) at u = f64's smallest positive normal: the noise the Rust core
#: gives a draw of exactly 0 (`select::gumbel_of`).
_GUMBEL_OF_ZERO = -6.563003850181985


class Model(NamedTuple):
    """One model's embeddings of the B candidates (views A and B, B×e each) and
    its logit temperature t (not its log) and bias c: logits t·⟨a_i, b_j⟩ + c."""

    a: Any
    b: Any
    temperature: Any = 10.0
    bias: Any = -10.0


class Selection(NamedTuple):
    """The chosen indices (int32, draw order) and, per chunk, every candidate's
    conditional score before the draw (n_chunks × B, NaN where already chosen)."""

    chosen: Any
    conditional: Any


def _softplus(x):
    return jax.nn.softplus(x)


def _diagonal(m: Model):
    x = m.temperature * jnp.sum(m.a * m.b, axis=1) + m.bias
    return _softplus(-x)


def _cross(m: Model, ks):
    """Σ_{k in ks} (l_kj + l_jk) for every candidate j."""
    n = m.a.shape[0]
    rows = m.temperature * (m.a[ks] @ m.b.T) + m.bias  # x_kj
    cols = m.temperature * (m.b[ks] @ m.a.T) + m.bias  # x_jk
    match = ks[:, None] == jnp.arange(n)[None, :]
    sign = jnp.where(match, -1.0, 1.0).astype(rows.dtype)
    return jnp.sum(_softplus(sign * rows) + _softplus(sign * cols), axis=0)


def _combine(rule: str, learner, reference):
    if rule == "learnability":
        return learner - reference
    if rule == "hard_learner":
        return learner
    return -reference


def _sample(diag, cross, uniforms, batch_size: int, n_chunks: int, gain):
    """The joint sampler on a diagonal and a cross-sum function (see the module)."""
    n = diag.shape[0]
    chunk = batch_size // n_chunks

    def body(r, state):
        score, taken, chosen, conditional = state
        u = uniforms[r]
        # u = 0 reads as the Rust core reads it (the smallest positive double).
        g = jnp.where(u > 0, -jnp.log(-jnp.log(jnp.where(u > 0, u, 0.5))), _GUMBEL_OF_ZERO)
        keys = jnp.where(taken, -jnp.inf, gain * score + g)
        _, drawn = lax.top_k(keys, chunk)
        conditional = conditional.at[r].set(jnp.where(taken, jnp.nan, score))
        taken = taken.at[drawn].set(True)
        chosen = lax.dynamic_update_slice(chosen, drawn.astype(jnp.int32), (r * chunk,))
        # The last chunk's rows and columns would score nothing.
        score = lax.cond(r + 1 < n_chunks, lambda s: s + cross(drawn), lambda s: s, score)
        return score, taken, chosen, conditional

    state = (
        diag.astype(jnp.float32),
        jnp.zeros(n, dtype=bool),
        jnp.zeros(batch_size, dtype=jnp.int32),
        jnp.zeros((n_chunks, n), dtype=jnp.float32),
    )
    _, _, chosen, conditional = lax.fori_loop(0, n_chunks, body, state)
    return Selection(chosen, conditional)


def _integer(name: str, v: Any) -> int:
    if isinstance(v, bool):
        raise TypeError(f"{name}: expected an integer, found {v!r}")
    try:
        return operator.index(v)
    except TypeError:
        raise TypeError(f"{name}: expected an integer, found {v!r}") from None


def _check(n: int, batch_size: Any, n_chunks: Any, key, uniforms, gain) -> Tuple[int, int]:
    batch_size, n_chunks = _integer("batch_size", batch_size), _integer("n_chunks", n_chunks)
    if not 1 <= batch_size <= n:
        raise ValueError(f"batch_size = {batch_size}: must be between 1 and the B = {n} candidates")
    if n_chunks < 1:
        raise ValueError(f"n_chunks = {n_chunks}: must be a positive integer")
    if batch_size % n_chunks:
        raise ValueError(f"batch_size = {batch_size} is not divisible by n_chunks = {n_chunks}")
    if isinstance(gain, (int, float)) and not math.isfinite(gain):
        raise ValueError(f"gain = {gain}: must be finite")
    if (key is None) == (uniforms is None):
        raise ValueError("give exactly one of key (a JAX random key) and uniforms (n_chunks × B draws)")
    if uniforms is not None and tuple(jnp.shape(uniforms)) != (n_chunks, n):
        raise ValueError(f"uniforms: shape {tuple(jnp.shape(uniforms))}; expected n_chunks × B = ({n_chunks}, {n})")
    return batch_size, n_chunks


def _uniforms(key, uniforms, n_chunks: int, n: int):
    if uniforms is not None:
        return jnp.asarray(uniforms, dtype=jnp.float32)
    return jax.random.uniform(key, (n_chunks, n), dtype=jnp.float32)


@partial(jax.jit, static_argnames=("batch_size", "n_chunks", "scoring"))
def _select_jit(learner: Optional[Model], reference: Optional[Model], u, batch_size: int,
                n_chunks: int, gain, scoring: str) -> Selection:
    parts = [m for m in (learner, reference) if m is not None]
    n = parts[0].a.shape[0]
    zero = jnp.zeros(n, dtype=jnp.float32)
    ld = _diagonal(learner) if learner is not None else zero
    rd = _diagonal(reference) if reference is not None else zero
    diag = _combine(scoring, ld, rd)

    def cross(ks):
        lc = _cross(learner, ks) if learner is not None else zero
        rc = _cross(reference, ks) if reference is not None else zero
        return _combine(scoring, lc, rc)

    return _sample(diag, cross, u, batch_size, n_chunks, gain)


def _model(name: str, a, b, t, c) -> Optional[Model]:
    if a is None and b is None:
        return None
    if a is None or b is None:
        raise ValueError(f"{name}_a and {name}_b: give both or neither")
    a, b = jnp.asarray(a, dtype=jnp.float32), jnp.asarray(b, dtype=jnp.float32)
    if a.ndim != 2 or a.shape != b.shape:
        raise ValueError(f"{name}_a and {name}_b: shapes {a.shape} and {b.shape}; expected the same B×e")
    return Model(a, b, jnp.float32(t), jnp.float32(c))


def _models(scoring, la, lb, ra, rb, lt, lc, rt, rc):
    """The models the rule reads (the other None), checked."""
    if scoring not in _RULES:
        raise ValueError(f"scoring: {scoring!r}; expected one of {', '.join(_RULES)}")
    learner = _model("learner", la, lb, lt, lc)
    reference = _model("reference", ra, rb, rt, rc)
    need_l, need_r = scoring != "easy_reference", scoring != "hard_learner"
    if need_l and learner is None:
        raise ValueError(f"scoring `{scoring}` needs the learner's embeddings (learner_a and learner_b)")
    if need_r and reference is None:
        raise ValueError(f"scoring `{scoring}` needs the reference's embeddings (reference_a and reference_b)")
    learner, reference = (learner if need_l else None), (reference if need_r else None)
    if learner is not None and reference is not None and reference.a.shape[0] != learner.a.shape[0]:
        raise ValueError(f"reference_a: {reference.a.shape[0]} rows, but learner_a has {learner.a.shape[0]}")
    return learner, reference


def select(
    learner_a: Any,
    learner_b: Any,
    reference_a: Any,
    reference_b: Any,
    batch_size: int,
    *,
    key: Any = None,
    uniforms: Any = None,
    n_chunks: int = 16,
    gain: float = 100.0,
    scoring: str = "learnability",
    learner_temperature: Any = 10.0,
    learner_bias: Any = -10.0,
    reference_temperature: Any = 10.0,
    reference_bias: Any = -10.0,
    return_conditional: bool = False,
) -> Any:
    """JEST's batch of ``batch_size`` from the super-batch's embeddings (row i of
    each array is candidate i), drawn with ``key`` (or, for cross-checks, from
    ``uniforms``: n_chunks × B draws in [0, 1)). Returns the chosen indices (int32,
    draw order), or a :class:`Selection` with each chunk's conditional scores when
    ``return_conditional``. The arrays stay where they are (jit-compiled once per
    shape, batch size, chunking and rule); temperatures and biases may be traced
    values (a model's learned t and c).
    """
    learner, reference = _models(scoring, learner_a, learner_b, reference_a, reference_b,
                                 learner_temperature, learner_bias, reference_temperature,
                                 reference_bias)
    n = (learner or reference).a.shape[0]
    batch_size, n_chunks = _check(n, batch_size, n_chunks, key, uniforms, gain)
    u = _uniforms(key, uniforms, n_chunks, n)
    s = _select_jit(learner, reference, u, batch_size, n_chunks, jnp.float32(gain), scoring)
    return s if return_conditional else s.chosen


@partial(jax.jit, static_argnames=("batch_size", "n_chunks"))
def _from_scores_jit(a, u, batch_size: int, n_chunks: int, gain) -> Selection:
    def cross(ks):
        return jnp.sum(a[ks], axis=0) + jnp.sum(a[:, ks], axis=1)

    return _sample(jnp.diagonal(a), cross, u, batch_size, n_chunks, gain)


def select_from_scores(
    scores: Any,
    batch_size: int,
    *,
    key: Any = None,
    uniforms: Any = None,
    n_chunks: int = 16,
    gain: float = 100.0,
    return_conditional: bool = False,
) -> Any:
    """:func:`select` on a B×B score matrix A already formed (row i, column j: A_ij)."""
    a = jnp.asarray(scores, dtype=jnp.float32)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"scores: shape {a.shape}; expected a square B×B matrix")
    batch_size, n_chunks = _check(a.shape[0], batch_size, n_chunks, key, uniforms, gain)
    u = _uniforms(key, uniforms, n_chunks, a.shape[0])
    s = _from_scores_jit(a, u, batch_size, n_chunks, jnp.float32(gain))
    return s if return_conditional else s.chosen


def learnability(
    learner_a: Any,
    learner_b: Any,
    reference_a: Any = None,
    reference_b: Any = None,
    learner_temperature: Any = 10.0,
    learner_bias: Any = -10.0,
    reference_temperature: Any = 10.0,
    reference_bias: Any = -10.0,
    scoring: str = "learnability",
) -> Any:
    """The B×B score matrix A in JAX (as ``jestbench.learnability`` forms it):
    for small super-batches and checks; :func:`select` never forms it."""
    if scoring not in _RULES:
        raise ValueError(f"scoring: {scoring!r}; expected one of {', '.join(_RULES)}")

    def losses(m: Optional[Model]):
        if m is None:
            return 0.0
        x = m.temperature * (m.a @ m.b.T) + m.bias
        n = x.shape[0]
        return _softplus(jnp.where(jnp.eye(n, dtype=bool), -x, x))

    learner, reference = _models(scoring, learner_a, learner_b, reference_a, reference_b,
                                 learner_temperature, learner_bias, reference_temperature,
                                 reference_bias)
    return _combine(scoring, losses(learner), losses(reference))
