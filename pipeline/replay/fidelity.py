"""Fidelity: an exact replay of the policy that ran, against the quality-gate runs it logged."""

from __future__ import annotations

import math
from dataclasses import dataclass

from mlflow import MlflowClient

from pipeline.core import contract
from pipeline.gate.rule import production_after
from pipeline.replay.engine import PolicyReplay
from pipeline.tracking import store as mlflow_store


@dataclass(frozen=True)
class Fidelity:
    """An exact replay of the policy that ran, against the quality-gate runs it logged."""

    batches: int
    decision_mismatches: list[str]
    max_auc_difference: float

    @property
    def reproduced(self) -> bool:
        return not self.decision_mismatches and self.max_auc_difference <= 1e-6


def compare_with_pipeline(client: MlflowClient, result: PolicyReplay) -> Fidelity:
    """Per batch: the logged decision, and the AUC of the model Production after it
    (``new_auc_test`` when deployed, else ``prod_auc_test``), against the replay's."""
    logged_gates = mlflow_store.gate_results(client)
    mismatches: list[str] = []
    worst = 0.0
    for step in result.steps:
        logged = logged_gates.get(step.batch)
        if logged is None:
            mismatches.append(f"batch {step.batch}: no finished quality-gate run")
            continue
        decision = logged.tags.get(contract.Tag.DECISION)
        if decision != str(step.decision):
            mismatches.append(f"batch {step.batch}: logged {decision}, replayed {step.decision}")
        name = production_after(decision, contract.prod_metric("auc"), contract.new_metric("auc"))
        worst = max(worst, abs(logged.metrics.get(name, math.inf) - step.auc.auc))
    return Fidelity(len(result.steps), mismatches, worst)
