"""Helpers for the hardening tests: strict JSON, explicit settings, servers on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

SERVER_START_TIMEOUT_S = 180.0


def strict_json(text: str) -> Any:
    """Parse like a browser's JSON.parse: `NaN`/`Infinity` are errors, not floats."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"non-standard JSON constant {constant}")

    return json.loads(text, parse_constant=refuse)


@contextlib.contextmanager
def serve_in_thread(app: FastAPI) -> Iterator[str]:
    """The app under a real uvicorn on 127.0.0.1 (OS-chosen port) in a thread; yields its URL."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextlib.contextmanager
def mlflow_server_on_port(
    backend_uri: str, artifacts: Path, port: int, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """`mlflow server` on a given port of 127.0.0.1 (to restart it where the API expects it)."""
    from tests.support.servers import stop_process_group

    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    command = [
        str(Path(sys.executable).with_name("mlflow")),
        "server",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--backend-store-uri", backend_uri,
        "--artifacts-destination", str(artifacts),
        "--workers", "1",
    ]  # fmt: skip
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"mlflow server exited; see {log}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"mlflow server did not start; see {log}")
            time.sleep(0.3)
        yield process
    finally:
        stop_process_group(process)


REPO_ROOT = Path(__file__).resolve().parents[2]
DIST = REPO_ROOT / "frontend" / "dist"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


def browser_tools() -> str:
    """Node's path when the built page, node, Chromium and playwright-core are all there; skips
    the test (saying what is missing) otherwise."""
    if not (DIST / "index.html").is_file():
        pytest.skip("frontend/dist is missing: run `npm ci && npm run build` in frontend/")
    node = shutil.which("node")
    if node is None or not CHROMIUM.is_file():
        pytest.skip(f"needs node and Chromium at {CHROMIUM}")
    if not (REPO_ROOT / "frontend" / "node_modules" / "playwright-core").is_dir():
        pytest.skip("frontend/node_modules is missing: run `npm ci` in frontend/")
    return node
