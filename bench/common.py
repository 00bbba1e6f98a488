"""What every benchmark part shares: paths, percentiles, a real API server process, a tiny client.

The API under test always runs as its own uvicorn process on 127.0.0.1 (what `healthpredict
serve` runs), so its memory and latency are measured without the benchmark's own objects in it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import math
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import httpx

from tests.support.servers import stop_process_group

logger = logging.getLogger(__name__)

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
RESULTS_DIR: Final = REPO_ROOT / "bench-results"
STORES_DIR: Final = RESULTS_DIR / "stores"
FRONTEND_DIR: Final = REPO_ROOT / "frontend"
LOCALHOST: Final = "127.0.0.1"
SERVER_START_TIMEOUT_S: Final = 120.0
STOP_TIMEOUT_S: Final = 15.0


class BenchError(RuntimeError):
    """A benchmark part could not run (a server did not start, a tool is missing)."""


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile (share in 0..1); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float | None:
    return percentile(values, 0.5)


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOCALHOST, 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class ApiServer:
    url: str
    port: int
    pid: int
    log_path: Path


def api_environment(tracking_uri: str, workdir: Path, **extra: str) -> dict[str, str]:
    """The API's environment: only what the benchmark sets, no MLflow URI from the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "HEALTHPREDICT_"))}
    env.update(
        MLFLOW_TRACKING_URI=tracking_uri,
        HEALTHPREDICT_STORAGE=str(workdir / "storage"),
        HEALTHPREDICT_STATIC_DIR=str(FRONTEND_DIR / "dist"),
        HEALTHPREDICT_HOME=str(workdir / "state"),
    )
    env.update(extra)
    return env


@contextlib.contextmanager
def api_server(
    tracking_uri: str, workdir: Path, *, cache_ttl_seconds: float = 3600.0, **extra_env: str
) -> Iterator[ApiServer]:
    """`python -m backend` on a free port of 127.0.0.1, stopped (its whole group) on exit."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = workdir / f"api-{port}.log"
    env = api_environment(
        tracking_uri,
        workdir,
        HEALTHPREDICT_CACHE_TTL_SECONDS=str(cache_ttl_seconds),
        **extra_env,
    )
    command = [sys.executable, "-m", "backend", "--host", LOCALHOST, "--port", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://{LOCALHOST}:{port}"
    try:
        wait_until_answering(process, f"{url}/health", log_path)
        yield ApiServer(url, port, process.pid, log_path)
    finally:
        stop_process_group(process)


def wait_until_answering(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"{url} server exited with {process.returncode}; see {log}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        time.sleep(0.2)
    raise BenchError(f"{url} did not answer within {SERVER_START_TIMEOUT_S:.0f} s; see {log}")


@dataclass
class Sample:
    """One request: its latency (seconds) and whether it succeeded (HTTP 200, whole body)."""

    path: str
    seconds: float
    ok: bool


class KeepAliveClient:
    """A minimal HTTP/1.1 keep-alive client (GET, and POST without a body) on asyncio streams.

    httpx costs about a millisecond of CPU per request in the benchmark process, which on a
    two-core machine would be measured as server latency; this reads just the status line, the
    headers and `Content-Length` bytes.
    """

    def __init__(self, host: str, port: int, timeout_s: float = 10.0) -> None:
        self.host, self.port, self.timeout_s = host, port, timeout_s
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is None or self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self._reader, self._writer

    async def get(self, path: str) -> Sample:
        return await self.request("GET", path)

    async def request(self, method: str, path: str) -> Sample:
        started = time.perf_counter()
        try:
            status = await asyncio.wait_for(self._request(method, path), self.timeout_s)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            logger.debug("%s %s failed: %s", method, path, exc)
            await self.close()
            return Sample(path, time.perf_counter() - started, ok=False)
        return Sample(path, time.perf_counter() - started, ok=status == 200)

    async def _request(self, method: str, path: str) -> int:
        reader, writer = await self._connect()
        body = "Content-Length: 0\r\n" if method == "POST" else ""
        writer.write(
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Accept: application/json\r\n{body}\r\n".encode()
        )
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines[1:] if line)
        }
        length = int(headers.get("content-length", "0"))
        await reader.readexactly(length)
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError, ConnectionError):
                await self._writer.wait_closed()
        self._reader, self._writer = None, None


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection in this (the load generator's) process while it measures.

    The clients time each request on this process's event loop, so a full collection here (this
    process imports MLflow and the test-store builders: ~300,000 objects, ~150 ms on this box)
    would be counted as the server's latency. The heap is frozen first, so nothing reclaimable is
    left behind; what the burst allocates is freed by reference counting, and collected after.
    """
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


def latency_summary(samples: Sequence[Sample]) -> dict[str, float | int | None]:
    """Counts and p50/p95/p99 (ms) of successful requests."""
    good = [s.seconds for s in samples if s.ok]
    return {
        "requests": len(samples),
        "errors": sum(1 for s in samples if not s.ok),
        "p50_ms": ms(percentile(good, 0.50)),
        "p95_ms": ms(percentile(good, 0.95)),
        "p99_ms": ms(percentile(good, 0.99)),
        "max_ms": ms(max(good) if good else None),
    }


def check(value: float | None, target: float, *, at_most: bool = True) -> bool | None:
    """Whether a figure meets its target; None when it was not measured."""
    if value is None:
        return None
    return value <= target if at_most else value >= target


def environment_summary() -> Mapping[str, object]:
    return {
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
