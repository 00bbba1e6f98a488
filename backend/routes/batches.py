"""GET /batches: one row per batch, the latest finished runs only."""

from __future__ import annotations

from fastapi import APIRouter, Response

from backend.deps import ReportDep
from backend.routes.errors import MLFLOW_UNREACHABLE
from backend.schemas import BatchesResponse

router = APIRouter(tags=["report"])


@router.get("/batches", response_model=BatchesResponse, responses=MLFLOW_UNREACHABLE)
def list_batches(report: ReportDep) -> Response:
    """Drift, decision and scores per batch, ascending by batch number."""
    return Response(report.batches_json(), media_type="application/json")
