""" "Did retraining help?": the net effect averaged over retrained batches, and its sentence.

The pipeline logs, per batch, the net effect of retraining (Production after the decision minus
the initial model, never retrained) with its 95% DeLong interval. No single run can log the
average over batches, so the report adds it, by the pipeline's one rule for averaging
independent estimates (`pipeline.core.stats.mean_of_independent`: the batches' test sets are
independent, so the variances add), each variance read back from the logged interval
(`stats.variance_from_interval`). Where an interval lies against 0 is `stats.interval_verdict`;
this module only words it. No decision is re-derived here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from backend.schemas import BatchResult
from pipeline.core import contract, stats

_NUMBER_WORDS: Final = (
    "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"
)  # fmt: skip
_GAIN_WORDS: Final[dict[stats.Verdict, str]] = {
    "better": "a measurable gain",
    "worse": "a measurable loss",
    "within_noise": "inconclusive, the interval includes no change",
}


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


def average_effect(effects: Sequence[Effect]) -> Average | None:
    """Mean of effects on independent test sets (variances add); None for no effects."""
    if not effects:
        return None
    mean = stats.mean_of_independent(
        [e.delta for e in effects],
        [stats.variance_from_interval(e.ci_low, e.ci_high) for e in effects],
    )
    return Average(
        delta=mean.mean,
        ci_low=mean.ci_low,
        ci_high=mean.ci_high,
        p_value=mean.p_value,
        batches=tuple(e.batch for e in effects),
    )


def net_effect_average(batches: Sequence[BatchResult]) -> Average | None:
    """The net effect averaged over the retrained batches that recorded it."""
    effects = [
        Effect(b.batch, b.net_effect.delta, b.net_effect.ci_low, b.net_effect.ci_high)
        for b in batches
        if b.decision in contract.RETRAINED_DECISIONS
        and b.net_effect is not None
        and b.net_effect.delta is not None
        and b.net_effect.ci_low is not None
        and b.net_effect.ci_high is not None
        and b.net_effect.ci_low <= b.net_effect.ci_high
    ]
    return average_effect(effects)


# --- Words ----------------------------------------------------------------------------------
def signed(value: float, digits: int = 3) -> str:
    """+0.006 / \u22120.020 (a true minus sign); zero prints without a sign."""
    text = f"{abs(value):.{digits}f}"
    if float(text) == 0.0:
        return text
    return ("+" if value > 0 else "\u2212") + text


def interval_words(ci_low: float, ci_high: float) -> str:
    return f"95% CI {signed(ci_low)} to {signed(ci_high)}"


def gain_words(ci_low: float, ci_high: float) -> str:
    """What an interval of a difference says against 0, in words."""
    return _GAIN_WORDS[stats.interval_verdict(ci_low, ci_high)]


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
