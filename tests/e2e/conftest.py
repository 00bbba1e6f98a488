"""Fixtures for the browser tests: the real API serving the built page on a free loopback port,
reading the session's real experiment (`experiment_store` from tests/conftest.py), and a copy of
that experiment in which batch 1 (a quiet batch) was re-run with `--force-retrain`."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pipeline.core import config
from tests.support.browser import CHROMIUM, browser_node
from tests.support.servers import mlflow_server
from tests.support.servers import report_api as run_report_api
from tests.support.stores import BuiltStore, StoreSpec, build_store

if TYPE_CHECKING:
    from tests.conftest import ExperimentStore

REPO_ROOT = Path(__file__).resolve().parents[2]
DIST = REPO_ROOT / "frontend" / "dist"
SCRIPT = REPO_ROOT / "tests" / "e2e" / "report_page.mjs"
FORCED_BATCH = 1  # quiet in the real experiment (drift share 0.02, SKIP_NO_DRIFT)


def require_browser_tools() -> None:
    """Skip (before any expensive fixture) when Chromium, node or playwright-core is missing."""
    browser_node()


def browse(base_url: str, out: Path) -> dict[str, Any]:
    """Run the browser script against the page at `base_url`; what a reader saw, as a dict."""
    node = shutil.which("node")
    assert node is not None
    completed = subprocess.run(
        [node, str(SCRIPT), "--url", f"{base_url}/", "--out", str(out),
         "--chromium", str(CHROMIUM)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, f"browser script failed:\n{completed.stderr[-3000:]}"
    facts: dict[str, Any] = json.loads(completed.stdout)
    return facts


@pytest.fixture(scope="session")
def report_api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """`python -m backend` serving the API and frontend/dist; yields its base URL.

    The build is checked before the experiment runs, so a missing build skips at once.
    """
    if not (DIST / "index.html").is_file():
        pytest.skip("frontend/dist is missing: run `npm ci && npm run build` in frontend/ first")
    store: ExperimentStore = request.getfixturevalue("experiment_store")
    log_dir = tmp_path_factory.mktemp("e2e-api")
    with run_report_api(log_dir, store.tracking_uri, store.storage, static_dir=DIST) as url:
        yield url


def _copy_store(store: ExperimentStore, target: Path) -> tuple[str, Path, Path]:
    """A private copy of the session's store: SQLite (online backup), artifacts and storage."""
    source_db = Path(store.backend_uri.removeprefix("sqlite:///"))
    target_db = target / "mlflow-server.db"
    with sqlite3.connect(source_db) as source, sqlite3.connect(target_db) as copy:
        source.backup(copy)
    artifacts = target / "mlflow-server-artifacts"
    shutil.copytree(store.state_dir / "mlflow-server-artifacts", artifacts)
    storage = target / "storage"
    shutil.copytree(store.storage, storage)
    return f"sqlite:///{target_db}", artifacts, storage


@pytest.fixture(scope="session")
def forced_retrain_api(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    pristine_environment: dict[str, str],
) -> Iterator[str]:
    """The report API on a copy of the experiment after `healthpredict batch run 1
    --force-retrain` (the command a user types), run against its own `mlflow server`."""
    if not (DIST / "index.html").is_file():
        pytest.skip("frontend/dist is missing: run `scripts/build-web.sh` first")
    store: ExperimentStore = request.getfixturevalue("experiment_store")
    state = tmp_path_factory.mktemp("forced-retrain")
    backend_uri, artifacts, storage = _copy_store(store, state)
    with mlflow_server(state, backend_uri=backend_uri, artifacts_destination=str(artifacts)) as srv:
        env = {**pristine_environment, config.STATE_DIR_ENV: str(state)}
        env.pop("MLFLOW_TRACKING_URI", None)
        completed = subprocess.run(
            [str(Path(sys.executable).with_name("healthpredict")), "batch", "run",
             str(FORCED_BATCH), "--force-retrain", "--hpo-trials", "2",
             "--tracking-uri", srv.url, "--storage", str(storage)],
            cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900, check=False,
        )  # fmt: skip
        assert completed.returncode == 0, f"forced retrain failed:\n{completed.stderr[-3000:]}"
        with run_report_api(state, srv.url, str(storage), static_dir=DIST) as url:
            yield url


@pytest.fixture(scope="session")
def evidence_store(tmp_path_factory: pytest.TempPathFactory) -> BuiltStore:
    """A store written with CONTRACT.md's "Evidence" names (tests.support.stores)."""
    return build_store(tmp_path_factory.mktemp("evidence") / "store", StoreSpec(evidence=True))


@pytest.fixture(scope="session")
def evidence_report_api(
    evidence_store: BuiltStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The API and built page over the evidence store."""
    if not (DIST / "index.html").is_file():
        pytest.skip("frontend/dist is missing: run `scripts/build-web.sh` first")
    log_dir = tmp_path_factory.mktemp("e2e-evidence-api")
    storage = str(tmp_path_factory.mktemp("e2e-evidence-storage"))
    with run_report_api(log_dir, evidence_store.tracking_uri, storage, static_dir=DIST) as url:
        yield url
