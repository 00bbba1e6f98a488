"""The report API reading a real `mlflow server` over HTTP, and what it shows when MLflow stops."""

from __future__ import annotations

import pytest


def test_reads_over_http_then_stale_when_the_server_stops(
    store, mlflow_server, make_client, fast_failing_http
) -> None:
    store.drift_run(0, 0.0)
    store.drift_run(1, 0.4, drifted=["age"], not_drifted=["race"])
    store.gate_run(0, "BASELINE", prod_auc=0.68, new_auc=0.68)
    store.gate_run(1, "DEPLOY", prod_auc=0.66, new_auc=0.7, roc={
        "roc_curve_production.json": '{"fpr": [0, 0.5, 1], "tpr": [0, 0.7, 1], "auc": 0.66}',
        "roc_curve_new.json": '{"fpr": [0, 0.4, 1], "tpr": [0, 0.8, 1], "auc": 0.7}',
    })  # fmt: skip
    api = make_client(mlflow_server.url)
    batches = api.get("/batches").json()
    assert [b["decision"] for b in batches["batches"]] == ["BASELINE", "DEPLOY"]
    assert batches["batches"][1]["drift"]["drifted_columns"][0]["column"] == "age"
    assert api.get("/roc/1").json()["new"]["auc"] == pytest.approx(0.7)
    assert api.get("/summary").json()["end_auc"] == pytest.approx(0.7)

    mlflow_server.stop()
    api.post("/refresh")
    stale = api.get("/batches")
    assert stale.status_code == 200
    assert stale.json()["stale"] is True
    assert [b["decision"] for b in stale.json()["batches"]] == ["BASELINE", "DEPLOY"]
    assert api.get("/summary").json()["stale"] is True
