"""The promotion gap (issue 24 item 4): a deploy decided by the gate that the registry does not
show yet is flagged, and "Production after" follows the registry until the next step repairs it."""

from __future__ import annotations

import pytest

from backend import batch_results, selection
from backend.mlflow_reader import RegistryVersion, RunRecord, StoreSnapshot
from backend.schemas import PendingPromotion
from backend.summary import assemble_summary
from pipeline.core import contract
from tests.unit.backend.records import run


def gate(
    batch: int, decision: str, prod: tuple[str, float], new: tuple[str, float] | None
) -> RunRecord:
    """A gate run that scored Production `prod` = (version, AUC) and a candidate `new`."""
    metrics = {contract.prod_metric("auc"): prod[1]}
    params = {
        contract.Param.PRODUCTION_MODEL_VERSION: prod[0],
        contract.Param.MODEL_VERSION: prod[0],
    }
    if new is not None:
        metrics[contract.new_metric("auc")] = new[1]
        params[contract.Param.TRAINING_RUN_ID] = f"t{new[0]}"
        if decision.startswith("DEPLOY"):
            params[contract.Param.MODEL_VERSION] = new[0]
    tags = {"quality_gate": "True", "decision": decision}
    return run(f"g{batch}", str(batch), start=batch * 10, tags=tags, metrics=metrics, params=params)


GATES = [
    gate(0, "BASELINE", ("12", 0.70), None),
    gate(1, "SKIP_NO_DRIFT", ("12", 0.69), None),
    gate(2, "DEPLOY", ("12", 0.66), ("13", 0.72)),  # registered 13, killed before promoting
]


def report(gates: list[RunRecord], production: str):
    versions = [
        RegistryVersion("12", "t12", "Production" if production == "12" else "Archived"),
        RegistryVersion("13", "t13", "Production" if production == "13" else None),
    ]
    chosen = selection.select(StoreSnapshot("1", "2", [], gates, versions))
    batches = batch_results.assemble_batches(chosen, {}, 0.3, None)
    return batches, assemble_summary(chosen, batches)


def test_a_deploy_not_promoted_is_flagged_and_production_after_follows_the_registry() -> None:
    batches, summary = report(GATES, production="12")
    row = batches.batches[2]
    assert (row.decision, row.deployed, row.promotion_pending) == ("DEPLOY", True, True)
    assert row.model_version == "12"
    assert row.new is not None and row.new.version == "13"
    assert row.production_after is not None
    assert (row.production_after.version, row.production_after.auc) == ("12", pytest.approx(0.66))
    assert not any(b.promotion_pending for b in batches.batches[:2])
    assert summary.production_model is not None and summary.production_model.version == "12"
    assert summary.end_auc == pytest.approx(0.66)
    assert summary.promotion_pending == PendingPromotion(
        batch=2, version="13", production_version="12"
    )
    assert summary.takeaway.endswith(
        " Batch 2's gate decided to deploy version 13, but the promotion did not complete: "
        "Production is still version 12 until the next step completes it."
    )


def test_once_promoted_the_deploy_is_the_story_again() -> None:
    batches, summary = report(GATES, production="13")
    row = batches.batches[2]
    assert (row.promotion_pending, row.model_version) == (False, "13")
    assert row.production_after is not None
    assert (row.production_after.version, row.production_after.auc) == ("13", pytest.approx(0.72))
    assert summary.promotion_pending is None
    assert "promotion" not in summary.takeaway


def test_a_later_gate_explains_a_production_that_differs_from_an_older_deploy() -> None:
    # Batch 3 ran after batch 2 (its step promoted 13 first) and kept it; then someone rolled the
    # registry back to 12 by hand: batch 2 is not pending, only the latest gate run can be.
    gates = [*GATES, gate(3, "SKIP", ("13", 0.71), ("14", 0.60))]
    batches, summary = report(gates, production="12")
    assert [b.promotion_pending for b in batches.batches] == [False, False, False, False]
    assert batches.batches[2].model_version == "13"
    assert summary.promotion_pending is None


def test_a_pending_deploy_of_a_version_never_scored_as_production_has_no_scores_after() -> None:
    # The registry's Production (11) is not the version the gate scored (12): no AUC to show.
    gates = [gate(2, "DEPLOY", ("12", 0.66), ("13", 0.72))]
    versions = [RegistryVersion("11", "t11", "Production"), RegistryVersion("13", "t13", None)]
    chosen = selection.select(StoreSnapshot("1", "2", [], gates, versions))
    row = batch_results.assemble_batches(chosen, {}, 0.3, None).batches[0]
    assert (row.promotion_pending, row.model_version, row.production_after) == (True, "11", None)
