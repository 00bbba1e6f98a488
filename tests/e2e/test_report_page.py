"""The built report in real headless Chromium against the real API and a real MLflow store."""

from __future__ import annotations

import itertools
import json
import struct
from pathlib import Path
from typing import Any

import pytest

from pipeline.core.contract import RETRAINED_DECISIONS
from tests.e2e.conftest import browse, require_browser_tools

# The first test here may pay for the session's experiment run (`experiment_store`).
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1800)]

REPO_ROOT = Path(__file__).resolve().parents[2]
OUTPUT = REPO_ROOT / "test-output" / "e2e"
SCREENSHOT_BUDGET_BYTES = 400_000
BATCHES = 6
MEASURED_BATCHES = 5  # batch 0 is the reference: no drift share, no bar


@pytest.fixture(scope="module")
def page_facts(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Run the browser script once; every test below reads what it saw.

    The tools are checked first, so a machine without them skips before the experiment runs.
    `make screenshot` copies the README's screenshot from what this run wrote.
    """
    require_browser_tools()
    report_api: str = request.getfixturevalue("report_api")
    facts = browse(report_api, OUTPUT)
    (OUTPUT / "facts.json").write_text(json.dumps(facts, indent=2))
    return facts


def test_sections_appear_in_heading_order(page_facts: dict[str, Any]) -> None:
    headings = page_facts["headings"]
    assert headings[0] == {"level": 1, "text": page_facts["summaryTitle"]}
    assert page_facts["title"] == page_facts["summaryTitle"]
    levels = [heading["level"] for heading in headings]
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    sections = [heading["text"] for heading in headings if heading["level"] == 2]
    assert sections[:6] == [
        "Bottom line",
        "Experiment summary",
        "Did retraining help?",
        "What other policies would have done",
        "Batch by batch",
        "Final summary",
    ]
    assert "Drift progression" in [heading["text"] for heading in headings]


def test_other_policies_are_drawn_with_the_one_that_ran_highlighted(
    page_facts: dict[str, Any],
) -> None:
    from pipeline.replay import policies

    shown = page_facts["policies"]
    replayed = len(policies.DEFAULT_REPLAY)
    assert shown["rows"] == replayed
    assert shown["configuredRows"] == 1
    # one dot per policy compared with the one that ran, and a verdict word for each row
    assert shown["dots"] == replayed - 1
    assert "the policy that ran" in shown["verdicts"]
    assert all(
        v.startswith(("inconclusive", "better than", "worse than", "the policy that ran"))
        for v in shown["verdicts"]
    ), shown["verdicts"]
    assert shown["notes"][0].startswith("5 batches and one seed (42)"), shown["notes"]
    assert any("after Holm's adjustment" in note for note in shown["notes"]), shown["notes"]


def test_the_title_and_the_bottom_line(page_facts: dict[str, Any]) -> None:
    assert page_facts["summaryTitle"] == "Health Predict \u2014 Continuous Improvement Experiment"
    lines = page_facts["bottomLine"]
    assert 2 <= len(lines) <= 4, lines
    assert lines[0].startswith("5 batches of new patients arrived"), lines
    production = next(line for line in lines if line.startswith("The model in Production now"))
    # seed 42's batch 5 reverses the outcome's relation: the label-free estimate missed it
    assert lines[-1].startswith("Before its labels arrived, Production's AUC on batch 5"), lines
    assert lines[-1].endswith("which no estimate made without labels can see."), lines
    # the words follow where the interval lies against 0.5, read here from the sentence itself
    low, high = (float(x) for x in production.split("95% CI ")[1].split(")")[0].split(" to "))
    if low <= 0.5 <= high:
        assert "no better than chance" in production
    elif high < 0.5:
        assert "worse than chance" in production
    else:
        assert ": better than chance" in production


def test_no_two_labels_overlap_inside_any_chart_at_any_width(page_facts: dict[str, Any]) -> None:
    assert page_facts["chartOverlaps"] == {"desktop": [], "laptop": [], "phone": []}, page_facts[
        "chartOverlaps"
    ]


def test_axe_finds_no_serious_or_critical_violation_at_either_width(
    page_facts: dict[str, Any],
) -> None:
    assert page_facts["axe"] == {"desktop": [], "phone": []}, page_facts["axe"]


def test_the_policy_section_fits_a_1024_px_window(page_facts: dict[str, Any]) -> None:
    laptop = page_facts["laptop"]
    assert laptop["pageWidth"] <= laptop["viewportWidth"], laptop
    assert laptop["policyTablesOverflow"] == [], laptop


def test_one_card_and_one_bar_per_batch(page_facts: dict[str, Any]) -> None:
    cards = page_facts["batchCards"]
    assert [card["heading"] for card in cards] == [f"Batch {n}" for n in range(BATCHES)]
    assert cards[0]["badge"] == "Baseline"
    assert page_facts["bars"] == MEASURED_BATCHES
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
    assert mobile["tooWide"] == [], "wider than a 390 px screen: " + ", ".join(mobile["tooWide"])
    assert mobile["chartFitsCard"], mobile
    # the metrics table becomes one card per batch on a phone: nothing to scroll, no cue needed
    assert not mobile["tableScrolls"] and not mobile["tableScrollCue"], mobile
    assert mobile["menuBeforeReport"], "the menu (name, refresh) should lead on a phone"
    assert mobile["bars"] == MEASURED_BATCHES
    assert mobile["overlappingActions"] == [], "menu buttons drawn over each other on a phone"
    assert page_facts["print"] == {"menuHidden": True, "rocHidden": True, "buttonsHidden": True}


def test_readme_screenshots_show_the_title_headline_figures_and_drift_chart(
    page_facts: dict[str, Any],
) -> None:
    """The README's picture (`make screenshot` copies it) shows what its text promises: the
    report's title, its three headline figures and the whole drift chart with a bar per batch."""
    shot = page_facts["readmeShot"]
    assert shot["title"] == [page_facts["summaryTitle"]]
    assert shot["stats"] == ["Current Production Model", "Batches Processed", "Retraining Events"]
    assert shot["driftChart"], "the drift chart is cut off in the README screenshot"
    assert shot["driftBars"] == MEASURED_BATCHES
    png = Path(page_facts["screenshots"]["readme"]).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1440, shot["height"])  # IHDR width, height
    # a drawn page (a blank one compresses to a few kB), light enough for the README
    assert 10_000 < len(png) < SCREENSHOT_BUDGET_BYTES


def test_every_score_card_names_the_model_version_it_scored(page_facts: dict[str, Any]) -> None:
    for card in page_facts["batchCards"]:
        assert "version not recorded" not in card["text"], card["text"]
    baseline = page_facts["batchCards"][0]["text"]
    assert "Baseline: Production model version " in baseline, baseline
    assert "first model" not in baseline


def test_bar_colours_follow_the_retrain_verdict(page_facts: dict[str, Any]) -> None:
    bars = {bar["batch"]: bar for bar in page_facts["barTones"]}
    for card in page_facts["batchCards"][1:]:
        tone = bars[card["batch"]]["tone"]
        assert tone == card["verdictTone"], (card, tone)
        if card["decision"] in {str(decision) for decision in RETRAINED_DECISIONS}:
            assert tone in {"drift", "forced"}, (card, tone)


def test_each_batch_says_what_it_is(page_facts: dict[str, Any]) -> None:
    for card in page_facts["batchCards"][1:]:
        assert "What arrived: " in card["text"], card["text"]


def test_every_auc_from_the_real_pipeline_has_an_interval(page_facts: dict[str, Any]) -> None:
    """The pipeline logs a DeLong interval for every AUC it scores; the page shows each one, and
    no section says the run did not record its evidence."""
    aucs = page_facts["aucs"]
    assert len(aucs) >= 20, aucs  # cards, table, hero, final summary
    assert [a for a in aucs if not (a["interval"] or "").startswith("95% CI ")] == []
    assert page_facts["bareAucs"] == []
    assert page_facts["notRecorded"] == 0
