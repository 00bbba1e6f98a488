"""The registry on a real MLflow store: which version is Production, promotion, scoring pairs."""

from __future__ import annotations

import warnings
from pathlib import Path

import mlflow.artifacts
import numpy as np
import pytest
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion

from pipeline.core import contract
from pipeline.core.errors import FeatureMismatchError, TrackingError
from pipeline.data import features
from pipeline.models import registry, training_runs
from pipeline.tracking import client as tracking
from pipeline.tracking import store as mlflow_store
from tests.support import model_registry
from tests.support.model_registry import FittedPair
from tests.support.sqlite_store import empty_store_uri
from tests.support.synthetic import raw_encounters

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def raw():
    return raw_encounters(800, seed=5)


@pytest.fixture(scope="module")
def pair(raw) -> FittedPair:
    return model_registry.fit_pair(raw)


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MlflowClient:
    uri = empty_store_uri(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    return tracking.configure(uri)


def bare_version(client: MlflowClient, stage: str | None = None) -> ModelVersion:
    """A version with no model files: enough for tests about which version is Production."""
    _, run_id = model_registry.training_run(client)
    if not client.search_registered_models(filter_string=f"name = '{contract.MODEL_NAME}'"):
        client.create_registered_model(contract.MODEL_NAME)
    source = f"{client.get_run(run_id).info.artifact_uri}/model"
    version = client.create_model_version(contract.MODEL_NAME, source, run_id=run_id)
    if stage is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            client.transition_model_version_stage(contract.MODEL_NAME, version.version, stage)
    return version


def stage_of(client: MlflowClient, version: ModelVersion) -> str:
    return client.get_model_version(contract.MODEL_NAME, version.version).current_stage


def test_an_empty_registry_has_no_production(client):
    assert registry.production_version(client) is None


def test_a_model_without_a_production_version_has_no_production(client):
    bare_version(client, stage="Staging")
    bare_version(client)
    assert registry.production_version(client) is None


def test_promotion_moves_alias_and_stage_together_and_archives_the_old(client):
    first, second = bare_version(client), bare_version(client)
    registry.promote(client, first)
    registry.promote(client, second)

    production = registry.production_version(client)
    assert production is not None and str(production.version) == str(second.version)
    assert production.current_stage == "Production"
    assert client.get_registered_model(contract.MODEL_NAME).aliases == {
        "production": int(second.version)
    }
    assert stage_of(client, first) == "Archived"


def test_the_alias_wins_over_a_newer_version_only_in_the_stage(client):
    aliased, staged = bare_version(client), bare_version(client)
    registry.promote(client, aliased)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        client.transition_model_version_stage(contract.MODEL_NAME, staged.version, "Production")

    production = registry.production_version(client)
    assert production is not None and str(production.version) == str(aliased.version)


def test_without_alias_the_highest_version_in_any_spelling_of_production_counts(client):
    older = bare_version(client, stage="Production")
    newer = bare_version(client, stage="Production")
    model_registry.respell_stage(client, newer.version, "production")
    bare_version(client, stage="Staging")

    production = registry.production_version(client)
    assert production is not None and str(production.version) == str(newer.version)
    assert stage_of(client, older) == "Production"


def test_stage_lookup_reads_every_page_of_versions(client, monkeypatch):
    monkeypatch.setattr(mlflow_store, "REGISTRY_PAGE_SIZE", 2)  # the one paged registry read
    versions = [bare_version(client) for _ in range(5)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        client.transition_model_version_stage(
            contract.MODEL_NAME, versions[0].version, "Production"
        )

    production = registry.production_version(client)
    assert production is not None and str(production.version) == str(versions[0].version)


@pytest.mark.parametrize("layout", ["pipeline", "legacy"])
def test_a_scoring_pair_scores_like_the_model_that_was_logged(client, pair, raw, layout):
    if layout == "pipeline":
        version = model_registry.pipeline_layout(client, pair)
    else:
        version = model_registry.legacy_layout(client, pair)

    model, preprocessor = registry.load_scoring_pair(client, version)

    inputs, _ = features.split_xy(features.prepare(raw))
    np.testing.assert_allclose(
        model.predict_proba(features.transform(preprocessor, inputs))[:, 1],
        pair.model.predict_proba(features.transform(pair.preprocessor, inputs))[:, 1],
        rtol=1e-6,
    )


def test_a_model_paired_with_the_wrong_preprocessor_is_refused(client, raw):
    mismatched = model_registry.fit_pair(raw, preprocessor_rows=10)
    assert len(mismatched.preprocessor.get_feature_names_out()) != mismatched.model.n_features_in_
    version = model_registry.pipeline_layout(client, mismatched)
    with pytest.raises(FeatureMismatchError, match="model expects"):
        registry.load_scoring_pair(client, version)


def test_a_version_whose_run_has_no_preprocessor_names_the_artifact(client, pair):
    experiment_id, run_id = model_registry.training_run(client)
    training_runs.log_model(client, experiment_id, run_id, pair.model)
    version = registry.register(client, run_id)
    with pytest.raises(TrackingError, match=r"preprocessor/preprocessor\.joblib"):
        registry.load_scoring_pair(client, version)


def test_registering_a_logged_model_warns_nothing_and_keeps_its_run(client, pair, caplog, capfd):
    """MLflow 3 warned "has no artifacts at artifact path 'model'" on every registration."""
    experiment_id, run_id = model_registry.training_run(client)
    training_runs.log_model(client, experiment_id, run_id, pair.model)
    capfd.readouterr()
    with caplog.at_level("WARNING"):
        version = registry.register(client, run_id)
    printed = capfd.readouterr()
    warnings_logged = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert not [m for m in warnings_logged if "no artifacts" in m], warnings_logged
    assert "no artifacts" not in printed.err + printed.out
    registered = client.get_model_version(contract.MODEL_NAME, version.version)
    assert registered.run_id == run_id
    local = mlflow.artifacts.download_artifacts(
        artifact_uri=contract.model_version_uri(version.version), tracking_uri=client.tracking_uri
    )
    assert (Path(local) / "MLmodel").is_file()
