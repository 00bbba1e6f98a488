"""The run writers: what a drift run and a gate run carry, on a real SQLite MLflow store.

Every gate run and drift run (pipeline batches and the baseline alike) goes through these two
writers, so what they write here is what the report reads everywhere.
"""

from __future__ import annotations

import numpy as np
import pytest
from mlflow import MlflowClient

from pipeline.core import contract
from pipeline.core.contract import Decision, TriggerReason
from pipeline.gate import runs
from pipeline.models.scoring import Scores
from pipeline.tracking import client as tracking
from tests.support.sqlite_store import empty_store_uri


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> MlflowClient:
    return tracking.configure(empty_store_uri(tmp_path_factory.mktemp("runs")))


def scores(auc: float) -> Scores:
    y_true = np.array([0, 0, 1, 1])
    return Scores(auc, 0.5, 0.5, 0.5, y_true, np.array([0.1, 0.6, 0.4, 0.9]))


def written(client: MlflowClient, write, record, experiment: str):
    experiment_id = tracking.ensure_experiment(client, experiment)
    with tracking.result_runs(client) as group:
        run_id = write(group, experiment_id, record)
    return client.get_run(run_id)


@pytest.mark.parametrize(
    ("trigger", "triggered"),
    [(TriggerReason.FORCED, "True"), (TriggerReason.DRIFT, "True"), (TriggerReason.NONE, "False")],
)
def test_a_drift_run_carries_the_verdict_and_why(client, trigger, triggered) -> None:
    record = runs.DriftRun(batch=1, threshold=0.3, drift_share=0.05, trigger=trigger)
    run = written(client, runs.write_drift_run, record, contract.DRIFT_EXPERIMENT)
    assert run.info.status == "FINISHED"
    assert run.data.tags[contract.Tag.RETRAIN_TRIGGERED] == triggered
    assert run.data.tags[contract.Tag.TRIGGER_REASON] == trigger.value


def test_the_baseline_drift_run_has_no_verdict(client) -> None:
    run = written(client, runs.write_drift_run, runs.DriftRun.baseline(), contract.DRIFT_EXPERIMENT)
    assert contract.Tag.RETRAIN_TRIGGERED not in run.data.tags
    assert run.data.metrics[contract.Metric.DRIFT_SHARE] == 0.0


def test_a_gate_run_without_a_new_model_mirrors_production(client) -> None:
    record = runs.GateRun(
        batch=2,
        decision=Decision.SKIP_NO_DRIFT,
        test_set=contract.batch_test_set(2),
        production=scores(0.7),
        production_model_version="3",
        model_version="3",
    )
    run = written(client, runs.write_gate_run, record, contract.TRAINING_EXPERIMENT)
    metrics = run.data.metrics
    assert metrics[contract.new_metric("auc")] == metrics[contract.prod_metric("auc")] == 0.7
    assert metrics[contract.Metric.AUC_IMPROVEMENT] == 0.0
    assert run.data.params[contract.Param.PRODUCTION_MODEL_VERSION] == "3"
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id, contract.ROC_DIR)}
    assert artifacts == {contract.ROC_PRODUCTION_ARTIFACT}


def test_a_retrain_gate_run_logs_both_models_and_the_difference(client) -> None:
    record = runs.GateRun(
        batch=3,
        decision=Decision.DEPLOY,
        test_set=contract.batch_test_set(3),
        production=scores(0.6),
        new=scores(0.75),
        training_run_id="abc",
    )
    run = written(client, runs.write_gate_run, record, contract.TRAINING_EXPERIMENT)
    assert run.data.metrics[contract.Metric.AUC_IMPROVEMENT] == pytest.approx(0.15)
    assert run.data.params[contract.Param.TRAINING_RUN_ID] == "abc"
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id, contract.ROC_DIR)}
    assert artifacts == {contract.ROC_PRODUCTION_ARTIFACT, contract.ROC_NEW_ARTIFACT}
