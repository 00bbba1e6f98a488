"""Ten concurrent POST /baseline on a real experiment store: whole pairs only, one batch 0 shown.

Runs against a private copy of the session's experiment store (its SQLite file and proxied
artifacts, served by an `mlflow server` of this test), so the captures here do not change what
other tests read from the shared one.
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from mlflow import MlflowClient

from backend.main import create_app
from pipeline.core import config, contract
from tests.hardening.helpers import serve_in_thread, strict_json
from tests.support.api import api_settings
from tests.support.servers import mlflow_server

if TYPE_CHECKING:
    from tests.conftest import ExperimentStore

pytestmark = pytest.mark.integration

CLIENTS = 10


def copy_sqlite(source: Path, destination: Path) -> None:
    """A consistent copy of a live SQLite store (the backup API, not a file copy)."""
    with sqlite3.connect(source) as src, sqlite3.connect(destination) as dst:
        src.backup(dst)


def baseline_runs(client: MlflowClient) -> dict[str, list[Any]]:
    """Every batch-0 gate and drift run, with every page read."""
    found: dict[str, list[Any]] = {}
    for experiment, name in (
        (contract.TRAINING_EXPERIMENT, contract.quality_gate_run_name(0)),
        (contract.DRIFT_EXPERIMENT, contract.drift_run_name(0)),
    ):
        found_experiment = client.get_experiment_by_name(experiment)
        assert found_experiment is not None, experiment
        runs: list[Any] = []
        token: str | None = None
        while True:
            page = client.search_runs(
                [found_experiment.experiment_id],
                f"attributes.run_name = '{name}'",
                max_results=500,
                page_token=token,
            )
            runs.extend(page)
            token = page.token
            if not token:
                break
        found[name] = runs
    return found


def test_concurrent_baseline_captures_log_whole_pairs(
    experiment_store: ExperimentStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source_db = Path(experiment_store.backend_uri.removeprefix("sqlite:///"))
    db = tmp_path / "mlflow.db"
    copy_sqlite(source_db, db)
    artifacts = tmp_path / "artifacts"
    shutil.copytree(experiment_store.state_dir / "mlflow-server-artifacts", artifacts)
    monkeypatch.setenv(config.STATE_DIR_ENV, str(tmp_path / "state"))

    with mlflow_server(tmp_path, f"sqlite:///{db}", str(artifacts)) as server:
        client = MlflowClient(tracking_uri=server.url)
        before = {run.info.run_id for runs in baseline_runs(client).values() for run in runs}
        settings = api_settings(
            server.url, tmp_path, storage=experiment_store.storage, cache_ttl_seconds=0
        )
        app = create_app(settings)
        start = threading.Barrier(CLIENTS)
        answers: list[httpx.Response] = []
        lock = threading.Lock()

        with serve_in_thread(app) as url:

            def post() -> None:
                start.wait()
                response = httpx.post(f"{url}/baseline", timeout=600)
                with lock:
                    answers.append(response)

            threads = [threading.Thread(target=post) for _ in range(CLIENTS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=900)
            report = httpx.get(f"{url}/batches", timeout=120)

        statuses = Counter(response.status_code for response in answers)
        assert len(answers) == CLIENTS
        assert set(statuses) <= {201, 409}, [r.text[:200] for r in answers]
        # One capture succeeds; the ones that arrive while it holds the lock are refused.
        assert statuses[201] >= 1 and statuses[409] >= 1, statuses
        for refused in (r for r in answers if r.status_code == 409):
            assert strict_json(refused.text)["detail"]

        after = baseline_runs(client)
        new = {
            name: [run for run in runs if run.info.run_id not in before]
            for name, runs in after.items()
        }
        gates, drifts = new[contract.quality_gate_run_name(0)], new[contract.drift_run_name(0)]
        # One FINISHED gate run and one FINISHED drift run per 201, nothing else, paired by capture.
        assert len(gates) == len(drifts) == statuses[201]
        assert all(run.info.status == "FINISHED" for run in gates + drifts)
        gate_captures = {run.data.tags[contract.Tag.CAPTURE_ID] for run in gates}
        drift_captures = {run.data.tags[contract.Tag.CAPTURE_ID] for run in drifts}
        assert gate_captures == drift_captures and len(gate_captures) == statuses[201]
        created = {r.json()["quality_gate_run_id"] for r in answers if r.status_code == 201}
        assert created == {run.info.run_id for run in gates}

    assert report.status_code == 200
    shown = [item for item in report.json()["batches"] if item["batch"] == 0]
    assert len(shown) == 1
    latest = max(gates, key=lambda run: (run.info.start_time, run.info.end_time))
    assert shown[0]["quality_gate_run_id"] == latest.info.run_id
    partner = next(
        run
        for run in drifts
        if run.data.tags[contract.Tag.CAPTURE_ID] == latest.data.tags[contract.Tag.CAPTURE_ID]
    )
    assert shown[0]["drift"]["run_id"] == partner.info.run_id
