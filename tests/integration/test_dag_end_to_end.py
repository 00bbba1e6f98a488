"""The DAG under ``airflow dags test`` tells the story ``healthpredict experiment run`` tells,
even when a batch task is killed and retried.

Both run on the real data with the same fast options into their own state folders. The DAG run
is killed (SIGKILL of the whole process group, as a lost worker) while batch 3's ``retrain``
task runs, then run again under the same DAG run id (same logical date): the tasks that had
finished find their runs written under that id and return them, the killed task runs again, the
rest run for the first time. The report API then reads each store, and ``/batches`` and
``/policies`` must agree (decisions, drift and every AUC to 1e-9; run ids and timings aside),
with no run left RUNNING. One DAG run (killed and retried) and one CLI run: the two runs the
comparison needs, and no third.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from fastapi.testclient import TestClient
from mlflow import MlflowClient

from backend.main import create_app
from pipeline.core import config, contract
from pipeline.replay.policies import CONFIGURED_POLICY
from pipeline.tracking import store as mlflow_store
from tests.support.api import LOCAL_CLIENT, api_settings

ROOT = Path(__file__).resolve().parents[2]
HPO_TRIALS = 1
BATCH_SIZE = 1000
POLICIES = ["never", CONFIGURED_POLICY.label]
CONF = json.dumps({"hpo_trials": HPO_TRIALS, "batch_size": BATCH_SIZE, "policies": POLICIES})
RUN_TIMEOUT_S = 1500  # a hang guard, not a timing assertion
# The first test sets up a CLI run and a killed-then-retried DAG run: a hang guard for both.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(2 * RUN_TIMEOUT_S)]
RETRAIN_STARTS = "starting task_id=batch_3.retrain"
# Logged when the search's first trial is done: the task is mid-training (refitting).
TRIAL_DONE = "trial 0: validation AUC"
LOGICAL_DATE = "2026-01-01T00:00:00+00:00"
VOLATILE = {
    "run_id",
    "quality_gate_run_id",
    "mlflow_url",
    "training_run_id",
    "replay_id",
    "training_seconds",
    "seconds",
}
TOLERANCE = 1e-9
KILLED = "KILLED"


class DagRun(NamedTuple):
    home: Path
    killed_open: bool  # the kill left batch 3's training run RUNNING


def environment(home: Path, data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HEALTHPREDICT_", "MLFLOW_"))}
    env.update({config.STATE_DIR_ENV: str(home), config.DATA_ENV: str(data)})
    env["PYTHONPATH"] = str(ROOT)
    return env


def store_uri(home: Path) -> str:
    return f"sqlite:///{home / 'mlflow.db'}"


def dag_test(env: dict[str, str], **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "dag-test.sh"), CONF],
        env={**env, **extra},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def finish(process: subprocess.Popen[str]) -> str:
    output, _ = process.communicate(timeout=RUN_TIMEOUT_S)
    assert process.returncode == 0, output[-4000:]
    return output


@pytest.fixture(scope="module")
def cli_home(real_data_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("cli")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "healthpredict",
            "experiment",
            "run",
            "--hpo-trials",
            str(HPO_TRIALS),
            "--batch-size",
            str(BATCH_SIZE),
        ],
        env=environment(home, real_data_path),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return home


@pytest.fixture(scope="module")
def dag_run(real_data_path: Path, tmp_path_factory: pytest.TempPathFactory) -> DagRun:
    """A DAG run killed inside batch 3's retrain, then run again under the same run id."""
    home = tmp_path_factory.mktemp("dag")
    env = environment(home, real_data_path)
    first = dag_test(env, DAG_LOGICAL_DATE=LOGICAL_DATE)
    assert first.stdout is not None
    in_retrain, seen = False, []
    for line in first.stdout:
        seen.append(line)
        in_retrain = in_retrain or RETRAIN_STARTS in line
        if in_retrain and TRIAL_DONE in line:
            break
    else:
        tail = "".join(seen[-40:])
        pytest.fail(f"the DAG run ended before batch 3's retrain trained: {first.wait()}\n{tail}")
    os.killpg(first.pid, signal.SIGKILL)  # no clean-up: a lost worker
    assert first.wait(timeout=60) != 0
    client = MlflowClient(store_uri(home))
    experiment_id = mlflow_store.experiment_id(client, contract.TRAINING_EXPERIMENT)
    assert experiment_id is not None
    names = {run.run_name: run.status for run in mlflow_store.search_runs(client, experiment_id)}
    assert contract.quality_gate_run_name(3) not in names  # killed before batch 3's gate
    killed_open = names.get(contract.training_run_name(3)) == mlflow_store.RUNNING
    output = finish(dag_test(env, DAG_LOGICAL_DATE=LOGICAL_DATE))
    assert "the DAG run succeeded" in output
    assert (home / "report.html").is_file()
    return DagRun(home, killed_open)


@pytest.fixture(scope="module")
def dag_home(dag_run: DagRun) -> Path:
    return dag_run.home


def read(home: Path, path: str, tmp: Path) -> Any:
    app = create_app(api_settings(store_uri(home), tmp))
    with TestClient(app, client=LOCAL_CLIENT) as client:
        response = client.get(path)
    assert response.status_code == 200, response.text
    return response.json()


def differences(a: Any, b: Any, where: str = "") -> list[str]:
    """Where two report answers differ, run ids and timings aside, floats to 1e-9."""
    if isinstance(a, dict) and isinstance(b, dict):
        keys = (set(a) | set(b)) - VOLATILE
        return [d for k in sorted(keys) for d in differences(a.get(k), b.get(k), f"{where}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} items vs {len(b)}"]
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in differences(x, y, f"{where}[{i}]")
        ]
    if isinstance(a, float) and isinstance(b, float | int) and not isinstance(b, bool):
        return [] if abs(a - b) <= TOLERANCE else [f"{where}: {a!r} vs {b!r}"]
    return [] if a == b else [f"{where}: {a!r} vs {b!r}"]


def test_the_dag_and_the_command_line_tell_the_same_batches(cli_home, dag_home, tmp_path) -> None:
    cli = read(cli_home, "/batches", tmp_path / "cli")
    dag = read(dag_home, "/batches", tmp_path / "dag")
    assert [b["decision"] for b in dag["batches"]] == [b["decision"] for b in cli["batches"]]
    assert differences(cli, dag) == []


def test_the_replayed_policies_match_the_command_lines(cli_home, dag_home, tmp_path) -> None:
    cli = read(cli_home, "/policies", tmp_path / "cli")["policies"]
    dag = read(dag_home, "/policies", tmp_path / "dag")["policies"]
    assert sorted(row["label"] for row in dag) == sorted(POLICIES)
    cli_rows = {row["label"]: row for row in cli}
    # The DAG replayed two policies, the CLI its default six: Holm's adjustment depends on how
    # many policies are compared, so the adjusted p (and the verdict resting on it) differ.
    family = {"p_holm", "verdict_vs_configured"}
    for row in dag:
        cli_row = {k: v for k, v in cli_rows[row["label"]].items() if k not in family}
        dag_row = {k: v for k, v in row.items() if k not in family}
        assert differences(cli_row, dag_row) == [], row["label"]
    never = next(row for row in dag if row["label"] == "never")
    assert never["p_holm"] == pytest.approx(never["p_value"])  # one comparison: no adjustment


def test_runs_written_under_airflow_carry_the_dag_run_id(cli_home, dag_home) -> None:
    for home, tagged in ((dag_home, True), (cli_home, False)):
        client = MlflowClient(store_uri(home))
        for name in (contract.TRAINING_EXPERIMENT, contract.DRIFT_EXPERIMENT):
            experiment_id = mlflow_store.experiment_id(client, name)
            assert experiment_id is not None
            results = [
                run
                for run in mlflow_store.search_runs(client, experiment_id)
                if contract.Tag.HPO_TRIAL not in run.tags
            ]
            assert results
            ids = {run.tags.get(contract.Tag.AIRFLOW_DAG_RUN_ID) for run in results}
            assert (None not in ids and len(ids) == 1) if tagged else ids == {None}


def test_the_killed_task_retried_leaves_one_result_per_step(cli_home, dag_run) -> None:
    client = MlflowClient(store_uri(dag_run.home))
    experiment_id = mlflow_store.experiment_id(client, contract.TRAINING_EXPERIMENT)
    assert experiment_id is not None
    runs = list(mlflow_store.search_runs(client, experiment_id))
    assert not [run.run_name for run in runs if run.status == mlflow_store.RUNNING]
    batch_3 = sorted(run.status for run in runs if run.run_name == contract.training_run_name(3))
    # The killed attempt's open run is marked KILLED by the retry; one run is the result.
    finished = [mlflow_store.FINISHED]
    assert batch_3 == ([*finished, KILLED] if dag_run.killed_open else finished)
    gates = [
        run
        for run in mlflow_store.search_gate_runs(client, experiment_id)
        if mlflow_store.is_gate_run(run) and run.status == mlflow_store.FINISHED
    ]
    assert sorted(int(run.params[contract.Param.BATCH_NUMBER]) for run in gates) == [
        0,
        1,
        2,
        3,
        4,
        5,
    ]
    cli_versions = len(mlflow_store.registry_versions(MlflowClient(store_uri(cli_home))))
    assert len(mlflow_store.registry_versions(client)) == cli_versions
