"""GET /provenance: where the report's numbers come from (the page's footer and the export)."""

from __future__ import annotations

from fastapi import APIRouter

from backend.deps import ReportDep
from backend.provenance_schemas import Provenance
from backend.reads import PROVENANCE, bounded
from backend.routes.errors import MLFLOW_UNREACHABLE

router = APIRouter(tags=["report"])


@router.get("/provenance", response_model=Provenance, responses=MLFLOW_UNREACHABLE)
async def get_provenance(report: ReportDep) -> Provenance:
    """Tracking URI without credentials, run ids per batch, model versions, data, seed, code."""
    return await bounded(report.provenance, PROVENANCE)
