"""The deploy rule at its boundaries: what the report's decision column will say."""

from __future__ import annotations

import pytest

from pipeline.core import contract
from pipeline.core.contract import Decision
from pipeline.gate.rule import decide


@pytest.mark.parametrize(
    ("auc_improvement", "expected"),
    [
        (0.05, Decision.DEPLOY),
        (0.0, Decision.DEPLOY),
        (-0.0, Decision.DEPLOY),
        (-0.01, Decision.DEPLOY_REFRESH),
        (contract.AUC_REGRESSION_TOLERANCE, Decision.DEPLOY_REFRESH),
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


def test_deploying_decisions_match_the_contract():
    deploying = {d for d in Decision if d in contract.DEPLOYED_DECISIONS}
    assert {decide(0.0, True), decide(-0.01, True)} == deploying
    assert decide(-0.5, True) not in contract.DEPLOYED_DECISIONS
