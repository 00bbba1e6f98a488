"""The shareable report without a browser: its data, its safety, its bytes, its errors.

One synthetic store (tests.support.stores) with superseded and unfinished runs, and a drifted
column and a decision tag that are `</script>` plus HTML. The browser half (offline file://,
PDF) is tests/e2e/test_export_offline.py.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend.export import export_html, inline_page
from backend.main import create_app
from backend.settings import Settings
from tests.support.api import api_settings
from tests.support.exported import embedded, parse
from tests.support.stores import BuiltStore, StoreSpec, build_store

REPO_ROOT = Path(__file__).resolve().parents[3]
DIST = REPO_ROOT / "frontend" / "dist"
HOSTILE = '</script><img src=x onerror="alert(1)"><!-- &amp;'
SPEC = StoreSpec(other_runs=100, drifted_column=HOSTILE, odd_decision=HOSTILE)
MLFLOW_UI = "http://mlflow.example:5000"


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> BuiltStore:
    return build_store(tmp_path_factory.mktemp("export") / "store", SPEC)


@pytest.fixture(scope="module")
def settings(hostile_store: BuiltStore, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    if not (DIST / "index.html").is_file():
        pytest.skip("frontend/dist is missing: run `make build` first")
    return api_settings(
        hostile_store.tracking_uri,
        tmp_path_factory.mktemp("export-api"),
        static_dir=DIST,
        mlflow_ui_url=MLFLOW_UI,
    )


@pytest.fixture(scope="module")
def export_api(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
def exported(export_api: TestClient) -> bytes:
    response = export_api.get("/export")
    assert response.status_code == 200, response.text
    return response.content


def test_the_download_is_one_html_file(export_api: TestClient, exported: bytes) -> None:
    response = export_api.get("/export")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="healthpredict-report.html"'
    )
    elements = parse(exported)
    # The page's own script and the data, nothing loaded from anywhere else.
    scripts = [attrs for tag, attrs in elements.tags if tag == "script"]
    assert [a.get("type") for a in scripts] == ["module", "application/json"]
    assert all("src" not in attrs for attrs in scripts)
    links = [attrs for tag, attrs in elements.tags if tag == "link"]
    assert [a.get("rel") for a in links] == ["icon"]
    assert all((a.get("href") or "").startswith("data:") for a in links)
    assert not any(tag in ("img", "iframe", "object", "embed") for tag, _ in elements.tags)


def test_hostile_names_cannot_leave_the_data_element(exported: bytes) -> None:
    elements = parse(exported)
    # A `</script>` inside the data would have ended the element early and made an <img>.
    assert len(elements.scripts) == 2
    assert not any(tag == "img" for tag, _ in elements.tags)
    data_text = elements.scripts[1]
    assert not re.search(r"[<>&]", data_text)
    document = json.loads(data_text)
    batches = {b["batch"]: b for b in document["responses"]["/batches"]["batches"]}
    columns = [c["column"] for c in batches[3]["drift"]["drifted_columns"]]
    assert HOSTILE in columns  # read back exactly, to be shown as text
    assert batches[7]["raw_decision"] == HOSTILE


def test_the_data_is_what_the_api_answers(export_api: TestClient, exported: bytes) -> None:
    api = export_api
    document = embedded(exported)
    responses = document["responses"]
    assert document["format"] == 1
    assert document["generated_at"] is None
    batches = api.get("/batches").json()["batches"]
    with_gate = [b["batch"] for b in batches if b["quality_gate_run_id"] is not None]
    per_batch = {f"/{kind}/{n}" for kind in ("roc", "calibration") for n in with_gate}
    paths = {"/summary", "/batches", "/config", "/provenance", "/policies"} | per_batch
    assert set(responses) == paths
    for path in sorted(paths - {"/config"}):
        assert responses[path] == api.get(path).json(), path
    # The file is not a client on this machine: it offers no baseline capture.
    config = api.get("/config").json()
    assert responses["/config"] == {**config, "baseline_allowed": False}


def test_same_store_same_bytes_and_the_time_only_when_given(
    settings: Settings, exported: bytes
) -> None:
    again = asyncio.run(export_html(create_app(settings), DIST))
    assert again == exported
    stamped = asyncio.run(export_html(create_app(settings), DIST, "2026-11-27T10:00:00+00:00"))
    assert embedded(stamped)["generated_at"] == "2026-11-27T10:00:00+00:00"
    assert embedded(stamped)["responses"] == embedded(exported)["responses"]


def test_provenance_names_every_run_version_and_skipped_run(
    export_api: TestClient, hostile_store: BuiltStore
) -> None:
    stamp = export_api.get("/provenance").json()
    assert stamp["tracking_uri"] == hostile_store.tracking_uri  # nothing secret in a file path
    assert stamp["production_version"] == hostile_store.production_version
    assert [v["version"] for v in stamp["model_versions"]] == sorted(
        (v["version"] for v in stamp["model_versions"]), key=int
    )
    rows = {row["batch"]: row for row in stamp["batches"]}
    for expected in hostile_store.expected:
        row = rows[expected.batch]
        assert row["drift_run_id"] == expected.drift_run_id
        assert row["quality_gate_run_id"] == expected.gate_run_id
        assert row["quality_gate_run_url"].startswith(f"{MLFLOW_UI}/#/experiments/")
        assert row["quality_gate_run_url"].endswith(f"/runs/{expected.gate_run_id}")
        assert row["drift_run_url"].endswith(f"/runs/{expected.drift_run_id}")
        assert row["superseded_runs"] == expected.superseded_runs
    skipped = sum(b.superseded_runs for b in hostile_store.expected)
    assert skipped > 0
    assert stamp["superseded_runs"] == skipped
    assert stamp["project_version"] == "0.1.0"
    commit = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    assert stamp["git_commit"] == (commit or None)


def _fake_build(root: Path, head: str) -> Path:
    (root / "assets").mkdir(parents=True)
    (root / "assets" / "app.js").write_text('console.log("</script>")', encoding="utf-8")
    (root / "index.html").write_text(
        f'<!doctype html><html><head>{head}</head><body><div id="root"></div></body></html>',
        encoding="utf-8",
    )
    return root


def test_the_inliner_keeps_script_text_inside_its_element(tmp_path: Path) -> None:
    build = _fake_build(tmp_path / "dist", '<script type="module" src="/assets/app.js"></script>')
    html = inline_page(build, "{}")
    elements = parse(html.encode())
    assert elements.scripts[0] == 'console.log("<\\/script>")'  # same string for JavaScript
    assert len(elements.scripts) == 2


@pytest.mark.parametrize(
    ("head", "problem"),
    [
        ('<script src="https://cdn.example/app.js"></script>', "offline file cannot load"),
        ('<link rel="modulepreload" href="/assets/app.js">', "cannot inline"),
        ('<script src="/assets/missing.js"></script>', "missing"),
    ],
)
def test_the_inliner_refuses_what_a_file_could_not_load(
    tmp_path: Path, head: str, problem: str
) -> None:
    from backend.export import ExportError

    build = _fake_build(tmp_path / "dist", head)
    with pytest.raises(ExportError, match=problem):
        inline_page(build, "{}")


def test_without_a_built_page_the_export_says_how_to_build_it(
    hostile_store: BuiltStore, tmp_path: Path
) -> None:
    settings = api_settings(hostile_store.tracking_uri, tmp_path)  # static_dir: no build
    with TestClient(create_app(settings)) as client:
        response = client.get("/export")
    assert response.status_code == 404
    assert "the report page is not built" in response.json()["detail"]
    assert "make build" in response.json()["detail"]
