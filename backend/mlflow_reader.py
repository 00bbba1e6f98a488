"""The backend's only module that talks to MLflow: runs, the registry and a few JSON artifacts.

The searches, the plain records (`RunRecord`, `RegistryVersion`) and the reading rules come from
`pipeline.tracking.store`, the one home the pipeline and the baseline read the store through, so
the report and `experiment run --if-missing` cannot disagree; the report's rules (`selection`,
`batch_results`, `summary`) stay pure functions. One snapshot costs one paged search of the drift
experiment, two narrow paged searches of the training experiment (quality-gate runs by tag and by
run name: MLflow filters have no OR) and two registry calls; artifacts are read only for the runs
the report shows, and cached by run id because a finished run's artifacts do not change.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mlflow.artifacts
import requests
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from pipeline.core import contract
from pipeline.core.config import sqlite_path
from pipeline.core.errors import TrackingError, one_line
from pipeline.core.uris import redact_uri
from pipeline.tracking import store as mlflow_store
from pipeline.tracking.database import check_database
from pipeline.tracking.store import RegistryVersion, RunRecord

__all__ = ["MlflowReader", "RegistryVersion", "RunRecord", "StoreSnapshot", "limit_http_waits"]

logger = logging.getLogger(__name__)

ARTIFACT_CACHE_SIZE = 128
# A read that failed is not tried again for this long. An artifact the run never logged (older
# stores have no reliability curves) or an artifact store that is down otherwise cost a download
# attempt per request: ~150 ms of CPU each on a 2-core machine, holding the GIL the event loop
# needs, so two clients reading /roc slowed every route. A curve logged meanwhile shows this late.
MISSING_ARTIFACT_RETRY_SECONDS = 30.0
_RUN_ID = re.compile(r"[0-9a-zA-Z_-]{1,64}")  # safe to quote in a filter

# The API answers within seconds even when MLflow is down: few retries, short waits.
API_HTTP_LIMITS = {
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "4",
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "0",
}


def limit_http_waits() -> None:
    """Make MLflow's HTTP client fail fast in the API process (MLflow reads these per request)."""
    for name, value in API_HTTP_LIMITS.items():
        os.environ.setdefault(name, value)


@dataclass(frozen=True)
class StoreSnapshot:
    """Everything one report is assembled from, read in one pass."""

    drift_experiment_id: str | None
    training_experiment_id: str | None
    drift_runs: list[RunRecord]
    gate_runs: list[RunRecord]
    model_versions: list[RegistryVersion]


class MlflowReader:
    """Reads a tracking store; every failure to reach it becomes `TrackingError`."""

    def __init__(self, tracking_uri: str) -> None:
        self.tracking_uri = tracking_uri
        self._client_instance: MlflowClient | None = None
        self._client_lock = threading.Lock()
        self._artifacts: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._unreadable: OrderedDict[tuple[str, str], float] = OrderedDict()  # key -> when
        self._artifacts_lock = threading.Lock()
        self._params: dict[str, Mapping[str, str]] = {}

    @property
    def _client(self) -> MlflowClient:
        """Built on first use, so nothing touches MLflow at start-up; a database store that does
        not answer fails at once (`TrackingError`) instead of after MLflow's retries."""
        database = sqlite_path(self.tracking_uri)
        if database is not None and not database.is_file():  # SQLite would create an empty one
            raise TrackingError(
                f"no MLflow store at {database}: run `healthpredict experiment run` first "
                "(the report only reads a store, it never creates one)"
            )
        with self._client_lock:
            if self._client_instance is None:
                check_database(self.tracking_uri)
                self._client_instance = MlflowClient(
                    tracking_uri=self.tracking_uri, registry_uri=self.tracking_uri
                )
            return self._client_instance

    def _unreachable(self, exc: BaseException) -> TrackingError:
        return TrackingError(
            f"MLflow at {redact_uri(self.tracking_uri)} did not answer: {one_line(exc)}"
        )

    def ping(self) -> str | None:
        """None when the store answers, else the reason it does not."""
        try:
            self._client.search_experiments(max_results=1)
        except TrackingError as exc:
            return str(exc)
        except (MlflowException, requests.RequestException, OSError) as exc:
            return one_line(exc)
        return None

    def snapshot(self) -> StoreSnapshot:
        """Read the runs and the registry the report is built from."""
        client = self._client
        try:
            drift_id = mlflow_store.experiment_id(client, contract.DRIFT_EXPERIMENT)
            training_id = mlflow_store.experiment_id(client, contract.TRAINING_EXPERIMENT)
            drift_runs = list(mlflow_store.search_runs(client, drift_id)) if drift_id else []
            gate_runs = mlflow_store.search_gate_runs(client, training_id) if training_id else []
            versions = mlflow_store.registry_versions(client)
        except (MlflowException, requests.RequestException, OSError) as exc:
            raise self._unreachable(exc) from exc
        return StoreSnapshot(drift_id, training_id, drift_runs, gate_runs, versions)

    def run_params(
        self, experiment_id: str, run_ids: Sequence[str]
    ) -> dict[str, Mapping[str, str]]:
        """The params of these runs of one experiment (one paged search); absent runs are left out.

        Params never change once logged, so the answer is cached by run id.
        """
        with self._artifacts_lock:
            known = {rid: self._params[rid] for rid in run_ids if rid in self._params}
        wanted = [rid for rid in run_ids if rid not in known and _RUN_ID.fullmatch(rid)]
        if wanted:
            quoted = ", ".join(f"'{rid}'" for rid in wanted)
            try:
                found = {
                    run.run_id: run.params
                    for run in mlflow_store.search_runs(
                        self._client, experiment_id, f"attributes.run_id IN ({quoted})"
                    )
                }
            except (MlflowException, requests.RequestException, OSError) as exc:
                raise self._unreachable(exc) from exc
            with self._artifacts_lock:
                self._params.update(found)
            known.update(found)
        return known

    def replay_runs(self) -> list[RunRecord]:
        """Every run of the policy-replay experiment, in one paged search (none without it)."""
        try:
            replay_id = mlflow_store.experiment_id(self._client, contract.POLICY_REPLAY_EXPERIMENT)
            return list(mlflow_store.search_runs(self._client, replay_id)) if replay_id else []
        except (MlflowException, requests.RequestException, OSError) as exc:
            raise self._unreachable(exc) from exc

    def metric_history(self, run: RunRecord, key: str) -> dict[int, float]:
        """step -> value of one metric of a FINISHED run (cached: it no longer changes)."""
        cache_key = (run.run_id, f"metric:{key}")
        with self._artifacts_lock:
            if cache_key in self._artifacts:
                return dict(self._artifacts[cache_key])
        try:
            history = self._client.get_metric_history(run.run_id, key)
        except (MlflowException, requests.RequestException, OSError) as exc:
            raise self._unreachable(exc) from exc
        values: dict[int, float] = {}
        for metric in sorted(history, key=lambda m: (m.step, m.timestamp)):
            values[int(metric.step)] = float(metric.value)  # the latest value per step wins
        with self._artifacts_lock:
            _remember(self._artifacts, cache_key, values)
        return dict(values)

    def has_cached_artifact(self, run: RunRecord, path: str) -> bool:
        """Whether `read_json_artifact(run, path)` would answer from memory, without I/O."""
        key = (run.run_id, path)
        with self._artifacts_lock:
            return key in self._artifacts or self._recently_unreadable(key)

    def forget_unreadable(self) -> None:
        """Try every artifact that failed to read again on its next read (`POST /refresh`)."""
        with self._artifacts_lock:
            self._unreadable.clear()

    def _recently_unreadable(self, key: tuple[str, str]) -> bool:
        """A read of `key` failed less than MISSING_ARTIFACT_RETRY_SECONDS ago. Lock held."""
        failed_at = self._unreadable.get(key)
        return (
            failed_at is not None and time.monotonic() - failed_at < MISSING_ARTIFACT_RETRY_SECONDS
        )

    def read_json_artifact(self, run: RunRecord, path: str) -> Any | None:
        """A run's JSON artifact, or None when the run has none at that path.

        Accepts the non-strict JSON (`Infinity`, `NaN`) older writers left: Python's parser
        reads those as floats, and the report drops them. Only call this for finished runs: the
        result is cached by run id. The run's artifact URI (from the search) is used directly,
        which saves a `get_run` per artifact.
        """
        run_id = run.run_id
        key = (run_id, path)
        with self._artifacts_lock:
            if key in self._artifacts:
                self._artifacts.move_to_end(key)
                return self._artifacts[key]
            if self._recently_unreadable(key):
                return None
        with tempfile.TemporaryDirectory(prefix="healthpredict-artifact-") as tmp:
            try:
                if run.artifact_uri:
                    local = mlflow.artifacts.download_artifacts(
                        artifact_uri=f"{run.artifact_uri.rstrip('/')}/{path}",
                        dst_path=tmp,
                        tracking_uri=self.tracking_uri,
                    )
                else:
                    local = self._client.download_artifacts(run_id, path, dst_path=tmp)
                text = Path(local).read_text(encoding="utf-8")
            except (MlflowException, OSError) as exc:
                logger.info("run %s has no readable artifact %s: %s", run_id, path, one_line(exc))
                with self._artifacts_lock:
                    _remember(self._unreadable, key, time.monotonic())
                return None
        try:
            content = json.loads(text)
        except ValueError as exc:
            logger.warning("run %s artifact %s is not JSON: %s", run_id, path, one_line(exc))
            content = None
        with self._artifacts_lock:
            self._unreadable.pop(key, None)
            _remember(self._artifacts, key, content)
        return content


def _remember(cache: OrderedDict[tuple[str, str], Any], key: tuple[str, str], value: Any) -> None:
    """Put `value` in `cache` as its newest entry, dropping the oldest past ARTIFACT_CACHE_SIZE."""
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > ARTIFACT_CACHE_SIZE:
        cache.popitem(last=False)
