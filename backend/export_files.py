"""`healthpredict report export`: the report file (and its PDF) from the store the API would read.

It reads MLflow the way the API does: the same settings (environment variables, defaults), the
same app, in-process. Every check that can fail fast runs before MLflow is read (the time stamp,
the built page, Chromium when a PDF is asked for), and each file appears only once complete.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from pathlib import Path

from backend.export import built_page, export_html, parse_generated_at
from backend.main import create_app
from backend.mlflow_reader import limit_http_waits
from backend.pdf import find_chromium, print_pdf
from backend.settings import Settings


@dataclass(frozen=True)
class ExportedFiles:
    html: Path
    html_bytes: int
    pdf: Path | None
    seconds: float


def write_atomically(path: Path, content: bytes) -> None:
    """Write next to `path` (in a folder that exists), then rename: never half a file."""
    partial = path.with_name(f".{path.name}.part")
    partial.write_bytes(content)
    os.replace(partial, path)


def write_report(
    settings: Settings,
    html: Path,
    pdf: Path | None = None,
    generated_at: str | None = None,
) -> ExportedFiles:
    """Export the report to `html` (and print it to `pdf`); `ExportError` names what failed."""
    started = time.perf_counter()
    stamp = parse_generated_at(generated_at) if generated_at is not None else None
    chromium = find_chromium() if pdf is not None else None
    built_page(settings.static_dir)
    limit_http_waits()  # an unreachable store fails in seconds, not after MLflow's ~250 s retries
    content = asyncio.run(export_html(create_app(settings), settings.static_dir, stamp))
    write_atomically(html, content)
    if pdf is not None and chromium is not None:
        print_pdf(chromium, html, pdf)
    return ExportedFiles(html, len(content), pdf, time.perf_counter() - started)
