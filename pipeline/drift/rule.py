"""The retrain rule, pure (no scipy): importable by the report API's lean install.

The pipeline logs its verdict on the drift run (`retrain_triggered`, `trigger_reason`); the
report falls back to this same function only for stores that logged the share alone.
"""

from __future__ import annotations

from pipeline.core import contract


def retrain_trigger(
    drift_share: float, threshold: float, *, force_retrain: bool = False
) -> contract.TriggerReason:
    """The one retrain rule: drift at or above the threshold, else a forced run, else none."""
    if drift_share >= threshold:
        return contract.TriggerReason.DRIFT
    return contract.TriggerReason.FORCED if force_retrain else contract.TriggerReason.NONE
