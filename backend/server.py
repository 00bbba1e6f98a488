"""`serve(host, port)`: run the report API under uvicorn (`healthpredict serve` calls this).

The report's URL is printed on stdout once uvicorn listens (after its start-up, from
``ReportServer.startup``), so whoever waits for the line can open the page at once. uvicorn and
the app are imported inside ``serve``: the CLI builds its parser from this module's names.
"""

from __future__ import annotations

import argparse
import logging
import socket
import sys
from typing import TYPE_CHECKING, Final

from pipeline.core.uris import redact_uri

if TYPE_CHECKING:
    import uvicorn

    from backend.settings import Settings

logger = logging.getLogger(__name__)

DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 8000
MAX_PORT: Final = 65535
# A report reload is CPU-bound Python in a worker thread; hand the GIL back to the event loop
# (which answers every read from the cached copy) every millisecond instead of every 5 ms.
GIL_SWITCH_INTERVAL_SECONDS: Final = 0.001


def port_number(text: str) -> int:
    """An argparse type: a TCP port 1-65535, so a bad one gets argparse's own one-line error."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= value <= MAX_PORT:
        raise argparse.ArgumentTypeError(f"must be 1-{MAX_PORT}, got {value}")
    return value


def startup_line(host: str, port: int, settings: Settings) -> str:
    """The line `serve` logs first; the tracking URI without its credentials."""
    return f"report API on {report_url(host, port)} reading {redact_uri(settings.tracking_uri)}"


def report_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Validate the settings first (a bad value stops here with one line), then serve."""
    import uvicorn

    from backend.main import create_app
    from backend.mlflow_reader import limit_http_waits
    from backend.settings import load_settings

    settings = load_settings()
    limit_http_waits()
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_SECONDS)
    logger.info(startup_line(host, port, settings))
    config = uvicorn.Config(create_app(settings), host=host, port=port, log_level="info")
    _report_server_class()(config).run()


def _report_server_class() -> type[uvicorn.Server]:
    """Defined on demand so that importing this module does not import uvicorn."""
    import uvicorn

    class ReportServer(uvicorn.Server):
        """uvicorn's server, announcing the report's URL once its sockets listen."""

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                bound = self.servers[0].sockets[0].getsockname()[1] if self.servers else None
                url = report_url(self.config.host, int(bound or self.config.port))
                sys.stdout.write(f"Health Predict report: {url}   (Ctrl-C stops the server)\n")
                sys.stdout.flush()

    return ReportServer
