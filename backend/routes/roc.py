"""GET /roc/{batch}: the ROC curves the batch's quality gate logged, thinned for the chart."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from backend.deps import ReportDep
from backend.routes.errors import NO_GATE_RUN, or_404
from backend.schemas import RocResponse
from pipeline.tracking.store import MAX_BATCH_NUMBER

router = APIRouter(tags=["report"])

BatchNumber = Annotated[int, Path(ge=0, le=MAX_BATCH_NUMBER, description="batch number")]


# `:int` matches ASCII digits only, so `/roc/3.0`, `/roc/+3` and `/roc/%203` are no route (404).
@router.get("/roc/{batch:int}", response_model=RocResponse, responses=NO_GATE_RUN)
def get_roc(batch: BatchNumber, report: ReportDep) -> RocResponse:
    """Production's curve, and the new model's when the batch retrained (<= 200 points each)."""
    return or_404(lambda: report.roc(batch))
