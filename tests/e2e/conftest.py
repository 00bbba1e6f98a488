"""Fixtures for the browser test: the real API serving the built page on a free loopback port,
reading the session's real experiment (`experiment_store` from tests/conftest.py)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

if TYPE_CHECKING:
    from tests.conftest import ExperimentStore

REPO_ROOT = Path(__file__).resolve().parents[2]
DIST = REPO_ROOT / "frontend" / "dist"
API_START_TIMEOUT_S = 90


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("e2e-api") / "api.log"
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": store.tracking_uri,
        "HEALTHPREDICT_STORAGE": store.storage,
        "HEALTHPREDICT_STATIC_DIR": str(DIST),
    }
    for unset in ("HEALTHPREDICT_API_TOKEN", "MLFLOW_UI_URL", "AIRFLOW_UI_URL"):
        env.pop(unset, None)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "backend", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + API_START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the report API exited early: {log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the report API did not answer /health within {API_START_TIMEOUT_S} s"
                )
            time.sleep(0.3)
        yield url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
