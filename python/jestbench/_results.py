"""Results in and out: ``read_results`` (any results file or folder the harness
reads, as pandas DataFrames) and ``ResultsWriter`` (results from elsewhere, in the
minimal schema)."""

from __future__ import annotations

import csv
import io
import math
import os
import re
import unicodedata
from typing import Any, Dict, List, Optional, Union

import numpy as np

from . import _jestbench

#: The selectors' names the harness knows, as the results' ``method`` column and
#: experiment files say them (``jestbench select --help`` and results files agree).
METHODS = tuple(_jestbench.methods())
#: The minimal results schema (README, "Results from elsewhere").
MINIMAL_COLUMNS = ("experiment", "method", "filter_ratio", "seed", "step", "eval_score")
OPTIONAL_COLUMNS = ("setting", "flops", "seconds", "batch_size", "super_batch")
#: A method's name, as the harness reads names (1 to 64 letters, digits, `.`, `_`
#: or `-`, not starting with `.` or `-`).
_IDENTIFIER = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,63}")

PathLike = Union[str, "os.PathLike[str]"]


def _convert(values: List[str]) -> List[Any]:
    for kind in (int, float):
        try:
            return [None if v == "" else kind(v) for v in values]
        except ValueError:
            continue
    return values


def _dict(text: str) -> Dict[str, List[Any]]:
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    return {name: _convert([r[i] for r in body]) for i, name in enumerate(header)}


def _pandas():
    try:
        import pandas as pd
    except ImportError as e:
        raise ImportError(
            "read_results returns pandas DataFrames: install pandas (pip install pandas, "
            "or pip install 'jestbench[pandas]'), or pass as_dict=True for dicts of columns"
        ) from e
    return pd


def read_results(path: PathLike, tables: bool = False, as_dict: bool = False) -> Any:
    """A results folder or file (jestbench's, either layout, or the minimal
    schema) as the harness reads it: its finished runs only.

    By default one pandas DataFrame, each evaluation joined with its run (every
    column of the run on each row). With ``tables=True``, the tidy pair instead:
    ``(runs, evaluations)``, ``runs`` one row per run (each swept key its own
    ``sweep:<key>`` column) and ``evaluations`` a dict from family (``"jest"``,
    ``"swim"``) to its table (``run_id``, ``step`` and what varies per
    evaluation).

    Tables are always DataFrames (pandas is this function's dependency: an
    ImportError says so when it is missing); ``as_dict=True`` gives dicts of
    columns instead (lists of int, float or str; empty cells are None), with no
    pandas needed.
    """
    read = _dict if as_dict else (lambda text: _pandas().read_csv(io.StringIO(text)))
    if not as_dict:
        _pandas()  # before the harness reads anything
    if tables:
        runs, evaluations = _jestbench.read_tables(os.fspath(path))
        return read(runs), {family: read(text) for family, text in evaluations}
    return read(_jestbench.read_results(os.fspath(path)))


class ResultsWriter:
    """Appends rows in the minimal results schema to ``<path>/results.csv``, one
    per run and evaluation point, so that ``jestbench report <path>`` analyses a
    run made elsewhere. Each row is written and flushed at once (a crash keeps
    what was logged); ``close()`` (or leaving a ``with`` block) reads the file back
    through the harness's parser, so a bad file fails here, not in the report.

    A run is (method, filter_ratio, setting, seed); log step 0 (the score before
    training) and every evaluation after it. ``method`` is one of the harness's
    selectors (``METHODS``) or a selector of your own: any identifier (1 to 64
    letters, digits, ``.``, ``_`` or ``-``); ``uniform`` is every ratio's baseline,
    so log it beside your own.
    ``flops`` is the run's cumulative training FLOPs at that step (in your
    accounting: learner forward and backward, scoring forwards); without it the
    report says "not logged" on FLOP axes.
    """

    def __init__(self, path: PathLike, experiment: str) -> None:
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
        method: str,
        seed: int,
        step: int,
        eval_score: float,
        filter_ratio: float = 0.0,
        flops: Optional[float] = None,
        seconds: Optional[float] = None,
        setting: Optional[str] = None,
        batch_size: Optional[int] = None,
        super_batch: Optional[int] = None,
    ) -> None:
        """One evaluation point of one run."""
        if not isinstance(method, str) or not _IDENTIFIER.fullmatch(method):
            raise ValueError(
                f"method: {method!r}; expected a selector's name: one of {', '.join(METHODS)}, "
                "or your own (1 to 64 letters, digits, '.', '_' or '-', not starting with '.' or '-')")
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

    def close(self) -> None:
        """Closes the file and checks it reads as the report will read it."""
        if not self._f.closed:
            self._f.close()
            _jestbench.read_results(self.file)

    def __enter__(self) -> "ResultsWriter":
        return self

    def __exit__(self, *exc: Any) -> bool:
        if exc[0] is None:
            self.close()
        else:
            self._f.close()
        return False
