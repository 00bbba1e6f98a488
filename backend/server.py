"""`serve(host, port)`: run the report API under uvicorn (`healthpredict serve` calls this)."""

from __future__ import annotations

import logging
import sys

import uvicorn

from backend.main import create_app
from backend.mlflow_reader import limit_http_waits
from backend.settings import Settings, load_settings
from pipeline.uris import redact_uri

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# A report reload is CPU-bound Python in a worker thread; hand the GIL back to the event loop
# (which answers every read from the cached copy) every millisecond instead of every 5 ms.
GIL_SWITCH_INTERVAL_SECONDS = 0.001


def startup_line(host: str, port: int, settings: Settings) -> str:
    """The line `serve` logs first; the tracking URI without its credentials."""
    return f"report API on http://{host}:{port} reading {redact_uri(settings.tracking_uri)}"


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Validate the settings first (a bad value stops here with one line), then serve."""
    settings = load_settings()
    limit_http_waits()
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_SECONDS)
    logger.info(startup_line(host, port, settings))
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
