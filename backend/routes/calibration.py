"""GET /calibration/{batch}: the reliability curves the batch's quality gate logged."""

from __future__ import annotations

from fastapi import APIRouter

from backend.deps import ReportDep
from backend.reads import CURVES, bounded
from backend.routes.errors import NO_GATE_RUN, or_404
from backend.routes.roc import BatchNumber
from backend.schemas import CalibrationResponse

router = APIRouter(tags=["report"])


@router.get("/calibration/{batch:batch}", response_model=CalibrationResponse, responses=NO_GATE_RUN)
async def get_calibration(batch: BatchNumber, report: ReportDep) -> CalibrationResponse:
    """Production's, the new model's and the initial model's curves, where logged."""
    return await bounded(lambda: or_404(lambda: report.calibration(batch)), CURVES)
