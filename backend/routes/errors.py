"""Error responses shared by the routes, documented with `ErrorDetail` in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from backend.schemas import ErrorDetail

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
