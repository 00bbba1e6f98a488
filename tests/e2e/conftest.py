"""Fixtures for the browser test: the real API serving the built page on a free loopback port,
reading the session's real experiment (`experiment_store` from tests/conftest.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.servers import report_api as run_report_api
from tests.support.stores import BuiltStore, StoreSpec, build_store

if TYPE_CHECKING:
    from tests.conftest import ExperimentStore

REPO_ROOT = Path(__file__).resolve().parents[2]
DIST = REPO_ROOT / "frontend" / "dist"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCRIPT = REPO_ROOT / "tests" / "e2e" / "report_page.mjs"


def require_browser_tools() -> None:
    """Skip (before any expensive fixture) when Chromium, node or playwright-core is missing."""
    if not CHROMIUM.is_file():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's `chromium` package")
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if not (REPO_ROOT / "frontend" / "node_modules" / "playwright-core").is_dir():
        pytest.skip("frontend/node_modules is missing: run `npm ci` in frontend/")


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
        pytest.skip("frontend/dist is missing: run `npm ci && npm run build` in frontend/ first")
    log_dir = tmp_path_factory.mktemp("e2e-evidence-api")
    storage = str(tmp_path_factory.mktemp("e2e-evidence-storage"))
    with run_report_api(log_dir, evidence_store.tracking_uri, storage, static_dir=DIST) as url:
        yield url
