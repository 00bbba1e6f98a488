"""Issue 24 items 1 and 3 at the HTTP layer: credentials in links and odd passwords never shown;
no request input reaches a 500; every error carries the security headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend.main import create_app
from backend.middleware import SECURITY_HEADERS
from tests.support.api import LOCAL_CLIENT, api_settings

SLASHED = "Pg/S3cret"


def test_a_password_with_a_slash_is_masked_in_every_answer(
    make_client, fast_failing_http, closed_port
) -> None:
    uri = f"postgresql://mlflow:{SLASHED}@127.0.0.1:{closed_port}/mlflow"
    api = make_client(uri)
    config = api.get("/config").json()
    assert config["mlflow_tracking_uri"] == f"postgresql://***@127.0.0.1:{closed_port}/mlflow"
    answers = [api.get("/health"), api.get("/batches"), api.get("/provenance"), api.get("/roc/1")]
    assert [a.status_code for a in answers] == [200, 503, 503, 503]
    for answer in answers:
        assert "S3cret" not in answer.text
        assert f"***@127.0.0.1:{closed_port}" in answer.text


def test_ui_links_carry_no_credentials(store, make_client) -> None:
    store.gate_run(1, "DEPLOY", prod_auc=0.6, new_auc=0.7)
    api = make_client(
        store.tracking_uri,
        mlflow_ui_url="http://admin:Ui/p4ss@mlflow.example:5000",
        airflow_ui_url="https://ops:Air#flow@airflow.example",
    )
    config = api.get("/config").json()
    assert config["mlflow_ui_url"] == "http://mlflow.example:5000"
    assert config["airflow_ui_url"] == "https://airflow.example"
    for path in ("/batches", "/provenance", "/policies", "/config"):
        text = api.get(path).text
        assert "p4ss" not in text and "flow@" not in text and "admin" not in text, path
    gate = next(b for b in api.get("/batches").json()["batches"] if b["batch"] == 1)
    assert gate["mlflow_url"].startswith("http://mlflow.example:5000/#/experiments/")


@pytest.mark.parametrize("host", ["[::1", "[zz]", "a]", "a b", "x@y"])
def test_a_malformed_host_header_is_a_400_not_a_500(api, host) -> None:
    for path in ("/health", "/config", "/batches", "/nothing-here"):
        response = api.get(path, headers={"Host": host})
        assert response.status_code == 400, (host, path)
        assert response.json()["detail"].startswith("malformed Host header")
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value


def test_a_huge_batch_number_is_a_422_not_a_500(store, api) -> None:
    store.gate_run(3, "SKIP_NO_DRIFT", prod_auc=0.6, new_auc=0.6)
    for path in ("/roc/", "/calibration/"):
        response = api.get(path + "9" * 5000)
        assert response.status_code == 422, path
        assert response.headers["content-type"] == "application/json"
        assert api.get(path + "0003").status_code == 200, path


def test_a_500_carries_the_security_headers(store, tmp_path) -> None:
    app = create_app(api_settings(store.tracking_uri, tmp_path))

    def fails() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/__fails", fails)
    app.router.routes.insert(0, app.router.routes.pop())  # before the page's catch-all

    with TestClient(app, client=LOCAL_CLIENT, raise_server_exceptions=False) as api:
        response = api.get("/__fails")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error: see the API's log"}
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value


def test_a_deleted_sqlite_store_is_not_recreated_by_the_read_only_api(store, api) -> None:
    """Issue 24 item 8: the API read on, and SQLite created an empty `mlflow.db` in its place."""
    store.gate_run(1, "DEPLOY", prod_auc=0.6, new_auc=0.7)
    assert api.get("/batches").json()["stale"] is False
    database = Path(store.tracking_uri.removeprefix("sqlite:///"))
    database.unlink()
    assert api.post("/refresh").json() == {"refreshed": False}
    batches = api.get("/batches").json()
    assert batches["stale"] is True and [b["batch"] for b in batches["batches"]] == [1]
    health = api.get("/health").json()
    assert health["mlflow"] is False
    assert health["detail"].startswith("no MLflow store at ") and database.name in health["detail"]
    assert not database.exists()
