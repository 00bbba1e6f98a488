"""GET /export: the whole report as one self-contained HTML file, offered as a download."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response

from backend.deps import SettingsDep
from backend.export import EXPORT_FILENAME, ExportError, export_html
from backend.routes.errors import MLFLOW_UNREACHABLE
from backend.schemas import ErrorDetail

router = APIRouter(tags=["report"])


@router.get(
    "/export",
    response_class=Response,
    responses={
        200: {"content": {"text/html": {}}, "description": "the report as one HTML file"},
        404: {"model": ErrorDetail, "description": "the page is not built; the detail says how"},
        **MLFLOW_UNREACHABLE,
    },
)
async def export_report(request: Request, settings: SettingsDep) -> Response:
    """Every section, batch card and chart with its data inlined: opens offline, from file://."""
    try:
        body = await export_html(request.app, settings.static_dir)
    except ExportError as exc:
        raise HTTPException(exc.status_code, detail=str(exc)) from exc
    return Response(
        body,
        media_type="text/html; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{EXPORT_FILENAME}"'},
    )
