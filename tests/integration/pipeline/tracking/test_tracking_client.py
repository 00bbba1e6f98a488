"""Tracking: result runs end FINISHED together or FAILED together, on a real SQLite MLflow."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mlflow import MlflowClient

from pipeline.core import contract
from pipeline.core.errors import TrackingError
from pipeline.tracking import client as tracking
from tests.support.servers import closed_port_url
from tests.support.sqlite_store import empty_store_uri


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("state")


@pytest.fixture(scope="module")
def client(state: Path) -> MlflowClient:
    """One store for the module (creating a SQLite store is slow); tests use their own names."""
    return tracking.configure(empty_store_uri(state))


def statuses(client: MlflowClient, experiment_id: str) -> dict[str, str]:
    runs = client.search_runs([experiment_id])
    return {run.info.run_name: run.info.status for run in runs}


def test_runs_of_a_group_finish_together(client: MlflowClient):
    experiment = tracking.ensure_experiment(client, "group")
    with tracking.result_runs(client) as runs:
        runs.start(experiment, "first", params={"batch_number": 0}, tags={"t": "x"})
        runs.start(experiment, "second")
    assert statuses(client, experiment) == {"first": "FINISHED", "second": "FINISHED"}
    first = client.search_runs([experiment], "attributes.run_name = 'first'")[0]
    assert first.data.params == {"batch_number": "0"}
    assert first.data.tags["t"] == "x"


def test_a_failure_after_the_second_run_fails_both(client: MlflowClient):
    experiment = tracking.ensure_experiment(client, "failed group")
    with pytest.raises(RuntimeError, match="disk full"), tracking.result_runs(client) as runs:
        runs.start(experiment, "first")
        runs.start(experiment, "second")
        raise RuntimeError("disk full")
    assert statuses(client, experiment) == {"first": "FAILED", "second": "FAILED"}


def test_a_single_result_run_ends_failed_on_error(client: MlflowClient):
    experiment = tracking.ensure_experiment(client, "single")
    with pytest.raises(KeyError), tracking.result_run(client, experiment, "broken"):
        raise KeyError("missing")
    with tracking.result_run(client, experiment, "fine") as run:
        tracking.log_json_artifact(client, run.info.run_id, "out/result.json", {"a": 1.5})
    assert statuses(client, experiment) == {"broken": "FAILED", "fine": "FINISHED"}


def test_non_finite_json_is_refused_and_the_run_fails(client: MlflowClient):
    experiment = tracking.ensure_experiment(client, "json")
    with pytest.raises(ValueError), tracking.result_run(client, experiment, "roc") as run:
        tracking.log_json_artifact(client, run.info.run_id, "roc.json", {"t": [float("inf")]})
    assert statuses(client, experiment) == {"roc": "FAILED"}


def test_local_experiments_keep_artifacts_next_to_the_database(client: MlflowClient, state):
    experiment_id = tracking.ensure_experiment(client, "artifacts")
    assert tracking.ensure_experiment(client, "artifacts") == experiment_id
    location = client.get_experiment(experiment_id).artifact_location
    assert location == (state / "mlartifacts" / "artifacts").as_uri()


def test_a_deleted_experiment_is_reported_not_silently_recreated(client: MlflowClient):
    client.delete_experiment(tracking.ensure_experiment(client, "gone"))
    with pytest.raises(TrackingError, match="'gone' is deleted"):
        tracking.ensure_experiment(client, "gone")


@pytest.mark.timeout(60)
def test_an_unreachable_server_is_a_tracking_error():
    uri = closed_port_url()
    with pytest.raises(TrackingError, match=re.escape(f"MLflow at {uri} is unreachable")):
        tracking.configure(uri)


def test_the_next_run_of_a_step_marks_its_abandoned_run_killed_and_says_why(client: MlflowClient):
    """A killed step leaves its run RUNNING; the next run of that step closes it as KILLED."""
    experiment = tracking.ensure_experiment(client, "abandoned")
    abandoned = client.create_run(experiment, run_name="drift_batch_3").info.run_id
    other_step = client.create_run(experiment, run_name="drift_batch_4").info.run_id

    with tracking.result_run(client, experiment, "drift_batch_3") as rerun:
        pass

    killed = client.get_run(abandoned)
    assert killed.info.status == "KILLED"
    assert rerun.info.run_id in killed.data.tags[contract.Tag.KILLED_REASON]
    assert client.get_run(rerun.info.run_id).info.status == "FINISHED"
    assert client.get_run(other_step).info.status == "RUNNING"  # another step: left alone
