"""Fixtures for the browser test: the real API serving the built page on a free loopback port,
reading the session's real experiment (`experiment_store` from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.servers import report_api as run_report_api

if TYPE_CHECKING:
    from tests.conftest import ExperimentStore

REPO_ROOT = Path(__file__).resolve().parents[2]
DIST = REPO_ROOT / "frontend" / "dist"


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
