"""`serve(host, port)`: run the report API under uvicorn (`healthpredict serve` calls this)."""

from __future__ import annotations

import logging

import uvicorn

from backend.main import create_app
from backend.mlflow_reader import limit_http_waits
from backend.settings import Settings, load_settings
from pipeline.uris import redact_uri

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def startup_line(host: str, port: int, settings: Settings) -> str:
    """The line `serve` logs first; the tracking URI without its credentials."""
    return f"report API on http://{host}:{port} reading {redact_uri(settings.tracking_uri)}"


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Validate the settings first (a bad value stops here with one line), then serve."""
    settings = load_settings()
    limit_http_waits()
    logger.info(startup_line(host, port, settings))
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
