"""Rough figures for the report API (not a test; `make bench` runs it).

    .venv/bin/python tests/integration/backend/bench_report_api.py --other-runs 2000

Builds a SQLite store with six batches plus N other runs (`tests.support.stores`: HPO trials,
reruns, noise), then measures: one complete paged `search_runs` pass over both experiments,
GET /batches cold (fresh app), warm p50, and the RSS of a real `python -m backend` process.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil
from mlflow import MlflowClient

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from backend.main import create_app
from backend.settings import Settings
from pipeline.core import contract
from tests.support.stores import StoreSpec, build_store


def full_search(uri: str) -> float:
    client = MlflowClient(uri)
    started = time.perf_counter()
    ids = [
        client.get_experiment_by_name(n).experiment_id
        for n in (contract.DRIFT_EXPERIMENT, contract.TRAINING_EXPERIMENT)
    ]
    token, count = None, 0
    while True:
        page = client.search_runs(ids, max_results=1000, page_token=token)
        count += len(page)
        token = page.token
        if not token:
            break
    elapsed = time.perf_counter() - started
    print(f"full paged search: {count} runs in {elapsed * 1000:.0f} ms")
    return elapsed


def cold_and_warm(uri: str) -> tuple[float, float]:
    from fastapi.testclient import TestClient

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(tracking_uri=uri, storage=tmp, static_dir=Path(tmp)))
        with TestClient(app) as client:
            started = time.perf_counter()
            assert client.get("/batches").status_code == 200
            cold = time.perf_counter() - started
            warm = []
            for _ in range(200):
                started = time.perf_counter()
                client.get("/batches")
                warm.append(time.perf_counter() - started)
    return cold, statistics.median(warm)


def server_rss(uri: str) -> float:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "MLFLOW_TRACKING_URI": uri}
    process = subprocess.Popen([sys.executable, "-m", "backend", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        for _ in range(240):
            try:
                httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        for path in ("/batches", "/summary", "/roc/1", "/batches"):
            httpx.get(f"http://127.0.0.1:{port}{path}", timeout=60)
        return psutil.Process(process.pid).memory_info().rss / 2**20
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--other-runs", type=int, default=2000)
    parser.add_argument("--store", type=Path, help="keep the built store here and reuse it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.store or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        uri = f"sqlite:///{folder}/mlflow.db"
        if not (folder / "mlflow.db").exists():
            started = time.perf_counter()
            build_store(folder, StoreSpec(other_runs=args.other_runs))
            built_in = time.perf_counter() - started
            print(f"built store with 12 + {args.other_runs} runs in {built_in:.0f} s")
        search = min(full_search(uri) for _ in range(3))
        cold, warm = cold_and_warm(uri)
        cold2, _ = cold_and_warm(uri)
        cold = min(cold, cold2)
        print(f"GET /batches cold: {cold * 1000:.0f} ms = {cold / search:.2f} x full search")
        print(f"GET /batches warm p50: {warm * 1000:.2f} ms")
        print(f"API RSS after reads: {server_rss(uri):.0f} MB")


if __name__ == "__main__":
    main()
