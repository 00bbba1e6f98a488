"""The quality gate's rules, pure and importable without the model stack.

- ``decide``: the deploy rule of the contract (deploy unless the candidate is clearly worse).
- ``non_inferiority`` and ``decide_with_rule``: the strict rule (``--gate strict``), which deploys
  only what ``decide`` deploys *and* is non-inferior on the interval and above chance.
- ``production_after``: which model serves after a gate decision.
- ``pending_promotion``: a deploy decided by a finished gate run that the registry does not show
  yet (a step stopped between the gate run and the promotion).

The pipeline logs the decision; the report reads it and, for a store that only logged the
decision, asks ``production_after`` which version served next, so neither re-derives the rule.
"""

from __future__ import annotations

from typing import TypeVar

from pipeline.core import contract
from pipeline.core.contract import Decision, NonInferiority

T = TypeVar("T")


def decide(auc_improvement: float | None, has_production: bool) -> Decision:
    """Deploy unless the candidate is clearly worse (by more than the regression tolerance)."""
    if not has_production or auc_improvement is None:
        return Decision.DEPLOY
    if auc_improvement >= 0:
        return Decision.DEPLOY
    if auc_improvement >= contract.AUC_REGRESSION_TOLERANCE:
        return Decision.DEPLOY_REFRESH
    return Decision.SKIP


def non_inferiority(
    ci_low: float, ci_high: float, margin: float = contract.NON_INFERIORITY_MARGIN
) -> NonInferiority:
    """The interval of new - prod against ``-margin``: wholly above it, wholly below, or across."""
    if ci_low >= -margin:
        return NonInferiority.NON_INFERIOR
    if ci_high < -margin:
        return NonInferiority.INFERIOR
    return NonInferiority.INCONCLUSIVE


def decide_with_rule(
    rule: str,
    auc_improvement: float | None,
    *,
    verdict: NonInferiority | None,
    new_ci_low: float,
) -> Decision:
    """``decide`` under ``rule``. ``strict`` keeps Production (``SKIP``) whenever ``decide`` would
    deploy a candidate that is not shown non-inferior (``verdict``; None: no Production to
    compare with) or whose AUC interval does not lie above 0.5."""
    if rule not in contract.GATE_RULES:
        raise ValueError(f"unknown gate rule {rule!r}; choose {' or '.join(contract.GATE_RULES)}")
    decision = decide(auc_improvement, has_production=verdict is not None)
    if rule == contract.GATE_RULE_STANDARD or not deploys(decision):
        return decision
    shown = verdict in (None, NonInferiority.NON_INFERIOR) and new_ci_low > contract.CHANCE_AUC
    return decision if shown else Decision.SKIP


def deploys(decision: str | None) -> bool:
    """Whether a logged decision puts the new model into Production."""
    return decision is not None and decision in {str(d) for d in contract.DEPLOYED_DECISIONS}


def production_after(decision: str | None, production: T, new: T | None) -> T:
    """The model serving after a gate decision: the new one when deployed (and known), else
    the one that served before."""
    return new if deploys(decision) and new is not None else production


def pending_promotion(
    decision: str | None, deployed: str | None, production: str | None
) -> str | None:
    """The version a gate run deployed that is not Production yet: its promotion is pending.

    A gate run is FINISHED before its new version is promoted, so a step stopped in between
    leaves "deployed ``deployed``" while the registry's Production is still ``production``. Only
    the latest gate run can be in that state (every gate step first completes a pending
    promotion: ``pipeline.gate.steps.finish_pending_promotion``). None when nothing is pending.
    """
    if not deploys(decision) or deployed is None or deployed == production:
        return None
    return deployed
