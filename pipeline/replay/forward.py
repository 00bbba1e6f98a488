"""Policies compared forward in time and paired: what a deployed policy meets.

For each policy and each step N (0..last-1), the model in Production after batch N (the initial
model for N = 0) is scored on batch N+1's test split, the rows no model of any policy trained on.
Every policy is scored on the same rows, so its difference to the configured policy is a *paired*
DeLong difference (``stats.paired_auc_difference``), far tighter than comparing two separate
intervals. The steps' test splits are disjoint batches, so the mean difference over steps
averages independent estimates (``stats.mean_of_independent``). Nothing here writes or decides:
``pipeline.replay.runs`` logs these figures, and the report API adjusts the policies' p values
for multiplicity (``pipeline.core.multiplicity.holm``) and words them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.core import stats
from pipeline.core.stats import AucDifference, AucEstimate, MeanEstimate
from pipeline.replay.engine import BatchStep, PolicyReplay


@dataclass(frozen=True)
class ForwardStep:
    """Step N: Production after batch N on batch N+1's test split."""

    step: int
    auc: AucEstimate
    vs_configured: AucDifference  # paired, on the same rows (0 for the configured policy)
    calibration_slope: float | None  # None when every prediction is the same probability


@dataclass(frozen=True)
class ForwardComparison:
    steps: list[ForwardStep]
    mean_auc: float
    mean_vs_configured: MeanEstimate


def compare(results: Sequence[PolicyReplay]) -> dict[str, ForwardComparison]:
    """Per policy label, its forward scores and paired differences to the configured policy.

    Empty when no policy is marked configured or a policy lacks forward scores (a replay read
    back without them): the paired comparison needs every policy's scores on the same rows.
    """
    configured = [result for result in results if result.configured]
    if len(configured) != 1 or not all(_has_forward(result) for result in results):
        return {}
    reference = configured[0].steps
    return {result.policy.label: _compare(result.steps, reference) for result in results}


def _has_forward(result: PolicyReplay) -> bool:
    return all(
        step.forward is not None and step.forward_scores is not None and step.labels is not None
        for step in result.steps
    )


def _compare(steps: Sequence[BatchStep], reference: Sequence[BatchStep]) -> ForwardComparison:
    if [s.batch for s in steps] != [s.batch for s in reference]:
        raise ValueError("forward comparison needs the same batches for every policy")
    forward_steps = []
    for step, other in zip(steps, reference, strict=True):
        assert step.forward is not None and step.forward_scores is not None
        assert step.labels is not None and other.forward_scores is not None
        difference = stats.paired_auc_difference(
            step.labels, step.forward_scores, other.forward_scores
        )
        forward_steps.append(
            ForwardStep(
                step=step.batch - 1,
                auc=step.forward,
                vs_configured=difference,
                calibration_slope=_slope(step.labels, step.forward_scores),
            )
        )
    mean = stats.mean_of_independent(
        [s.vs_configured.delta for s in forward_steps],
        [s.vs_configured.variance for s in forward_steps],
    )
    mean_auc = float(np.mean([s.auc.auc for s in forward_steps]))
    return ForwardComparison(forward_steps, mean_auc, mean)


def _slope(labels: np.ndarray, scores: np.ndarray) -> float | None:
    try:
        return stats.calibration_slope(labels, scores)
    except ValueError:
        return None
