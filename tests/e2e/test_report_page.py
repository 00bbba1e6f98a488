"""The built report in real headless Chromium against the real API and a real MLflow store."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

# The first test here may pay for the session's experiment run (`experiment_store`).
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1800)]

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCRIPT = REPO_ROOT / "tests" / "e2e" / "report_page.mjs"
OUTPUT = REPO_ROOT / "test-output" / "e2e"
README_SCREENSHOT = REPO_ROOT / "docs" / "screenshot.png"
SCREENSHOT_BUDGET_BYTES = 400_000
BATCHES = 6


@pytest.fixture(scope="module")
def page_facts(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Run the browser script once; every test below reads what it saw.

    The tools are checked first, so a machine without them skips before the experiment runs.
    """
    if not CHROMIUM.is_file():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's `chromium` package")
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    if not (REPO_ROOT / "frontend" / "node_modules" / "playwright-core").is_dir():
        pytest.skip("frontend/node_modules is missing: run `npm ci` in frontend/")
    report_api: str = request.getfixturevalue("report_api")
    completed = subprocess.run(
        [node, str(SCRIPT), "--url", f"{report_api}/", "--out", str(OUTPUT),
         "--chromium", str(CHROMIUM)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, f"browser script failed:\n{completed.stderr[-3000:]}"
    facts: dict[str, Any] = json.loads(completed.stdout)
    (OUTPUT / "facts.json").write_text(json.dumps(facts, indent=2))
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(facts["screenshots"]["readme"], README_SCREENSHOT)
    return facts


def test_sections_appear_in_heading_order(page_facts: dict[str, Any]) -> None:
    headings = page_facts["headings"]
    assert headings[0] == {"level": 1, "text": "Health Predict — Continuous Improvement Experiment"}
    levels = [heading["level"] for heading in headings]
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    sections = [heading["text"] for heading in headings if heading["level"] == 2]
    assert sections[:4] == [
        "Experiment summary",
        "What other policies would have done",
        "Batch by batch",
        "Final summary",
    ]
    assert "Drift progression" in [heading["text"] for heading in headings]


def test_other_policies_are_drawn_with_the_one_that_ran_highlighted(
    page_facts: dict[str, Any],
) -> None:
    from pipeline import policies

    shown = page_facts["policies"]
    replayed = len(policies.DEFAULT_REPLAY)
    assert shown["lines"] == replayed and shown["tables"] == replayed
    assert shown["configuredLines"] == 1
    assert shown["notes"][0].startswith("5 batches and one seed (42)"), shown["notes"]


def test_one_card_and_one_bar_per_batch(page_facts: dict[str, Any]) -> None:
    cards = page_facts["batchCards"]
    assert [card["heading"] for card in cards] == [f"Batch {n}" for n in range(BATCHES)]
    assert cards[0]["badge"] == "Baseline"
    assert page_facts["bars"] == BATCHES
    assert page_facts["tableRows"] == BATCHES
    assert page_facts["chartDescribedBy"] == "metrics-table"


def test_threshold_line_is_drawn_with_its_value(page_facts: dict[str, Any]) -> None:
    threshold = page_facts["threshold"]
    assert threshold["line"] and threshold["dashed"]
    assert threshold["label"] == "threshold 0.30"


def test_opening_a_roc_card_draws_the_curves(page_facts: dict[str, Any]) -> None:
    roc = page_facts["roc"]
    assert roc["expanded"]
    assert roc["notice"] is None, roc["notice"]
    assert roc["drawn"] and roc["curves"] >= 1
    assert any("AUC" in entry for entry in roc["legend"]), roc["legend"]


def test_final_summary_and_no_console_errors(page_facts: dict[str, Any]) -> None:
    assert "batches triggered retraining" in page_facts["finalSummary"]
    assert page_facts["consoleErrors"] == []


def test_phone_width_and_print(page_facts: dict[str, Any]) -> None:
    mobile = page_facts["mobile"]
    assert mobile["pageWidth"] <= mobile["viewportWidth"], mobile
    assert mobile["tableScrolls"] and mobile["bars"] == BATCHES
    assert page_facts["print"] == {"menuHidden": True, "rocHidden": True, "buttonsHidden": True}


def test_screenshots_are_written(page_facts: dict[str, Any]) -> None:
    for path in page_facts["screenshots"].values():
        assert Path(path).stat().st_size > 10_000, path
    assert Path(page_facts["screenshots"]["readme"]).stat().st_size < SCREENSHOT_BUDGET_BYTES
