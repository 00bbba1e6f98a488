"""Part 2: the report API over growing, messy stores, next to the original dashboard's query.

For each store (six real batches plus 0 / 2,000 / 10,000 other runs):
- one complete paged `search_runs` pass over both experiments (the floor any correct reader pays);
- cold `/batches` and `/summary` (a new app with an empty cache, in process, repeated);
- warm p50/p95 against a real uvicorn process;
- the original dashboard's `search_runs(max_results=100)` + `drop_duplicates`, and whether each
  approach returned every batch with the right run.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx
import mlflow
from mlflow import MlflowClient

from backend.main import create_app
from backend.settings import load_settings
from bench.common import (
    STORES_DIR,
    KeepAliveClient,
    api_server,
    latency_summary,
    median,
    ms,
)
from pipeline.core import contract
from tests.support.stores import BATCHES, BuiltStore, StoreSpec, cached_store

logger = logging.getLogger(__name__)

FULL_SIZES = (0, 2_000, 10_000)
QUICK_SIZES = (0, 300)
COLD_REPEATS = 5
PASS_REPEATS = 3
PAGE_SIZE = 1000
ORIGINAL_MAX_RESULTS = 100
ENDPOINTS = ("/batches", "/summary")


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def full_search_pass(store: BuiltStore) -> int:
    """Every run of both experiments, page by page: what a correct reader cannot avoid."""
    client = MlflowClient(tracking_uri=store.tracking_uri)
    count = 0
    page_token: str | None = None
    while True:
        page = client.search_runs(
            list(store.experiment_ids.values()), max_results=PAGE_SIZE, page_token=page_token
        )
        count += len(page)
        page_token = page.token
        if not page_token:
            return count


def original_dashboard(store: BuiltStore) -> dict[str, dict[str, str]]:
    """The Streamlit dashboard's read: newest 100 runs per experiment, first row per batch."""
    mlflow.set_tracking_uri(store.tracking_uri)
    chosen: dict[str, dict[str, str]] = {}
    for experiment in (contract.DRIFT_EXPERIMENT, contract.TRAINING_EXPERIMENT):
        frame = mlflow.search_runs(
            experiment_names=[experiment],
            order_by=["start_time DESC"],
            max_results=ORIGINAL_MAX_RESULTS,
        )
        column = f"params.{contract.Param.BATCH_NUMBER}"
        latest = frame.drop_duplicates(subset=[column]) if column in frame else frame.iloc[0:0]
        chosen[experiment] = {
            str(batch): str(run_id)
            for batch, run_id in zip(latest.get(column, []), latest.get("run_id", []), strict=True)
        }
    return chosen


def original_correctness(
    store: BuiltStore, chosen: Mapping[str, Mapping[str, str]]
) -> dict[str, int]:
    """How many real batches the original read shows at all, and with the right runs."""
    drift, gates = chosen[contract.DRIFT_EXPERIMENT], chosen[contract.TRAINING_EXPERIMENT]
    present = sum(1 for b in BATCHES if str(b) in drift and str(b) in gates)
    correct = sum(
        1
        for b in BATCHES
        if drift.get(str(b)) == store.batch(b).drift_run_id
        and gates.get(str(b)) == store.batch(b).gate_run_id
    )
    return {"batches_present": present, "batches_correct": correct}


def ours_correctness(store: BuiltStore, body: Mapping[str, Any]) -> dict[str, int]:
    shown = {item["batch"]: item for item in body["batches"]}
    present = sum(1 for b in BATCHES if b in shown)
    correct = sum(
        1
        for b in BATCHES
        if b in shown
        and (shown[b].get("drift") or {}).get("run_id") == store.batch(b).drift_run_id
        and shown[b].get("quality_gate_run_id") == store.batch(b).gate_run_id
    )
    extra = sorted(set(shown) - set(BATCHES))
    return {"batches_present": present, "batches_correct": correct, "extra_batches": len(extra)}


async def _cold_request(store: BuiltStore, path: str, workdir: Path) -> tuple[float, Any]:
    settings = load_settings(
        tracking_uri=store.tracking_uri,
        storage=str(workdir / "storage"),
        static_dir=workdir / "no-page",
        cache_ttl_seconds=3600,
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        started = time.perf_counter()
        response = await client.get(path)
        elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed, response.json()


def cold(store: BuiltStore, path: str, workdir: Path, repeats: int) -> tuple[list[float], Any]:
    times: list[float] = []
    body: Any = None
    for _ in range(repeats):
        elapsed, body = asyncio.run(_cold_request(store, path, workdir))
        times.append(elapsed)
    return times, body


async def _warm(url_host: str, port: int, path: str, requests: int) -> list[Any]:
    client = KeepAliveClient(url_host, port)
    try:
        await client.get(path)  # fills the cache
        return [await client.get(path) for _ in range(requests)]
    finally:
        await client.close()


def measure_store(size: int, *, quick: bool, workdir: Path) -> dict[str, Any]:
    build_started = time.perf_counter()
    spec = StoreSpec(other_runs=size)
    was_cached = (STORES_DIR / spec.key() / "manifest.json").exists()
    store = cached_store(STORES_DIR, spec)
    build_s = time.perf_counter() - build_started
    logger.info("store with %d other runs ready (%s)", size, "cached" if was_cached else "built")

    pass_times = []
    runs_seen = 0
    for _ in range(PASS_REPEATS):
        elapsed, runs_seen = timed(lambda: full_search_pass(store))
        pass_times.append(elapsed)
    original_times = []
    chosen: dict[str, dict[str, str]] = {}
    for _ in range(PASS_REPEATS):
        elapsed, chosen = timed(lambda: original_dashboard(store))
        original_times.append(elapsed)

    repeats = 2 if quick else COLD_REPEATS
    cold_batches, batches_body = cold(store, "/batches", workdir, repeats)
    cold_summary, _ = cold(store, "/summary", workdir, repeats)

    warm: dict[str, Any] = {}
    with api_server(store.tracking_uri, workdir / f"api-{size}") as server:
        for path in ENDPOINTS:
            samples = asyncio.run(_warm("127.0.0.1", server.port, path, 50 if quick else 300))
            warm[path] = latency_summary(samples)

    full_pass = median(pass_times)
    original = median(original_times)
    cold_b = median(cold_batches)
    return {
        "other_runs": size,
        "runs_in_store": store.run_count,
        "runs_read_by_full_pass": runs_seen,
        "store_build_s": round(build_s, 2),
        "store_was_cached": was_cached,
        "full_search_pass_ms": ms(full_pass),
        "cold_batches_ms": ms(cold_b),
        "cold_batches_first_ms": ms(cold_batches[0]),
        "cold_summary_ms": ms(median(cold_summary)),
        "cold_batches_over_full_pass": round(cold_b / full_pass, 2)
        if cold_b and full_pass
        else None,
        "warm": warm,
        "original_ms": ms(original),
        "cold_batches_over_original": round(cold_b / original, 2) if cold_b and original else None,
        "warm_batches_over_original": (
            round(warm["/batches"]["p50_ms"] / 1000 / original, 4)
            if warm["/batches"]["p50_ms"] and original
            else None
        ),
        "ours": ours_correctness(store, batches_body),
        "original": original_correctness(store, chosen),
    }


def run(*, quick: bool) -> list[dict[str, Any]]:
    results = []
    with tempfile.TemporaryDirectory(prefix="healthpredict-bench-api-") as tmp:
        for size in QUICK_SIZES if quick else FULL_SIZES:
            results.append(measure_store(size, quick=quick, workdir=Path(tmp)))
    return results
