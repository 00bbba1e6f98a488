"""GET /summary: the headline figures and a one-sentence takeaway."""

from __future__ import annotations

from fastapi import APIRouter, Response

from backend.deps import ReportDep
from backend.routes.errors import MLFLOW_UNREACHABLE
from backend.schemas import Summary

router = APIRouter(tags=["report"])


@router.get("/summary", response_model=Summary, responses=MLFLOW_UNREACHABLE)
def get_summary(report: ReportDep) -> Response:
    """Production model, batches processed, retraining events and the AUC from start to end."""
    return Response(report.summary_json(), media_type="application/json")
