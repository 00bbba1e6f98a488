"""Part 4: N concurrent clients for T seconds on /batches and /summary of a real uvicorn API.

Bounded in clients, time and request count, and only ever aimed at 127.0.0.1. The API's cache is
warm before the clock starts (its TTL outlasts the run), so this measures serving, not MLflow.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from bench.common import (
    LOCALHOST,
    STORES_DIR,
    KeepAliveClient,
    Sample,
    api_server,
    latency_summary,
)
from tests.support.stores import StoreSpec, cached_store

logger = logging.getLogger(__name__)

ENDPOINTS = ("/batches", "/summary")
MAX_CLIENTS = 200
MAX_SECONDS = 120.0
MAX_REQUESTS = 500_000


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


async def _load(port: int, clients: int, seconds: float) -> tuple[list[Sample], float]:
    budget = [MAX_REQUESTS]
    started = time.perf_counter()
    deadline = started + seconds
    batches = await asyncio.gather(
        *(_client_loop(port, i, deadline, budget) for i in range(clients))
    )
    return [s for batch in batches for s in batch], time.perf_counter() - started


async def _warm_up(port: int) -> None:
    client = KeepAliveClient(LOCALHOST, port, timeout_s=120.0)
    try:
        for path in ENDPOINTS:
            sample = await client.get(path)
            if not sample.ok:
                raise RuntimeError(f"warm-up GET {path} failed")
    finally:
        await client.close()


def run(*, clients: int, seconds: float, other_runs: int) -> dict[str, Any]:
    clients = min(clients, MAX_CLIENTS)
    seconds = min(seconds, MAX_SECONDS)
    store = cached_store(STORES_DIR, StoreSpec(other_runs=other_runs))
    with (
        tempfile.TemporaryDirectory(prefix="healthpredict-bench-load-") as tmp,
        api_server(store.tracking_uri, Path(tmp)) as server,
    ):
        process = psutil.Process(server.pid)
        asyncio.run(_warm_up(server.port))
        rss_before = process.memory_info().rss
        logger.info("load: %d clients for %.0f s on %s", clients, seconds, server.url)
        samples, elapsed = asyncio.run(_load(server.port, clients, seconds))
        rss_after = process.memory_info().rss
    per_endpoint = {
        path: latency_summary([s for s in samples if s.path == path]) for path in ENDPOINTS
    }
    return {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "store_other_runs": other_runs,
        "requests_per_s": round(len(samples) / elapsed, 1) if elapsed else None,
        **latency_summary(samples),
        "per_endpoint": per_endpoint,
        "api_rss_mb_before": round(rss_before / 2**20, 1),
        "api_rss_mb_after": round(rss_after / 2**20, 1),
    }
