"""POST /baseline: capture Batch 0 (score Production on the initial test set) from the page."""

from __future__ import annotations

import contextlib
import logging

from fastapi import APIRouter, Depends, HTTPException, status

from backend.deps import ReportDep, SettingsDep, require_write_permission
from backend.routes.errors import MLFLOW_UNREACHABLE, WRITE_REFUSED
from backend.schemas import BaselineResponse, ErrorDetail
from pipeline.core.errors import HealthPredictError, TrackingError
from pipeline.core.uris import redact_text

logger = logging.getLogger(__name__)

router = APIRouter(tags=["baseline"])


@router.post(
    "/baseline",
    response_model=BaselineResponse,
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(require_write_permission)],
    responses={
        **WRITE_REFUSED,
        409: {
            "model": ErrorDetail,
            "description": "no Production model, a capture already running, or data missing",
        },
        **MLFLOW_UNREACHABLE,
    },
)
def capture_baseline(settings: SettingsDep, report: ReportDep) -> BaselineResponse:
    """Score the Production model on the initial test set and log it as batch 0.

    A plain `def`: FastAPI runs it in its thread pool, so the capture does not block the loop.
    """
    # Imported here: the capture pulls in the training stack, which the read-only API avoids.
    from baseline.capture import capture_baseline as capture

    try:
        result = capture(
            settings.tracking_uri,
            settings.storage,
            s3_endpoint_url=settings.s3_endpoint_url,
            blocking=False,
        )
    except TrackingError as exc:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, detail=redact_text(str(exc))
        ) from exc
    except HealthPredictError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=redact_text(str(exc))) from exc
    finally:
        with contextlib.suppress(TrackingError):  # the capture's own outcome is the answer
            report.refresh()
    logger.info("baseline captured: gate run %s", result.quality_gate_run_id)
    return BaselineResponse.model_validate(result, from_attributes=True)
