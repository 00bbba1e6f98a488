"""API behaviour around the reads: who may capture a baseline, the cache, faults, the page."""

from __future__ import annotations

import time

import pytest

from backend.openapi import schema

REMOTE = ("10.1.2.3", 5000)


def test_health_says_mlflow_answers(api) -> None:
    body = api.get("/health").json()
    assert body["status"] == "ok" and body["mlflow"] is True


def test_baseline_refused_to_remote_clients_without_token(store, make_client) -> None:
    remote = make_client(store.tracking_uri, client=REMOTE)
    response = remote.post("/baseline")
    assert response.status_code == 403
    assert "HEALTHPREDICT_API_TOKEN" in response.json()["detail"]
    assert remote.get("/config").json()["baseline_allowed"] is False


def test_baseline_needs_the_right_bearer_token_when_one_is_set(store, make_client) -> None:
    local = make_client(store.tracking_uri, api_token="s3cret-token")
    assert local.post("/baseline").status_code == 401  # even from loopback
    wrong = local.post("/baseline", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"] == "Bearer"
    config = local.get("/config", headers={"Authorization": "Bearer s3cret-token"})
    assert config.json()["baseline_allowed"] is True
    assert local.get("/config").json()["baseline_allowed"] is False


def test_config_for_a_local_client(store, make_client) -> None:
    api = make_client(store.tracking_uri, mlflow_ui_url="http://127.0.0.1:5000/")
    body = api.get("/config").json()
    assert body["baseline_allowed"] is True
    assert body["mlflow_ui_url"] == "http://127.0.0.1:5000"
    assert body["drift_threshold"] == pytest.approx(0.30)


def test_refresh_drops_the_cache(store, api) -> None:
    store.drift_run(1, 0.1)
    assert [b["batch"] for b in api.get("/batches").json()["batches"]] == [1]
    store.drift_run(2, 0.6)
    assert [b["batch"] for b in api.get("/batches").json()["batches"]] == [1]  # cached
    assert api.post("/refresh").json() == {"refreshed": True}
    assert [b["batch"] for b in api.get("/batches").json()["batches"]] == [1, 2]


def test_cache_ttl_zero_reads_every_time(store, make_client) -> None:
    api = make_client(store.tracking_uri, cache_ttl_seconds=0)
    assert api.get("/summary").json()["total_batches"] == 0
    store.gate_run(1, "SKIP_NO_DRIFT", prod_auc=0.6, new_auc=0.6)
    assert api.get("/summary").json()["total_batches"] == 1


def test_unreachable_mlflow_is_503_quickly(make_client, fast_failing_http, closed_port) -> None:
    api = make_client(f"http://127.0.0.1:{closed_port}")
    started = time.monotonic()
    response = api.get("/batches")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert "did not answer" in response.json()["detail"]
    assert elapsed < 5.0
    assert api.get("/health").json()["mlflow"] is False
    assert api.get("/roc/1").status_code == 503


def test_page_is_served_and_everything_else_answers_json(store, make_client, tmp_path) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<html>report page</html>")
    (dist / "assets" / "app.js").write_text("console.log('report')")
    api = make_client(store.tracking_uri, static_dir=dist)
    assert "report page" in api.get("/").text
    assert "console.log" in api.get("/assets/app.js").text
    # Only the page's own route gets the page; a mistyped API path or a JSON client gets JSON.
    for path, headers in (
        ("/summry", {}),
        ("/batch/3", {}),
        ("/", {"Accept": "application/json"}),
        ("/assets/app.js/x", {}),
    ):
        wrong = api.get(path, headers=headers)
        assert wrong.status_code == 404, path
        assert wrong.json()["detail"] == f"no route {path}", path
    assert api.post("/summry").status_code == 404
    assert api.put("/batches").json()["detail"].startswith("PUT is not allowed on /batches")
    assert api.get("/assets/missing.js").status_code == 404
    for escape in ("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/assets/..%2f..%2fmlflow.db"):
        assert "root:" not in api.get(escape).text  # never a file outside the build
    assert api.get("/batches").headers["content-type"].startswith("application/json")
    assert api.get("/roc").status_code == 404


def test_without_a_build_the_root_says_how_to_build(api) -> None:
    response = api.get("/")
    assert response.status_code == 200
    assert "npm run build" in response.json()["detail"]


def test_openapi_has_clean_operation_ids_and_documented_errors() -> None:
    spec = schema()
    operations = {
        op["operationId"]: (path, method)
        for path, methods in spec["paths"].items()
        for method, op in methods.items()
    }
    assert set(operations) == {
        "get_summary", "list_batches", "get_roc", "get_calibration", "capture_baseline",
        "health", "get_config", "refresh", "get_provenance", "export_report", "get_policies",
    }  # fmt: skip
    for path in ("/roc/{batch}", "/calibration/{batch}"):
        not_found = spec["paths"][path]["get"]["responses"]["404"]
        assert not_found["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorDetail")
    baseline = spec["paths"]["/baseline"]["post"]["responses"]
    assert {"201", "401", "403", "409"} <= set(baseline)


def test_cors_only_when_origins_are_configured(store, make_client) -> None:
    headers = {"Origin": "http://localhost:5173"}
    closed = make_client(store.tracking_uri)
    assert "access-control-allow-origin" not in closed.get("/health", headers=headers).headers
    opened = make_client(store.tracking_uri, cors_origins=["http://localhost:5173"])
    allowed = opened.get("/health", headers=headers).headers
    assert allowed["access-control-allow-origin"] == "http://localhost:5173"
