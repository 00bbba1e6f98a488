"""A curve a run never logged (or an artifact store that is down) is looked for once per retry
window, not on every request: each attempt cost ~150 ms of CPU in the API, and two clients
reading /roc slowed every route. `POST /refresh` looks again at once."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from pipeline.core import contract
from tests.support.report_stores import StoreBuilder
from tests.support.stores import roc_curve


def _attempts(caplog: pytest.LogCaptureFixture) -> int:
    return sum("has no readable artifact" in r.getMessage() for r in caplog.records)


def test_a_missing_curve_is_looked_for_once_then_again_after_a_refresh(
    store: StoreBuilder, api: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    run_id = store.gate_run(1, "SKIP_NO_DRIFT", prod_auc=0.6)  # no ROC curve logged
    caplog.set_level(logging.INFO, logger="backend.mlflow_reader")

    answers = [api.get("/roc/1") for _ in range(20)]
    assert {a.status_code for a in answers} == {200}
    assert all(a.json()["production"] is None for a in answers)  # the page: "not recorded"
    assert _attempts(caplog) == 1

    # A late writer logs the curve: reads keep the answer they have until someone refreshes.
    store.client.log_text(run_id, json.dumps(roc_curve(0.6)), contract.ROC_PRODUCTION_ARTIFACT)
    assert api.get("/roc/1").json()["production"] is None
    assert api.post("/refresh").status_code == 200
    production = api.get("/roc/1").json()["production"]
    assert production is not None and production["auc"] == pytest.approx(0.6)
    assert _attempts(caplog) == 1  # found on the second look, which logs nothing
