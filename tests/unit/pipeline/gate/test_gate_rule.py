"""The deploy rule at its boundaries (CONTRACT.md: deploy at auc_improvement >= 0, deploy as a
refresh down to -0.02, keep Production below): what the report's decision column will say."""

from __future__ import annotations

import pytest

from pipeline.core.contract import Decision
from pipeline.gate.rule import decide, deploys, production_after


@pytest.mark.parametrize(
    ("auc_improvement", "expected"),
    [
        (0.05, Decision.DEPLOY),
        (0.0, Decision.DEPLOY),
        (-0.0, Decision.DEPLOY),
        (-0.01, Decision.DEPLOY_REFRESH),
        (-0.02, Decision.DEPLOY_REFRESH),
        (-0.0200001, Decision.SKIP),
        (-0.3, Decision.SKIP),
    ],
)
def test_decision_follows_the_auc_improvement(auc_improvement: float, expected: Decision):
    assert decide(auc_improvement, has_production=True) is expected


@pytest.mark.parametrize("auc_improvement", [None, -0.5, 0.1])
def test_without_a_production_model_the_candidate_is_deployed(auc_improvement: float | None):
    assert decide(auc_improvement, has_production=False) is Decision.DEPLOY


def test_a_missing_improvement_with_production_still_deploys():
    # No comparison possible (nothing scored): the candidate is the only model with a score.
    assert decide(None, has_production=True) is Decision.DEPLOY


# What each logged decision means for Production, from CONTRACT.md's list of decisions (written
# out here, not read from the contract module the rule itself uses).
PRODUCTION_AFTER_DECISION = [
    ("DEPLOY", "new"),
    ("DEPLOY_REFRESH", "new"),
    ("SKIP", "old"),
    ("SKIP_NO_DRIFT", "old"),
    ("BASELINE", "old"),
    (None, "old"),
    ("deploy", "old"),  # tags are case-sensitive: an unknown spelling changes nothing
    ("MAYBE", "old"),
]


@pytest.mark.parametrize(("decision", "serving"), PRODUCTION_AFTER_DECISION)
def test_only_deploy_and_deploy_refresh_put_the_new_model_in_production(
    decision: str | None, serving: str
):
    assert deploys(decision) is (serving == "new")
    assert production_after(decision, "old", "new") == serving


def test_a_deploy_without_a_known_new_model_keeps_the_one_that_served():
    assert production_after("DEPLOY", "old", None) == "old"
