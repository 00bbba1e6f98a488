"""The read-only commands: ``serve`` (the report API and page) and ``report export`` (a file).

Reading never writes: both refuse, in one line, a SQLite store whose file does not exist instead
of letting MLflow create an empty one, and ``report export`` refuses a destination folder that
does not exist instead of creating it. These checks run before the heavy imports.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Final

from healthpredict.cli import options
from pipeline.core import options as shared
from pipeline.core.errors import HealthPredictError, TrackingError
from pipeline.core.uris import redact_uri

DEFAULT_REPORT_FILE: Final = "report.html"


def add_serve(commands: options.Subcommands) -> None:
    from backend.server import DEFAULT_HOST, DEFAULT_PORT, port_number

    serve = options.command(
        commands,
        "serve",
        "serve the report (API + page)",
        "Serve the report API and page, read from the MLflow store the experiment wrote; the "
        "URL is printed once it listens. Refuses at once a SQLite store that does not exist "
        "and a port already in use (exit 2).",
        serve_report,
        (options.add_reading_tracking,),
    )
    serve.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help="address to listen on; 0.0.0.0 for every interface (default: %(default)s)",
    )
    serve.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help="TCP port to listen on, 1-65535 (default: %(default)s)",
    )


def add_report(commands: options.Subcommands) -> None:
    export = options.command(
        options.group(
            commands, "report", "the experiment report as a file", "The report as a file."
        ),
        "export",
        "one self-contained HTML file (and a PDF) that opens offline",
        "Write the report, read from MLflow the way `serve` reads it, as one HTML file with "
        "every section, chart and its data inside; it opens from file:// without network. The "
        "same store gives the same bytes. The files' folders must exist; nothing is written "
        "unless the export succeeds.",
        report_export,
        (options.add_reading_tracking,),
    )
    export.add_argument(
        "--out",
        type=Path,
        default=Path(DEFAULT_REPORT_FILE),
        metavar="FILE",
        help="the HTML file to write, in an existing folder (default: %(default)s)",
    )
    export.add_argument(
        "--pdf",
        type=Path,
        default=None,
        metavar="FILE",
        help="also print the report to this PDF (A4) with headless Chromium",
    )
    export.add_argument(
        "--generated-at",
        default=None,
        metavar="ISO-TIME",
        help="a generation time to stamp into the file, e.g. 2026-11-27T10:00:00Z "
        "(default: none; the file holds no clock)",
    )


def existing_store(args: argparse.Namespace) -> str:
    """The store to read; ``TrackingError`` when it is a SQLite file that does not exist."""
    tracking_uri = shared.tracking_uri(args)
    if not options.store_exists(tracking_uri):
        raise TrackingError(
            f"no MLflow store at {redact_uri(tracking_uri)}: run `healthpredict experiment run` "
            f"first, or pass {shared.TRACKING_URI_FLAG} with the store it wrote"
        )
    return tracking_uri


def _check_destination(path: Path, flag: str) -> None:
    """A file the export may write: its folder exists, and it is not itself a folder."""
    if path.is_dir():
        raise HealthPredictError(f"{flag} {path} is a folder: name the file to write in it")
    folder = path.parent
    if not folder.is_dir():
        raise HealthPredictError(
            f"{flag} {path}: folder {folder} does not exist; create it first or write "
            "somewhere that exists"
        )


def serve_report(args: argparse.Namespace) -> int:
    tracking_uri = existing_store(args)
    from backend.server import serve

    serve(args.host, args.port, tracking_uri)
    return 0


def report_export(args: argparse.Namespace) -> int:
    _check_destination(args.out, "--out")
    if args.pdf is not None:
        _check_destination(args.pdf, "--pdf")
    tracking_uri = existing_store(args)
    from backend.export_files import write_report
    from backend.settings import load_settings

    exported = write_report(
        load_settings(tracking_uri=tracking_uri), args.out, args.pdf, args.generated_at
    )
    pdf = f" and {exported.pdf}" if exported.pdf else ""
    sys.stdout.write(
        f"wrote {exported.html} ({exported.html_bytes / 1e6:.2f} MB){pdf} "
        f"in {exported.seconds:.1f} s\n"
    )
    return 0
