"""GET /batches: one row per batch, the latest finished runs only."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool

from backend.deps import ReportDep
from backend.routes.errors import MLFLOW_UNREACHABLE
from backend.schemas import BatchesResponse

router = APIRouter(tags=["report"])


@router.get("/batches", response_model=BatchesResponse, responses=MLFLOW_UNREACHABLE)
async def list_batches(report: ReportDep) -> Response:
    """Drift, decision and scores per batch, ascending by batch number."""
    # A read with a copy is answered on the event loop; only a cold one waits in a worker thread.
    body = report.ready_batches_json()
    if body is None:
        body = await run_in_threadpool(report.batches_json)
    return Response(body, media_type="application/json")
