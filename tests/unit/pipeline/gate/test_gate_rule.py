"""The deploy rule at its boundaries (CONTRACT.md: deploy at auc_improvement >= 0, deploy as a
refresh down to -0.02, keep Production below): what the report's decision column will say."""

from __future__ import annotations

import functools

import pytest

from pipeline.core.contract import Decision, NonInferiority
from pipeline.gate.rule import decide, decide_with_rule, deploys, non_inferiority, production_after


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


# --- Non-inferiority and the strict rule ---------------------------------------------------------
@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (-0.019, 0.03, NonInferiority.NON_INFERIOR),  # the whole interval above -0.02
        (-0.020, 0.03, NonInferiority.NON_INFERIOR),  # on the margin counts as non-inferior
        (-0.050, -0.021, NonInferiority.INFERIOR),  # the whole interval below -0.02
        (-0.050, 0.010, NonInferiority.INCONCLUSIVE),  # across the margin
    ],
)
def test_non_inferiority_reads_the_interval_against_the_margin(low, high, expected):
    assert non_inferiority(low, high) == expected


@pytest.mark.parametrize(
    ("improvement", "verdict", "new_low", "standard", "strict"),
    [
        # a gain, shown non-inferior, above chance: both rules deploy
        (0.01, NonInferiority.NON_INFERIOR, 0.62, Decision.DEPLOY, Decision.DEPLOY),
        # the batch 5: deployed at 0.482 [0.435, 0.528] -- strict keeps Production
        (0.06, NonInferiority.NON_INFERIOR, 0.435, Decision.DEPLOY, Decision.SKIP),
        # -0.01 on the point estimate but the interval crosses -0.02: standard refreshes, strict not
        (-0.01, NonInferiority.INCONCLUSIVE, 0.60, Decision.DEPLOY_REFRESH, Decision.SKIP),
        # clearly worse: neither deploys
        (-0.05, NonInferiority.INFERIOR, 0.60, Decision.SKIP, Decision.SKIP),
        # no Production to compare with: strict asks only that the model beat chance
        (None, None, 0.55, Decision.DEPLOY, Decision.DEPLOY),
        (None, None, 0.45, Decision.DEPLOY, Decision.SKIP),
    ],
)
def test_the_strict_rule_deploys_only_what_the_standard_rule_deploys_and_is_shown_safe(
    improvement, verdict, new_low, standard, strict
):
    decide = functools.partial(decide_with_rule, verdict=verdict, new_ci_low=new_low)
    assert decide("standard", improvement) == standard
    assert decide("strict", improvement) == strict


def test_an_unknown_rule_is_refused_in_one_line():
    with pytest.raises(ValueError, match="unknown gate rule 'lenient'; choose standard or strict"):
        decide_with_rule("lenient", 0.0, verdict=None, new_ci_low=0.6)
