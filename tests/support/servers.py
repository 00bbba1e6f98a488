"""Real servers for integration tests: ``mlflow server``, a moto S3 server, the report API.

Both bind 127.0.0.1 on a port the OS picks, wait until they answer before yielding, and are torn
down on exit even when the test fails: the MLflow server runs in its own process group (its
uvicorn workers die with it); moto runs in a thread of the test process.

    with mlflow_server(tmp_path) as server:
        client = MlflowClient(server.url)

    use_aws_test_credentials(monkeypatch)
    with moto_s3_server() as endpoint:
        s3_client(endpoint).create_bucket(Bucket="bucket")

The S3 endpoint is a real HTTP server, so subprocesses (``python -m baseline``) reach it too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

LOCALHOST: Final = "127.0.0.1"
MLFLOW_START_TIMEOUT_S: Final = 180.0  # the shared CI box is slow to import MLflow
STOP_TIMEOUT_S: Final = 15.0
DUMMY_AWS_ENV: Final = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class ServerStartError(RuntimeError):
    """The server exited or never answered; the message carries the end of its log."""


@dataclass(frozen=True)
class MlflowServer:
    url: str
    backend_uri: str
    artifacts_destination: str
    log_path: Path
    pid: int = 0  # the server's process group leader (the bench SIGSTOPs the group)


def free_port() -> int:
    """A port nobody listens on right now (for a server that cannot bind port 0 itself)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOCALHOST, 0))
        return int(sock.getsockname()[1])


def closed_port_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens: for "unreachable server" tests."""
    return f"http://{LOCALHOST}:{free_port()}"


@contextlib.contextmanager
def mlflow_server(
    tmp_path: Path,
    backend_uri: str | None = None,
    artifacts_destination: str | None = None,
) -> Iterator[MlflowServer]:
    """Run ``mlflow server`` (SQLite store, proxied artifacts in ``tmp_path``) until exit."""
    backend = backend_uri or f"sqlite:///{tmp_path / 'mlflow-server.db'}"
    artifacts = artifacts_destination or str(tmp_path / "mlflow-server-artifacts")
    log_path = tmp_path / "mlflow-server.log"
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("mlflow")),
        "server",
        "--host",
        LOCALHOST,
        "--port",
        str(port),
        "--backend-store-uri",
        backend,
        "--artifacts-destination",
        artifacts,
        "--workers",
        "1",
    ]
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    url = f"http://{LOCALHOST}:{port}"
    try:
        _wait_until_healthy(process, f"{url}/health", log_path)
        yield MlflowServer(url, backend, artifacts, log_path, process.pid)
    finally:
        stop_process_group(process)


@contextlib.contextmanager
def moto_s3_server() -> Iterator[str]:
    """A fresh, empty moto server on 127.0.0.1 (OS-chosen port); yields its endpoint URL."""
    server = ThreadedMotoServer(ip_address=LOCALHOST, port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        # moto keeps its buckets in process-wide state: start every server empty.
        httpx.post(f"{endpoint}/moto-api/reset", timeout=10.0).raise_for_status()
        yield endpoint
    finally:
        server.stop()


def use_aws_test_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dummy credentials so boto3 signs requests to moto, and no real AWS profile is read."""
    for name, value in DUMMY_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def s3_client(endpoint_url: str) -> S3Client:
    """A boto3 S3 client for the moto endpoint, with the dummy credentials spelled out."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=DUMMY_AWS_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
        region_name=DUMMY_AWS_ENV["AWS_DEFAULT_REGION"],
    )


@contextlib.contextmanager
def report_api(
    log_dir: Path,
    tracking_uri: str,
    storage: str,
    *,
    static_dir: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[str]:
    """Run the report API as a user would (``python -m backend``); yields its base URL."""
    port = free_port()
    log_path = log_dir / "report-api.log"
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": tracking_uri,
        "HEALTHPREDICT_STORAGE": storage,
        **(extra_env or {}),
    }
    if static_dir is not None:
        env["HEALTHPREDICT_STATIC_DIR"] = str(static_dir)
    for unset in ("HEALTHPREDICT_API_TOKEN", "MLFLOW_UI_URL", "AIRFLOW_UI_URL"):
        if unset not in (extra_env or {}):
            env.pop(unset, None)
    command = [sys.executable, "-m", "backend", "--host", LOCALHOST, "--port", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    url = f"http://{LOCALHOST}:{port}"
    try:
        _wait_until_healthy(process, f"{url}/health", log_path, name="the report API")
        yield url
    finally:
        stop_process_group(process)


def _wait_until_healthy(
    process: subprocess.Popen[bytes], health_url: str, log: Path, name: str = "mlflow server"
) -> None:
    deadline = time.monotonic() + MLFLOW_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerStartError(f"{name} exited with {process.returncode}:\n{_tail(log)}")
        try:
            healthy = httpx.get(health_url, timeout=2.0).status_code == 200
        except httpx.HTTPError:
            healthy = False  # not listening yet
        if healthy:
            return
        time.sleep(0.3)
    raise ServerStartError(
        f"{name} did not answer {health_url} in {MLFLOW_START_TIMEOUT_S:.0f} s:\n{_tail(log)}"
    )


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the whole group (server + workers), SIGKILL what is left after a grace period."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=STOP_TIMEOUT_S)
    # Workers may outlive the leader; the group id is the leader's pid (start_new_session).
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=STOP_TIMEOUT_S)


def _tail(log: Path, lines: int = 30) -> str:
    if not log.exists():
        return "(no log)"
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
