"""Wires the report API together: settings, the report service, routers, middleware, the docs
and the page."""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from backend.docs import add_docs_routes
from backend.middleware import (
    SECURITY_HEADERS,
    BadHostMiddleware,
    HeadAsGetMiddleware,
    SecurityHeadersMiddleware,
)
from backend.page import add_page_routes
from backend.routes import (
    baseline,
    batches,
    calibration,
    export,
    meta,
    policies,
    provenance,
    roc,
    summary,
)
from backend.service import ReportService
from backend.settings import Settings, load_settings
from pipeline.core.errors import TrackingError
from pipeline.core.uris import install_log_redaction, redact_text


def operation_id(route: APIRoute) -> str:
    """Clean operation ids (`list_batches`) for the generated TypeScript client."""
    return route.name


async def mlflow_unreachable(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE, content={"detail": redact_text(str(exc))}
    )


async def internal_error(_: Request, exc: Exception) -> JSONResponse:
    """A bug's 500: one line of JSON with the security headers. Starlette sends it from its
    outermost layer, past every middleware, so the headers are set here."""
    return JSONResponse(
        status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
        content={"detail": "internal error: see the API's log"},
        headers=SECURITY_HEADERS,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API for one settings object; nothing touches MLflow until the first request."""
    install_log_redaction()
    settings = settings or load_settings()
    app = FastAPI(
        title="Health Predict report API",
        description="Reads the experiment's MLflow runs and registry and serves the report.",
        version="0.1.0",
        generate_unique_id_function=operation_id,
        docs_url=None,  # served offline by add_docs_routes
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.report = ReportService(settings)
    app.add_exception_handler(TrackingError, mlflow_unreachable)
    app.add_exception_handler(Exception, internal_error)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(HeadAsGetMiddleware)
    app.add_middleware(BadHostMiddleware)
    for module in (
        summary,
        batches,
        roc,
        calibration,
        policies,
        provenance,
        export,
        baseline,
        meta,
    ):
        app.include_router(module.router)
    add_docs_routes(app)
    add_page_routes(app, settings.static_dir)
    return app
