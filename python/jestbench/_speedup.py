"""The calibrated speed-up as typed values: :class:`Speedup` with its two
:class:`Reading` s, censoring and verdicts as enums (docs/methods.md §6)."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple


class Censoring(enum.Enum):
    """Whether a reading's estimate is a number or only a bound."""

    #: Both curves reached the target: the estimate is a number.
    NONE = "no"
    #: The selector reached it and the baseline did not: at least ``bounds[0]``.
    AT_LEAST = "at least"
    #: The selector did not reach it within the sweep: the ratio is below ``bounds[1]``.
    BELOW = "below"


class Verdict(enum.Enum):
    """A reading's (or the two readings' one) verdict against a threshold."""

    HOLDS = "holds at this scale"
    DOES_NOT_HOLD = "does not hold at this scale"
    INCONCLUSIVE = "inconclusive"
    HOLDS_AS_BOUND = "holds as a bound"
    FAILS_AS_BOUND = "fails as a bound"
    BOUNDED_BY_SWEEP = "bounded by the sweep"
    HIGHER_CEILING = "a higher ceiling, not a faster rate"
    DEFINITION_SENSITIVE = "definition-sensitive"
    UNDECIDED = "undecided"
    UNDEFINED = "undefined"
    MEASURED = "measured (no threshold)"
    NOT_MEASURED = "not measured here"


def _verdict(text: Optional[str]) -> Optional[Verdict]:
    return None if text is None else Verdict(text)


@dataclass(frozen=True)
class Reading:
    """One reading of the speed-up (trained steps, or first-reaching)."""

    #: The speed-up, or None when censored (``censored`` says which way).
    estimate: Optional[float]
    censored: Censoring
    #: What the sweep bounds the ratio to: (low, high); infinite ends are unbounded.
    bounds: Tuple[float, float]
    #: The 95% interval (bootstrap-t over seeds, worlds first when given).
    interval: Tuple[float, float]
    #: The share of bootstrap resamples in which a crossing was censored.
    censored_share: float
    #: Against the threshold, when one was given.
    verdict: Optional[Verdict]

    @classmethod
    def _from(cls, d: Optional[Dict[str, Any]]) -> Optional["Reading"]:
        if d is None:
            return None
        estimate = d["estimate"]
        return cls(
            estimate=estimate if math.isfinite(estimate) else None,
            censored=Censoring(d["censored"]),
            bounds=tuple(d["bounds"]),
            interval=tuple(d["interval"]),
            censored_share=d["censored_share"],
            verdict=_verdict(d["verdict"]),
        )


@dataclass(frozen=True)
class Speedup:
    """The speed-up of a selector over its baseline to the baseline's final
    seed-mean score, under both readings (docs/methods.md §6)."""

    #: The baseline's final seed-mean score: the level both curves are read at.
    target_score: float
    #: The baseline's trained steps over the selector's first-reaching step (the
    #: paper's reading); None when it cannot be formed.
    trained: Optional[Reading]
    #: The baseline's first-reaching step over the selector's.
    first_reaching: Optional[Reading]
    #: The two readings' one verdict against the threshold, or None without one.
    verdict: Optional[Verdict]

    @classmethod
    def _from(cls, d: Dict[str, Any]) -> "Speedup":
        return cls(
            target_score=d["target_score"],
            trained=Reading._from(d["trained"]),
            first_reaching=Reading._from(d["first_reaching"]),
            verdict=_verdict(d["verdict"]),
        )
