"""The batch-0 capture entry: what ``python -m baseline``, ``healthpredict baseline`` and the API's
``POST /baseline`` call.

The capture is the pipeline's own step (``pipeline.steps.capture_baseline``): the per-store lock,
then batch 0's production-only gate and its run pair (``pipeline.gate.baseline``). This module
only names it for the callers above the pipeline.
"""

from __future__ import annotations

from pipeline import steps
from pipeline.data.storage import Storage
from pipeline.gate.baseline_result import BaselineResult
from pipeline.steps.baseline import capture_lock, lock_path

__all__ = ["BaselineResult", "capture_baseline", "capture_lock", "lock_path"]


def capture_baseline(
    tracking_uri: str,
    storage: str | Storage,
    *,
    s3_endpoint_url: str | None = None,
    blocking: bool = True,
) -> BaselineResult:
    """Capture batch 0; ``blocking=False`` raises ``CaptureInProgressError`` instead of waiting."""
    return steps.capture_baseline(
        tracking_uri, storage, s3_endpoint_url=s3_endpoint_url, blocking=blocking
    )
