"""A forced retrain on a quiet batch, read in real Chromium: the page says it was forced.

`healthpredict batch run 1 --force-retrain` on a copy of the real experiment (batch 1's drift
share is far below the threshold). The bar and the words must come from the pipeline's logged
verdict: no green "below threshold" bar under a "retrained" badge, no "triggered by drift".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.core.contract import RETRAINED_DECISIONS
from tests.e2e.conftest import FORCED_BATCH, browse, require_browser_tools

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(2400)]

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "e2e-forced-retrain"


@pytest.fixture(scope="module")
def forced_facts(request: pytest.FixtureRequest) -> dict[str, Any]:
    require_browser_tools()
    facts = browse(request.getfixturevalue("forced_retrain_api"), OUTPUT)
    (OUTPUT / "facts.json").write_text(json.dumps(facts, indent=2))
    return facts


def _card(facts: dict[str, Any], batch: int) -> dict[str, Any]:
    return next(card for card in facts["batchCards"] if card["batch"] == str(batch))


def _bar(facts: dict[str, Any], batch: int) -> dict[str, Any]:
    return next(bar for bar in facts["barTones"] if bar["batch"] == str(batch))


def test_the_forced_batch_reads_as_retrained_because_forced(forced_facts: dict[str, Any]) -> None:
    card = _card(forced_facts, FORCED_BATCH)
    assert card["decision"] in {str(d) for d in RETRAINED_DECISIONS}, card
    assert card["verdictTone"] == "forced", card
    assert card["verdict"].startswith("Retraining forced (drift share "), card["verdict"]
    assert "below the 0.30 threshold" in card["verdict"], card["verdict"]
    assert "triggered by drift" not in card["text"], card["text"]


def test_no_green_bar_under_a_retrained_badge(forced_facts: dict[str, Any]) -> None:
    bar = _bar(forced_facts, FORCED_BATCH)
    assert bar["tone"] == "forced", bar
    quiet_fill = _quiet_fill(forced_facts)
    for card in forced_facts["batchCards"]:
        if card["decision"] in {str(d) for d in RETRAINED_DECISIONS}:
            drawn = _bar(forced_facts, int(card["batch"]))
            assert drawn["tone"] != "quiet" and drawn["fill"] != quiet_fill, (card, drawn)
    assert "retraining forced" in forced_facts["legend"]


def test_the_table_says_forced(forced_facts: dict[str, Any]) -> None:
    assert forced_facts["consoleErrors"] == []
    assert forced_facts["tableRetrained"][FORCED_BATCH] == "Yes (forced)"


def _quiet_fill(facts: dict[str, Any]) -> str:
    quiet = [bar["fill"] for bar in facts["barTones"] if bar["tone"] == "quiet"]
    assert quiet, "the copy still has quiet batches (2): their bars show the 'no retrain' colour"
    return str(quiet[0])
