"""The retrain verdict of a batch's drift run: the pipeline's logged one, or the one fallback.

The verdict comes from the drift run's `retrain_triggered` / `trigger_reason` tags; stores
written before those tags existed get the pipeline's own rule
(`pipeline.drift.rule.retrain_trigger`) applied to the logged share and that run's
`drift_threshold`, flagged `trigger_logged: false`. Batch 0 has no verdict. The page never
derives one.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend import run_fields
from backend.mlflow_reader import RunRecord
from pipeline.core import contract
from pipeline.core.contract import TriggerReason
from pipeline.drift.rule import retrain_trigger
from pipeline.tracking.store import is_true


@dataclass(frozen=True)
class RetrainVerdict:
    """Whether the batch's drift check triggered retraining, why, and who said so."""

    triggered: bool | None
    reason: TriggerReason | None
    logged: bool  # true: the pipeline's tags; false: derived here for stores without them


NO_VERDICT = RetrainVerdict(None, None, logged=False)


def run_threshold(run: RunRecord, default: float) -> float:
    """The drift run's own `drift_threshold` param when it is a share in (0, 1], else `default`."""
    value = run_fields.threshold_param(run)
    return default if value is None else value


def retrain_verdict(
    batch: int, run: RunRecord, share: float | None, threshold: float
) -> RetrainVerdict:
    """The pipeline's logged verdict; for stores without it, the retrain rule on this run's
    share and threshold (the one place the backend applies it). Batch 0 has none."""
    if batch == 0:
        return NO_VERDICT
    raw_triggered = (run.tags.get(contract.Tag.RETRAIN_TRIGGERED) or "").strip().lower()
    if raw_triggered in (contract.Tag.TRUE.lower(), contract.Tag.FALSE.lower()):
        raw_reason = (run.tags.get(contract.Tag.TRIGGER_REASON) or "").strip().lower()
        reason = TriggerReason(raw_reason) if raw_reason in set(TriggerReason) else None
        return RetrainVerdict(is_true(raw_triggered), reason, logged=True)
    if share is None:
        return NO_VERDICT
    derived = retrain_trigger(share, threshold)
    return RetrainVerdict(derived is not TriggerReason.NONE, derived, logged=False)
