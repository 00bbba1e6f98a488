"""Issue 24 item 2: one slow dependency no longer stalls unrelated routes.

A real `mlflow server` is hung with SIGSTOP while the report API (a real uvicorn process) is
warm; 100 concurrent `/health` requests then used to fill the shared thread pool, and `/config`,
`/roc`, `/calibration`, `/provenance` and `/docs` waited 11-28 s.
"""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.support.servers import mlflow_server, report_api

HEALTH_CLIENTS = 100


def _timed(client: httpx.Client, url: str, method: str = "GET") -> tuple[float, httpx.Response]:
    started = time.monotonic()
    response = client.request(method, url)
    return time.monotonic() - started, response


def test_a_hung_mlflow_stalls_no_route_that_does_not_need_it(store, tmp_path: Path) -> None:
    store.gate_run(1, "DEPLOY", prod_auc=0.6, new_auc=0.7)
    with (
        mlflow_server(tmp_path, backend_uri=store.tracking_uri) as server,
        report_api(
            tmp_path,
            server.url,
            str(tmp_path / "storage"),
            extra_env={"HEALTHPREDICT_CACHE_TTL_SECONDS": "1"},
        ) as api,
    ):
        for path in ("/batches", "/roc/1", "/calibration/1", "/provenance", "/config", "/docs"):
            assert httpx.get(api + path, timeout=30).status_code == 200, path
        os.killpg(server.pid, signal.SIGSTOP)
        try:
            time.sleep(1.5)  # the copy expires: the next read starts a reload that hangs
            burst = httpx.Client(timeout=60, limits=httpx.Limits(max_connections=HEALTH_CLIENTS))
            reader = httpx.Client(timeout=60)
            with burst, reader, ThreadPoolExecutor(HEALTH_CLIENTS + 8) as pool:
                healths = [
                    pool.submit(_timed, burst, api + "/health") for _ in range(HEALTH_CLIENTS)
                ]
                time.sleep(0.3)
                others = {
                    path: pool.submit(_timed, reader, api + path)
                    for path in ("/config", "/roc/1", "/calibration/1", "/provenance", "/docs")
                }
                for path, future in others.items():
                    took, response = future.result()
                    assert response.status_code == 200, (path, response.text[:200])
                    assert took < 2.0, (path, took)  # were 11-28 s; the bench measures p99
                for future in healths:
                    took, response = future.result()
                    assert response.status_code == 200 and took < 3.0, took
            time.sleep(10.5)  # past the read deadline: the copy says it is stale
            took, health = _timed(httpx.Client(timeout=60), api + "/health")
            assert health.json()["mlflow"] is False and took < 2.0  # the probe overran
            assert "127.0.0.1" in health.json()["detail"]
            batches = httpx.get(api + "/batches", timeout=5).json()
            assert batches["stale"] is True and [b["batch"] for b in batches["batches"]] == [1]
            took, refreshed = _timed(httpx.Client(timeout=60), api + "/refresh", "POST")
            assert refreshed.json() == {"refreshed": False} and took < 30.0
        finally:
            os.killpg(server.pid, signal.SIGCONT)
