"""Part 4: N concurrent clients for T seconds on /batches and /summary of a real uvicorn API.

Bounded in clients, time and request count, and only ever aimed at 127.0.0.1. Three scenarios:
- `steady`: the API's cache is warm before the clock starts (its TTL outlasts the run), so this
  measures serving, not MLflow;
- `refresh_every_100ms`: the same, while one more client sends POST /refresh every 100 ms
  (refreshes are coalesced: at most one reload a second, readers never wait for it);
- `mlflow_hung`: the API reads a real `mlflow server` whose process group is SIGSTOP'd after the
  warm-up, with a 1 s cache TTL, so every request after the first second finds an expired copy:
  it must be served at once while one background reload hangs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil

from bench.common import (
    LOCALHOST,
    STORES_DIR,
    KeepAliveClient,
    Sample,
    api_server,
    collector_paused,
    latency_summary,
)
from tests.support.servers import mlflow_server
from tests.support.stores import StoreSpec, cached_store

logger = logging.getLogger(__name__)

ENDPOINTS = ("/batches", "/summary")
MAX_CLIENTS = 200
MAX_SECONDS = 120.0
MAX_REQUESTS = 500_000
REFRESH_EVERY_S = 0.1
HUNG_CACHE_TTL_S = 1.0


async def _client_loop(port: int, offset: int, deadline: float, budget: list[int]) -> list[Sample]:
    client = KeepAliveClient(LOCALHOST, port)
    samples: list[Sample] = []
    turn = offset
    try:
        while time.perf_counter() < deadline and budget[0] > 0:
            budget[0] -= 1
            samples.append(await client.get(ENDPOINTS[turn % len(ENDPOINTS)]))
            turn += 1
    finally:
        await client.close()
    return samples


async def _refresh_loop(port: int, deadline: float) -> list[Sample]:
    client = KeepAliveClient(LOCALHOST, port, timeout_s=60.0)
    samples: list[Sample] = []
    try:
        while time.perf_counter() < deadline:
            samples.append(await client.request("POST", "/refresh"))
            await asyncio.sleep(REFRESH_EVERY_S)
    finally:
        await client.close()
    return samples


async def _load(
    port: int, clients: int, seconds: float, *, refresh: bool = False
) -> tuple[list[Sample], list[Sample], float]:
    budget = [MAX_REQUESTS]
    started = time.perf_counter()
    deadline = started + seconds
    refresher = asyncio.create_task(_refresh_loop(port, deadline)) if refresh else None
    batches = await asyncio.gather(
        *(_client_loop(port, i, deadline, budget) for i in range(clients))
    )
    refreshes = await refresher if refresher is not None else []
    return [s for batch in batches for s in batch], refreshes, time.perf_counter() - started


async def _warm_up(port: int) -> None:
    client = KeepAliveClient(LOCALHOST, port, timeout_s=120.0)
    try:
        for path in ENDPOINTS:
            sample = await client.get(path)
            if not sample.ok:
                raise RuntimeError(f"warm-up GET {path} failed")
    finally:
        await client.close()


def _measure(
    server_port: int, pid: int, clients: int, seconds: float, *, refresh: bool = False
) -> dict[str, Any]:
    process = psutil.Process(pid)
    rss_before = process.memory_info().rss
    with collector_paused():
        samples, refreshes, elapsed = asyncio.run(
            _load(server_port, clients, seconds, refresh=refresh)
        )
    rss_after = process.memory_info().rss
    per_endpoint = {
        path: latency_summary([s for s in samples if s.path == path]) for path in ENDPOINTS
    }
    result: dict[str, Any] = {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "requests_per_s": round(len(samples) / elapsed, 1) if elapsed else None,
        **latency_summary(samples),
        "per_endpoint": per_endpoint,
        "api_rss_mb_before": round(rss_before / 2**20, 1),
        "api_rss_mb_after": round(rss_after / 2**20, 1),
    }
    if refresh:
        result["refreshes"] = latency_summary(refreshes)
    return result


@contextlib.contextmanager
def _stopped(pid: int) -> Iterator[None]:
    """The process group of `pid` SIGSTOP'd (a hung MLflow) while the block runs."""
    group = os.getpgid(pid)
    os.killpg(group, signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(group, signal.SIGCONT)


def run(*, clients: int, seconds: float, other_runs: int) -> dict[str, Any]:
    clients = min(clients, MAX_CLIENTS)
    seconds = min(seconds, MAX_SECONDS)
    store = cached_store(STORES_DIR, StoreSpec(other_runs=other_runs))
    results: dict[str, Any] = {"store_other_runs": other_runs}
    with (
        tempfile.TemporaryDirectory(prefix="healthpredict-bench-load-") as tmp,
        api_server(store.tracking_uri, Path(tmp)) as server,
    ):
        asyncio.run(_warm_up(server.port))
        logger.info("load: %d clients for %.0f s on %s", clients, seconds, server.url)
        results["steady"] = _measure(server.port, server.pid, clients, seconds)
        logger.info("load: the same with POST /refresh every %.1f s", REFRESH_EVERY_S)
        results["refresh_every_100ms"] = _measure(
            server.port, server.pid, clients, seconds, refresh=True
        )
    with (
        tempfile.TemporaryDirectory(prefix="healthpredict-bench-hung-") as tmp,
        mlflow_server(Path(tmp), backend_uri=store.tracking_uri) as tracking,
        api_server(tracking.url, Path(tmp), cache_ttl_seconds=HUNG_CACHE_TTL_S) as server,
    ):
        asyncio.run(_warm_up(server.port))
        with _stopped(tracking.pid):
            time.sleep(HUNG_CACHE_TTL_S * 1.5)  # every read now finds an expired copy
            logger.info("load: %d clients, MLflow SIGSTOP'd, on %s", clients, server.url)
            results["mlflow_hung"] = _measure(server.port, server.pid, clients, seconds)
    return results
