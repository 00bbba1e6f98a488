"""The experiment's steps, each callable on its own from what earlier steps stored.

``prepare`` → ``train_initial`` → ``capture_baseline`` (batch 0) → per batch ``run_batch``, its
stages in order: ``batch_drift`` (the batch read once, its test split written, ``check_drift``) →
``retrain`` when drift or the user asks (a trained candidate reloads from its run with
``pipeline.models.registry.load_candidate``) → ``gate_production_only`` or ``gate_candidate``.
Each step reads what earlier ones stored (storage + MLflow), so ``batch run 4`` works without
batches 1-3 having run in this process, and the Airflow DAG calls the same stages one task at a
time. ``healthpredict.experiment`` runs them in order.
"""

from pipeline.data.splits import BatchData, read_batch
from pipeline.gate.baseline_result import BaselineResult
from pipeline.steps.baseline import capture_baseline
from pipeline.steps.batch import (
    BatchDrift,
    batch_drift,
    finish_pending_promotion,
    gate_candidate,
    gate_production_only,
    run_batch,
)
from pipeline.steps.drift_check import check_drift
from pipeline.steps.initial import deploy_initial, train_initial
from pipeline.steps.options import TrainingOptions
from pipeline.steps.outcomes import BatchResult, InitialOutcome
from pipeline.steps.prepare import prepare
from pipeline.steps.retrain import retrain

__all__ = [
    "BaselineResult",
    "BatchData",
    "BatchDrift",
    "BatchResult",
    "InitialOutcome",
    "TrainingOptions",
    "batch_drift",
    "capture_baseline",
    "check_drift",
    "deploy_initial",
    "finish_pending_promotion",
    "gate_candidate",
    "gate_production_only",
    "prepare",
    "read_batch",
    "retrain",
    "run_batch",
    "train_initial",
]
