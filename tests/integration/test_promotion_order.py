"""A retrain that deploys is promoted last, after its gate run is a result (issue 14 item 2).

Killed right after "promoted", the step used to leave Production on a version whose gate run was
still RUNNING, so the report named a Production model that no result had decided. Now the gate
run is FINISHED (naming the new version) before the registry changes; and a step killed between
the two is repaired by the next gate step.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from mlflow import MlflowClient

from backend.main import create_app
from pipeline import steps
from pipeline.core import config, contract
from pipeline.core.contract import Decision
from pipeline.data.storage import open_storage
from pipeline.gate import runs
from pipeline.gate import steps as gate
from pipeline.models import registry, training_runs
from pipeline.tracking import client as tracking
from pipeline.tracking import store as mlflow_store
from tests.support.api import api_settings
from tests.support.model_registry import fit_pair, pipeline_layout, training_run
from tests.support.real_data import initial_split
from tests.support.sqlite_store import empty_store_uri

pytestmark = pytest.mark.integration

BATCH_SIZE = 600
WEAK_MODEL_ROWS = 300  # a Production model this weak is beaten by any retrained candidate
CLI_TIMEOUT_S = 600  # a hang guard, not a timing assertion


@pytest.fixture(scope="module")
def home(real_data_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("promotion-order")
    tracking_uri = empty_store_uri(folder)
    storage = open_storage(str(folder / "storage"))
    steps.prepare(real_data_path, storage, batch_size=BATCH_SIZE)
    client = tracking.configure(tracking_uri)
    pipeline_layout(client, fit_pair(initial_split().train.head(WEAK_MODEL_ROWS)))
    return {"folder": folder, "tracking_uri": tracking_uri, "client": client}


@pytest.fixture
def api(home: dict[str, Any]) -> Iterator[TestClient]:
    app = create_app(api_settings(home["tracking_uri"], home["folder"] / "api"))
    with TestClient(app, client=("testclient", 50000)) as client:
        yield client


def production(client: MlflowClient) -> str:
    version = registry.production_version(client)
    assert version is not None
    return str(version.version)


def gate_runs_of(client: MlflowClient, batch: int) -> list[mlflow_store.RunRecord]:
    experiment_id = mlflow_store.experiment_id(client, contract.TRAINING_EXPERIMENT)
    assert experiment_id is not None
    return [
        run
        for run in mlflow_store.search_gate_runs(client, experiment_id)
        if run.params.get(contract.Param.BATCH_NUMBER) == str(batch)
    ]


def test_killed_right_after_promoted_the_gate_run_is_already_a_result(home, api) -> None:
    folder = home["folder"]
    process = subprocess.Popen(
        [sys.executable, "-m", "healthpredict", "batch", "run", "1", "--force-retrain",
         "--hpo-trials", "1", "--tracking-uri", home["tracking_uri"],
         "--storage", str(folder / "storage")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, config.STATE_DIR_ENV: str(folder)},
    )  # fmt: skip
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if "promoted" in line:
            os.kill(process.pid, signal.SIGKILL)
            break
    process.wait(timeout=CLI_TIMEOUT_S)
    assert any("promoted" in line for line in seen), "".join(seen[-20:])

    client = home["client"]
    promoted = production(client)
    (gate_run,) = gate_runs_of(client, 1)
    assert gate_run.status == mlflow_store.FINISHED
    assert gate_run.params[contract.Param.MODEL_VERSION] == promoted
    summary = api.get("/summary").json()
    row = next(r for r in api.get("/batches").json()["batches"] if r["batch"] == 1)
    assert summary["production_model"]["version"] == row["model_version"] == promoted


def test_a_deploy_stopped_before_promotion_is_promoted_by_the_next_gate_step(home) -> None:
    client: MlflowClient = home["client"]
    before = production(client)
    experiment_id, run_id = training_run(client)
    pair = fit_pair(initial_split().train.head(WEAK_MODEL_ROWS))
    training_runs.log_preprocessor(client, run_id, pair.preprocessor)
    training_runs.log_model(client, experiment_id, run_id, pair.model)
    client.set_terminated(run_id, mlflow_store.FINISHED)
    candidate = registry.register(client, run_id)  # registered, as a killed gate step leaves it
    record = runs.GateRun(
        batch=2,
        decision=Decision.DEPLOY,
        test_set=contract.batch_test_set(2),
        production=None,
        production_model_version=before,
        model_version=str(candidate.version),
        training_run_id=run_id,
    )
    with tracking.result_runs(client) as group:
        runs.write_gate_run(group, experiment_id, record)
    assert production(client) == before  # the state a kill between the two steps leaves

    repaired = gate.finish_pending_promotion(client, experiment_id)

    assert repaired == production(client) == str(candidate.version)
    assert gate.finish_pending_promotion(client, experiment_id) is None  # nothing left to do
