"""Step 4: one batch, read once and passed down: drift check → split → training → quality gate."""

from __future__ import annotations

from mlflow import MlflowClient

from pipeline.core import contract
from pipeline.data import splits
from pipeline.data.manifest import BatchInfo, read_manifest
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
    info = manifest.info(batch)
    timings: Timings = {}
    training_experiment = tracking.ensure_experiment(client, contract.TRAINING_EXPERIMENT)
    gate.finish_pending_promotion(client, training_experiment)
    with timed(f"batch {batch} drift", timings):
        data = splits.read_batch(storage, manifest, batch)
        report, drift_run_id = check_drift(
            client,
            storage,
            manifest,
            data,
            threshold=drift_threshold,
            force_retrain=force_retrain,
        )
        storage.write_csv(contract.batch_test_key(batch), data.test_raw)
    new_model: TrainingResult | None = None
    if report.retrain:
        with timed(f"batch {batch} training", timings):
            new_model = retrain(client, storage, manifest, data, options or TrainingOptions())
    with timed(f"batch {batch} gate", timings):
        context = initial_model.gate_context(
            client, storage, drift_detected=report.trigger is contract.TriggerReason.DRIFT
        )
        outcome = _gate(client, training_experiment, data, new_model, context)
    return _result(info, report, drift_run_id, new_model, outcome, timings)


def _gate(
    client: MlflowClient,
    experiment_id: str,
    data: BatchData,
    new_model: TrainingResult | None,
    context: initial_model.GateContext | None,
) -> GateOutcome:
    if new_model is None:
        return gate.run_no_drift_gate(client, experiment_id, data.number, data.test, context)
    return gate.run_retrain_gate(client, experiment_id, data.number, data.test, new_model, context)


def _result(
    info: BatchInfo,
    report: DriftReport,
    drift_run_id: str,
    new_model: TrainingResult | None,
    outcome: GateOutcome,
    timings: Timings,
) -> BatchResult:
    gated = outcome.record
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
        drift_run_id=drift_run_id,
        gate_run_id=outcome.run_id,
        training_run_id=None if new_model is None else new_model.run_id,
        timings=timings,
        fit_seconds=0.0 if new_model is None else new_model.fit_seconds,
    )
