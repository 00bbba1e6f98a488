"""GET /roc/{batch}: the ROC curves the batch's quality gate logged, thinned for the chart."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, status

from backend.deps import ReportDep
from backend.report import MAX_BATCH_NUMBER
from backend.routes.errors import MLFLOW_UNREACHABLE
from backend.schemas import ErrorDetail, RocResponse
from backend.service import UnknownBatchError

router = APIRouter(tags=["report"])


# `:int` matches ASCII digits only, so `/roc/3.0`, `/roc/+3` and `/roc/%203` are no route (404).
@router.get(
    "/roc/{batch:int}",
    response_model=RocResponse,
    responses={
        404: {"model": ErrorDetail, "description": "the batch has no quality-gate run"},
        **MLFLOW_UNREACHABLE,
    },
)
def get_roc(
    batch: Annotated[int, Path(ge=0, le=MAX_BATCH_NUMBER, description="batch number")],
    report: ReportDep,
) -> RocResponse:
    """Production's curve, and the candidate's when the batch retrained (<= 200 points each)."""
    try:
        return report.roc(batch)
    except UnknownBatchError as exc:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=str(exc)) from exc
