"""`GET /summary`'s figures and sentences (backend.summary) over hand-built gate runs."""

from __future__ import annotations

import pytest

from backend import batch_results, selection
from backend.mlflow_reader import RegistryVersion, RunRecord, StoreSnapshot
from backend.summary import assemble_summary
from pipeline.core import contract
from tests.unit.backend.records import run


def gate(
    batch: int, decision: str, prod: float | None, new: float | None, trained: str = ""
) -> RunRecord:
    metrics = {}
    if prod is not None:
        metrics[contract.prod_metric("auc")] = prod
    if new is not None:
        metrics[contract.new_metric("auc")] = new
    params = {contract.Param.TRAINING_RUN_ID: trained} if trained else {}
    tags = {"quality_gate": "True", "decision": decision}
    return run(f"g{batch}", str(batch), start=batch * 10, tags=tags, metrics=metrics, params=params)


def summarize(gates: list[RunRecord], versions: list[RegistryVersion]):
    chosen = selection.select(StoreSnapshot("1", "2", [], gates, versions))
    batches = batch_results.assemble_batches(chosen, {}, 0.3, None)
    return assemble_summary(chosen, batches)


def test_end_auc_is_the_new_model_when_the_last_batch_deployed() -> None:
    summary = summarize(
        [gate(0, "BASELINE", 0.68, 0.68), gate(1, "SKIP", 0.66, 0.60, "t1"),
         gate(2, "DEPLOY_REFRESH", 0.65, 0.64, "t2")],
        [RegistryVersion("2", "t2", "Production")],
    )  # fmt: skip
    assert summary.start_auc == pytest.approx(0.68)
    assert summary.end_auc == pytest.approx(0.64)
    assert summary.production_model is not None
    assert summary.production_model.auc == pytest.approx(0.64)
    assert (summary.retraining_events, summary.deployments, summary.batches_processed) == (2, 1, 2)
    assert summary.takeaway == (
        "Over 2 batches, drift led to 2 retrainings and 1 deployment; Production's AUC went from "
        "0.680 on the initial test set to 0.640 on batch 2's test set."
    )


def test_end_auc_is_production_when_the_last_batch_did_not_deploy() -> None:
    summary = summarize(
        [gate(0, "BASELINE", 0.7, 0.7), gate(1, "DEPLOY", 0.6, 0.75, "t1"),
         gate(2, "SKIP", 0.72, 0.5, "t2"), gate(3, "SKIP_NO_DRIFT", 0.71, 0.71)],
        [RegistryVersion("1", "t0", "Archived"), RegistryVersion("2", "t1", "Production")],
    )  # fmt: skip
    assert summary.end_auc == pytest.approx(0.71)
    # version 2 (deployed at batch 1) was last scored as Production at batch 3
    assert summary.production_model is not None
    assert summary.production_model.auc == pytest.approx(0.71)


def test_initial_model_auc_stops_at_the_batch_that_replaced_it() -> None:
    summary = summarize(
        [gate(0, "BASELINE", 0.7, 0.7), gate(1, "SKIP_NO_DRIFT", 0.69, 0.69),
         gate(2, "DEPLOY", 0.67, 0.75, "t2"), gate(3, "SKIP_NO_DRIFT", 0.74, 0.74)],
        [RegistryVersion("1", "t0", "Production")],  # e.g. rolled back to the initial model
    )  # fmt: skip
    assert summary.production_model is not None
    assert summary.production_model.auc == pytest.approx(0.67)


def test_production_never_scored_has_null_auc() -> None:
    summary = summarize([], [RegistryVersion("1", "t0", None, ("production",))])
    assert summary.production_model is not None and summary.production_model.auc is None
    assert summary.takeaway.startswith("No results yet")


def test_takeaway_for_baseline_only_and_without_retraining() -> None:
    only_baseline = summarize([gate(0, "BASELINE", 0.68, 0.68)], [])
    assert only_baseline.takeaway == (
        "Baseline captured: Production scores AUC 0.680 on the initial test set; "
        "no batch has been processed yet."
    )
    quiet = summarize([gate(1, "SKIP_NO_DRIFT", 0.66, 0.66)], [])
    assert quiet.takeaway == (
        "Over 1 batch, no batch was retrained; Production's AUC is 0.660 on batch 1's test set."
    )
