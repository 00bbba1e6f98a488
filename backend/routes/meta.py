"""GET /health, GET /config and POST /refresh: the API about itself."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from backend.deps import ReportDep, SettingsDep, require_write_permission, write_permission
from backend.routes.errors import MLFLOW_UNREACHABLE, WRITE_REFUSED
from backend.schemas import Health, RefreshResponse, ReportConfig
from pipeline.core.uris import redact_uri

router = APIRouter(tags=["meta"])

BASELINE_COMMAND = "python -m baseline"


@router.get("/health", response_model=Health)
async def health(report: ReportDep) -> Health:
    """Always 200 within about a second; `mlflow` says whether the tracking store answered
    (one probe at a time, a few seconds at most; a burst of requests shares it)."""
    return await report.health()


@router.get("/config", response_model=ReportConfig)
async def get_config(request: Request, settings: SettingsDep) -> ReportConfig:
    """Links and thresholds the page shows, and whether this client may capture a baseline."""
    return ReportConfig(
        mlflow_tracking_uri=redact_uri(settings.tracking_uri),
        mlflow_ui_url=settings.mlflow_ui_url,
        airflow_ui_url=settings.airflow_ui_url,
        drift_threshold=settings.drift_threshold,
        baseline_command=BASELINE_COMMAND,
        baseline_allowed=write_permission(request, settings) is None,
    )


@router.post(
    "/refresh",
    response_model=RefreshResponse,
    dependencies=[Depends(require_write_permission)],
    responses={**WRITE_REFUSED, **MLFLOW_UNREACHABLE},
)
def refresh(report: ReportDep) -> RefreshResponse:
    """Read MLflow again now; the next reads show the result.

    A write like POST /baseline (same checks). Refreshes are coalesced: one reload at a time,
    shared by every refresh waiting for it, and the next one starts no sooner than the last one
    took (2 s at least) after it ended. Readers keep getting the current copy meanwhile.
    `refreshed` is false when the reload did not finish in time.
    """
    return RefreshResponse(refreshed=report.refresh())
