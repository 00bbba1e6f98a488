"""MLflow stops while the API runs, then comes back on the same port: no restart of the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from mlflow import MlflowClient

from backend.main import create_app
from pipeline.core import contract
from tests.hardening.helpers import mlflow_server_on_port, strict_json
from tests.support.api import api_settings
from tests.support.servers import free_port
from tests.support.stores import BuiltStore, copy_store


@pytest.mark.usefixtures("fast_failing_http")
def test_api_survives_mlflow_outage_and_recovers(messy_store: BuiltStore, tmp_path: Path) -> None:
    store = copy_store(messy_store, tmp_path / "store")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "mlflow-server.log"
    artifacts = tmp_path / "proxied-artifacts"
    # TTL 0: every read goes to MLflow, so what each answer says is what MLflow said just now.
    settings = api_settings(url, tmp_path, cache_ttl_seconds=0)
    api = TestClient(create_app(settings))

    with mlflow_server_on_port(store.tracking_uri, artifacts, port, log):
        good = api.get("/batches")
        assert good.status_code == 200
        assert good.json()["stale"] is False
        shown = [item["batch"] for item in good.json()["batches"]]
        assert shown == [b.batch for b in store.expected]

    down = api.get("/batches")
    assert down.status_code in (200, 503), down.text[:300]
    if down.status_code == 200:
        assert down.json()["stale"] is True
        assert [item["batch"] for item in down.json()["batches"]] == shown
    else:
        assert strict_json(down.text)["detail"]
    health = api.get("/health")
    assert health.status_code == 200 and health.json()["mlflow"] is False

    # An API that never reached MLflow has nothing to fall back on: a 503 with a JSON detail.
    never_read = TestClient(create_app(settings)).get("/summary")
    assert never_read.status_code == 503
    assert str(port) in strict_json(never_read.text)["detail"]

    # While MLflow is down a newer batch 5 drift run lands in its store.
    newer = MlflowClient(tracking_uri=store.tracking_uri).create_run(
        store.experiment_ids[contract.DRIFT_EXPERIMENT],
        run_name=contract.drift_run_name(5),
    )
    writer = MlflowClient(tracking_uri=store.tracking_uri)
    writer.log_param(newer.info.run_id, contract.Param.BATCH_NUMBER, "5")
    writer.log_metric(newer.info.run_id, contract.Metric.DRIFT_SHARE, 0.9)
    writer.set_terminated(newer.info.run_id, "FINISHED")

    with mlflow_server_on_port(store.tracking_uri, artifacts, port, log):
        back = api.get("/batches")
        assert back.status_code == 200
        assert back.json()["stale"] is False
        batch5 = next(item for item in back.json()["batches"] if item["batch"] == 5)
        assert batch5["drift"]["run_id"] == newer.info.run_id
        assert api.get("/health").json()["mlflow"] is True
