"""Aggregates of the logged evidence, as pure functions: no decision is re-derived here.

The pipeline logs, per batch, each AUC's 95% interval and the paired differences (DeLong). The
report only adds what no single run can log:
- `worse_than_chance`: an AUC whose whole interval lies below 0.5 (a reading, not a decision).
- `average_effect`: the mean of per-batch effects measured on *independent* test sets. The
  variance of a mean of independent estimates is the sum of their variances over k², so
  SE = sqrt(Σ SE_i²) / k, and the interval is mean ± z·SE. Each SE_i is read back from the logged
  symmetric DeLong interval: SE_i = (high_i - low_i) / (2·z), z = Φ⁻¹(0.975). Hand-written
  because it is two lines of arithmetic; `statistics.NormalDist` gives z and the two-sided
  p-value (no scipy: the report API's install has none).
- `retraining_takeaway`: the one sentence the page prints under "Did retraining help?".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

CONFIDENCE = 0.95
_STANDARD_NORMAL = NormalDist()
Z_95 = _STANDARD_NORMAL.inv_cdf(0.5 + CONFIDENCE / 2)
CHANCE_AUC = 0.5
_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


@dataclass(frozen=True)
class Effect:
    """One batch's logged difference with its 95% interval."""

    batch: int
    delta: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class Average:
    """The mean effect over independent batches, with its 95% interval and p-value."""

    delta: float
    ci_low: float
    ci_high: float
    p_value: float
    batches: tuple[int, ...]


def worse_than_chance(ci_high: float | None) -> bool | None:
    """True when the interval's upper end is below 0.5; None when there is no interval."""
    if ci_high is None:
        return None
    return ci_high < CHANCE_AUC


def standard_error(ci_low: float, ci_high: float) -> float:
    """The SE behind a symmetric 95% normal interval."""
    if ci_high < ci_low:
        raise ValueError(f"interval ends are reversed: {ci_low} > {ci_high}")
    return (ci_high - ci_low) / (2 * Z_95)


def average_effect(effects: Sequence[Effect]) -> Average | None:
    """Mean of effects on independent test sets; variances add. None for no effects."""
    if not effects:
        return None
    k = len(effects)
    mean = sum(e.delta for e in effects) / k
    se = math.sqrt(sum(standard_error(e.ci_low, e.ci_high) ** 2 for e in effects)) / k
    # Identical estimates (zero width) give p = 1 at 0, not NaN.
    p_value = 2 * _STANDARD_NORMAL.cdf(-abs(mean) / se) if se > 0.0 else float(mean == 0.0)
    return Average(
        delta=mean,
        ci_low=mean - Z_95 * se,
        ci_high=mean + Z_95 * se,
        p_value=p_value,
        batches=tuple(e.batch for e in effects),
    )


def signed(value: float, digits: int = 3) -> str:
    """+0.006 / \u22120.020 (a true minus sign); zero prints without a sign."""
    text = f"{abs(value):.{digits}f}"
    if float(text) == 0.0:
        return text
    return ("+" if value > 0 else "\u2212") + text


def interval_words(ci_low: float, ci_high: float) -> str:
    return f"95% CI {signed(ci_low)} to {signed(ci_high)}"


def gain_words(ci_low: float, ci_high: float) -> str:
    """What an interval of a difference says against 0."""
    if ci_low > 0:
        return "a measurable gain"
    if ci_high < 0:
        return "a measurable loss"
    return "no measurable gain"


def _count(n: int, noun: str) -> str:
    word = _NUMBER_WORDS[n] if n < len(_NUMBER_WORDS) else str(n)
    return f"{word} {noun}" + ("es" if n != 1 else "")


def _listing(batches: Sequence[int]) -> str:
    names = [str(b) for b in batches]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def retraining_takeaway(average: Average | None, retrained_batches: Sequence[int]) -> str:
    """Did retraining help? One sentence with its uncertainty.

    `retrained_batches` are the batches the pipeline retrained on; `average` is the mean net
    effect over those of them that recorded it.
    """
    if not retrained_batches:
        return (
            "No batch was retrained, so Production is still the never-retrained model: "
            "retraining had nothing to change."
        )
    if average is None:
        return (
            f"Batch{'es' if len(retrained_batches) != 1 else ''} "
            f"{_listing(retrained_batches)} retrained, but the runs did not record the "
            "never-retrained model's scores there: the effect of retraining is unknown."
        )
    counted = _count(len(average.batches), "retrained batch")
    where = f"On the {counted} ({_listing(average.batches)})"
    missing = [b for b in retrained_batches if b not in average.batches]
    if missing:
        where += f" that recorded it (not {_listing(missing)})"
    return (
        f"{where}, retraining left AUC {signed(average.delta)} "
        f"({interval_words(average.ci_low, average.ci_high)}) from where the never-retrained "
        f"model would have been: {gain_words(average.ci_low, average.ci_high)}."
    )
