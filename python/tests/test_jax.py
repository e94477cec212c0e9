"""`jestbench.jax.select` (JEST's sampler in JAX) against the harness's Rust core:
the same scores and conditional probabilities to float32 tolerance, the same
indices from the same uniform draws, and the same selection distribution from its
own keys (chi-square against the exact distribution, as the Rust core's is)."""

import itertools
import math

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

import jestbench  # noqa: E402
import jestbench.jax as jj  # noqa: E402
from jestbench import _jestbench  # noqa: E402


def embeddings(seed, b, d=16):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((b, d)) / math.sqrt(d) * 0.8).astype(np.float32) for _ in range(4)]


MODELS = dict(learner_temperature=10.0, learner_bias=-2.0, reference_temperature=8.0, reference_bias=-3.0)


def rust(arrays, b, n_chunks, gain, scoring, uniforms):
    la, lb, ra, rb = arrays
    return _jestbench.jest_with_uniforms(
        la, lb, ra, rb, b, n_chunks, gain, scoring, MODELS["learner_temperature"], MODELS["learner_bias"],
        MODELS["reference_temperature"], MODELS["reference_bias"], uniforms.astype(np.float64))


@pytest.mark.parametrize("scoring", ["learnability", "hard_learner", "easy_reference"])
def test_scores_match_the_rust_core(scoring):
    arrays = embeddings(1, 96)
    want = jestbench.learnability(*arrays, scoring=scoring, **MODELS)
    got = np.asarray(jj.learnability(*arrays, scoring=scoring, **MODELS))
    assert np.allclose(got, want, rtol=1e-5, atol=2e-5)


@pytest.mark.parametrize("scoring", ["learnability", "hard_learner", "easy_reference"])
@pytest.mark.parametrize("gain,n_chunks", [(100.0, 16), (3.0, 8), (0.5, 4)])
def test_same_uniforms_same_indices_and_conditional_probabilities(scoring, gain, n_chunks):
    b, n = 64, 256
    arrays = embeddings(2, n)
    u = np.random.default_rng(7).uniform(1e-6, 1.0, size=(n_chunks, n)).astype(np.float32)
    u[0, 5] = u[n_chunks - 1, 7] = 0.0  # a draw of exactly 0 reads alike in both
    chosen, conditional = rust(arrays, b, n_chunks, gain, scoring, u)
    s = jj.select(*arrays, b, uniforms=u, n_chunks=n_chunks, gain=gain, scoring=scoring,
                  return_conditional=True, **MODELS)
    assert np.asarray(s.chosen).tolist() == chosen.tolist()
    got = np.asarray(s.conditional, dtype=np.float64)
    assert np.array_equal(np.isnan(got), np.isnan(conditional))
    scale = np.nanmax(np.abs(conditional))
    assert np.nanmax(np.abs(got - conditional)) <= 2e-6 * max(scale, 1.0)
    # Each chunk's probabilities p_i ∝ exp(gain · s_i) over the unchosen.
    for r in range(n_chunks):
        live = ~np.isnan(conditional[r])
        def p(x):
            z = gain * x[live]
            e = np.exp(z - z.max())
            return e / e.sum()
        assert np.allclose(p(got[r]), p(conditional[r]), rtol=1e-3, atol=1e-6), r


def test_the_matrix_entry_matches_the_embeddings_entry():
    arrays = embeddings(3, 128)
    a = jestbench.learnability(*arrays, **MODELS)
    u = np.random.default_rng(1).uniform(1e-6, 1.0, size=(8, 128)).astype(np.float32)
    from_scores = jj.select_from_scores(a, 32, uniforms=u, n_chunks=8, gain=5.0)
    from_embeddings = jj.select(*arrays, 32, uniforms=u, n_chunks=8, gain=5.0, **MODELS)
    assert np.asarray(from_scores).tolist() == np.asarray(from_embeddings).tolist()


def exact_set_probabilities(a, b, n_chunks, gain):
    """P(the chosen set) by enumerating every draw order (small B only)."""
    n, chunk = a.shape[0], b // n_chunks
    probs = {}

    def walk(taken, score, p, r):
        if r == n_chunks:
            key = tuple(sorted(taken))
            probs[key] = probs.get(key, 0.0) + p
            return
        live = [i for i in range(n) if i not in taken]
        w = {i: math.exp(gain * score[i]) for i in live}
        for order in itertools.permutations(live, chunk):
            q, rest = 1.0, sum(w.values())
            for i in order:
                q *= w[i] / rest
                rest -= w[i]
            s = score.copy()
            for k in order:
                s += a[k, :] + a[:, k]
            walk(taken + list(order), s, p * q, r + 1)

    walk([], np.diag(a).astype(np.float64), 1.0, 0)
    return probs


def chi_square_p(counts, expected):
    """Pearson's chi-square p-value, categories with expected < 5 pooled."""
    small = expected < 5
    o = np.append(counts[~small], counts[small].sum())
    e = np.append(expected[~small], expected[small].sum())
    keep = e > 0
    x = float(np.sum((o[keep] - e[keep]) ** 2 / e[keep]))
    df = int(keep.sum()) - 1
    return float(jax.scipy.special.gammaincc(df / 2.0, x / 2.0))


def test_the_selection_distribution_from_its_own_keys_is_the_rust_cores():
    n, b, n_chunks, gain, draws = 8, 4, 2, 1.5, 6000
    arrays = embeddings(4, n, d=4)
    a = jestbench.learnability(*arrays, **MODELS).astype(np.float64)
    exact = exact_set_probabilities(a, b, n_chunks, gain)
    assert abs(sum(exact.values()) - 1.0) < 1e-9
    sets = sorted(exact)
    expected = np.array([exact[s] for s in sets]) * draws

    def counts(chosen_rows):
        index = {s: i for i, s in enumerate(sets)}
        c = np.zeros(len(sets))
        for row in chosen_rows:
            c[index[tuple(sorted(int(x) for x in row))]] += 1
        return c

    keys = jax.random.split(jax.random.key(0), draws)
    draw = jax.vmap(lambda k: jj.select(*arrays, b, key=k, n_chunks=n_chunks, gain=gain, **MODELS))
    from_jax = counts(np.asarray(draw(keys)))
    from_rust = counts(jestbench.select(*arrays, b, n_chunks=n_chunks, gain=gain, seed=s, **MODELS)
                       for s in range(draws))
    for name, c in (("jax", from_jax), ("rust", from_rust)):
        assert chi_square_p(c, expected) > 1e-3, name
    # And the test has power: a sampler that ignores the scores fails it.
    uniform = counts(jestbench.select(*arrays, b, "uniform", seed=s) for s in range(draws))
    assert chi_square_p(uniform, expected) < 1e-6


def test_it_jit_compiles_with_learned_temperatures_and_rejects_bad_arguments():
    arrays = [jnp.asarray(x) for x in embeddings(5, 64)]

    @jax.jit
    def step(t, key):
        return jj.select(*arrays, 16, key=key, learner_temperature=t, n_chunks=4)

    idx = step(jnp.float32(10.0), jax.random.key(1))
    assert idx.shape == (16,) and len(set(np.asarray(idx).tolist())) == 16
    with pytest.raises(ValueError, match="batch_size = 10 is not divisible by n_chunks = 4"):
        jj.select(*arrays, 10, key=jax.random.key(0), n_chunks=4)
    with pytest.raises(ValueError, match="give exactly one of key"):
        jj.select(*arrays, 16)
    with pytest.raises(ValueError, match="scoring `learnability` needs the reference's embeddings"):
        jj.select(arrays[0], arrays[1], None, None, 16, key=jax.random.key(0))
    with pytest.raises(ValueError, match=r"uniforms: shape \(2, 64\); expected n_chunks × B = \(16, 64\)"):
        jj.select(*arrays, 16, uniforms=np.zeros((2, 64)))
    with pytest.raises(ValueError, match="n_chunks = 0: must be a positive integer"):
        jj.select(*arrays, 16, key=jax.random.key(0), n_chunks=0)
    with pytest.raises(ValueError, match="gain = inf: must be finite"):
        jj.select(*arrays, 16, key=jax.random.key(0), gain=float("inf"))
    with pytest.raises(ValueError, match="scoring `learnability` needs the reference's embeddings"):
        jj.learnability(arrays[0], arrays[1])
    # numpy integers are integers.
    assert jj.select(*arrays, np.int64(16), key=jax.random.key(0), n_chunks=np.int32(4)).shape == (16,)
