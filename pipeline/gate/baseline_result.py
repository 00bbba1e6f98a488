"""The record of one baseline capture: the one definition the CLI, the pipeline and the API share.

Kept apart from ``baseline.capture`` so that the read-only API can name it (its response model
``BaselineResponse`` inherits these fields) without importing the training stack.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class BaselineResult(BaseModel):
    """What a capture logged: the two run ids, the scored version and its scores."""

    model_config = ConfigDict(frozen=True)

    quality_gate_run_id: str
    drift_run_id: str
    model_version: str
    auc: float
    f1: float
    precision: float
    recall: float
