"""The report's bottom line: at most three plain sentences a newcomer can act on (pure).

1. What happened: batches processed, where drift crossed the threshold, retrains and deployments.
2. Whether retraining helped: the averaged net effect with its interval, in words no larger than
   the interval ("inconclusive" unless it excludes 0; `retraining_effect.gain_words`).
3. Whether the model in Production now is better than chance on the latest batch it was scored
   on: its AUC interval against 0.5 (`pipeline.core.stats.interval_verdict` around chance).

Every figure is read off the assembled batches and summary; nothing is re-decided here.
"""

from __future__ import annotations

from collections.abc import Sequence

from backend import retraining_effect
from backend.retraining_effect import interval_words
from backend.schemas import BatchResult, ChanceWords, Summary
from pipeline.core import contract, stats


def chance_words(
    auc: float | None, ci_low: float | None, ci_high: float | None
) -> ChanceWords | None:
    """How an AUC's 95% interval lies against chance (0.5), or None without an interval."""
    if auc is None or ci_low is None or ci_high is None:
        return None
    verdict = stats.interval_verdict(ci_low - stats.CHANCE_AUC, ci_high - stats.CHANCE_AUC)
    words: dict[stats.Verdict, ChanceWords] = {
        "better": "better than chance",
        "within_noise": "no better than chance",
        "worse": "worse than chance",
    }
    return words[verdict]


def _listing(numbers: Sequence[int]) -> str:
    names = [str(n) for n in numbers]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _what_happened(summary: Summary, batches: Sequence[BatchResult]) -> str:
    processed = summary.batches_processed
    retrained = [
        b.batch for b in batches if b.batch >= 1 and b.decision in contract.RETRAINED_DECISIONS
    ]
    lead = f"{processed} batch{'es' if processed != 1 else ''} of new patients arrived"
    if not retrained:
        return lead + "; none was retrained, so the first model is still in Production."
    deployed = summary.deployments
    return (
        f"{lead}; the model was retrained on batch{'es' if len(retrained) != 1 else ''} "
        f"{_listing(retrained)} and {deployed} new version{'s' if deployed != 1 else ''} "
        f"{'were' if deployed != 1 else 'was'} deployed."
    )


def _helped(summary: Summary) -> str | None:
    average = summary.net_effect_average
    if (
        average is None
        or average.delta is None
        or average.ci_low is None
        or average.ci_high is None
    ):
        return None
    words = retraining_effect.gain_words(average.ci_low, average.ci_high)
    return (
        f"Against the model that was never retrained, retraining changed AUC by "
        f"{retraining_effect.signed(average.delta)} on average "
        f"({interval_words(average.ci_low, average.ci_high)}): {words}."
    )


def _production_now(summary: Summary) -> str | None:
    end = summary.end_production
    production = summary.production_model
    if end is None or production is None:
        return None
    words = chance_words(end.auc, end.ci_low, end.ci_high)
    if words is None or end.auc is None or end.ci_low is None or end.ci_high is None:
        return None
    sentence = (
        f"The model in Production now (version {production.version}) scores AUC {end.auc:.3f} "
        f"(95% CI {end.ci_low:.3f} to {end.ci_high:.3f}) on batch {end.batch}: {words}"
    )
    if words != "better than chance":
        return sentence + ", so its risk scores should not be relied on until it is replaced."
    return sentence + "."


def _estimate_missed(batches: Sequence[BatchResult]) -> str | None:
    """When the label-free estimate of the latest batch's Production AUC missed the realised AUC
    (outside its interval): what that means, in one sentence."""
    latest = max((b for b in batches if b.batch > 0), key=lambda b: b.batch, default=None)
    production = latest.production if latest is not None else None
    estimated = production.estimated if production is not None else None
    if latest is None or production is None or estimated is None or not estimated.missed:
        return None
    if production.auc is None or estimated.ci_low is None or estimated.ci_high is None:
        return None
    return (
        f"Before its labels arrived, Production's AUC on batch {latest.batch} was estimated at "
        f"{estimated.auc:.3f} (95% CI {estimated.ci_low:.3f} to {estimated.ci_high:.3f}); it "
        f"turned out {production.auc:.3f}: the relation between the patients' data and "
        "readmission changed, which no estimate made without labels can see."
    )


def bottom_line(summary: Summary, batches: Sequence[BatchResult]) -> list[str]:
    """At most four sentences; empty before any batch was processed."""
    if summary.batches_processed == 0:
        return []
    sentences = [
        _what_happened(summary, batches),
        _helped(summary),
        _production_now(summary),
        _estimate_missed(batches),
    ]
    return [s for s in sentences if s]
