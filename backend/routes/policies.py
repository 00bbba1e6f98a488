"""GET /policies: what other retraining policies would have done (the latest finished replay)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from backend.deps import ReportDep
from backend.policy_schemas import PoliciesResponse
from backend.routes.errors import MLFLOW_UNREACHABLE

router = APIRouter(tags=["report"])


@router.get("/policies", response_model=PoliciesResponse, responses=MLFLOW_UNREACHABLE)
async def get_policies(report: ReportDep) -> PoliciesResponse:
    """Per replayed policy: AUC per batch with its interval, outcomes, counts, mean and worst
    AUC; `available: false` when the store holds no finished replay."""
    return await run_in_threadpool(report.policies)
