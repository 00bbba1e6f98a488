"""Error responses shared by the routes, documented with `ErrorDetail` in the OpenAPI schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import HTTPException, status

from backend.schemas import ErrorDetail
from backend.service import UnknownBatchError

T = TypeVar("T")

WRITE_REFUSED: dict[int | str, dict[str, Any]] = {
    401: {
        "model": ErrorDetail,
        "description": "HEALTHPREDICT_API_TOKEN is set and the bearer token is wrong",
    },
    403: {
        "model": ErrorDetail,
        "description": "a cross-site request (Host, Origin or Referer not this API's), "
        "or no token is configured and the client is not local",
    },
}
MLFLOW_UNREACHABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": ErrorDetail, "description": "MLflow did not answer and no earlier read exists"}
}

NO_GATE_RUN: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorDetail, "description": "the batch has no quality-gate run"},
    **MLFLOW_UNREACHABLE,
}


def or_404(read: Callable[[], T]) -> T:
    """A per-batch read; a batch without a quality-gate run answers 404 with the reason."""
    try:
        return read()
    except UnknownBatchError as exc:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=str(exc)) from exc
