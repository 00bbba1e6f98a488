"""`healthpredict report export` as a process, and provenance read through a real `mlflow server`.

The same hostile store as tests/unit/backend/test_export.py (its API half runs in the fast tier).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.main import create_app
from tests.support.api import api_settings
from tests.support.stores import BuiltStore, build_store
from tests.unit.backend.test_export import DIST, MLFLOW_UI, REPO_ROOT, SPEC


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> BuiltStore:
    return build_store(tmp_path_factory.mktemp("export") / "store", SPEC)


@pytest.fixture(scope="module")
def exported(
    hostile_store: BuiltStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[bytes]:
    """The file `GET /export` answers, to compare the command's file with."""
    if not (DIST / "index.html").is_file():
        pytest.skip("frontend/dist is missing: run `make build` first")
    settings = api_settings(
        hostile_store.tracking_uri,
        tmp_path_factory.mktemp("export-api"),
        static_dir=DIST,
        mlflow_ui_url=MLFLOW_UI,
    )
    with TestClient(create_app(settings)) as client:
        response = client.get("/export")
        assert response.status_code == 200, response.text
        yield response.content


def test_provenance_shows_the_tracking_uri_without_credentials(
    mlflow_server: Any, make_client: Any
) -> None:
    secret = "Pa55w0rd"
    host = mlflow_server.url.removeprefix("http://")
    response = make_client(f"http://alice:{secret}@{host}").get("/provenance")
    assert response.status_code == 200, response.text
    assert response.json()["tracking_uri"] == f"http://***@{host}"
    assert secret not in response.text


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "healthpredict", "report", "export", *args],
        capture_output=True, text=True, timeout=300, check=False, cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def _one_error_line(completed: subprocess.CompletedProcess[str]) -> str:
    assert completed.returncode != 0
    errors = [line for line in completed.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, completed.stderr
    return errors[0]


def test_cli_writes_the_same_file_as_the_api(
    hostile_store: BuiltStore, exported: bytes, tmp_path: Path
) -> None:
    out = tmp_path / "shared" / "report.html"
    out.parent.mkdir()  # the export writes into a folder that exists; it never creates one
    env = {"MLFLOW_UI_URL": MLFLOW_UI, "HEALTHPREDICT_STATIC_DIR": str(DIST)}
    completed = _cli("--out", str(out), "--tracking-uri", hostile_store.tracking_uri, env=env)
    assert completed.returncode == 0, completed.stderr
    assert f"wrote {out}" in completed.stdout
    assert out.read_bytes() == exported
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]  # no partial file left


def test_cli_pdf_without_chromium_fails_first_with_how_to_install(
    hostile_store: BuiltStore, tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    no_chromium = tmp_path / "bin"
    no_chromium.mkdir()
    completed = _cli("--out", str(out), "--pdf", str(tmp_path / "report.pdf"),
                     "--tracking-uri", hostile_store.tracking_uri,
                     env={"PATH": str(no_chromium)})  # fmt: skip
    line = _one_error_line(completed)
    assert "--pdf needs Chromium" in line and "apt-get install chromium" in line
    assert not out.exists() and not (tmp_path / "report.pdf").exists()


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--generated-at", "yesterday"], "--generated-at must be an ISO 8601"),
        (["--tracking-uri", "sqlite:////nonexistent/mlflow.db"], "no MLflow store at"),
    ],
)
def test_cli_bad_input_is_one_line_and_no_file(
    hostile_store: BuiltStore, tmp_path: Path, args: list[str], problem: str
) -> None:
    out = tmp_path / "report.html"
    defaults = ["--tracking-uri", hostile_store.tracking_uri]
    completed = _cli("--out", str(out), *defaults, *args)
    assert problem in _one_error_line(completed)
    assert not out.exists()
