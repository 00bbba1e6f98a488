"""The experiment's steps, each callable on its own from what earlier steps stored.

``prepare`` → ``train_initial`` → ``capture_baseline`` (batch 0) → per batch ``run_batch``
(``read_batch`` once, then ``check_drift`` → ``retrain`` when drift or the user asks → the
quality gate). Each step reads what earlier ones stored (storage + MLflow), so ``batch run 4``
works without batches 1-3 having run in this process, and the Airflow DAG calls them one task
at a time. ``healthpredict.experiment`` runs them in order.
"""

from pipeline.data.splits import BatchData, read_batch
from pipeline.gate.baseline_result import BaselineResult
from pipeline.steps.baseline import capture_baseline
from pipeline.steps.batch import run_batch
from pipeline.steps.drift_check import check_drift
from pipeline.steps.initial import train_initial
from pipeline.steps.options import TrainingOptions
from pipeline.steps.outcomes import BatchResult, InitialOutcome
from pipeline.steps.prepare import prepare
from pipeline.steps.retrain import retrain

__all__ = [
    "BaselineResult",
    "BatchData",
    "BatchResult",
    "InitialOutcome",
    "TrainingOptions",
    "capture_baseline",
    "check_drift",
    "prepare",
    "read_batch",
    "retrain",
    "run_batch",
    "train_initial",
]
