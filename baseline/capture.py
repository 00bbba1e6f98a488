"""Batch 0: score the current Production model on ``initial_test`` and log the baseline pair.

The baseline is the report's first row: a ``quality_gate_batch_0`` run (decision ``BASELINE``,
``new_*`` = ``prod_*``) and a ``drift_batch_0`` run (no drift by definition). It reuses the
pipeline's registry, feature path and evaluation, so it scores exactly as the quality gate does,
and the pipeline's run writers (``pipeline.gate.runs``), so batch 0's runs carry what every other
batch's runs carry.

Nothing half-written: everything that can fail on the data side (registry, model, preprocessor,
storage, scoring) runs before any run is opened; the two runs are then written as one group
(``tracking.result_runs``) that ends all FINISHED or all FAILED. Both runs carry the same
``capture_id`` tag, so a pair is checkable. Captures against one tracking URI never interleave:
an in-process lock plus an ``fcntl`` lock file under the state folder serialise them.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from pipeline.core import config, contract
from pipeline.core.errors import (
    CaptureInProgressError,
    NoProductionModelError,
    TrackingError,
    one_line,
)
from pipeline.core.uris import redact_uri
from pipeline.data import features
from pipeline.data.storage import Storage, open_storage
from pipeline.evidence import initial_model
from pipeline.gate import runs
from pipeline.gate.baseline_result import BaselineResult
from pipeline.models import registry
from pipeline.models import scoring as evaluation
from pipeline.tracking import client as tracking

__all__ = ["BaselineResult", "capture_baseline", "capture_lock", "lock_path"]

logger = logging.getLogger(__name__)

BATCH_NUMBER: Final = 0
LOCK_FOLDER: Final = "locks"

_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


def capture_baseline(
    tracking_uri: str,
    storage: str | Storage,
    *,
    s3_endpoint_url: str | None = None,
    blocking: bool = True,
) -> BaselineResult:
    """Capture batch 0; ``blocking=False`` raises ``CaptureInProgressError`` instead of waiting."""
    client = tracking.configure(tracking_uri)
    with capture_lock(tracking_uri, blocking=blocking):
        return _capture(client, storage, s3_endpoint_url)


def _capture(
    client: MlflowClient, storage: str | Storage, s3_endpoint_url: str | None
) -> BaselineResult:
    version = registry.production_version(client)
    if version is None:
        raise NoProductionModelError(
            f"no Production version of {contract.MODEL_NAME} — train and register one first, "
            "e.g. `healthpredict train-initial`"
        )
    logger.info("scoring %s", contract.model_version_uri(version.version))
    model, preprocessor = registry.load_scoring_pair(client, version)
    store = (
        open_storage(storage, s3_endpoint_url=s3_endpoint_url)
        if isinstance(storage, str)
        else storage
    )
    prepared = features.prepare(store.read_csv(contract.INITIAL_TEST_KEY))
    scores = evaluation.score(model, preprocessor, prepared)
    logger.info("baseline on %d test rows: %s", len(scores.y_true), scores.as_dict())

    model_version = str(version.version)
    context = initial_model.gate_context(client, store, drift_detected=False, test_is_initial=True)
    measured = initial_model.measure(
        context, prepared, (model_version, scores), None, deployed=False
    )
    gate = runs.GateRun(
        batch=BATCH_NUMBER,
        decision=contract.Decision.BASELINE,
        test_set=contract.INITIAL_TEST_SET,
        production=scores,
        production_model_version=model_version,
        model_version=model_version,
        evidence=measured,
    )
    try:
        gate_run_id, drift_run_id = _write_pair(client, gate)
    except (MlflowException, OSError) as error:
        raise TrackingError(
            f"writing the baseline runs failed (no run was left FINISHED): {one_line(error)}"
        ) from error
    logger.info("baseline logged: quality gate %s, drift %s", gate_run_id, drift_run_id)
    return BaselineResult(
        quality_gate_run_id=gate_run_id,
        drift_run_id=drift_run_id,
        model_version=model_version,
        auc=scores.auc,
        f1=scores.f1,
        precision=scores.precision,
        recall=scores.recall,
    )


def _write_pair(client: MlflowClient, gate: runs.GateRun) -> tuple[str, str]:
    """The quality-gate and drift runs of batch 0, ended together; returns their run ids."""
    training_experiment = tracking.ensure_experiment(client, contract.TRAINING_EXPERIMENT)
    drift_experiment = tracking.ensure_experiment(client, contract.DRIFT_EXPERIMENT)
    shared_tags = {contract.Tag.CAPTURE_ID: uuid.uuid4().hex}
    with tracking.result_runs(client) as group:
        gate_run_id = runs.write_gate_run(group, training_experiment, gate, tags=shared_tags)
        drift_run_id = runs.write_drift_run(
            group, drift_experiment, runs.DriftRun.baseline(), tags=shared_tags
        )
    return gate_run_id, drift_run_id


def lock_path(tracking_uri: str) -> Path:
    """The lock file for captures against ``tracking_uri`` (one per store, in the state folder)."""
    digest = hashlib.sha256(tracking_uri.strip().rstrip("/").encode()).hexdigest()[:16]
    return config.state_dir() / LOCK_FOLDER / f"baseline-{digest}.lock"


@contextmanager
def capture_lock(tracking_uri: str, *, blocking: bool = True) -> Iterator[None]:
    """Hold the capture lock for ``tracking_uri`` across threads and processes."""
    path = lock_path(tracking_uri)
    busy = CaptureInProgressError(
        f"another baseline capture against {redact_uri(tracking_uri)} is running; "
        "try again when it ends"
    )
    with _process_locks_guard:
        process_lock = _process_locks.setdefault(str(path), threading.Lock())
    if not process_lock.acquire(blocking=blocking):
        raise busy
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as error:
                raise busy from error
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        process_lock.release()
