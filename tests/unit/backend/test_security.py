"""Security of the report API's HTTP layer (issue 14): what it shows, who may write, headers."""

from __future__ import annotations

import re

import pytest

from backend.middleware import CONTENT_SECURITY_POLICY, SECURITY_HEADERS
from backend.server import startup_line
from pipeline.core.errors import TrackingError
from pipeline.tracking import client as tracking
from tests.support.api import api_settings

SECRET = "Pa55w0rd"


def test_tracking_uri_credentials_are_never_shown(
    make_client, fast_failing_http, closed_port, tmp_path
) -> None:
    uri = f"http://alice:{SECRET}@127.0.0.1:{closed_port}/?token={SECRET}"
    api = make_client(uri)
    config = api.get("/config").json()
    assert config["mlflow_tracking_uri"] == f"http://***@127.0.0.1:{closed_port}/?token=***"
    health = api.get("/health")
    assert health.json()["mlflow"] is False
    responses = [health, api.get("/batches"), api.get("/summary"), api.get("/roc/1")]
    assert [r.status_code for r in responses] == [200, 503, 503, 503]
    for response in responses:
        assert SECRET not in response.text
    assert "127.0.0.1" in responses[1].json()["detail"]  # still says which store failed
    line = startup_line("127.0.0.1", 8000, api_settings(uri, tmp_path))
    assert SECRET not in line and f"***@127.0.0.1:{closed_port}" in line


def test_cli_tracking_errors_mask_credentials(closed_port, fast_failing_http) -> None:
    with pytest.raises(TrackingError) as caught:
        tracking.configure(f"http://alice:{SECRET}@127.0.0.1:{closed_port}")
    assert SECRET not in str(caught.value)
    assert f"***@127.0.0.1:{closed_port}" in str(caught.value)


# --- small 500s and methods (issue 14 item 13) ---------------------------------------------------


@pytest.mark.parametrize("path", ["/%00", "/x%00y", "/" + "a" * 300, "/assets/" + "b" * 256])
def test_odd_paths_are_json_404_not_500(api, path) -> None:
    response = api.get(path)
    assert response.status_code == 404
    assert response.json()["detail"].startswith("no route /")


def test_head_works_on_get_routes_and_get_on_post_routes_is_405(store, api) -> None:
    for path in ("/health", "/config", "/batches", "/summary", "/docs", "/openapi.json"):
        head = api.head(path)
        assert head.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-type"] == api.get(path).headers["content-type"]
    for path in ("/refresh", "/baseline"):
        wrong = api.get(path)
        assert wrong.status_code == 405, path
        assert wrong.headers["allow"] == "POST"
        assert wrong.json()["detail"] == f"GET is not allowed on {path}; use POST"


def test_roc_takes_ascii_digits_only(store, api) -> None:
    store.gate_run(3, "SKIP_NO_DRIFT", prod_auc=0.6, new_auc=0.6)
    assert api.get("/roc/3").status_code == 200
    for path in ("/roc/3.0", "/roc/+3", "/roc/%203", "/roc/3%20", "/roc/%EF%BC%93", "/roc/-3"):
        response = api.get(path)
        assert response.status_code in (404, 422), path
        assert response.headers["content-type"] == "application/json", path


# --- cross-site writes, proxy trust, refresh (issue 14 items 7-9) --------------------------------

EVIL = "http://evil.example"


@pytest.mark.parametrize("path", ["/baseline", "/refresh"])
def test_cross_site_writes_are_refused(store, make_client, path) -> None:
    api = make_client(store.tracking_uri, cors_origins=["http://localhost:5173"])
    simple_post = {"Content-Type": "text/plain"}
    for claimed in ({"Origin": EVIL}, {"Referer": f"{EVIL}/page"}, {"Origin": "null"}):
        refused = api.post(path, headers={**simple_post, **claimed}, content="x")
        assert refused.status_code == 403, claimed
        assert "cross-site write refused" in refused.json()["detail"]
    # A DNS-rebinding page is same-origin with itself, but the Host names no allowed host.
    rebound = api.post(path, headers={"Host": "evil.example", "Origin": EVIL})
    assert rebound.status_code == 403
    assert "HEALTHPREDICT_ALLOWED_HOSTS" in rebound.json()["detail"]
    assert api.get("/config", headers={"Host": "evil.example"}).json()["baseline_allowed"] is False
    # The API's own page, a configured origin, and clients that are not browsers may write.
    for claimed in ({"Origin": "http://testserver"}, {"Origin": "http://localhost:5173"}, {}):
        assert api.post("/refresh", headers=claimed).status_code == 200, claimed


def test_refresh_is_a_write_like_baseline(store, make_client) -> None:
    remote = make_client(store.tracking_uri, client=("203.0.113.9", 5000))
    assert remote.post("/refresh").status_code == 403
    with_token = make_client(store.tracking_uri, client=("203.0.113.9", 5000), api_token="s3cret")
    assert with_token.post("/refresh").status_code == 401
    authorised = with_token.post("/refresh", headers={"Authorization": "Bearer s3cret"})
    assert authorised.json() == {"refreshed": True}


def test_the_test_clients_placeholder_host_is_not_loopback(store, make_client) -> None:
    placeholder = make_client(store.tracking_uri, client=("testclient", 50000))
    assert placeholder.post("/refresh").status_code == 403
    assert placeholder.get("/config").json()["baseline_allowed"] is False


def test_refresh_shows_what_was_written_before_it(store, api) -> None:
    store.drift_run(1, 0.1)
    assert [b["batch"] for b in api.get("/batches").json()["batches"]] == [1]
    store.drift_run(2, 0.6)
    assert api.post("/refresh").json() == {"refreshed": True}
    assert [b["batch"] for b in api.get("/batches").json()["batches"]] == [1, 2]


# --- security headers and offline docs (issue 14 item 10, issue 15 item 8) ------------------------


def test_every_answer_carries_the_security_headers(store, make_client, tmp_path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<html>report page</html>")
    api = make_client(store.tracking_uri, static_dir=dist)
    for path in ("/", "/batches", "/docs", "/redoc", "/missing", "/openapi.json"):
        headers = api.get(path).headers
        for name, value in SECURITY_HEADERS.items():
            assert headers[name] == value, (path, name)
    csp = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    assert csp["script-src"] == "'self'" and csp["frame-ancestors"] == "'none'"


def test_docs_pages_need_no_network_and_no_inline_script(api) -> None:
    for path in ("/docs", "/redoc"):
        page = api.get(path).text
        sources = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', page)
        assert sources, path
        for source in sources:
            assert source.startswith("/"), f"{path} loads {source} from elsewhere"
            asset = api.get(source)
            assert asset.status_code == 200 and asset.content, source
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), f"{path} has inline script"
        assert "cdn" not in page.lower()


def test_every_endpoint_answers_json_for_wrong_methods_and_unknown_subpaths(api) -> None:
    """No list of API paths exists: whatever endpoints the schema has (new ones included), a
    wrong method gets a JSON 405 naming the right ones and a path below it a JSON 404."""
    for template, operations in api.get("/openapi.json").json()["paths"].items():
        path = re.sub(r"\{[^}]+\}", "1", template)
        wrong = "DELETE" if "delete" not in operations else "PATCH"
        refused = api.request(wrong, path)
        assert refused.status_code == 405, path
        assert set(refused.headers["allow"].split(", ")) >= {m.upper() for m in operations}
        below = api.get(f"{path}/x", headers={"Accept": "text/html"})
        assert below.status_code == 404 and below.json()["detail"] == f"no route {path}/x"
