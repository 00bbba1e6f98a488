"""Step 4: one batch, read once and passed down: drift check → split → training → quality gate.

``run_batch`` is the batch's stages in order, each a public function the Airflow DAG's tasks
call one at a time: ``batch_drift`` (the drift check, the test split written), ``retrain``
(when the drift report says so), then ``gate_production_only`` (nothing trained) or
``gate_candidate`` (the new model against Production). Each gate stage first promotes what a
killed gate step deployed (``finish_pending_promotion``), then scores and records.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlflow import MlflowClient

from pipeline.core import contract
from pipeline.core.contract import TriggerReason
from pipeline.data import splits
from pipeline.data.manifest import BatchInfo, Manifest, read_manifest
from pipeline.data.splits import BatchData
from pipeline.data.storage import Storage
from pipeline.drift.detection import DriftReport
from pipeline.evidence import initial_model
from pipeline.gate import steps as gate
from pipeline.gate.steps import GateOutcome
from pipeline.models.training import TrainingResult
from pipeline.steps.drift_check import check_drift
from pipeline.steps.options import TrainingOptions
from pipeline.steps.outcomes import BatchResult
from pipeline.steps.retrain import retrain
from pipeline.steps.timing import Timings, timed
from pipeline.tracking import client as tracking
from pipeline.tracking import lease


@dataclass(frozen=True)
class BatchDrift:
    """A batch read once, its drift report and the ``drift_batch_N`` run that logged it."""

    data: BatchData
    report: DriftReport
    run_id: str


@lease.one_writer(lambda client, storage, batch, **_: f"batch {batch}")
def run_batch(
    client: MlflowClient,
    storage: Storage,
    batch: int,
    *,
    force_retrain: bool = False,
    options: TrainingOptions | None = None,
    drift_threshold: float = contract.DEFAULT_DRIFT_THRESHOLD,
) -> BatchResult:
    """Drift check, test split, retraining when drift (or the user) asks for it, quality gate."""
    manifest = read_manifest(storage)
    timings: Timings = {}
    with timed(f"batch {batch} drift", timings):
        drift = batch_drift(
            client,
            storage,
            manifest,
            batch,
            force_retrain=force_retrain,
            drift_threshold=drift_threshold,
        )
    new_model: TrainingResult | None = None
    if drift.report.retrain:
        with timed(f"batch {batch} training", timings):
            new_model = retrain(client, storage, manifest, drift.data, options or TrainingOptions())
    with timed(f"batch {batch} gate", timings):
        trigger = drift.report.trigger
        if new_model is None:
            outcome = gate_production_only(client, storage, drift.data, trigger)
        else:
            rule = (options or TrainingOptions()).gate_rule
            outcome = gate_candidate(client, storage, drift.data, new_model, trigger, rule)
    return _result(manifest.info(batch), drift, new_model, outcome, timings)


def batch_drift(
    client: MlflowClient,
    storage: Storage,
    manifest: Manifest,
    batch: int,
    *,
    force_retrain: bool = False,
    drift_threshold: float = contract.DEFAULT_DRIFT_THRESHOLD,
) -> BatchDrift:
    """Read the batch, write its test split (what the gate scores on), check its drift."""
    data = splits.read_batch(storage, manifest, batch)
    storage.write_csv(contract.batch_test_key(batch), data.test_raw)
    report, run_id = check_drift(
        client, storage, manifest, data, threshold=drift_threshold, force_retrain=force_retrain
    )
    return BatchDrift(data, report, run_id)


def gate_production_only(
    client: MlflowClient, storage: Storage, data: BatchData, trigger: TriggerReason
) -> GateOutcome:
    """No new model: Production alone scored on the batch's test split (``SKIP_NO_DRIFT``)."""
    experiment_id, context = _open_gate(client, storage, trigger)
    overlap = _patient_overlap(storage, data)
    return gate.run_no_drift_gate(
        client, experiment_id, data.number, data.test, context, patient_overlap=overlap
    )


def gate_candidate(
    client: MlflowClient,
    storage: Storage,
    data: BatchData,
    candidate: TrainingResult,
    trigger: TriggerReason,
    gate_rule: str = contract.GATE_RULE_STANDARD,
) -> GateOutcome:
    """The batch's new model against Production on its test split; deploys per the gate rule."""
    experiment_id, context = _open_gate(client, storage, trigger)
    overlap = _patient_overlap(storage, data)
    return gate.run_retrain_gate(
        client,
        experiment_id,
        data.number,
        data.test,
        candidate,
        context,
        patient_overlap=overlap,
        gate_rule=gate_rule,
    )


def _patient_overlap(storage: Storage, data: BatchData) -> float:
    """Measured, not assumed: the share of test rows whose patient is in any training-side row."""
    return splits.measured_patient_overlap(storage, read_manifest(storage), data)


def finish_pending_promotion(client: MlflowClient) -> str | None:
    """Promote what the latest gate run deployed when a kill stopped it before promoting."""
    experiment_id = tracking.ensure_experiment(client, contract.TRAINING_EXPERIMENT)
    return gate.finish_pending_promotion(client, experiment_id)


def _open_gate(
    client: MlflowClient, storage: Storage, trigger: TriggerReason
) -> tuple[str, initial_model.GateContext | None]:
    experiment_id = tracking.ensure_experiment(client, contract.TRAINING_EXPERIMENT)
    gate.finish_pending_promotion(client, experiment_id)
    drift_detected = trigger is TriggerReason.DRIFT
    return experiment_id, initial_model.gate_context(client, storage, drift_detected=drift_detected)


def _result(
    info: BatchInfo,
    drift: BatchDrift,
    new_model: TrainingResult | None,
    outcome: GateOutcome,
    timings: Timings,
) -> BatchResult:
    gated, report = outcome.record, drift.report
    scored_new = gated.new or gated.production  # new_* mirror prod_* without a new model
    return BatchResult(
        batch=info.number,
        profile=info.profile,
        drift_share=report.drift_share,
        n_drifted_columns=report.n_drifted_columns,
        n_total_columns=report.n_total_columns,
        retrained=new_model is not None,
        decision=gated.decision,
        prod_auc=None if gated.production is None else gated.production.auc,
        new_auc=None if scored_new is None else scored_new.auc,
        auc_improvement=gated.auc_improvement,
        model_version=gated.model_version,
        drift_run_id=drift.run_id,
        gate_run_id=outcome.run_id,
        training_run_id=None if new_model is None else new_model.run_id,
        timings=timings,
        fit_seconds=0.0 if new_model is None else new_model.fit_seconds,
    )
