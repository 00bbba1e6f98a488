"""Response models of `GET /policies`: the latest finished policy replay (issue 12)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from backend.schemas import _Model

BatchOutcome = Literal["not_retrained", "deployed", "kept_production"]
ForwardVerdict = Literal["better", "worse", "inconclusive", "reference"]


class PolicyBatch(_Model):
    """One batch under one policy: the model in Production after it, on the batch's test split."""

    batch: int
    auc: float | None
    ci_low: float | None
    ci_high: float | None
    retrained: bool | None
    deployed: bool | None
    outcome: BatchOutcome | None = Field(
        description="from the logged retrained/deployed flags: not retrained, retrained and "
        "deployed, or retrained but Production kept"
    )


class PolicyForwardStep(_Model):
    """Step N: the model in Production after batch N (N = 0: the initial model), scored on
    batch N+1's test split, and its paired difference to the configured policy on those rows."""

    step: int
    batch: int = Field(description="the batch whose test split scores it (step + 1)")
    auc: float | None
    ci_low: float | None
    ci_high: float | None
    delta_vs_configured: float | None
    delta_ci_low: float | None
    delta_ci_high: float | None
    calibration_slope: float | None


class PolicyResult(_Model):
    run_id: str
    run_name: str
    label: str = Field(description="trigger[:training_policy[:validation]], as the CLI spells it")
    title: str | None = Field(
        default=None, description="the policy in plain words (null for names it does not know)"
    )
    trigger: str | None
    training_policy: str | None
    validation_data: str | None
    configured: bool = Field(description="the policy the pipeline itself ran")
    gate: str | None
    batches: list[PolicyBatch]
    n_retrains: int | None
    n_deploys: int | None
    mean_auc: float | None
    mean_auc_ci_low: float | None = Field(
        description="95% interval of the mean over batches (independent test splits: the "
        "variances read back from each batch's logged interval add)"
    )
    mean_auc_ci_high: float | None
    worst_auc: float | None
    worst_batch: int | None
    training_seconds: float | None
    mlflow_url: str | None = None
    forward: list[PolicyForwardStep] = Field(
        default_factory=list,
        description="forward in time and paired (empty when the replay did not record it)",
    )
    mean_auc_next: float | None = None
    mean_delta_vs_configured: float | None = Field(
        default=None, description="mean paired difference to the configured policy over steps"
    )
    mean_delta_ci_low: float | None = None
    mean_delta_ci_high: float | None = None
    p_value: float | None = Field(default=None, description="two-sided, unadjusted")
    p_holm: float | None = Field(
        default=None, description="Holm-adjusted across the policies compared"
    )
    verdict_vs_configured: ForwardVerdict | None = Field(
        default=None,
        description="better/worse only when the Holm-adjusted p is below 0.05; `reference` for "
        "the configured policy; null when not recorded",
    )


class PoliciesResponse(_Model):
    available: bool = Field(description="false when the store holds no finished replay")
    replay_id: str | None = None
    seed: int | None = None
    drift_threshold: float | None = None
    fixed_hyperparameters: bool | None = Field(
        default=None, description="true when the new models used fixed hyper-parameters (fast mode)"
    )
    hyperparameters: str | None = Field(
        default=None, description="the fixed hyper-parameters, as `name value, …`"
    )
    finished_at: int | None = Field(default=None, description="end time of the replay, ms")
    policies: list[PolicyResult] = Field(default_factory=list)
    forward_recorded: bool = Field(
        default=False,
        description="the replay logged the forward-in-time paired comparison (older ones did not)",
    )
    notes: list[str] = Field(
        default_factory=list, description="how to read the comparison, written by the API"
    )
    stale: bool = False
