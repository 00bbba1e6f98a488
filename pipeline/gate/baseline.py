"""Batch 0: score the current Production model on ``initial_test`` and log the baseline pair.

The baseline is the report's first row: a ``quality_gate_batch_0`` run (decision ``BASELINE``,
``new_*`` = ``prod_*``) and a ``drift_batch_0`` run (no drift by definition). Its gate is the
production-only gate of every no-drift batch (``steps.production_only_gate``: the same registry,
feature path, scoring and evidence), and its runs go through the pipeline's run writers
(``pipeline.gate.runs``), so batch 0's runs carry what every other batch's runs carry.

Nothing half-written: everything that can fail on the data side (registry, model, preprocessor,
storage, scoring) runs before any run is opened; the two runs are then written as one group
(``tracking.result_runs``) that ends all FINISHED or all FAILED. Both runs carry the same
``capture_id`` tag, so a pair is checkable. Serialising captures (the lock) is the caller's:
``pipeline.steps.capture_baseline``.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from typing import Final

from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from pipeline.core import contract
from pipeline.core.contract import Decision
from pipeline.core.errors import TrackingError, one_line
from pipeline.data import features, patients
from pipeline.data.storage import Storage
from pipeline.evidence import initial_model
from pipeline.gate import runs
from pipeline.gate.baseline_result import BaselineResult
from pipeline.gate.steps import ProductionOnly, production_only_gate
from pipeline.tracking import client as tracking

logger = logging.getLogger(__name__)

BATCH_NUMBER: Final = 0
BASELINE: Final = ProductionOnly(BATCH_NUMBER, Decision.BASELINE, contract.INITIAL_TEST_SET)


def capture(client: MlflowClient, storage: Storage) -> BaselineResult:
    """Score Production on ``initial_test`` and write the batch-0 pair; what was logged."""
    context = initial_model.gate_context(
        client, storage, drift_detected=False, test_is_initial=True
    )
    gate = production_only_gate(
        client,
        BASELINE,
        lambda: features.prepare(storage.read_csv(contract.INITIAL_TEST_KEY)),
        context,
    )
    gate = dataclasses.replace(gate, test_patient_overlap=_initial_test_overlap(storage))
    scores = gate.production
    if scores is None or gate.model_version is None:  # production_only_gate always scores one
        raise ValueError("a production-only gate scored no Production model")
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
        model_version=gate.model_version,
        auc=scores.auc,
        f1=scores.f1,
        precision=scores.precision,
        recall=scores.recall,
    )


def _initial_test_overlap(storage: Storage) -> float | None:
    """Share of ``initial_test`` rows whose patient is in initial training or validation data;
    None (not measured) when the storage holds only the test set."""
    keys = (contract.INITIAL_TRAIN_KEY, contract.INITIAL_VALIDATION_KEY)
    if not all(storage.exists(key) for key in keys):
        return None
    training_side = [storage.read_csv(key) for key in keys]
    return patients.overlap_share(storage.read_csv(contract.INITIAL_TEST_KEY), training_side)


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
