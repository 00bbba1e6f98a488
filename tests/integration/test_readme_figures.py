"""The README's figures are the code's: the story table and the export sizes, from the suite's run.

The session's seed-42 experiment (`experiment_store`, tests/conftest.py) is read through the report
API, as the page reads it, and exported as `healthpredict report export --pdf` exports it
(`backend.export_files.write_report`, in-process). The README's table must show what the page
shows, row by row at the README's precision (batch 0's drift share "—", as on the page); the
README's HTML and PDF sizes must be within SIZE_TOLERANCE of the export's, and the PDF's page
count exact. When the pipeline's numbers change, this test names the README line to update.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from backend.export_files import write_report
from backend.main import create_app
from backend.pdf import find_chromium
from tests.support.api import api_settings

if TYPE_CHECKING:
    from tests.conftest import ExperimentStore

pytestmark = [pytest.mark.integration, pytest.mark.timeout(1800)]

REPO_ROOT = Path(__file__).resolve().parents[2]
README = REPO_ROOT / "README.md"
DIST = REPO_ROOT / "frontend" / "dist"
# Sizes move with every page change by a few kB; the README rounds to 0.01 MB.
SIZE_TOLERANCE = 0.10
NO_VALUE = "—"
STORY_ROW = re.compile(
    r"^\| (?P<batch>\d+) \| [^|]+ \| (?P<drift>[^|]+) \| `(?P<decision>\w+)` "
    r"\| (?P<prod>[^|]+) \| (?P<new>[^|]+) \|$"
)
EXPORT_FIGURES = re.compile(
    r"the\s+file\s+is\s+(?P<html>\d+\.\d+)\s+MB;.*?the\s+PDF\s+is\s+(?P<pages>\d+)\s+A4\s+pages,"
    r"\s+(?P<pdf>\d+\.\d+)\s+MB",
    re.DOTALL,
)


def _fixed(value: float | None, places: int) -> str:
    return NO_VALUE if value is None else f"{value:.{places}f}"


def readme_story_rows() -> dict[int, dict[str, str]]:
    rows = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        found = STORY_ROW.match(line.strip())
        if found:
            row = {key: text.strip() for key, text in found.groupdict().items()}
            rows[int(row.pop("batch"))] = row
    return rows


@pytest.fixture(scope="module")
def page_batches(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> list[dict[str, Any]]:
    store: ExperimentStore = request.getfixturevalue("experiment_store")
    settings = api_settings(store.tracking_uri, tmp_path_factory.mktemp("readme-api"))
    with TestClient(create_app(settings)) as api:
        batches: list[dict[str, Any]] = api.get("/batches").json()["batches"]
    return batches


def test_the_story_table_is_what_the_page_shows(page_batches: list[dict[str, Any]]) -> None:
    readme = readme_story_rows()
    assert sorted(readme) == [b["batch"] for b in page_batches]
    for batch in page_batches:
        drift = batch["drift"]
        shown = {
            "drift": _fixed(drift["share"] if drift and drift["measured"] else None, 2),
            "decision": batch["decision"],
            "prod": _fixed(batch["production"]["auc"], 3),
            "new": _fixed(batch["new"]["auc"] if batch["new"] else None, 3),
        }
        assert readme[batch["batch"]] == shown, f"README.md story table, batch {batch['batch']}"


def test_the_export_figures_are_the_exports(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    if not (DIST / "index.html").is_file():
        pytest.skip("frontend/dist is missing: run `make build` first")
    if shutil.which("pdfinfo") is None:
        pytest.skip("poppler-utils (pdfinfo) is not installed")
    find_chromium()  # one line naming the fix when Chromium is missing
    found = EXPORT_FIGURES.search(" ".join(README.read_text(encoding="utf-8").split()))
    assert found is not None, "README.md no longer says the file's size and the PDF's pages"
    store: ExperimentStore = request.getfixturevalue("experiment_store")
    settings = api_settings(store.tracking_uri, tmp_path, static_dir=DIST)
    html, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    write_report(settings, html, pdf)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = re.search(r"Pages:\s+(\d+)", info.stdout)
    assert pages is not None
    html_mb, pdf_mb = html.stat().st_size / 1e6, pdf.stat().st_size / 1e6
    assert int(found["pages"]) == int(pages.group(1)), "README.md: the PDF's page count"
    assert float(found["html"]) == pytest.approx(html_mb, rel=SIZE_TOLERANCE), f"{html_mb:.2f}"
    assert float(found["pdf"]) == pytest.approx(pdf_mb, rel=SIZE_TOLERANCE), f"{pdf_mb:.2f}"
