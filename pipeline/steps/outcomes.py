"""What the steps return: the initial model's training, and one batch's drift check and gate."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.core.contract import Decision
from pipeline.models.training import TrainingResult
from pipeline.steps.timing import Timings


@dataclass(frozen=True)
class InitialOutcome:
    """The initial model: its training run and the registered version made Production."""

    training: TrainingResult
    model_version: str


@dataclass(frozen=True)
class BatchResult:
    """One batch's drift check and gate (``run_batch``), as the CLI table and the tests see it."""

    batch: int
    profile: str
    drift_share: float
    n_drifted_columns: int
    n_total_columns: int
    retrained: bool
    decision: Decision
    prod_auc: float | None
    new_auc: float | None
    auc_improvement: float | None
    model_version: str | None
    drift_run_id: str
    gate_run_id: str
    training_run_id: str | None
    timings: Timings = field(default_factory=dict)
    fit_seconds: float = 0.0  # XGBoost fits of this batch's new model
