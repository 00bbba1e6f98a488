"""MLflow set-up shared by the pipeline and the baseline: fail fast, and never leave half a result.

The report takes every FINISHED run for a result, so a run is only ever ended FINISHED once all of
its metrics, params and artifacts are written; any failure ends it FAILED and propagates.

See docs/architecture.md ("pipeline.tracking.client") for the grouping and the HTTP time-outs.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Final

import mlflow
from mlflow import MlflowClient
from mlflow.entities import Param, Run, RunStatus
from mlflow.entities.lifecycle_stage import LifecycleStage
from mlflow.exceptions import MlflowException

from pipeline.core import contract
from pipeline.core.config import check_tracking_uri, sqlite_path
from pipeline.core.errors import TrackingError, one_line
from pipeline.core.uris import redact_uri
from pipeline.tracking import store as mlflow_store
from pipeline.tracking.database import check_database

logger = logging.getLogger(__name__)

# HTTP settings; each applies only when the user has not set the variable.
FAIL_FAST_HTTP_ENV: Final = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "30",
}
# The reachability probe: one attempt, short timeout.
PROBE_HTTP_ENV: Final = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "5",
}
_defaults_we_set: set[str] = set()
ARTIFACTS_FOLDER: Final = "mlartifacts"
_FAILED: Final = RunStatus.to_string(RunStatus.FAILED)
_FINISHED: Final = RunStatus.to_string(RunStatus.FINISHED)
_KILLED: Final = RunStatus.to_string(RunStatus.KILLED)
# Set by Airflow in a task's environment: runs written by a DAG task carry their DAG run's id.
AIRFLOW_DAG_RUN_ENV: Final = "AIRFLOW_CTX_DAG_RUN_ID"


def orchestrator_tags() -> dict[str, str]:
    """``airflow_dag_run_id`` inside an Airflow task; nothing from the command line."""
    dag_run_id = os.environ.get(AIRFLOW_DAG_RUN_ENV)
    return {contract.Tag.AIRFLOW_DAG_RUN_ID: dag_run_id} if dag_run_id else {}


def configure(tracking_uri: str) -> MlflowClient:
    """Point MLflow at ``tracking_uri`` and prove it answers; ``TrackingError`` otherwise."""
    check_tracking_uri(tracking_uri)
    user_set = {
        name for name in PROBE_HTTP_ENV if name in os.environ and name not in _defaults_we_set
    }
    database = sqlite_path(tracking_uri)
    if database is not None:
        database.parent.mkdir(parents=True, exist_ok=True)
    check_database(tracking_uri)  # seconds, not MLflow's ~100 s of SQL retries
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    try:
        client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
        with _probe_settings(user_set):
            client.search_experiments(max_results=1)
    except (MlflowException, OSError) as error:
        raise TrackingError(
            f"MLflow at {redact_uri(tracking_uri)} is unreachable: {one_line(error)}"
        ) from error
    for name, value in FAIL_FAST_HTTP_ENV.items():
        if name not in os.environ:
            os.environ[name] = value
            _defaults_we_set.add(name)
    return client


@contextmanager
def _probe_settings(user_set: set[str]) -> Iterator[None]:
    """Probe settings for the variables the user left alone; restored afterwards."""
    previous = {name: os.environ.get(name) for name in PROBE_HTTP_ENV if name not in user_set}
    os.environ.update({name: PROBE_HTTP_ENV[name] for name in previous})
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def artifact_location_for(tracking_uri: str, experiment_name: str) -> str | None:
    """New experiments' artifacts: next to a SQLite file; the server decides for other stores."""
    database = sqlite_path(tracking_uri)
    if database is None:
        return None
    return (database.parent / ARTIFACTS_FOLDER / experiment_name).resolve().as_uri()


def ensure_experiment(client: MlflowClient, name: str) -> str:
    """The id of experiment ``name``, created when missing (safe against a concurrent create)."""
    try:
        experiment = client.get_experiment_by_name(name)
        if experiment is None:
            try:
                return client.create_experiment(
                    name, artifact_location=artifact_location_for(client.tracking_uri, name)
                )
            except MlflowException:
                experiment = client.get_experiment_by_name(name)
                if experiment is None:
                    raise
    except MlflowException as error:
        raise TrackingError(f"cannot open MLflow experiment {name!r}: {one_line(error)}") from error
    if experiment.lifecycle_stage == LifecycleStage.DELETED:
        raise TrackingError(
            f"MLflow experiment {name!r} is deleted: restore it in the MLflow UI "
            "(or `mlflow experiments restore`) before logging to it"
        )
    return str(experiment.experiment_id)


class ResultRuns:
    """Runs opened inside one ``result_runs`` block; they end together."""

    def __init__(self, client: MlflowClient) -> None:
        self.client = client
        self.runs: list[Run] = []

    def start(
        self,
        experiment_id: str,
        run_name: str,
        *,
        params: Mapping[str, object] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Run:
        run = self.client.create_run(
            experiment_id, run_name=run_name, tags={**orchestrator_tags(), **(tags or {})}
        )
        self.runs.append(run)
        kill_abandoned_runs(self.client, experiment_id, run)
        if params:
            self.client.log_batch(
                run.info.run_id, params=[Param(key, str(value)) for key, value in params.items()]
            )
        return run


def kill_abandoned_runs(client: MlflowClient, experiment_id: str, newer: Run) -> None:
    """Mark older RUNNING runs of ``newer``'s step KILLED, tagged with why.

    A step whose process was killed leaves its run RUNNING for ever; the next run of the same
    step (same run name) is the moment to say so. Runs started after ``newer`` are left alone.
    """
    for stale in mlflow_store.running_runs_named(client, experiment_id, newer.info.run_name):
        started = stale.start_time or 0
        if stale.run_id == newer.info.run_id or started > (newer.info.start_time or 0):
            continue
        client.set_tag(
            stale.run_id,
            contract.Tag.KILLED_REASON,
            f"still RUNNING when run {newer.info.run_id} of the same step started: "
            "its process was killed or lost",
        )
        client.set_terminated(stale.run_id, _KILLED)
        logger.warning("marked abandoned run %s (%s) KILLED", stale.run_id, stale.run_name)


@contextmanager
def result_runs(client: MlflowClient) -> Iterator[ResultRuns]:
    """All runs started in the block end FINISHED together, or all end FAILED.

    If ending one run FINISHED fails, the ones already ended are set back to FAILED, so the
    store never holds part of a group as a result.
    """
    group = ResultRuns(client)
    try:
        yield group
    except BaseException:
        _fail_all(client, group.runs)
        raise
    try:
        for run in group.runs:
            client.set_terminated(run.info.run_id, _FINISHED)
    except BaseException:
        _fail_all(client, group.runs)
        raise


@contextmanager
def result_run(
    client: MlflowClient,
    experiment_id: str,
    run_name: str,
    *,
    params: Mapping[str, object] | None = None,
    tags: Mapping[str, str] | None = None,
) -> Iterator[Run]:
    """One result run: FINISHED when the block completes, FAILED (and re-raised) otherwise."""
    with result_runs(client) as group:
        yield group.start(experiment_id, run_name, params=params, tags=tags)


def log_json_artifact(
    client: MlflowClient, run_id: str, artifact_file: str, payload: Mapping[str, Any]
) -> None:
    """Strict JSON (no NaN/Infinity): readers in other languages choke on Python's extensions."""
    text = json.dumps(payload, allow_nan=False, indent=None, separators=(",", ":"))
    client.log_text(run_id, text, artifact_file)


def _fail_all(client: MlflowClient, runs: list[Run]) -> None:
    """Best effort: a store that just failed may fail again; the original error must surface."""
    for run in runs:
        try:
            client.set_terminated(run.info.run_id, _FAILED)
        except (MlflowException, OSError) as error:
            logger.error("could not mark run %s FAILED: %s", run.info.run_id, one_line(error))


def point_fluent_api_at(client: MlflowClient) -> None:
    """Aim MLflow's fluent API (``log_model``, ``register_model``) at ``client``'s store.

    Those calls read process-wide URIs, not a client's: without this they would write to
    whatever store the process last pointed at (or the default one).
    """
    if mlflow.get_tracking_uri() != client.tracking_uri:
        mlflow.set_tracking_uri(client.tracking_uri)
    registry_uri = client._registry_uri or client.tracking_uri
    if mlflow.get_registry_uri() != registry_uri:
        mlflow.set_registry_uri(registry_uri)
