"""Seeded hyper-parameter search on a tiny frame, and how trials land in a real MLflow store."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from mlflow import MlflowClient
from mlflow.utils.mlflow_tags import MLFLOW_PARENT_RUN_ID

from pipeline.core import contract
from pipeline.core.errors import DataError
from pipeline.data import features
from pipeline.models import training
from pipeline.models.training import TrainingSettings
from pipeline.tracking import client as tracking

Frames = tuple[pd.DataFrame, pd.DataFrame]
FAST = TrainingSettings(seed=7, n_trials=3, max_trees=30, early_stopping_rounds=5)


def prepared_frame(n: int, seed: int) -> pd.DataFrame:
    """A frame shaped like ``features.prepare`` output, with a learnable outcome."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {c: rng.integers(0, 20, n).astype("float64") for c in features.MODEL_NUMERIC}
    )
    for column in features.MODEL_CATEGORICAL:
        frame[column] = pd.Series(rng.choice(["a", "b", "c"], n), dtype="string")
    is_a = (frame["race"] == "a").to_numpy(dtype=float)
    signal = frame["number_inpatient"] + 3 * is_a + rng.normal(0, 4, n)
    frame[features.TARGET] = (signal > signal.median()).astype("int64")
    return frame


@pytest.fixture(scope="module")
def tiny() -> Frames:
    return prepared_frame(400, seed=1), prepared_frame(200, seed=2)


def test_same_seed_gives_the_same_trials_and_best_params(tiny: Frames):
    first = training.search(*tiny, FAST)
    second = training.search(*tiny, FAST)
    assert [t.params for t in first.trials] == [t.params for t in second.trials]
    assert first.best.params == second.best.params
    assert first.best.validation_auc == second.best.validation_auc


def test_another_seed_draws_other_trials():
    assert training.sample_trial_params(1, 4) != training.sample_trial_params(2, 4)


def test_trials_are_distinct_points_of_the_search_space():
    trials = training.sample_trial_params(42, 6)
    assert len({tuple(sorted(t.items())) for t in trials}) == 6
    for trial in trials:
        for name, value in trial.items():
            assert value in training.SEARCH_SPACE[name]


def test_best_trial_has_the_highest_validation_auc(tiny: Frames):
    result = training.search(*tiny, FAST)
    assert result.best.validation_auc == max(t.validation_auc for t in result.trials)
    assert result.best.validation_auc > 0.6  # the tiny outcome is learnable


def test_n_trials_must_be_positive():
    with pytest.raises(ValueError, match="n_trials"):
        TrainingSettings(n_trials=0)


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
    assert run.data.metrics[training.VALIDATION_AUC_METRIC] == pytest.approx(result.validation_auc)
    artifacts = {a.path for a in client.list_artifacts(result.run_id, contract.PREPROCESSOR_DIR)}
    assert contract.PREPROCESSOR_ARTIFACT in artifacts

    trials = client.search_runs(
        [experiment_id], filter_string=f"tags.{MLFLOW_PARENT_RUN_ID} = '{result.run_id}'"
    )
    assert len(trials) == FAST.n_trials
    for trial in trials:
        assert trial.data.tags[contract.Tag.HPO_TRIAL] == contract.Tag.TRUE
        assert contract.new_metric("auc") not in trial.data.metrics
        assert training.VALIDATION_AUC_METRIC in trial.data.metrics
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


def test_refit_trains_the_best_params_on_train_and_validation(tiny: Frames):
    train, validation = tiny
    settings = TrainingSettings(
        seed=7, n_trials=2, max_trees=30, early_stopping_rounds=5, refit_on_validation=True
    )
    result = training.search(train, validation, settings)
    assert result.final_model is not result.best.model
    assert result.final_model.get_params()["max_depth"] == result.best.params["max_depth"]
    # The refit's preprocessor saw a category that only the validation rows hold.
    validation = validation.assign(
        race=pd.Series(["only-in-validation"] * len(validation), dtype="string")
    )
    refitted = training.search(train, validation, settings)
    categories = refitted.final_preprocessor.get_feature_names_out()
    assert any("only-in-validation" in name for name in categories)
    assert not any(
        "only-in-validation" in name for name in refitted.preprocessor.get_feature_names_out()
    )


def test_training_data_with_a_single_outcome_is_refused_before_any_fit(tiny: Frames):
    train, validation = tiny
    with pytest.raises(DataError, match="the training data has a single outcome: all 400"):
        training.search(train.assign(**{features.TARGET: 0}), validation, FAST)
    with pytest.raises(DataError, match="the validation data has a single outcome"):
        training.search(train, validation.assign(**{features.TARGET: 1}), FAST)
