"""POST /baseline against a real registry: a small real model, the real capture code."""

from __future__ import annotations

import pytest

from baseline.capture import capture_lock
from pipeline.core import contract
from pipeline.data.storage import LocalStorage
from tests.support import model_registry, synthetic


@pytest.fixture
def state_home(tmp_path, monkeypatch: pytest.MonkeyPatch):
    """The capture lock lives in the state folder: keep it in this test's tmp."""
    monkeypatch.setenv("HEALTHPREDICT_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def initial_test_storage(tmp_path):
    test_raw = synthetic.raw_encounters(400, seed=11)
    storage = LocalStorage(tmp_path / "storage")
    storage.write_csv(contract.INITIAL_TEST_KEY, test_raw)
    return storage, test_raw


def test_capture_logs_batch_0_and_the_report_shows_it_at_once(
    store, make_client, state_home, initial_test_storage
) -> None:
    storage, test_raw = initial_test_storage
    pair = model_registry.fit_pair(synthetic.raw_encounters(800, seed=3))
    version = model_registry.pipeline_layout(store.client, pair)
    api = make_client(store.tracking_uri, storage=str(storage.folder))
    assert api.get("/summary").json()["has_baseline"] is False  # now cached

    response = api.post("/baseline")

    assert response.status_code == 201, response.text
    body = response.json()
    expected = model_registry.expected_scores(pair, synthetic.as_read_from_csv(test_raw))
    assert body["model_version"] == str(version.version)
    assert body["auc"] == pytest.approx(expected["auc"], abs=1e-9)
    summary = api.get("/summary").json()  # the capture dropped the cache
    assert summary["has_baseline"] is True
    assert summary["start_auc"] == pytest.approx(body["auc"])
    assert summary["production_model"]["version"] == str(version.version)
    first = api.get("/batches").json()["batches"][0]
    assert first["batch"] == 0 and first["decision"] == "BASELINE"
    assert first["quality_gate_run_id"] == body["quality_gate_run_id"]


def test_capture_without_production_model_is_409(
    store, make_client, state_home, initial_test_storage
) -> None:
    storage, _ = initial_test_storage
    api = make_client(store.tracking_uri, storage=str(storage.folder))
    response = api.post("/baseline")
    assert response.status_code == 409
    assert "no Production version" in response.json()["detail"]


def test_capture_while_another_runs_is_409(
    store, make_client, state_home, initial_test_storage
) -> None:
    storage, _ = initial_test_storage
    api = make_client(store.tracking_uri, storage=str(storage.folder))
    with capture_lock(store.tracking_uri):
        response = api.post("/baseline")
    assert response.status_code == 409
    assert "another baseline capture" in response.json()["detail"]
