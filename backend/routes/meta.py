"""GET /health, GET /config and POST /refresh: the API about itself."""

from __future__ import annotations

from fastapi import APIRouter, Request

from backend.deps import ReportDep, SettingsDep, baseline_permission
from backend.schemas import Health, RefreshResponse, ReportConfig
from pipeline.uris import redact_uri

router = APIRouter(tags=["meta"])

BASELINE_COMMAND = "python -m baseline"


@router.get("/health", response_model=Health)
def health(report: ReportDep) -> Health:
    """Always 200 while the API runs; `mlflow` says whether the tracking store answered."""
    return report.health()


@router.get("/config", response_model=ReportConfig)
def get_config(request: Request, settings: SettingsDep) -> ReportConfig:
    """Links and thresholds the page shows, and whether this client may capture a baseline."""
    return ReportConfig(
        mlflow_tracking_uri=redact_uri(settings.tracking_uri),
        mlflow_ui_url=settings.mlflow_ui_url,
        airflow_ui_url=settings.airflow_ui_url,
        drift_threshold=settings.drift_threshold,
        baseline_command=BASELINE_COMMAND,
        baseline_allowed=baseline_permission(request, settings) is None,
    )


@router.post("/refresh", response_model=RefreshResponse)
def refresh(report: ReportDep) -> RefreshResponse:
    """Drop the cached report so that the next read goes to MLflow."""
    report.refresh()
    return RefreshResponse(refreshed=True)
