"""Serving the built page (`frontend/dist`, or the copy an installed wheel carries) next to the API,
and the JSON answer to anything else.

No list of API paths is needed anywhere: the API's own routes answer first, and this fallback,
registered last, serves the page's route (`/`) and the build's files. Every other request gets a
JSON error: 405 (with `Allow`) where another route serves the path with other methods, else 404.
So a mistyped API path (`/summry`), a request that asks for JSON, or a POST to an unknown path
never gets the page's HTML. Without a build, `/` explains how to make one.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException, Request, status
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

BUILD_HINT = (
    "The report page is not built. Run `npm ci && npm run build` in frontend/ "
    "(or set HEALTHPREDICT_STATIC_DIR); the API itself is at /docs."
)
# The page's own routes (paths without the leading slash): the page has one view. A client-side
# route added to the page is added here and to the nginx template's `location =` list.
PAGE_ROUTES = frozenset({""})
FALLBACK_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
PROBED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _inside(root: Path, path: str) -> Path | None:
    """The file `path` names under `root`, refusing anything that escapes it.

    A NUL byte (`/%00`) or a name the file system refuses (a 256-character segment) names no
    file: None, so the request ends in a 404 rather than a 500.
    """
    try:
        candidate = (root / path).resolve()
        if candidate.is_file() and candidate.is_relative_to(root):
            return candidate
    except (ValueError, OSError):
        return None
    return None


def _asks_for_json(request: Request) -> bool:
    accept = request.headers.get("accept", "").lower()
    return "application/json" in accept and "text/html" not in accept


def _methods_elsewhere(app: FastAPI, scope: Scope, fallback: BaseRoute) -> list[str]:
    """Methods the other routes serve this path with (then the answer is 405, not 404).

    Asks each route whether it matches the request under another method (`BaseRoute.matches`,
    which included routers answer too), so no list of paths or methods is kept here.
    """
    methods: set[str] = set()
    for route in app.router.routes:
        if route is fallback or route.matches(scope)[0] is not Match.PARTIAL:
            continue
        methods.update(
            method
            for method in PROBED_METHODS
            if route.matches({**scope, "method": method})[0] is Match.FULL
        )
    return sorted(methods)


def add_page_routes(app: FastAPI, static_dir: Path) -> None:
    """Register the fallback last, after every API route."""
    root = static_dir.resolve()

    def fallback(path: str, request: Request) -> Response:
        allowed = _methods_elsewhere(app, request.scope, route)
        if allowed:
            raise HTTPException(
                status.HTTP_405_METHOD_NOT_ALLOWED,
                detail=f"{request.method} is not allowed on /{path}; use {', '.join(allowed)}",
                headers={"Allow": ", ".join(allowed)},
            )
        if request.method == "GET" and not _asks_for_json(request):
            if path in PAGE_ROUTES:
                page = root / "index.html"
                if page.is_file():
                    return FileResponse(page)
                return JSONResponse({"detail": BUILD_HINT})
            found = _inside(root, path)
            if found is not None:
                return FileResponse(found)
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no route /{path}")

    app.add_api_route("/{path:path}", fallback, methods=FALLBACK_METHODS, include_in_schema=False)
    route = app.router.routes[-1]
