"""GET /calibration/{batch}: the reliability curves the batch's quality gate logged."""

from __future__ import annotations

from fastapi import APIRouter

from backend.deps import ReportDep
from backend.routes.errors import NO_GATE_RUN, or_404
from backend.routes.roc import BatchNumber
from backend.schemas import CalibrationResponse

router = APIRouter(tags=["report"])


@router.get("/calibration/{batch:batch}", response_model=CalibrationResponse, responses=NO_GATE_RUN)
def get_calibration(batch: BatchNumber, report: ReportDep) -> CalibrationResponse:
    """Production's, the candidate's and the never-retrained model's curves, where logged."""
    return or_404(lambda: report.calibration(batch))
