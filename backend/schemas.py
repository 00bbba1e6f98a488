"""Response models: the report API's JSON shapes, documented at /docs.

Every float is finite or null: a metric MLflow does not have is null, never 0 and never NaN.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from baseline.result import BaselineResult
from pipeline.contract import Decision


class _Model(BaseModel):
    # Refuse NaN/Infinity outright: a response must never carry them (the reader maps them to null).
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Health(_Model):
    status: str = Field(description="`ok` when the API runs")
    mlflow: bool = Field(description="whether the MLflow tracking store answered")
    tracking_uri: str
    detail: str | None = None


class ModelScores(_Model):
    """A model's scores on one batch's test set (0.5 probability cut-off)."""

    auc: float | None
    f1: float | None
    precision: float | None
    recall: float | None
    version: str | None = Field(
        default=None, description="the registered model version these scores belong to, if known"
    )


class DriftedColumn(_Model):
    column: str
    kind: str | None = None
    test: str | None = None
    statistic: float | None = None
    p_value: float | None = None
    threshold: float | None = None


class DriftResult(_Model):
    share: float | None = Field(description="share of analysed columns that drifted, 0..1")
    n_drifted_columns: int | None
    n_total_columns: int | None
    dataset_drift: bool | None
    run_id: str
    drifted_columns: list[DriftedColumn] | None = Field(
        default=None, description="from drift/feature_drift.json; null when the artifact is absent"
    )
    mlflow_url: str | None = None
    threshold: float | None = Field(
        default=None, description="the drift share that triggers retraining, as this run used it"
    )
    retrain_triggered: bool | None = Field(
        default=None,
        description="the pipeline's verdict: retraining was triggered (logged tag; for stores "
        "without it, derived once in the backend from share >= this run's threshold)",
    )
    trigger_reason: Literal["drift", "forced", "none"] | None = Field(
        default=None, description="why retraining was (not) triggered; null on batch 0"
    )
    trigger_logged: bool = Field(
        default=False,
        description="true when the verdict was logged by the pipeline, false when derived",
    )


class BatchResult(_Model):
    batch: int
    decision: Decision | None = Field(
        description="the pipeline's decision; null without a gate run"
    )
    raw_decision: str | None = Field(
        default=None,
        description="the raw `decision` tag when it is not a known decision (`decision` is null)",
    )
    retrained: bool | None = Field(
        description="true for DEPLOY/DEPLOY_REFRESH/SKIP; null for the baseline or without a gate"
    )
    deployed: bool | None = Field(description="whether the candidate became Production")
    drift: DriftResult | None
    production: ModelScores | None
    new: ModelScores | None = Field(description="the retrained candidate; only when retrained")
    auc_improvement: float | None
    f1_improvement: float | None
    test_set: str | None
    quality_gate_run_id: str | None
    model_version: str | None = None
    superseded_runs: int = Field(
        description="older or unfinished runs of this batch that the latest-run rule hid"
    )
    unfinished_newer_runs: int = Field(
        default=0, description="newer runs still running or failed; the last finished one is shown"
    )
    mlflow_url: str | None = None


class BatchesResponse(_Model):
    drift_threshold: float
    batches: list[BatchResult]
    stale: bool = Field(default=False, description="true when served from the last good read")


class ProductionModel(_Model):
    name: str
    version: str
    auc: float | None = Field(
        description="AUC of this version on the latest test set it was scored on"
    )


class Summary(_Model):
    title: str
    production_model: ProductionModel | None
    batches_processed: int = Field(description="batches >= 1 with a quality-gate result")
    total_batches: int = Field(description="batches >= 1 seen in the store")
    retraining_events: int = Field(description="batches decided DEPLOY, DEPLOY_REFRESH or SKIP")
    deployments: int = Field(description="batches decided DEPLOY or DEPLOY_REFRESH")
    has_baseline: bool
    start_auc: float | None = Field(description="batch 0's Production AUC")
    end_auc: float | None = Field(description="Production after the last batch, on its test set")
    drift_threshold: float
    takeaway: str
    stale: bool = False


class RocCurve(_Model):
    fpr: list[float]
    tpr: list[float]
    auc: float | None


class RocResponse(_Model):
    batch: int
    production: RocCurve | None
    new: RocCurve | None


class BaselineResponse(BaselineResult, _Model):  # the capture's own record, as an answer
    pass


class ReportConfig(_Model):
    mlflow_tracking_uri: str
    mlflow_ui_url: str | None
    airflow_ui_url: str | None
    drift_threshold: float
    baseline_command: str
    baseline_allowed: bool = Field(description="whether POST /baseline would accept this client")


class RefreshResponse(_Model):
    refreshed: bool


class ErrorDetail(_Model):
    detail: str
