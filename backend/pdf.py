"""The exported report as a PDF, printed by headless Chromium from the exported HTML file.

The page's print CSS does the layout (A4, batch cards kept whole, the exported file's ROC curves
shown); Chromium only renders the file, which needs no network. Only `--pdf` needs Chromium: the
HTML export never looks for it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Final

from backend.export import ExportError

CHROMIUM_NAMES: Final = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT: Final = (
    "--pdf needs Chromium, which is not on PATH: install it (Debian/Ubuntu: "
    "`sudo apt-get install chromium`) or export the HTML alone, which does not need it"
)
# Virtual time lets the page's scripts finish drawing before Chromium prints; no clock waits.
RENDER_BUDGET_MS: Final = 15_000
PRINT_TIMEOUT_SECONDS: Final = 180


class ChromiumMissingError(ExportError):
    """No Chromium to print with."""


def find_chromium() -> str:
    """The first Chromium on PATH, else `ChromiumMissingError` with the install hint."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise ChromiumMissingError(INSTALL_HINT, 501)


def print_pdf(chromium: str, html: Path, pdf: Path) -> None:
    """Print `html` (a self-contained file) to `pdf`; `pdf` appears only when printing worked."""
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="healthpredict-pdf-") as tmp:
        target = Path(tmp) / "report.pdf"
        command = [
            chromium,
            "--headless",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--run-all-compositor-stages-before-draw",
            f"--virtual-time-budget={RENDER_BUDGET_MS}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            html.resolve().as_uri(),
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium refuses to run as root with a sandbox
        try:
            completed = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=PRINT_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ExportError(
                f"Chromium did not print {html} within {PRINT_TIMEOUT_SECONDS} s", 504
            ) from None
        if completed.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
            lines = [line for line in completed.stderr.splitlines() if line.strip()]
            reason = lines[-1].strip() if lines else f"exit status {completed.returncode}"
            raise ExportError(f"Chromium could not print {html}: {reason}", 500)
        partial = pdf.with_name(f".{pdf.name}.part")
        shutil.copyfile(target, partial)
        os.replace(partial, pdf)
