"""Hand-built run records for the pure rules' tests (what the reader would hand them)."""

from __future__ import annotations

from backend.mlflow_reader import RunRecord
from pipeline.core import contract


def run(
    run_id: str,
    batch: str | None = "1",
    *,
    start: int | None = 100,
    end: int | None = 200,
    status: str = "FINISHED",
    name: str = "",
    tags: dict[str, str] | None = None,
    metrics: dict[str, float] | None = None,
    params: dict[str, str] | None = None,
) -> RunRecord:
    all_params = dict(params or {})
    if batch is not None:
        all_params[contract.Param.BATCH_NUMBER] = batch
    return RunRecord(
        run_id, "1", name, status, start, end, all_params, dict(tags or {}), dict(metrics or {})
    )
