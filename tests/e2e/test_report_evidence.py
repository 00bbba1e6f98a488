"""The built page in real Chromium over a store that recorded the evidence (CONTRACT.md).

The store is written by `tests.support.stores` with the contract's "Evidence" names, so this
runs without the experiment; the pipeline's own store is checked by test_report_page.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import browse, require_browser_tools
from tests.support.stores import CHANCE_BAND

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "e2e-evidence"


@pytest.fixture(scope="module")
def evidence_facts(request: pytest.FixtureRequest) -> dict[str, Any]:
    require_browser_tools()
    url: str = request.getfixturevalue("evidence_report_api")
    facts = browse(url, OUTPUT)
    facts["summary"] = httpx.get(f"{url}/summary", timeout=30).json()
    (OUTPUT / "facts.json").write_text(json.dumps(facts, indent=2))
    return facts


def test_every_auc_on_the_page_has_an_interval(evidence_facts: dict[str, Any]) -> None:
    aucs = evidence_facts["aucs"]
    assert len(aucs) >= 20, aucs  # cards, table, hero, final summary
    assert [a for a in aucs if not (a["interval"] or "").startswith("95% CI ")] == []
    assert evidence_facts["bareAucs"] == []


def test_did_retraining_help_shows_the_chart_and_the_backend_sentence(
    evidence_facts: dict[str, Any],
) -> None:
    sections = [h["text"] for h in evidence_facts["headings"] if h["level"] == 2]
    assert sections.index("Did retraining help?") == sections.index("Experiment summary") + 1
    assert evidence_facts["retrainingChart"]
    assert evidence_facts["retrainingTakeaway"] == evidence_facts["summary"]["retraining_takeaway"]
    assert evidence_facts["notRecorded"] == 0


def test_drift_chart_shades_the_chance_band_with_a_legend_entry(
    evidence_facts: dict[str, Any],
) -> None:
    band = evidence_facts["chanceBand"]
    assert band["areas"] == 5  # batches 1-5; batch 0 is the reference itself
    p50, p95, largest = CHANCE_BAND
    assert "expected by chance: 200 samples of the training period" in band["legend"]
    assert f"median {p50:.2f}, 95th percentile {p95:.2f}, largest {largest:.2f}" in band["legend"]
    assert evidence_facts["consoleErrors"] == []
