"""The package's conventions: arrays from any framework (DLPack, __array__), the
matrix entry points, typed signatures, read_results' one return type, and your
own selectors' names in results."""

import inspect
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import jestbench

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("JESTBENCH", str(ROOT / "target" / "release" / "jestbench"))


def embeddings(seed, b=64, d=8, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((b, d)) / math.sqrt(d)).astype(dtype) for _ in range(4)]


class DLPackOnly:
    """An array known only through the DLPack protocol (no __array__)."""

    def __init__(self, a):
        self._a = a

    def __dlpack__(self, **kw):
        return self._a.__dlpack__(**kw)

    def __dlpack_device__(self):
        return self._a.__dlpack_device__()


def test_dlpack_and_jax_arrays_choose_what_numpy_chooses():
    arrays = embeddings(1)
    want = jestbench.select(*arrays, 16, seed=3)
    assert list(jestbench.select(*[DLPackOnly(a) for a in arrays], 16, seed=3)) == list(want)
    # float16 widens exactly to float32.
    half = [a.astype(np.float16) for a in arrays]
    assert list(jestbench.select(*half, 16, seed=3)) == list(
        jestbench.select(*[h.astype(np.float32) for h in half], 16, seed=3))
    jnp = pytest.importorskip("jax.numpy")
    on_jax = [jnp.asarray(a) for a in arrays]
    assert list(jestbench.select(*on_jax, 16, seed=3)) == list(want)
    a = jestbench.learnability(*arrays)
    assert np.array_equal(jestbench.learnability(*on_jax), a)
    assert list(jestbench.select_from_scores(jnp.asarray(a), 16, seed=3)) == list(want)


class OnDevice:
    """An array on a CUDA device (DLPack device type 2) that DLPack cannot copy
    to the host; ``how`` is the framework's own way there: PyTorch's ``.cpu()``,
    CuPy's ``.get()``, or JAX's ``__array__``."""

    copies = 0

    def __init__(self, a, how):
        self._a, self._how = a, how

    def __dlpack_device__(self):
        return (2, 0)

    def __dlpack__(self, **kw):
        raise BufferError("cannot copy across devices")

    def __getattr__(self, name):
        if name == self._how and name in ("cpu", "get"):
            def move():
                OnDevice.copies += 1
                return self._a.copy()
            return move
        raise AttributeError(name)

    def __array__(self, dtype=None, copy=None):
        if self._how != "__array__":
            raise TypeError("implicit conversion to the host is not allowed")
        OnDevice.copies += 1
        return self._a.copy()


@pytest.mark.parametrize("how", ["cpu", "get", "__array__"])
def test_accelerator_arrays_are_copied_to_the_host_once(how):
    arrays = embeddings(4)
    want = jestbench.select(*arrays, 16, seed=1)
    OnDevice.copies = 0
    got = jestbench.select(*[OnDevice(a, how) for a in arrays], 16, seed=1)
    assert list(got) == list(want) and OnDevice.copies == 4


def test_the_matrix_entry_points_choose_what_the_embeddings_choose():
    arrays = embeddings(2)
    a = jestbench.learnability(*arrays)
    for selector in ("jest", "independent_topk", "independent_sample", "uniform"):
        want = jestbench.select(*arrays, 16, selector, seed=5, gain=2.0)
        got = jestbench.select_from_scores(a, 16, selector, seed=5, gain=2.0)
        assert list(got) == list(want), selector
    l = jestbench.learnability(arrays[0], arrays[1], scoring="hard_learner")
    r = jestbench.learnability(arrays[2], arrays[3], scoring="hard_learner")
    assert np.array_equal(l - r, a)
    assert list(jestbench.select_from_losses(l, r, 16, seed=5)) == list(jestbench.select_from_scores(a, 16, seed=5))
    assert list(jestbench.select_from_losses(l, None, 16, seed=5, scoring="hard_learner")) == list(
        jestbench.select(arrays[0], arrays[1], None, None, 16, seed=5, scoring="hard_learner"))
    kinds = np.arange(64) % 2 == 0
    oracle = jestbench.select_from_scores(a, 16, "oracle", kinds=kinds)
    assert all(kinds[oracle])


class Grad:
    """A tensor that requires grad, as PyTorch's says it."""

    requires_grad = True
    dtype = "torch.float32"
    __module__ = "torch"


class BFloat:
    """A CPU array in bfloat16, which numpy cannot hold."""

    dtype = "torch.bfloat16"
    __module__ = "torch"

    def __dlpack_device__(self):
        return (1, 0)

    def __dlpack__(self, **kw):
        raise BufferError("bfloat16 is not supported")

    def __array__(self, *a, **kw):
        raise TypeError("Got unsupported ScalarType BFloat16")


BAD = [
    (lambda a: jestbench.select(Grad(), a[1], a[2], a[3], 16), TypeError,
     "learner_a: a tensor that requires grad; pass learner_a.detach()"),
    (lambda a: jestbench.select(a[0], BFloat(), a[2], a[3], 16), TypeError,
     "learner_b: dtype bfloat16 cannot be read; embeddings and scores are float32 or float64: "
     "convert first (learner_b.float())"),
    (lambda a: jestbench.select(a[0], a[1], a[2], a[3].astype(np.int64), 16), TypeError,
     "reference_b: dtype int64 cannot be read"),
    (lambda a: jestbench.select(*a), TypeError, "batch_size"),
    (lambda a: jestbench.select_from_scores(np.ones((4, 5), np.float32), 2), ValueError,
     "scores: shape [4, 5]; expected a square B×B matrix"),
    (lambda a: jestbench.select_from_scores(np.full((4, 4), np.nan, np.float32), 2), ValueError,
     "scores: entry [0, 0] is NaN: scores must be finite"),
    (lambda a: jestbench.select_from_scores(np.ones((4, 4), np.float32), 3, n_chunks=2), ValueError,
     "batch_size = 3 is not divisible by n_chunks = 2"),
    (lambda a: jestbench.select_from_scores(np.ones((4, 4), np.float32), 8), ValueError,
     "batch_size = 8: must be between 1 and the B = 4 candidates"),
    (lambda a: jestbench.select_from_losses(np.ones((4, 4)), np.ones((3, 3)), 2), ValueError,
     "learner_loss and reference_loss: shapes (4, 4) and (3, 3)"),
    (lambda a: jestbench.select_from_losses(np.ones((4, 4)), None, 2), ValueError,
     "reference_loss: scoring `learnability` needs it"),
    (lambda a: jestbench.select_from_scores(np.ones((4, 4), np.float32), 2, kinds=[0.5] * 4), TypeError,
     "kinds: expected integers"),
    (lambda a: jestbench.select_from_losses(np.full((4, 4), np.nan), np.ones((4, 4)), 2), ValueError,
     "learner_loss − reference_loss: entry [0, 0] is NaN: scores must be finite"),
    (lambda a: jestbench.select_from_losses(Grad(), np.ones((4, 4)), 2), TypeError,
     "learner_loss: a tensor that requires grad; pass learner_loss.detach()"),
    (lambda a: jestbench.select_from_losses(np.ones((4, 4)), np.ones((4, 4), np.int32), 2), TypeError,
     "reference_loss: dtype int32 cannot be read"),
]


@pytest.mark.parametrize("k", range(len(BAD)))
def test_bad_arrays_raise_errors_that_say_what_to_do(k):
    call, kind, message = BAD[k]
    with pytest.raises(kind) as e:
        call(embeddings(5, b=16))
    assert message in str(e.value)


def test_signatures_are_typed_and_batch_size_is_required():
    sig = inspect.signature(jestbench.select)
    p = sig.parameters["batch_size"]
    assert p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and p.default is inspect.Parameter.empty
    assert list(sig.parameters)[:5] == ["learner_a", "learner_b", "reference_a", "reference_b", "batch_size"]
    for f in (jestbench.select, jestbench.select_from_scores, jestbench.speedup, jestbench.read_results):
        assert inspect.signature(f).return_annotation is not inspect.Signature.empty, f.__name__
    package = Path(jestbench.__file__).parent
    assert (package / "py.typed").is_file() and (package / "_jestbench.pyi").is_file()


def test_read_results_is_always_a_data_frame_or_dicts_when_asked(tmp_path, monkeypatch):
    pd = pytest.importorskip("pandas")
    with jestbench.ResultsWriter(tmp_path / "r", experiment="kinds") as w:
        for s in (0, 10):
            w.log("uniform", 0, s, 0.1 + s / 100)
    frame = jestbench.read_results(tmp_path / "r")
    assert isinstance(frame, pd.DataFrame)
    d = jestbench.read_results(tmp_path / "r", as_dict=True)
    assert isinstance(d, dict) and d["step"] == [0, 10] and d["method"] == ["uniform", "uniform"]
    runs, ev = jestbench.read_results(tmp_path / "r", tables=True, as_dict=True)
    assert isinstance(runs, dict) and isinstance(ev["jest"], dict)
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="read_results returns pandas DataFrames: install pandas"):
        jestbench.read_results(tmp_path / "r")
    assert jestbench.read_results(tmp_path / "r", as_dict=True)["step"] == [0, 10]


def test_your_own_selector_is_logged_read_and_reported(tmp_path):
    steps = range(0, 501, 50)
    g = lambda s, k: 0.3 + 0.4 * (1 - math.exp(-k * s / 200))  # noqa: E731
    with jestbench.ResultsWriter(tmp_path / "r", experiment="mine") as w:
        for seed in range(3):
            for s in steps:
                w.log("uniform", seed, s, g(s, 1) + 0.001 * seed)
                w.log("loss-gap_v2", seed, s, g(s, 2.5) + 0.001 * seed, filter_ratio=0.8)
    back = jestbench.read_results(tmp_path / "r")
    assert set(back["method"]) == {"uniform", "loss-gap_v2"}
    out = subprocess.run([BIN, "report", str(tmp_path / "r"), "--out", str(tmp_path / "rep")],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    md = (tmp_path / "rep" / "report.md").read_text()
    # Compared with uniform like any selector: 2.5x by construction.
    row = next(line for line in md.splitlines() if line.startswith("| loss-gap_v2 |") and "2.50x" in line)
    assert "train.filter_ratio=0.8" in row


def test_torch_tensors_choose_what_numpy_chooses_and_the_example_runs(tmp_path):
    torch = pytest.importorskip("torch")
    arrays = embeddings(6)
    want = jestbench.select(*arrays, 16, seed=2)
    tensors = [torch.from_numpy(a) for a in arrays]
    assert list(jestbench.select(*tensors, 16, seed=2)) == list(want)
    with pytest.raises(TypeError, match=r"learner_a: a tensor that requires grad; pass learner_a.detach\(\)"):
        jestbench.select(tensors[0].clone().requires_grad_(), *tensors[1:], 16)
    with pytest.raises(TypeError, match=r"convert first \(learner_b.float\(\)\)"):
        jestbench.select(tensors[0], tensors[1].bfloat16(), *tensors[2:], 16)
    example = ROOT / "examples" / "torch_two_tower.py"
    out = subprocess.run(
        [sys.executable, str(example), "--steps", "60", "--seeds", "2", "--eval-every", "20",
         "--out", str(tmp_path / "r"), "--report", str(tmp_path / "rep")],
        capture_output=True, text=True, env={**os.environ, "JESTBENCH": BIN}, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    assert set(jestbench.read_results(tmp_path / "r")["method"]) == {"uniform", "jest"}
