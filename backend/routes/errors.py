"""Error responses shared by the routes, documented with `ErrorDetail` in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from backend.schemas import ErrorDetail

MLFLOW_UNREACHABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": ErrorDetail, "description": "MLflow did not answer and no earlier read exists"}
}

NO_GATE_RUN: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorDetail, "description": "the batch has no quality-gate run"},
    **MLFLOW_UNREACHABLE,
}
