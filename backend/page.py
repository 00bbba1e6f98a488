"""Serving the built page (`frontend/dist`) next to the API, with an SPA fallback.

Unknown paths that are not API paths get `index.html`, so that client-side routes survive a
reload; without a build, `/` explains how to make one.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException, status
from fastapi.responses import FileResponse, JSONResponse, Response

BUILD_HINT = (
    "The report page is not built. Run `npm ci && npm run build` in frontend/ "
    "(or set HEALTHPREDICT_STATIC_DIR); the API itself is at /docs."
)
API_PREFIXES = (
    "summary",
    "batches",
    "roc",
    "baseline",
    "health",
    "config",
    "provenance",
    "export",
    "refresh",
    "docs",
    "openapi.json",
    "redoc",
)


def _inside(root: Path, path: str) -> Path | None:
    """The file `path` names under `root`, refusing anything that escapes it."""
    candidate = (root / path).resolve()
    if candidate.is_file() and candidate.is_relative_to(root):
        return candidate
    return None


def add_page_routes(app: FastAPI, static_dir: Path) -> None:
    """Register `/` and the catch-all last, after every API route."""
    root = static_dir.resolve()

    @app.get("/", include_in_schema=False)
    def index() -> Response:
        page = root / "index.html"
        if page.is_file():
            return FileResponse(page)
        return JSONResponse({"detail": BUILD_HINT})

    @app.get("/{path:path}", include_in_schema=False)
    def page_file(path: str) -> Response:
        if path.split("/", 1)[0] in API_PREFIXES:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no API route /{path}")
        found = _inside(root, path)
        if found is not None:
            return FileResponse(found)
        page = root / "index.html"
        if page.is_file() and "." not in path.rsplit("/", 1)[-1]:
            return FileResponse(page)
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no page asset /{path}")
