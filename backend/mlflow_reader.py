"""The backend's only module that talks to MLflow: runs, the registry and a few JSON artifacts.

The searches, the plain records (`RunRecord`, `RegistryVersion`) and the reading rules come from
`pipeline.mlflow_store`, the one home the pipeline and the baseline read the store through, so
the report and `experiment run --if-missing` cannot disagree; the report's rules (backend.report)
stay pure functions. One snapshot costs one paged search of the drift
experiment, two narrow paged searches of the training experiment (quality-gate runs by tag and by
run name: MLflow filters have no OR) and two registry calls; artifacts are read only for the runs
the report shows, and cached by run id because a finished run's artifacts do not change.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mlflow.artifacts
import requests
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from pipeline import contract, mlflow_store
from pipeline.errors import TrackingError, one_line
from pipeline.mlflow_store import RegistryVersion, RunRecord

__all__ = ["MlflowReader", "RegistryVersion", "RunRecord", "StoreSnapshot", "limit_http_waits"]

logger = logging.getLogger(__name__)

ARTIFACT_CACHE_SIZE = 128

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
        self._client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
        self._artifacts: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._artifacts_lock = threading.Lock()

    def _unreachable(self, exc: BaseException) -> TrackingError:
        return TrackingError(f"MLflow at {self.tracking_uri} did not answer: {one_line(exc)}")

    def ping(self) -> str | None:
        """None when the store answers, else the reason it does not."""
        try:
            self._client.search_experiments(max_results=1)
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
                return None
        try:
            content = json.loads(text)
        except ValueError as exc:
            logger.warning("run %s artifact %s is not JSON: %s", run_id, path, one_line(exc))
            content = None
        with self._artifacts_lock:
            self._artifacts[key] = content
            while len(self._artifacts) > ARTIFACT_CACHE_SIZE:
                self._artifacts.popitem(last=False)
        return content
