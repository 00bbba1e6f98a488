"""`serve(host, port)`: run the report API under uvicorn (`healthpredict serve` calls this).

A port already in use is refused first, in one line (`PortInUseError`, exit 2), by binding it the
way uvicorn will, before uvicorn and the app are imported. The report's URL is printed on stdout
once uvicorn listens (after its start-up, from ``ReportServer.startup``), so whoever waits for
the line can open the page at once. uvicorn and the app are imported inside ``serve``: the CLI
builds its parser from this module's names.
"""

from __future__ import annotations

import argparse
import errno
import logging
import socket
import sys
from typing import TYPE_CHECKING, Final

from pipeline.core.errors import HealthPredictError
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


class PortInUseError(HealthPredictError):
    """Something already listens on the port (or the address cannot be listened on)."""

    exit_code = 2


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


def check_port_free(host: str, port: int) -> None:
    """Bind every address of ``host:port`` as uvicorn will (SO_REUSEADDR), then let go.

    ``PortInUseError`` names the port and the fix when one is taken or cannot be listened on.
    """
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise PortInUseError(f"cannot listen on {host}: {exc.strerror}; check --host") from None
    for family, kind, protocol, _, address in addresses:
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    raise PortInUseError(
                        f"port {port} on {host} is already in use: stop what listens there "
                        "or pass another --port"
                    ) from None
                raise PortInUseError(
                    f"cannot listen on {host}:{port}: {exc.strerror}; check --host and --port"
                ) from None


def serve(
    host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, tracking_uri: str | None = None
) -> None:
    """Check the port and the settings first (each stops here with one line), then serve.

    ``tracking_uri`` replaces ``$MLFLOW_TRACKING_URI`` (the command's ``--tracking-uri``).
    """
    check_port_free(host, port)
    from backend.settings import load_settings

    settings = load_settings(**({} if tracking_uri is None else {"tracking_uri": tracking_uri}))
    import uvicorn

    from backend.heap import freeze_long_lived
    from backend.main import create_app
    from backend.mlflow_reader import limit_http_waits

    limit_http_waits()
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_SECONDS)
    logger.info(startup_line(host, port, settings))
    app = create_app(settings)
    # Full garbage collections would walk the start-up heap and pause every route (backend/heap.py)
    freeze_long_lived()
    app.state.report.after_first_report = freeze_long_lived
    config = uvicorn.Config(app, host=host, port=port, log_level="info")
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
