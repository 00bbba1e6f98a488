"""GET /summary: the headline figures and a one-sentence takeaway."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool

from backend.deps import ReportDep
from backend.routes.errors import MLFLOW_UNREACHABLE
from backend.schemas import Summary

router = APIRouter(tags=["report"])


@router.get("/summary", response_model=Summary, responses=MLFLOW_UNREACHABLE)
async def get_summary(report: ReportDep) -> Response:
    """Production model, batches processed, retraining events and the AUC from start to end."""
    # A read with a copy is answered on the event loop; only a cold one waits in a worker thread.
    body = report.ready_summary_json()
    if body is None:
        body = await run_in_threadpool(report.summary_json)
    return Response(body, media_type="application/json")
