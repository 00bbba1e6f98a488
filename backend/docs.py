"""/docs (Swagger UI) and /redoc served with no network: the assets come from the installed
`fastapi-offline` package, and the pages run no inline script, so the API's CSP holds for them.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs/assets"
ASSETS_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
SWAGGER_INIT_URL = f"{ASSETS_URL}/swagger-init.js"

# FastAPI's own Swagger UI settings, as an external script (an inline one would need the CSP
# relaxed). The schema's URL comes from the script tag, so the page and the script agree.
SWAGGER_INIT = """\
const script = document.currentScript;
window.ui = SwaggerUIBundle({
  url: script.dataset.openapi,
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
"""


def _page(title: str, head: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n"
        f'<link rel="icon" type="image/png" href="{ASSETS_URL}/favicon.png">\n{head}'
        f"</head>\n<body>\n{body}</body>\n</html>\n"
    )


def add_docs_routes(app: FastAPI, docs_url: str = "/docs", redoc_url: str = "/redoc") -> None:
    """Serve the docs pages and their assets; the app is created with docs_url=None."""
    openapi_url = escape(app.openapi_url or "/openapi.json")
    swagger = _page(
        f"{app.title} - Swagger UI",
        f'<link rel="stylesheet" href="{ASSETS_URL}/swagger-ui.css">\n',
        '<div id="swagger-ui"></div>\n'
        f'<script src="{ASSETS_URL}/swagger-ui-bundle.js"></script>\n'
        f'<script src="{SWAGGER_INIT_URL}" data-openapi="{openapi_url}"></script>\n',
    )
    redoc = _page(
        f"{app.title} - ReDoc",
        "",
        f'<redoc spec-url="{openapi_url}"></redoc>\n'
        f'<script src="{ASSETS_URL}/redoc.standalone.js"></script>\n',
    )

    @app.get(docs_url, include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return HTMLResponse(swagger)

    @app.get(SWAGGER_INIT_URL, include_in_schema=False)
    async def swagger_init() -> Response:
        return Response(SWAGGER_INIT, media_type="text/javascript")

    @app.get(redoc_url, include_in_schema=False)
    async def redoc_ui() -> HTMLResponse:
        return HTMLResponse(redoc)

    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="docs-assets")
