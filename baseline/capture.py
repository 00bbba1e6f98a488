"""The batch-0 capture entry: what ``python -m baseline``, ``healthpredict baseline`` and the API's
``POST /baseline`` call.

The capture is the pipeline's own step (``pipeline.steps.capture_baseline``): the per-store lock,
then batch 0's production-only gate and its run pair (``pipeline.gate.baseline``). This module
only names it for the callers above the pipeline.
"""

from __future__ import annotations

from pipeline.gate.baseline_result import BaselineResult
from pipeline.steps.baseline import capture_baseline, capture_lock, lock_path

__all__ = ["BaselineResult", "capture_baseline", "capture_lock", "lock_path"]
