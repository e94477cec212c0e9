"""The Python package against the harness: the same selections as `jestbench
select`, the same score matrix, the report's speed-up, clear errors, and results
written elsewhere that `jestbench report` reads."""

import dataclasses
import json
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


def embeddings(seed, b=48, d=8, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((b, d)) / math.sqrt(d)).astype(dtype) for _ in range(4)]


def cli(tmp_path, arrays, *flags):
    paths = []
    for name, a in zip(["la", "lb", "ra", "rb"], arrays):
        p = tmp_path / f"{name}.npy"
        np.save(p, a)
        paths.append(str(p))
    args = [BIN, "select", "--learner-a", paths[0], "--learner-b", paths[1],
            "--reference-a", paths[2], "--reference-b", paths[3], *flags]
    out = subprocess.run(args, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout


def chosen(stdout):
    return [int(x) for x in stdout.splitlines()[0].removeprefix("chosen: ").split()]


@pytest.mark.parametrize(
    "selector,extra",
    [
        ("jest", {}),
        ("jest", {"n_chunks": 4, "gain": 3.0}),
        ("uniform", {}),
        ("independent_topk", {}),
        ("independent_sample", {"gain": 2.0}),
        ("jest", {"scoring": "hard_learner"}),
        ("jest", {"scoring": "easy_reference"}),
    ],
)
@pytest.mark.parametrize("seed", [0, 7, 123456789])
def test_selections_equal_the_cli_bit_for_bit(tmp_path, selector, extra, seed):
    arrays = embeddings(seed)
    py = jestbench.select(*arrays, batch_size=16, selector=selector, seed=seed,
                          learner_bias=-2.0, reference_bias=-3.0, **extra)
    assert py.dtype == np.int64 and len(py) == 16 and len(set(py)) == 16
    flags = ["--b", "16", "--selector", selector, "--seed", str(seed),
             "--learner-bias", "-2", "--reference-bias", "-3"]
    for k, v in extra.items():
        flags += ["--" + k.replace("_", "-"), str(v)]
    assert list(py) == chosen(cli(tmp_path, arrays, *flags))


def test_any_memory_order_and_float64_choose_the_same(tmp_path):
    arrays = embeddings(3)
    base = jestbench.select(*arrays, batch_size=16, seed=1)
    fortran = [np.asfortranarray(a) for a in arrays]
    assert list(jestbench.select(*fortran, batch_size=16, seed=1)) == list(base)
    strided = [np.repeat(a, 2, axis=1)[:, ::2] for a in arrays]
    assert not strided[0].flags.c_contiguous
    assert list(jestbench.select(*strided, batch_size=16, seed=1)) == list(base)
    wide = [a.astype(np.float64) for a in arrays]
    assert list(jestbench.select(*wide, batch_size=16, seed=1)) == list(base)


def test_learnability_equals_the_rust_path(tmp_path):
    arrays = embeddings(11, b=24)
    a = jestbench.learnability(*arrays, learner_bias=-2.0, reference_bias=-3.0)
    assert a.shape == (24, 24) and a.dtype == np.float32
    out = cli(tmp_path, arrays, "--b", "8", "--n-chunks", "4", "--learner-bias", "-2", "--reference-bias", "-3",
              "--dump-scores")
    lines = out.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("A (24×24"))
    dumped = np.array([[float(x) for x in l.split()] for l in lines[start + 1:start + 25]])
    # The CLI prints six decimals of the same float32 values.
    assert np.max(np.abs(dumped - a)) <= 1e-6
    # And an independent float64 computation of L − R.
    def losses(x, y, t, c):
        logits = t * (x.astype(np.float64) @ y.astype(np.float64).T) + c
        z = np.where(np.eye(len(x)) > 0, 1.0, -1.0)
        return np.logaddexp(0.0, -z * logits)
    want = losses(arrays[0], arrays[1], 10.0, -2.0) - losses(arrays[2], arrays[3], 10.0, -3.0)
    assert np.allclose(a, want, rtol=1e-5, atol=1e-5)
    diag = jestbench.learnability(*arrays, learner_bias=-2.0, reference_bias=-3.0,
                                  diagonal_only=True)
    assert np.array_equal(diag, np.diag(a))
    hard = jestbench.learnability(arrays[0], arrays[1], scoring="hard_learner")
    assert np.allclose(hard, losses(arrays[0], arrays[1], 10.0, -10.0), rtol=1e-5, atol=1e-5)


def curves(results, method, f):
    r = results
    sel = (r["method"] == method) & r["sweep"].str.contains(f"train.filter_ratio={f}")
    t = r[sel].pivot_table(index="seed", columns="step", values="eval_score")
    return np.array(t.columns), t.to_numpy()


def worlds_of(results, f):
    """The world of each seed row (in `curves`' seed order), where the runs drew worlds."""
    r = results
    sel = (r["method"] == "uniform") & r["sweep"].str.contains(f"train.filter_ratio={f}")
    return [int(w) for w in r[sel].groupby("seed")["world"].first().sort_index()]


def test_speedup_equals_the_reports_figures_on_committed_results():
    pd = pytest.importorskip("pandas")
    results = jestbench.read_results(ROOT / "results" / "filter-ratio")
    assert isinstance(results, pd.DataFrame)
    analysis = json.loads((ROOT / "reports" / "ablations" / "analysis.json").read_text())
    cells = analysis["jest"]["cells"]
    checked = 0
    for c in analysis["jest"]["comparisons"]:
        m = cells[c["method"]]
        if m["experiment"] != "filter-ratio" or m["method"] != "jest":
            continue
        f = m["setting"].split("=")[1]
        steps, base = curves(results, "uniform", f)
        _, sel = curves(results, "jest", f)
        got = jestbench.speedup(steps, base, sel, threshold=1.5, worlds=worlds_of(results, f))
        want = next(s for s in c["speedups"] if s["target"] == "final" and s["axis"] == "iterations")
        for ours, theirs in [(got.trained, want["trained"]),
                             (got.first_reaching, want["interval"])]:
            assert ours.estimate == pytest.approx(theirs["point"]["mid"], rel=1e-12)
            assert ours.interval[0] == pytest.approx(theirs["lower_bound"], rel=1e-12)
            assert ours.interval[1] == pytest.approx(theirs["upper_bound"], rel=1e-12)
        assert got.target_score == pytest.approx(want["target_score"], rel=1e-12)
        checked += 1
    assert checked == 4


def test_tidy_tables_join_to_the_joined_table_and_gz_reads_in_pandas():
    pd = pytest.importorskip("pandas")
    folder = ROOT / "results" / "world-sensitivity"
    joined = jestbench.read_results(folder)
    runs, evaluations = jestbench.read_results(folder, tables=True)
    assert set(evaluations) == {"jest"}
    ev = evaluations["jest"]
    assert len(runs) == 720 and len(ev) == len(joined) == 9360
    assert runs["run_id"].is_unique
    # Each swept key is its own column, and the tables join back to the rows.
    assert "sweep:dataset.misaligned" in runs.columns and "sweep" not in runs.columns
    back = ev.merge(runs.drop(columns=["status"]), on="run_id")
    counts = back.groupby("run_id").size()
    assert counts.equals(runs.set_index("run_id")["evaluations"].loc[counts.index].rename(None))
    key = ["run_id", "step"]
    a = back.sort_values(key).reset_index(drop=True)
    b = joined.sort_values(key).reset_index(drop=True)
    for col in ["eval_score", "filter_ratio", "reference_score", "flops_train", "status"]:
        assert a[col].equals(b[col]), col
    # The committed packed table is what pandas reads directly.
    direct = pd.read_csv(folder / "evaluations-jest.csv.gz")
    assert list(direct.columns) == list(ev.columns) and len(direct) == len(ev)


def test_methods_are_the_harness_list():
    # The package's list is the binary's: every selector `jestbench select` takes
    # (all but the oracle, which needs the pool's labels), in the harness's order.
    out = subprocess.run([BIN, "select", "--help"], capture_output=True, text=True, check=True).stdout
    assert jestbench.METHODS == ("uniform", "independent_topk", "independent_sample", "jest", "oracle")
    for m in jestbench.METHODS:
        if m != "oracle":
            assert m in out, m


def test_speedup_of_a_known_factor_and_its_censoring():
    steps = np.arange(0, 1001, 100)
    g = lambda s, k, seed: 0.3 + 0.4 * (1 - np.exp(-k * s / 333)) + 0.003 * seed  # noqa: E731
    base = np.array([g(steps, 1, i) for i in range(5)])
    r = jestbench.speedup(steps, base, np.array([g(steps, 3, i) for i in range(5)]), threshold=2)
    # Noise-free curves: the estimate is the interpolation's, within its bracket of 3.
    assert r.trained.estimate == pytest.approx(3.0, rel=0.02)
    assert r.trained.interval[0] <= r.trained.estimate <= r.trained.interval[1]
    assert r.trained.censored is jestbench.Censoring.NONE
    assert r.verdict is jestbench.Verdict.HOLDS
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.verdict = None
    # A selector that never reaches uniform's final score: censored, never a number.
    low = np.array([0.5 * g(steps, 1, i) for i in range(5)])
    r = jestbench.speedup(steps, base, low, threshold=2)
    assert r.trained.censored is jestbench.Censoring.BELOW and r.trained.estimate is None
    assert r.verdict in (jestbench.Verdict.FAILS_AS_BOUND, jestbench.Verdict.BOUNDED_BY_SWEEP)
    # Without a threshold, no verdict.
    assert jestbench.speedup(steps, base, low).verdict is None


def test_the_verdict_enum_is_the_harness_list():
    assert [v.value for v in jestbench.Verdict] == jestbench._jestbench.verdicts()


BAD = [
    (lambda a: jestbench.select(a[0], a[1][:10], a[2], a[3], batch_size=8), ValueError,
     "learner_b: 10 rows, but learner_a has 48"),
    (lambda a: jestbench.select(*a, batch_size=64), ValueError, "batch_size = 64: must be between 1 and the B = 48"),
    (lambda a: jestbench.select(*a, batch_size=10), ValueError, "batch_size = 10 is not divisible by n_chunks = 16"),
    (lambda a: jestbench.select(*a, batch_size=0), ValueError, "batch_size = 0: must be a positive integer"),
    (lambda a: jestbench.select(*a, batch_size=2.5), TypeError, "batch_size: expected an integer"),
    (lambda a: jestbench.select(*a, batch_size=16, selector="jset"), ValueError,
     "selector: unknown variant `jset`"),
    (lambda a: jestbench.select(*a, batch_size=16, selector="independent_topk", mode="sample"), ValueError,
     "contradicts `mode: sample`"),
    (lambda a: jestbench.select(*a, batch_size=16, selector="oracle"), ValueError,
     "the oracle needs each candidate's kind"),
    (lambda a: jestbench.select(*a, batch_size=16, selector="oracle", kinds=np.zeros(5, dtype=np.int64)),
     ValueError, "kinds: 5 entries for B = 48"),
    (lambda a: jestbench.select(*a, batch_size=16, selector="oracle", kinds=np.full(48, 7)), ValueError,
     "kinds[0] = 7"),
    (lambda a: jestbench.select(a[0], a[1], None, None, batch_size=16), ValueError,
     "scoring `learnability` needs the reference's embeddings"),
    (lambda a: jestbench.select(a[0], a[1], a[2], None, batch_size=16), ValueError,
     "reference_a and reference_b: give both or neither"),
    (lambda a: jestbench.select(a[0].astype(np.int32), a[1], a[2], a[3], batch_size=16), TypeError,
     "learner_a: dtype int32 cannot be read; embeddings and scores are float32 or float64: "
     "convert first (learner_a.astype(np.float32))"),
    (lambda a: jestbench.select(a[0][0], a[1], a[2], a[3], batch_size=16), ValueError,
     "learner_a: a 1-d array"),
    (lambda a: jestbench.select(a[0], a[1], a[2], a[3][:, :3], batch_size=16), ValueError,
     "reference_b: width 3, but reference_a has 8"),
    (lambda a: jestbench.learnability(a[0], a[1], a[2], a[3], learner_temperature=-1), ValueError,
     "learner_temperature -1: must be a positive number"),
    (lambda a: jestbench.select(*a, 16, learner_temperature=1e39), ValueError,
     "learner_temperature 1e39: must be a positive number (finite in float32)"),
    (lambda a: jestbench.select(a[0] * 1e19, a[1] * 1e19, a[2], a[3], 16), ValueError,
     "beyond float32's range; scale the embeddings or the temperature down"),
    (lambda a: jestbench.select(a[0][:, :0], a[1][:, :0], a[2], a[3], 16), ValueError,
     "shape (48, 0): needs at least one row and one column"),
    (lambda a: jestbench.learnability(a[0], a[1], a[2], a[3], scoring="easiest"), ValueError,
     "scoring: unknown variant `easiest`"),
    (lambda a: jestbench.speedup([0, 1, 2], np.ones((3, 3)), np.ones((1, 3))), ValueError,
     "selector: 1 seeds"),
    (lambda a: jestbench.speedup([0, 2, 1], np.ones((3, 3)), np.ones((3, 3))), ValueError,
     "steps: must increase"),
    (lambda a: jestbench.speedup([0, 1, 2], np.ones((3, 3)), np.ones((3, 4))), ValueError,
     "selector: seed 0 has 4 points, steps has 3"),
]


@pytest.mark.parametrize("k", range(len(BAD)))
def test_bad_arguments_raise_errors_that_name_them(k):
    call, kind, message = BAD[k]
    with pytest.raises(kind) as e:
        call(embeddings(5))
    assert message in str(e.value)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_entries_are_refused(bad):
    a = embeddings(5)
    a[2][3, 1] = bad
    with pytest.raises(ValueError, match=r"reference_a: entry \[3, 1\] is (NaN|inf): embeddings must be finite"):
        jestbench.select(*a, batch_size=16)
    s = np.ones((3, 4))
    s[1, 2] = bad
    with pytest.raises(ValueError, match=r"baseline: entry \[1, 2\]"):
        jestbench.speedup([0, 1, 2, 3], s, np.ones((3, 4)))


def test_results_written_elsewhere_are_reported(tmp_path):
    steps = range(0, 501, 50)
    g = lambda s, k: 0.3 + 0.4 * (1 - math.exp(-k * s / 200))  # noqa: E731
    with jestbench.ResultsWriter(tmp_path / "r", experiment="elsewhere") as w:
        for seed in range(3):
            for s in steps:
                w.log("uniform", seed, s, g(s, 1) + 0.001 * seed, flops=3 * s, seconds=0.01 * s)
                w.log("jest", seed, s, g(s, 2) + 0.001 * seed, filter_ratio=0.8, flops=4 * s,
                      seconds=0.012 * s)
        with pytest.raises(ValueError, match="was logged already"):
            w.log("jest", 0, 0, 0.3, filter_ratio=0.8)
        with pytest.raises(ValueError, match="method: 'my selector'; expected a selector's name"):
            w.log("my selector", 0, 0, 0.3)
    back = jestbench.read_results(tmp_path / "r")
    assert set(back["method"]) == {"uniform", "jest"} and len(back["step"]) == 66
    out = subprocess.run([BIN, "report", str(tmp_path / "r"), "--out", str(tmp_path / "rep")],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    md = (tmp_path / "rep" / "report.md").read_text()
    assert "elsewhere" in md
    claims = (tmp_path / "rep" / "claims.csv").read_text()
    assert "1.5x" in claims or "f = 0.8" in claims or "3x" in claims


def test_a_file_from_elsewhere_with_a_bad_cell_is_refused_by_name(tmp_path):
    (tmp_path / "results.csv").write_text(
        "experiment,method,filter_ratio,seed,step,eval_score\nx,jest,0.8,0,10,high\n")
    with pytest.raises(ValueError, match="line 2: column `eval_score`: expected a finite number"):
        jestbench.read_results(tmp_path)
    out = subprocess.run([BIN, "report", str(tmp_path), "--out", str(tmp_path / "rep")],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "column `eval_score`" in out.stderr


def test_the_example_runs_end_to_end(tmp_path):
    pytest.importorskip("jax")
    example = ROOT / "examples" / "jax_two_tower.py"
    out = subprocess.run(
        [sys.executable, str(example), "--steps", "60", "--seeds", "2", "--eval-every", "20",
         "--out", str(tmp_path / "r"), "--report", str(tmp_path / "rep")],
        capture_output=True, text=True, env={**os.environ, "JESTBENCH": BIN}, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    r = jestbench.read_results(tmp_path / "r")
    assert set(r["method"]) == {"uniform", "jest"}
    assert (tmp_path / "rep" / "report.html").is_file()


def test_a_reopened_writer_refuses_points_already_logged(tmp_path):
    with jestbench.ResultsWriter(tmp_path / "r", experiment="again") as w:
        for s in (0, 50, 100):
            w.log("uniform", 0, s, 0.1 + s / 1000)
    # A resumed job opens the same folder: new points append, a point already
    # there is refused at once (not at close, and the file stays readable).
    with jestbench.ResultsWriter(tmp_path / "r", experiment="again") as w:
        with pytest.raises(ValueError, match="step 50 of run \\(uniform, f = 0.0, seed 0\\) was logged already"):
            w.log("uniform", 0, 50, 0.2)
        w.log("uniform", 0, 150, 0.3)
    back = jestbench.read_results(tmp_path / "r")
    assert list(back["step"]) == [0, 50, 100, 150]
    with pytest.raises(ValueError, match="rows of experiment 'again', not 'other'"):
        jestbench.ResultsWriter(tmp_path / "r", experiment="other")
    with pytest.raises(ValueError, match="setting"):
        with jestbench.ResultsWriter(tmp_path / "s", experiment="x") as w:
            w.log("uniform", 0, 0, 0.1, setting="k=a\x01b")


def test_selection_needs_no_score_matrix_and_a_matrix_too_large_is_refused():
    # 1,000,000 candidates: selection scores through the fused path (the arrays'
    # copies, O(B·e)) and chooses; their B×B matrix (3.6 TiB of float32) is
    # refused before it is allocated (the interpreter lives on).
    big = np.random.default_rng(0).standard_normal((1_000_000, 2)).astype(np.float32)
    chosen = jestbench.select(big, big, big, big, 64)
    assert len(set(chosen)) == 64
    with pytest.raises(ValueError, match=r"B = 1000000 candidates: their B×B score matrix \(f32\) take"):
        jestbench.learnability(big, big, big, big)
    with pytest.raises(ValueError, match=r"scores: B = 1000000 candidates"):
        jestbench.select_from_scores(np.lib.stride_tricks.as_strided(
            np.zeros(1, np.float32), shape=(1_000_000, 1_000_000), strides=(0, 0)), 64)
