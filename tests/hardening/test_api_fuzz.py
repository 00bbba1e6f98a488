"""Schemathesis over the real app's OpenAPI schema, on the messy store: no 5xx, no off-schema body.

POST /baseline writes to the store (and needs a real model), so it is fuzzed separately against
a store without a Production model, where every answer must be a documented refusal.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from mlflow import MlflowClient
from schemathesis.core.result import Ok

from backend.main import create_app
from pipeline.core import contract
from tests.hardening.helpers import strict_json
from tests.support.api import LOCAL_CLIENT, api_settings
from tests.support.stores import BuiltStore, copy_store

MAX_EXAMPLES = 25


def test_no_server_errors_and_bodies_match_the_schema(messy_app: FastAPI) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", messy_app).exclude(
        method="POST", path="/baseline"
    )
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operations.append(result.ok())
    assert {op.path for op in operations} >= {"/batches", "/summary", "/roc/{batch}"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            response = case.call_and_validate()
            assert response.status_code < 500, (case.path, response.text[:300])
            if response.headers.get("content-type", [""])[0].startswith("application/json"):
                strict_json(response.text)

        check()


@pytest.fixture
def no_production_store(messy_store: BuiltStore, tmp_path: Path) -> BuiltStore:
    """The messy store with the registered model deleted."""
    store = copy_store(messy_store, tmp_path / "no-production")
    MlflowClient(
        tracking_uri=store.tracking_uri, registry_uri=store.tracking_uri
    ).delete_registered_model(contract.MODEL_NAME)
    return store


def test_baseline_without_production_model_is_refused(
    no_production_store: BuiltStore, tmp_path: Path
) -> None:
    app = create_app(api_settings(no_production_store.tracking_uri, tmp_path / "api"))
    with (
        TestClient(app, client=LOCAL_CLIENT) as local,
        TestClient(app, client=("203.0.113.9", 5000)) as remote,
    ):
        refused = local.post("/baseline")
        assert refused.status_code == 409, refused.text
        assert "Production" in strict_json(refused.text)["detail"]
        forbidden = remote.post("/baseline")
        assert forbidden.status_code == 403
        assert strict_json(forbidden.text)["detail"]
        # Nothing was logged: the report still shows the store's own batch 0 run.
        batch0 = local.get("/batches").json()["batches"][0]
        assert batch0["quality_gate_run_id"] == no_production_store.batch(0).gate_run_id
