"""Part 5 (issue 24): routes that need no MLflow stay fast while MLflow does not answer.

100 clients hit `/health` while two more read `/config` and `/roc/1` in turn, for T seconds, on
a real uvicorn API whose store is (a) a real `mlflow server` SIGSTOP'd after the warm-up,
(b) a SQLite file held by `BEGIN EXCLUSIVE`, (c) a real PostgreSQL stopped (`pg_ctlcluster …
stop`) under a database of the bench's own, made afresh by scripts/start-test-postgres.sh (needs
root and Debian's postgresql; skipped otherwise). The load generator collects no garbage while it
measures (`collector_paused`), so its own pauses are not counted as the server's.
Goals: p99 under 100 ms for `/config` and `/roc`, under 1 s for `/health`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from bench.common import (
    LOCALHOST,
    REPO_ROOT,
    STORES_DIR,
    KeepAliveClient,
    Sample,
    api_server,
    collector_paused,
    latency_summary,
)
from pipeline.core import contract
from tests.support.servers import mlflow_server
from tests.support.stores import StoreSpec, cached_store

logger = logging.getLogger(__name__)

HEALTH_CLIENTS: Final = 100
READERS: Final = ("/config", "/roc/1")
CACHE_TTL_S: Final = 1.0
TARGET_P99_MS: Final = {"/config": 100.0, "/roc/1": 100.0, "/health": 1000.0}


async def _loop(port: int, paths: tuple[str, ...], deadline: float) -> list[Sample]:
    client = KeepAliveClient(LOCALHOST, port, timeout_s=60.0)
    samples: list[Sample] = []
    turn = 0
    try:
        while time.perf_counter() < deadline:
            samples.append(await client.get(paths[turn % len(paths)]))
            turn += 1
    finally:
        await client.close()
    return samples


async def _burst(port: int, seconds: float) -> list[Sample]:
    deadline = time.perf_counter() + seconds
    loops = [_loop(port, ("/health",), deadline) for _ in range(HEALTH_CLIENTS)]
    loops += [_loop(port, READERS, deadline), _loop(port, READERS[::-1], deadline)]
    batches = await asyncio.gather(*loops)
    return [sample for batch in batches for sample in batch]


async def _warm_up(port: int) -> None:
    client = KeepAliveClient(LOCALHOST, port, timeout_s=120.0)
    try:
        for path in ("/batches", "/summary", *READERS):
            for _ in range(3):  # a cold read of a big store on a busy machine may need a retry
                if (await client.get(path)).ok:
                    break
            else:
                raise RuntimeError(f"fault warm-up GET {path} failed")
    finally:
        await client.close()


def _measure(port: int, seconds: float) -> dict[str, Any]:
    time.sleep(CACHE_TTL_S * 1.5)  # every read now finds an expired copy
    with collector_paused():
        samples = asyncio.run(_burst(port, seconds))
    return {path: latency_summary([s for s in samples if s.path == path]) for path in TARGET_P99_MS}


@contextlib.contextmanager
def _stopped(pid: int) -> Iterator[None]:
    group = os.getpgid(pid)
    os.killpg(group, signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(group, signal.SIGCONT)


@contextlib.contextmanager
def _locked(database: Path) -> Iterator[None]:
    """Another process's view: a connection holding SQLite's exclusive lock."""
    holder = sqlite3.connect(database, isolation_level=None, timeout=30)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def mlflow_hung(store_uri: str, seconds: float) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="healthpredict-bench-fault-") as tmp,
        mlflow_server(Path(tmp), backend_uri=store_uri) as tracking,
        api_server(tracking.url, Path(tmp), cache_ttl_seconds=CACHE_TTL_S) as server,
    ):
        asyncio.run(_warm_up(server.port))
        with _stopped(tracking.pid):
            return _measure(server.port, seconds)


def sqlite_locked(database: Path, seconds: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="healthpredict-bench-fault-") as tmp:
        copy = Path(tmp) / "mlflow.db"
        shutil.copy(database, copy)
        with api_server(f"sqlite:///{copy}", Path(tmp), cache_ttl_seconds=CACHE_TTL_S) as server:
            asyncio.run(_warm_up(server.port))
            with _locked(copy):
                return _measure(server.port, seconds)


# The bench's own database, dropped and created again on every run: runs an earlier run wrote
# (their artifacts in a temporary folder long deleted) must not be what the API reads.
BENCH_DATABASE: Final = "healthpredict_bench_fault"
START_POSTGRES: Final = REPO_ROOT / "scripts" / "start-test-postgres.sh"


def _fresh_database() -> str | None:
    """The URI of an empty database of the local cluster (scripts/start-test-postgres.sh)."""
    completed = subprocess.run(
        [str(START_POSTGRES)], env={**os.environ, "HEALTHPREDICT_PG_DATABASE": BENCH_DATABASE},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if completed.returncode != 0:
        logger.warning("fault: no PostgreSQL database: %s", completed.stderr.strip()[-500:])
        return None
    return completed.stdout.strip().splitlines()[-1]


def _cluster() -> tuple[str, str] | None:
    """The local PostgreSQL cluster (version, name) `pg_lsclusters` lists first, if any."""
    if shutil.which("pg_lsclusters") is None or shutil.which("pg_ctlcluster") is None:
        return None
    listed = subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=False
    ).stdout.split()
    return (listed[0], listed[1]) if len(listed) >= 2 else None


@contextlib.contextmanager
def _postgres_down(cluster: tuple[str, str]) -> Iterator[None]:
    """The real server stopped (`pg_ctlcluster … stop -m fast`), started again afterwards."""
    version, name = cluster
    subprocess.run(["pg_ctlcluster", version, name, "stop", "-m", "fast"], check=True)
    try:
        yield
    finally:
        subprocess.run(["pg_ctlcluster", version, name, "start"], check=True)


def postgres_stopped(seconds: float) -> dict[str, Any]:
    """A batch in a real PostgreSQL store, the API warmed up on it, then the server stopped."""
    cluster = _cluster()
    if cluster is None or os.geteuid() != 0:
        return {
            "status": "skipped",
            "reason": "needs a local PostgreSQL cluster (Debian's postgresql) and root, as "
            "scripts/start-test-postgres.sh does",
        }
    configured = _fresh_database()
    if configured is None:
        return {"status": "skipped", "reason": "scripts/start-test-postgres.sh failed"}
    from sqlalchemy.engine import make_url

    from tests.support.report_stores import StoreBuilder
    from tests.support.stores import roc_curve

    uri = make_url(configured).set(drivername="postgresql").render_as_string(hide_password=False)
    with tempfile.TemporaryDirectory(prefix="healthpredict-bench-fault-") as tmp:
        curves = {
            contract.ROC_PRODUCTION_FILE: json.dumps(roc_curve(0.6)),
            contract.ROC_NEW_FILE: json.dumps(roc_curve(0.7)),
        }
        StoreBuilder(uri, Path(tmp) / "artifacts").gate_run(
            1, "DEPLOY", prod_auc=0.6, new_auc=0.7, roc=curves, training_run_id="t1"
        )
        with api_server(uri, Path(tmp), cache_ttl_seconds=CACHE_TTL_S) as server:
            asyncio.run(_warm_up(server.port))
            with _postgres_down(cluster):
                return _measure(server.port, seconds)


def run(*, seconds: float, other_runs: int) -> dict[str, Any]:
    store = cached_store(STORES_DIR, StoreSpec(other_runs=other_runs))
    database = Path(store.tracking_uri.removeprefix("sqlite:///"))
    results: dict[str, Any] = {"health_clients": HEALTH_CLIENTS, "seconds": seconds}
    logger.info("fault: %d /health clients, MLflow SIGSTOP'd", HEALTH_CLIENTS)
    results["mlflow_hung"] = mlflow_hung(store.tracking_uri, seconds)
    logger.info("fault: %d /health clients, SQLite locked", HEALTH_CLIENTS)
    results["sqlite_locked"] = sqlite_locked(database, seconds)
    logger.info("fault: %d /health clients, PostgreSQL stopped", HEALTH_CLIENTS)
    results["postgres_stopped"] = postgres_stopped(seconds)
    return results
