"""GET /roc/{batch}: the ROC curves the batch's quality gate logged, thinned for the chart."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.convertors import Convertor, register_url_convertor

from backend.deps import ReportDep
from backend.reads import CURVES, bounded
from backend.routes.errors import NO_GATE_RUN, or_404
from backend.schemas import RocResponse
from pipeline.tracking.store import MAX_BATCH_NUMBER

router = APIRouter(tags=["report"])

BatchNumber = Annotated[int, Path(ge=0, le=MAX_BATCH_NUMBER, description="batch number")]


class BatchConvertor(Convertor[int]):
    """ASCII digits only (`/roc/3.0`, `/roc/+3`, `/roc/%203` are no route: 404), parsed with a
    bound: Starlette's `:int` calls `int()` on any length and 5,000 digits raise (Python's
    4,300-digit limit, a 500). A longer number becomes one past the largest batch: 422."""

    regex = "[0-9]+"
    max_digits = len(str(MAX_BATCH_NUMBER))

    def convert(self, value: str) -> int:
        digits = value.lstrip("0") or "0"
        return int(digits) if len(digits) <= self.max_digits else MAX_BATCH_NUMBER + 1

    def to_string(self, value: int) -> str:
        return str(int(value))


register_url_convertor("batch", BatchConvertor())


@router.get("/roc/{batch:batch}", response_model=RocResponse, responses=NO_GATE_RUN)
async def get_roc(batch: BatchNumber, report: ReportDep) -> RocResponse:
    """Production's curve, and the new model's when the batch retrained (<= 200 points each)."""
    ready = report.ready_roc(batch)  # curves in memory: answered on the event loop
    if ready is not None:
        return ready
    return await bounded(lambda: or_404(lambda: report.roc(batch)), CURVES)
