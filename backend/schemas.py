"""Response models: the report API's JSON shapes, documented at /docs.

Every float is finite or null: a metric MLflow does not have is null, never 0 and never NaN.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.core.contract import AlarmOutcome, AucChange, Decision
from pipeline.gate.baseline_result import BaselineResult

ChanceWords = Literal["better than chance", "no better than chance", "worse than chance"]


class _Model(BaseModel):
    # Refuse NaN/Infinity outright: a response must never carry them (the reader maps them to null).
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Health(_Model):
    status: str = Field(description="`ok` when the API runs")
    mlflow: bool = Field(description="whether the MLflow tracking store answered")
    tracking_uri: str
    detail: str | None = None


CalibrationVerdict = Literal[
    "within_perfect", "over_confident", "under_confident", "miscalibrated", "reversed"
]


class Calibration(_Model):
    """How well the model's probabilities match observed rates (ECE: 10 equal-width bins)."""

    brier: float | None
    ece: float | None
    slope: float | None = Field(description="logistic recalibration slope on the logit (ideal 1)")
    intercept: float | None = Field(description="calibration-in-the-large (ideal 0)")
    slope_ci_low: float | None = Field(default=None, description="95% interval of the slope")
    slope_ci_high: float | None = None
    ece_null_p95: float | None = Field(
        default=None,
        description="the ECE a perfectly calibrated model reaches at its 95th percentile on the "
        "same predictions (outcomes simulated from them)",
    )
    verdict: CalibrationVerdict | None = Field(
        default=None,
        description="`within_perfect` (ECE within the null and the slope's interval holds 1), "
        "`over_confident` (slope interval below 1), `under_confident` (above 1), or "
        "`miscalibrated` (ECE above the null, slope consistent with 1), `reversed` (slope "
        "interval below 0: higher predictions go with fewer events); null when not recorded",
    )


class ModelScores(_Model):
    """A model's scores on one batch's test set (0.5 probability cut-off)."""

    auc: float | None
    f1: float | None
    precision: float | None
    recall: float | None
    version: str | None = Field(
        default=None, description="the registered model version these scores belong to, if known"
    )
    auc_ci_low: float | None = Field(default=None, description="95% interval of the AUC (DeLong)")
    auc_ci_high: float | None = None
    worse_than_chance: bool | None = Field(
        default=None,
        description="true when the AUC's whole interval lies below 0.5; null without an interval",
    )
    calibration: Calibration | None = Field(
        default=None, description="calibration on this test set; null when not recorded"
    )
    estimated: EstimatedAuc | None = Field(
        default=None,
        description="the AUC estimated before the labels (CBPE); null when not recorded",
    )


class EstimatedAuc(_Model):
    """A model's AUC on these rows estimated from its own calibrated probabilities, no labels."""

    auc: float
    ci_low: float | None
    ci_high: float | None
    error: float | None = Field(description="the estimate minus the realised AUC")
    missed: bool | None = Field(
        description="the realised AUC differs from the estimate by more than the two sampling "
        "errors together allow (95%): the relation between features and outcome changed, which "
        "no label-free estimate can see"
    )


class AucDifference(_Model):
    """A difference of two AUCs with its 95% interval (DeLong; paired on one test set)."""

    delta: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None = None


GateVerdict = Literal["better", "worse", "inconclusive"]


class GateComparison(AucDifference):
    """The gate's comparison: the new model minus Production on the batch's test split."""

    verdict: AucChange | None = Field(
        description="the pipeline's verdict on this comparison alone: the interval against 0; "
        "null when not logged"
    )
    p_holm: float | None = Field(
        default=None,
        description="Holm-adjusted p across this run-through's gate comparisons; null without "
        "logged p values",
    )
    comparisons: int | None = Field(
        default=None, description="how many gate comparisons the adjustment covers"
    )
    verdict_adjusted: GateVerdict | None = Field(
        default=None,
        description="`better`/`worse` only when the adjusted p is below 0.05, else `inconclusive`",
    )


class ChanceBand(_Model):
    """What the detector reports on samples of this batch's size where a reference is known.

    ``kind`` says which: ``chance`` (random samples of the training period against the rest of
    it: nothing changed, so this is chance) or ``later_period`` (held-out rows of the reference
    period, which come later in time: drift one period later, recorded by older versions; never
    chance).
    """

    kind: Literal["chance", "later_period"] = Field(
        description="`chance`: the training period against itself; `later_period`: drift one "
        "period later (older stores), not chance"
    )
    p50: float | None
    p95: float | None
    max: float | None = Field(default=None, description="the largest share drawn (chance only)")
    samples: int | None = Field(description="how many samples were checked")


class DriftedColumn(_Model):
    column: str
    kind: str | None = None
    test: str | None = None
    statistic: float | None = None
    p_value: float | None = None
    threshold: float | None = None


class DriftResult(_Model):
    measured: bool = Field(
        default=True,
        description="false on batch 0 (the baseline: no drift check ran; MLflow holds the "
        "contract's zeros over 0 columns), and then share and counts are null",
    )
    share: float | None = Field(description="share of analysed columns that drifted, 0..1")
    n_drifted_columns: int | None
    n_total_columns: int | None
    majority_drifted: bool | None = Field(
        default=None,
        description="MLflow's `dataset_drift` metric: at least half of the analysed columns "
        "drifted (share >= 0.5). Not the retrain verdict: retraining compares the share with "
        "`threshold` (0.30 by default), see `retrain_triggered`",
    )
    dataset_drift: bool | None = Field(
        description="the same as `majority_drifted`, under MLflow's metric name; kept for "
        "older clients",
        json_schema_extra={"deprecated": True},
    )
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
    profile: str | None = Field(
        default=None, description="the batch profile that built this batch (e.g. `no_drift`)"
    )
    profile_description: str | None = Field(
        default=None, description="how the profile built the batch, in words"
    )
    chance_band: ChanceBand | None = Field(
        default=None, description="drift share expected by chance; null when not recorded"
    )


class PendingPromotion(_Model):
    """A deploy the gate decided whose promotion did not complete (the step stopped in between)."""

    batch: int = Field(description="the batch whose gate decided the deploy")
    version: str = Field(description="the version the gate decided to deploy")
    production_version: str | None = Field(
        description="the registry's Production version: still serving until the next step "
        "promotes `version`"
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
    deployed: bool | None = Field(
        description="whether the gate decided to put the new model into Production (see "
        "`promotion_pending`)"
    )
    promotion_pending: bool = Field(
        default=False,
        description="the gate decided to deploy `new.version` but the registry's Production is "
        "still another version (a step stopped before the promotion; the next step completes "
        "it): `model_version` and `production_after` follow the registry",
    )
    drift: DriftResult | None
    production: ModelScores | None
    new: ModelScores | None = Field(description="the new (retrained) model; only when retrained")
    auc_improvement: float | None = Field(
        description="the new model minus Production; null when no new model was trained"
    )
    f1_improvement: float | None = Field(
        description="the new model minus Production; null when no new model was trained"
    )
    test_set: str | None
    quality_gate_run_id: str | None
    model_version: str | None = Field(
        default=None, description="the Production version after this batch's gate"
    )
    superseded_runs: int = Field(
        description="older or unfinished runs of this batch that the latest-run rule hid"
    )
    unfinished_newer_runs: int = Field(
        default=0, description="newer runs still running or failed; the last finished one is shown"
    )
    mlflow_url: str | None = None
    evidence_recorded: bool = Field(
        default=False,
        description="whether the gate run logged the evidence (initial model, intervals, "
        "calibration); false for stores written by the original pipeline",
    )
    initial: ModelScores | None = Field(
        default=None, description="the initial model (never retrained) on the same test set"
    )
    production_after: ModelScores | None = Field(
        default=None,
        description="the model in Production once this batch is decided: the new model "
        "if deployed, else Production; while `promotion_pending`, Production (the registry's), "
        "null when the gate did not score that version",
    )
    gate_comparison: GateComparison | None = Field(
        default=None, description="the new model minus Production, paired (retrain path only)"
    )
    net_effect: AucDifference | None = Field(
        default=None,
        description="Production after this batch's decision minus the initial model "
        "(never retrained; paired)",
    )
    initial_auc_shift: AucDifference | None = Field(
        default=None,
        description="the initial model's AUC here minus on initial_test (variances add)",
    )
    alarm_outcome: AlarmOutcome | None = Field(
        default=None, description="the drift verdict crossed with significant harm, as logged"
    )
    initial_auc_shift_detectable: float | None = Field(
        default=None,
        description="the smallest drop of the initial model's AUC that comparison detects with "
        "80% power; null when not recorded",
    )
    positive_rate: float | None = Field(
        default=None, description="share of positive outcomes in this batch's test set"
    )
    deployed_worse_than_chance: bool = Field(
        default=False,
        description="the deployed new model's AUC interval lies below 0.5: never a success",
    )


class BatchesResponse(_Model):
    drift_threshold: float
    batches: list[BatchResult]
    initial_positive_rate: float | None = Field(
        default=None, description="share of positive outcomes in initial_test (batch 0)"
    )
    stale: bool = Field(default=False, description="true when served from the last good read")


class ProductionModel(_Model):
    name: str
    version: str
    auc: float | None = Field(
        description="AUC of this version on the latest test set it was scored on"
    )
    auc_ci_low: float | None = None
    auc_ci_high: float | None = None
    worse_than_chance: bool | None = None
    vs_chance: ChanceWords | None = Field(
        default=None, description="where the AUC's 95% interval lies against 0.5, in words"
    )


class AucOnTestSet(_Model):
    """One AUC with its interval, and the test set it was measured on."""

    auc: float | None
    ci_low: float | None
    ci_high: float | None
    worse_than_chance: bool | None
    vs_chance: ChanceWords | None = Field(
        default=None, description="where the AUC's 95% interval lies against 0.5, in words"
    )
    batch: int
    test_set: str | None


class AverageEffect(AucDifference):
    """Mean of per-batch effects on independent test sets: the variances add."""

    batches: list[int] = Field(description="the batches averaged")


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
    bottom_line: list[str] = Field(
        default_factory=list,
        description="at most three plain sentences: what happened, whether retraining helped "
        "(in words no larger than its interval), and whether Production is better than chance",
    )
    stale: bool = False
    evidence_recorded: bool = Field(
        default=False, description="whether the runs logged the initial model's scores"
    )
    start: AucOnTestSet | None = Field(
        default=None, description="batch 0: Production on initial_test (a different test set)"
    )
    end_production: AucOnTestSet | None = Field(
        default=None, description="the last batch: Production after its decision"
    )
    end_initial: AucOnTestSet | None = Field(
        default=None,
        description="the last batch: the initial model (never retrained), same test set",
    )
    net_effect_last: AucDifference | None = Field(
        default=None, description="the last batch's net effect of retraining"
    )
    net_effect_average: AverageEffect | None = Field(
        default=None, description="the net effect averaged over the retrained batches"
    )
    retraining_takeaway: str | None = Field(
        default=None,
        description="did retraining help, in one sentence with its uncertainty; null when the "
        "runs did not record the initial model",
    )
    promotion_pending: PendingPromotion | None = Field(
        default=None,
        description="a deploy decided by the latest gate run that the registry does not show "
        "yet; null when none is pending",
    )


class RocCurve(_Model):
    fpr: list[float]
    tpr: list[float]
    auc: float | None


class RocResponse(_Model):
    batch: int
    production: RocCurve | None
    new: RocCurve | None


class ReliabilityBin(_Model):
    mean_predicted: float
    observed: float
    count: int


class ReliabilityCurve(_Model):
    bins: list[ReliabilityBin]
    brier: float | None
    ece: float | None


class CalibrationResponse(_Model):
    batch: int
    production: ReliabilityCurve | None
    new: ReliabilityCurve | None
    initial: ReliabilityCurve | None


class BaselineResponse(BaselineResult, _Model):  # the capture's own record, as an answer
    pass


class ReportConfig(_Model):
    mlflow_tracking_uri: str
    mlflow_ui_url: str | None
    airflow_ui_url: str | None
    drift_threshold: float
    baseline_command: str
    baseline_allowed: bool = Field(
        description="whether the writes (POST /baseline, POST /refresh) would accept this client"
    )


class RefreshResponse(_Model):
    refreshed: bool


class ErrorDetail(_Model):
    detail: str
