"""POST /baseline against a real registry: a small real model, the real capture code."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from baseline.capture import capture_baseline, capture_lock
from pipeline.core import contract
from pipeline.data.storage import LocalStorage
from pipeline.steps.baseline import BASELINE_STEP
from pipeline.tracking import store as mlflow_store
from pipeline.tracking.lease import StepRunningError
from tests.support import model_registry, synthetic

# A capture elsewhere (another state folder, as on another machine): it holds the step lease.
HOLD_LEASE = (
    "import sys, time\n"
    "from mlflow import MlflowClient\n"
    "from pipeline.tracking.lease import step_lease\n"
    "with step_lease(MlflowClient(sys.argv[1], sys.argv[1]), sys.argv[2]):\n"
    "    print('holding', flush=True)\n"
    "    time.sleep(120)\n"
)


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


def test_capture_running_under_another_state_folder_is_refused_in_one_line(
    store, make_client, state_home, initial_test_storage, tmp_path
) -> None:
    storage, _ = initial_test_storage
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LEASE, store.tracking_uri, BASELINE_STEP],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "HEALTHPREDICT_HOME": str(tmp_path / "elsewhere")},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        api = make_client(store.tracking_uri, storage=str(storage.folder))
        response = api.post("/baseline")
        assert response.status_code == 409
        detail = response.json()["detail"]
        assert detail.startswith(f"baseline is already running (pid {holder.pid} on ")
        assert detail.endswith("wait for it to end, or stop that process") and "\n" not in detail
        # The command line's default (blocking) capture queues only behind captures of its own
        # state folder; one it cannot see is refused at once, not waited for.
        with pytest.raises(StepRunningError, match=f"pid {holder.pid} on "):
            capture_baseline(store.tracking_uri, str(storage.folder))
    finally:
        os.kill(holder.pid, signal.SIGKILL)  # a crash: the kernel frees the lease
        holder.wait()
    assert mlflow_store.gate_results(store.client) == {}  # nothing written while refused
    # The lease ended with its holder: the next capture goes on (and meets the missing model).
    assert "no Production version" in api.post("/baseline").json()["detail"]
