"""The exported report in Debian's chromium, from file:// with the network off, and as a PDF.

The default experiment (`experiment_store`, the session's real run) is exported with
`healthpredict report export --pdf`; the page is opened with every request blocked and compared
with what the API answers for the same store; the PDF is read back with poppler's pdftotext and
its first page drawn with pdftoppm. A synthetic store whose column name and decision tag are
`</script>` plus HTML shows that text as text. Figures (export time, sizes, pages, time until
the data is on screen) go to test-output/export/figures.json, never into assertions.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from backend.main import create_app
from tests.support.api import api_settings
from tests.support.browser import CHROMIUM, browser_node
from tests.support.stores import StoreSpec, build_store

if TYPE_CHECKING:
    from tests.conftest import ExperimentStore

# The first test here may pay for the session's experiment run (`experiment_store`).
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1800)]

REPO_ROOT = Path(__file__).resolve().parents[2]
DIST = REPO_ROOT / "frontend" / "dist"
SCRIPT = REPO_ROOT / "tests" / "e2e" / "export_page.mjs"
OUTPUT = REPO_ROOT / "test-output" / "export"
MAX_BYTES = 2_000_000
SECTIONS = (
    "Experiment summary",
    "Did retraining help?",
    "What other policies would have done",
    "Batch by batch",
    "Final summary",
    "Provenance",
)
PDF_HEADINGS = (*SECTIONS, "Drift progression", "Metrics by batch")
ROC_CAPTION = "The dashed diagonal is a model that guesses at random."
HOSTILE = "</script><img src=x onerror=alert(1)>"


def _require_tools() -> str:
    """Skip (with the reason) before anything slow when a tool is missing."""
    if not (DIST / "index.html").is_file():
        pytest.skip("frontend/dist is missing: run `make build` first")
    return browser_node()


def _open_offline(node: str, html: Path, batches: int, text: str = "") -> dict[str, Any]:
    completed = subprocess.run(
        [node, str(SCRIPT), "--file", str(html), "--batches", str(batches), "--text", text,
         "--out", str(OUTPUT), "--chromium", str(CHROMIUM)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, f"browser script failed:\n{completed.stderr[-3000:]}"
    facts: dict[str, Any] = json.loads(completed.stdout)
    return facts


def _export(tracking_uri: str, out: Path, *extra: str) -> float:
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "healthpredict", "report", "export", "--out", str(out),
         "--tracking-uri", tracking_uri, *extra],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "HEALTHPREDICT_STATIC_DIR": str(DIST)},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:]
    return time.perf_counter() - started


def _record(figures: dict[str, Any]) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / "figures.json"
    known = json.loads(path.read_text()) if path.is_file() else {}
    path.write_text(json.dumps({**known, **figures}, indent=2, sort_keys=True))


@pytest.fixture(scope="module")
def real_export(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """The default experiment exported to HTML and PDF, opened offline, and its API answers."""
    node = _require_tools()
    if shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils (pdftotext, pdftoppm) is not installed")
    store: ExperimentStore = request.getfixturevalue("experiment_store")
    folder = tmp_path_factory.mktemp("real-export")
    html, pdf = folder / "report.html", folder / "report.pdf"
    html_seconds = _export(store.tracking_uri, html)
    with_pdf_seconds = _export(store.tracking_uri, folder / "again.html", "--pdf", str(pdf))
    settings = api_settings(store.tracking_uri, folder, static_dir=DIST)
    with TestClient(create_app(settings)) as api:
        answers = {
            path: api.get(path).json()
            for path in ("/batches", "/summary", "/provenance", "/policies")
        }
        numbers = [b["batch"] for b in answers["/batches"]["batches"]]
        rocs = {n: api.get(f"/roc/{n}").json() for n in numbers}
    facts = _open_offline(node, html, batches=len(numbers))
    pages = _page_count(pdf)
    _record(
        {
            "default_experiment": {
                "export_seconds_html": round(html_seconds, 2),
                "export_seconds_html_and_pdf": round(with_pdf_seconds, 2),
                "html_bytes": html.stat().st_size,
                "pdf_bytes": pdf.stat().st_size,
                "pdf_pages": pages,
                "render_ms_until_data_on_screen": facts["renderMs"],
            }
        }
    )
    return {"html": html, "pdf": pdf, "again": folder / "again.html", "facts": facts,
            "answers": answers, "rocs": rocs, "pages": pages}  # fmt: skip


def _page_count(pdf: Path) -> int:
    found = re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(pdf)))
    assert found is not None, f"pdfinfo found no page count in {pdf}"
    return int(found.group(1))


def _run(*command: str) -> str:
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    return completed.stdout


def test_the_default_experiment_fits_in_one_small_file(real_export: dict[str, Any]) -> None:
    assert real_export["html"].stat().st_size <= MAX_BYTES
    # The same store twice: the same bytes.
    assert real_export["html"].read_bytes() == real_export["again"].read_bytes()


def test_offline_the_file_asks_for_nothing_and_logs_no_error(real_export: dict[str, Any]) -> None:
    facts = real_export["facts"]
    assert facts["mode"] == "embedded"
    assert facts["requests"] == []
    assert facts["consoleErrors"] == [] and facts["pageErrors"] == []
    assert facts["refreshButtons"] == 0


def test_offline_every_section_card_and_curve_is_there(real_export: dict[str, Any]) -> None:
    facts, answers = real_export["facts"], real_export["answers"]
    assert [s for s in facts["sections"] if s in SECTIONS] == list(SECTIONS)
    batches = answers["/batches"]["batches"]
    assert [card["heading"] for card in facts["cards"]] == [f"Batch {b['batch']}" for b in batches]
    assert facts["tableRows"] == len(batches)
    # One bar per batch whose drift was measured (batch 0 is the reference: no bar).
    assert facts["driftBars"] == sum(1 for b in batches if b["drift"] and b["drift"]["measured"])
    for card in facts["cards"]:
        roc = real_export["rocs"][card["batch"]]
        curves = sum(1 for which in ("production", "new") if roc.get(which))
        assert card["rocCharts"] == 1 and card["rocLines"] == curves, card["heading"]


def test_offline_the_figures_are_the_apis(real_export: dict[str, Any]) -> None:
    facts, answers = real_export["facts"], real_export["answers"]
    cards = {card["batch"]: card["text"] for card in facts["cards"]}
    for result in answers["/batches"]["batches"]:
        text = cards[result["batch"]]
        assert result["decision"] in text
        assert f"{result['production']['auc']:.3f}" in text
        if result["new"] is not None:
            assert f"{result['new']['auc']:.3f}" in text
        if result["batch"] > 0:
            assert f"{result['drift']['share']:.2f}" in text
    summary = answers["/summary"]
    assert f"v{summary['production_model']['version']}" in facts["hero"]
    assert summary["takeaway"] in facts["finalSummary"]
    stamp = answers["/provenance"]
    assert stamp["tracking_uri"] in facts["provenance"]
    for row in stamp["batches"]:
        assert row["drift_run_id"] in facts["provenance"]
        assert row["quality_gate_run_id"] in facts["provenance"]
    assert all(sha in facts["provenance"] for sha in stamp["data_sha256"])


def test_the_pdf_holds_every_section_and_batch_with_whole_cards(
    real_export: dict[str, Any],
) -> None:
    pdf: Path = real_export["pdf"]
    info = _run("pdfinfo", str(pdf))
    assert "(A4)" in info
    text = _run("pdftotext", "-layout", str(pdf), "-")
    for heading in PDF_HEADINGS:
        assert heading in text, heading
    batches = [b["batch"] for b in real_export["answers"]["/batches"]["batches"]]
    # Charts drawn: every card's ROC chart prints with its caption.
    assert text.count(ROC_CAPTION) == len(batches)
    # A card is not split: its heading and its last line (the chart's caption) share a page.
    pages = [_run("pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-")
             for n in range(1, real_export["pages"] + 1)]  # fmt: skip
    caption_pages = [n for n, page in enumerate(pages) for _ in range(page.count(ROC_CAPTION))]
    # The cards follow "Batch by batch" in order; the policy table before them says "Batch N" too.
    cursor = next(n for n, page in enumerate(pages) if "Batch by batch" in page)
    for batch, caption_page in zip(batches, caption_pages, strict=True):
        heading_page = next(n for n in range(cursor, len(pages)) if f"Batch {batch}\n" in pages[n])
        cursor = caption_page
        assert heading_page == caption_page, f"Batch {batch} is split across pages"


def test_the_pdf_shows_every_policy_on_every_batch(real_export: dict[str, Any]) -> None:
    """The printed policy section loses nothing: each policy's AUC interval on each of the five
    batches (the per-batch table) and its summary row are on the page, as the API serves them."""
    policies = real_export["answers"]["/policies"]
    if not policies.get("available"):
        pytest.skip("the store holds no policy replay")
    text = " ".join(_run("pdftotext", str(real_export["pdf"]), "-").split())
    for policy in policies["policies"]:
        assert (policy["title"] or policy["label"]) in text, policy["label"]
        assert len(policy["batches"]) == 5
        for row in policy["batches"]:
            interval = f"{row['ci_low']:.3f}\u2013{row['ci_high']:.3f}"
            assert interval in text, (policy["label"], row["batch"], interval)
        if policy["mean_auc_next"] is not None:
            assert f"{policy['mean_auc_next']:.3f}" in text, policy["label"]


def test_the_pdf_first_page_renders(real_export: dict[str, Any]) -> None:
    prefix = OUTPUT / "report-page"
    _run("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
         str(real_export["pdf"]), str(prefix))  # fmt: skip
    picture = prefix.with_suffix(".png")
    assert picture.stat().st_size > 10_000  # a drawn page, kept as the test's artifact
    shutil.copyfile(real_export["pdf"], OUTPUT / "report.pdf")
    shutil.copyfile(real_export["html"], OUTPUT / "report.html")


def test_html_in_names_shows_as_text_in_the_exported_file(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    node = _require_tools()
    folder = tmp_path_factory.mktemp("hostile-export")
    spec = StoreSpec(drifted_column=HOSTILE, odd_decision=HOSTILE)
    store = build_store(folder / "store", spec)
    html = folder / "report.html"
    _export(store.tracking_uri, html)
    facts = _open_offline(node, html, batches=len(store.expected), text=HOSTILE)
    assert facts["scripts"] == 2  # the page's script and the data: nothing injected
    # Once as batch 3's drifted column, once as batch 7's decision as written.
    assert facts["literalCount"] >= 2, facts
    assert facts["imgX"] == 0 and facts["dialogs"] == []
    assert facts["requests"] == [] and facts["pageErrors"] == []
