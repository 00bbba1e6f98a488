"""The only module that talks to MLflow: runs, the registry and a few JSON artifacts.

It turns MLflow entities into plain records (`RunRecord`, `RegistryVersion`) so that the report's
rules (backend.report) stay pure functions. One snapshot costs one paged search of the drift
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
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mlflow.artifacts
import requests
from mlflow import MlflowClient
from mlflow.entities import Run
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import RESOURCE_DOES_NOT_EXIST, ErrorCode

from pipeline import contract
from pipeline.errors import TrackingError
from pipeline.uris import redact_text, redact_uri

logger = logging.getLogger(__name__)

SEARCH_PAGE_SIZE = 1000
REGISTRY_PAGE_SIZE = 1000
ARTIFACT_CACHE_SIZE = 128
_RUN_ID = re.compile(r"[0-9a-zA-Z_-]{1,64}")  # safe to quote in a filter

# The API answers within seconds even when MLflow is down: few retries, short waits.
API_HTTP_LIMITS = {
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "4",
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "0",
}

GATE_BY_TAG_FILTER = f"tags.{contract.Tag.QUALITY_GATE} ILIKE '{contract.Tag.TRUE}'"
GATE_BY_NAME_FILTER = f"attributes.run_name LIKE '{contract.quality_gate_run_name(0)[:-1]}%'"


def limit_http_waits() -> None:
    """Make MLflow's HTTP client fail fast in the API process (MLflow reads these per request)."""
    for name, value in API_HTTP_LIMITS.items():
        os.environ.setdefault(name, value)


@dataclass(frozen=True)
class RunRecord:
    """What the report needs from one MLflow run."""

    run_id: str
    experiment_id: str
    run_name: str
    status: str
    start_time: int | None
    end_time: int | None
    params: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)
    artifact_uri: str | None = None


@dataclass(frozen=True)
class RegistryVersion:
    """One version of the registered model."""

    version: str
    run_id: str | None
    stage: str | None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoreSnapshot:
    """Everything one report is assembled from, read in one pass."""

    drift_experiment_id: str | None
    training_experiment_id: str | None
    drift_runs: list[RunRecord]
    gate_runs: list[RunRecord]
    model_versions: list[RegistryVersion]


def _record(run: Run) -> RunRecord:
    info, data = run.info, run.data
    return RunRecord(
        run_id=info.run_id,
        experiment_id=info.experiment_id,
        run_name=info.run_name or data.tags.get("mlflow.runName", ""),
        status=info.status,
        start_time=info.start_time,
        end_time=info.end_time,
        params=dict(data.params),
        tags={k: v for k, v in data.tags.items() if not k.startswith("mlflow.")},
        metrics=dict(data.metrics),
        artifact_uri=info.artifact_uri,
    )


def _one_line(exc: BaseException) -> str:
    text = redact_text(" ".join(str(exc).split()))
    return text if len(text) <= 300 else text[:297] + "..."


def _is_missing(exc: MlflowException) -> bool:
    return exc.error_code == ErrorCode.Name(RESOURCE_DOES_NOT_EXIST)


class MlflowReader:
    """Reads a tracking store; every failure to reach it becomes `TrackingError`."""

    def __init__(self, tracking_uri: str) -> None:
        self.tracking_uri = tracking_uri
        self._client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
        self._artifacts: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._artifacts_lock = threading.Lock()
        self._params: dict[str, Mapping[str, str]] = {}

    def _unreachable(self, exc: BaseException) -> TrackingError:
        return TrackingError(
            f"MLflow at {redact_uri(self.tracking_uri)} did not answer: {_one_line(exc)}"
        )

    def ping(self) -> str | None:
        """None when the store answers, else the reason it does not."""
        try:
            self._client.search_experiments(max_results=1)
        except (MlflowException, requests.RequestException, OSError) as exc:
            return _one_line(exc)
        return None

    def snapshot(self) -> StoreSnapshot:
        """Read the runs and the registry the report is built from."""
        try:
            drift_id = self._experiment_id(contract.DRIFT_EXPERIMENT)
            training_id = self._experiment_id(contract.TRAINING_EXPERIMENT)
            drift_runs = list(self._search(drift_id, "")) if drift_id else []
            gate_runs: dict[str, RunRecord] = {}
            if training_id:
                for query in (GATE_BY_TAG_FILTER, GATE_BY_NAME_FILTER):
                    gate_runs.update((r.run_id, r) for r in self._search(training_id, query))
            versions = self._model_versions()
        except (MlflowException, requests.RequestException, OSError) as exc:
            raise self._unreachable(exc) from exc
        return StoreSnapshot(drift_id, training_id, drift_runs, list(gate_runs.values()), versions)

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
                    for run in self._search(experiment_id, f"attributes.run_id IN ({quoted})")
                }
            except (MlflowException, requests.RequestException, OSError) as exc:
                raise self._unreachable(exc) from exc
            with self._artifacts_lock:
                self._params.update(found)
            known.update(found)
        return known

    def _experiment_id(self, name: str) -> str | None:
        experiment = self._client.get_experiment_by_name(name)
        return experiment.experiment_id if experiment is not None else None

    def _search(self, experiment_id: str, filter_string: str) -> Iterator[RunRecord]:
        """Every page: `max_results=100` silently drops older batches in busy experiments."""
        page_token: str | None = None
        while True:
            page = self._client.search_runs(
                [experiment_id],
                filter_string=filter_string,
                max_results=SEARCH_PAGE_SIZE,
                page_token=page_token,
            )
            yield from (_record(run) for run in page)
            page_token = page.token
            if not page_token:
                return

    def _model_versions(self) -> list[RegistryVersion]:
        """All versions with their aliases; none when the model was never registered."""
        try:
            model = self._client.get_registered_model(contract.MODEL_NAME)
        except MlflowException as exc:
            if _is_missing(exc):
                return []
            raise
        aliases_by_version: dict[str, list[str]] = {}
        for alias, version in (model.aliases or {}).items():
            aliases_by_version.setdefault(str(version), []).append(alias)
        versions: list[RegistryVersion] = []
        page_token: str | None = None
        while True:
            page = self._client.search_model_versions(
                f"name = '{contract.MODEL_NAME}'",
                max_results=REGISTRY_PAGE_SIZE,
                page_token=page_token,
            )
            versions.extend(
                RegistryVersion(
                    version=str(mv.version),
                    run_id=mv.run_id or None,
                    stage=mv.current_stage or None,
                    aliases=tuple(aliases_by_version.get(str(mv.version), ())),
                )
                for mv in page
            )
            page_token = page.token
            if not page_token:
                return versions

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
                logger.info("run %s has no readable artifact %s: %s", run_id, path, _one_line(exc))
                return None
        try:
            content = json.loads(text)
        except ValueError as exc:
            logger.warning("run %s artifact %s is not JSON: %s", run_id, path, _one_line(exc))
            content = None
        with self._artifacts_lock:
            self._artifacts[key] = content
            while len(self._artifacts) > ARTIFACT_CACHE_SIZE:
                self._artifacts.popitem(last=False)
        return content
