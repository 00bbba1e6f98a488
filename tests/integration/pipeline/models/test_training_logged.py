"""How a training run, its trials and its model land in a real SQLite MLflow store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mlflow import MlflowClient
from mlflow.utils.mlflow_tags import MLFLOW_PARENT_RUN_ID

from pipeline.core import contract
from pipeline.models import training
from pipeline.tracking import client as tracking
from tests.unit.pipeline.models.test_training import FAST, Frames, prepared_frame


@pytest.fixture(scope="module")
def tiny() -> Frames:
    return prepared_frame(400, seed=1), prepared_frame(200, seed=2)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowClient]:
    """One SQLite store for this module: creating its tables is the slow part."""
    uri = f"sqlite:///{tmp_path_factory.mktemp('mlflow') / 'mlflow.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_TRACKING_URI", uri)
        yield tracking.configure(uri)


def test_training_run_logs_model_preprocessor_and_tagged_trials(client: MlflowClient, tiny: Frames):
    experiment_id = tracking.ensure_experiment(client, contract.TRAINING_EXPERIMENT)
    result = training.train(client, experiment_id, 2, *tiny, FAST, data_sha256="abc")

    run = client.get_run(result.run_id)
    assert run.info.run_name == contract.training_run_name(2)
    assert run.info.status == "FINISHED"
    assert run.data.params[contract.Param.BATCH_NUMBER] == "2"
    assert run.data.params[contract.Param.SEED] == "7"
    assert run.data.params[contract.Param.DATA_SHA256] == "abc"
    validation_auc = run.data.metrics[contract.TrainingMetric.VALIDATION_AUC]
    assert validation_auc == pytest.approx(result.validation_auc)
    artifacts = {a.path for a in client.list_artifacts(result.run_id, contract.PREPROCESSOR_DIR)}
    assert contract.PREPROCESSOR_ARTIFACT in artifacts

    trials = client.search_runs(
        [experiment_id], filter_string=f"tags.{MLFLOW_PARENT_RUN_ID} = '{result.run_id}'"
    )
    assert len(trials) == FAST.n_trials
    for trial in trials:
        assert trial.data.tags[contract.Tag.HPO_TRIAL] == contract.Tag.TRUE
        assert contract.new_metric("auc") not in trial.data.metrics
        assert contract.TrainingMetric.VALIDATION_AUC in trial.data.metrics
    gate_query = client.search_runs([experiment_id], filter_string=contract.QUALITY_GATE_FILTER)
    assert gate_query == []


def test_logged_model_registers_and_scores_like_the_trained_one(client: MlflowClient, tiny: Frames):
    from pipeline.models import registry
    from pipeline.models import scoring as evaluation

    experiment_id = tracking.ensure_experiment(client, contract.TRAINING_EXPERIMENT)
    result = training.train(client, experiment_id, 0, *tiny, FAST, data_sha256="abc")
    version = registry.register(client, result.run_id)
    model, preprocessor = registry.load_scoring_pair(client, version)
    test = prepared_frame(200, seed=3)
    loaded = evaluation.score(model, preprocessor, test)
    in_memory = evaluation.score(result.model, result.preprocessor, test)
    assert loaded.auc == pytest.approx(in_memory.auc)
