"""What one MLflow run says, read field by field: params, metrics and tags as the API shows them.

Every reader of a run's values goes through here, so a value reads the same everywhere:
- A missing or non-finite metric is null, never 0 and never NaN (`finite`); a param is text, and
  a number in it reads through `parse_float` (one parser for the report and the replay).
- A logged verdict outside its enum reads as not recorded (`logged_verdict`); a `decision` tag
  outside the Decision enum is `decision: null` with the raw text kept (`decision`).
- The evidence (intervals, calibration, the paired differences) is null when the run did not
  record it; nothing is re-derived.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Mapping
from typing import TypeVar
from urllib.parse import quote

from backend.mlflow_reader import RunRecord
from backend.schemas import (
    AucDifference,
    Calibration,
    CalibrationVerdict,
    ChanceBand,
    DriftedColumn,
    EstimatedAuc,
    GateComparison,
    ModelScores,
)
from pipeline.core import contract, stats
from pipeline.core.contract import (
    AlarmOutcome,
    AucChange,
    Decision,
    EvidenceMetric,
    EvidenceParam,
)
from pipeline.core.contract import EvidenceTag as ETag

_Verdict = TypeVar("_Verdict", AucChange, AlarmOutcome)


# --- Values ---------------------------------------------------------------------------------
def finite(value: object) -> float | None:
    """A finite float, or None: what the API shows for a metric.

    MLflow's SQL store saves an infinite metric as +/- the largest float, so that value reads as
    infinite too.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and abs(number) < sys.float_info.max else None


def parse_float(raw: str | None) -> float | None:
    """A param's number, or None when absent, not a number or not finite."""
    if raw is None:
        return None
    try:
        return finite(float(raw))
    except ValueError:
        return None


def as_int(value: float | None) -> int | None:
    """A count logged as a float (MLflow metrics are floats), rounded; None stays None."""
    return None if value is None else round(value)


def metric(run: RunRecord, name: str) -> float | None:
    return finite(run.metrics.get(name))


def int_metric(run: RunRecord, name: str) -> int | None:
    return as_int(metric(run, name))


def run_url(mlflow_ui_url: str | None, run: RunRecord) -> str | None:
    """The run's page in the MLflow UI, when the UI's address is configured."""
    if not mlflow_ui_url:
        return None
    return f"{mlflow_ui_url.rstrip('/')}/#/experiments/{run.experiment_id}/runs/{run.run_id}"


def dag_run_url(airflow_ui_url: str | None, dag_run_id: str | None) -> str | None:
    """The DAG run's page in the Airflow UI, when the UI's address is configured."""
    if not airflow_ui_url or not dag_run_id:
        return None
    run = quote(dag_run_id, safe="")
    return f"{airflow_ui_url.rstrip('/')}/dags/{contract.AIRFLOW_DAG_ID}/runs/{run}"


def logged_verdict(kind: type[_Verdict], raw: str | None) -> _Verdict | None:
    """A logged verdict; an unknown value reads as not recorded (never guessed)."""
    if raw is None:
        return None
    try:
        return kind(raw.strip().lower())
    except ValueError:
        return None


def decision(run: RunRecord) -> tuple[Decision | None, str | None]:
    """(the logged decision, None), or (None, the raw tag) when it is not a known decision."""
    raw = run.tags.get(contract.Tag.DECISION)
    if raw is None:
        return None, None
    try:
        return Decision(raw.strip().upper()), None
    except ValueError:
        return None, raw


def threshold_param(run: RunRecord) -> float | None:
    """The run's `drift_threshold` param when it is a share in (0, 1], else None."""
    value = parse_float(run.params.get(contract.Param.DRIFT_THRESHOLD))
    return value if value is not None and 0.0 < value <= 1.0 else None


# --- Model scores ---------------------------------------------------------------------------
def _calibration(run: RunRecord, prefix: str) -> Calibration | None:
    calibration = Calibration(
        brier=metric(run, contract.brier_metric(prefix)),
        ece=metric(run, contract.ece_metric(prefix)),
        slope=metric(run, contract.calibration_slope_metric(prefix)),
        intercept=metric(run, contract.calibration_intercept_metric(prefix)),
        slope_ci_low=metric(run, contract.calibration_slope_ci_low_metric(prefix)),
        slope_ci_high=metric(run, contract.calibration_slope_ci_high_metric(prefix)),
        ece_null_p95=metric(run, contract.ece_null_p95_metric(prefix)),
    )
    if all(v is None for v in calibration.model_dump().values()):
        return None
    return calibration.model_copy(update={"verdict": calibration_verdict(calibration)})


def calibration_verdict(calibration: Calibration) -> CalibrationVerdict | None:
    """What the logged figures allow saying; None without the null and the slope's interval."""
    ece, null = calibration.ece, calibration.ece_null_p95
    low, high = calibration.slope_ci_low, calibration.slope_ci_high
    if ece is None or null is None or low is None or high is None:
        return None
    if high < 0.0:
        return "reversed"  # the predictions rank the outcomes the wrong way round
    if high < 1.0:
        return "over_confident"  # predictions more extreme than the outcomes bear out
    if low > 1.0:
        return "under_confident"  # predictions too close together
    return "within_perfect" if ece <= null else "miscalibrated"


def scores(
    run: RunRecord, prefix: str, metric_name: Callable[[str], str], version: str | None = None
) -> ModelScores:
    """A model's logged scores with the evidence the run has for it (intervals, calibration)."""
    values = {score: metric(run, metric_name(score)) for score in contract.SCORES}
    high = metric(run, contract.auc_ci_high_metric(prefix))
    return ModelScores.model_validate(
        {
            **values,
            "version": version,
            "auc_ci_low": metric(run, contract.auc_ci_low_metric(prefix)),
            "auc_ci_high": high,
            "worse_than_chance": stats.worse_than_chance(high),
            "calibration": _calibration(run, prefix),
            "estimated": estimated_auc(run, prefix, values.get("auc")),
        }
    )


def estimated_auc(run: RunRecord, prefix: str, realised: float | None) -> EstimatedAuc | None:
    """The label-free estimate the gate logged for this model, and whether the realised AUC
    missed it by more than both their sampling errors allow; None when the run has no estimate."""
    estimate = metric(run, contract.auc_estimated_metric(prefix))
    if estimate is None:
        return None
    low = metric(run, contract.auc_estimated_ci_low_metric(prefix))
    high = metric(run, contract.auc_estimated_ci_high_metric(prefix))
    realised_low = metric(run, contract.auc_ci_low_metric(prefix))
    realised_high = metric(run, contract.auc_ci_high_metric(prefix))
    missed = None
    if None not in (realised, low, high, realised_low, realised_high):
        assert realised is not None and low is not None and high is not None
        assert realised_low is not None and realised_high is not None
        missed = estimate_missed(realised - estimate, (low, high), (realised_low, realised_high))
    return EstimatedAuc(
        auc=estimate,
        ci_low=low,
        ci_high=high,
        error=metric(run, contract.auc_estimation_error_metric(prefix)),
        missed=missed,
    )


def estimate_missed(
    difference: float, estimated: tuple[float, float], realised: tuple[float, float]
) -> bool:
    """Realised minus estimated lies outside 1.96 standard errors of the two together (each
    read back from its 95% interval): more than sampling explains."""
    variance = stats.variance_from_interval(*estimated) + stats.variance_from_interval(*realised)
    return abs(difference) > 1.959964 * variance**0.5


def initial_scores(run: RunRecord) -> ModelScores | None:
    """The initial model (never retrained); None when the run did not score it."""
    if metric(run, contract.initial_metric("auc")) is None:
        return None
    version = run.params.get(EvidenceParam.INITIAL_MODEL_VERSION)
    return scores(run, contract.INITIAL_PREFIX, contract.initial_metric, version)


# --- Differences of two AUCs ----------------------------------------------------------------
def _difference(run: RunRecord, delta: str, low: str, high: str, p: str | None) -> AucDifference:
    return AucDifference(
        delta=metric(run, delta),
        ci_low=metric(run, low),
        ci_high=metric(run, high),
        p_value=metric(run, p) if p is not None else None,
    )


def _recorded(difference: AucDifference) -> AucDifference | None:
    return difference if difference.ci_low is not None or difference.ci_high is not None else None


def gate_comparison(run: RunRecord) -> GateComparison | None:
    """New model minus Production with the pipeline's verdict; None when not recorded."""
    difference = _difference(
        run,
        contract.Metric.AUC_IMPROVEMENT,
        EvidenceMetric.AUC_IMPROVEMENT_CI_LOW,
        EvidenceMetric.AUC_IMPROVEMENT_CI_HIGH,
        EvidenceMetric.AUC_IMPROVEMENT_P_VALUE,
    )
    verdict = logged_verdict(AucChange, run.tags.get(ETag.AUC_CHANGE))
    if _recorded(difference) is None and verdict is None:
        return None
    return GateComparison(**difference.model_dump(), verdict=verdict)


def net_effect(run: RunRecord) -> AucDifference | None:
    """Production after the decision minus the initial model, as logged."""
    return _recorded(
        _difference(
            run,
            EvidenceMetric.NET_AUC_CHANGE,
            EvidenceMetric.NET_AUC_CHANGE_CI_LOW,
            EvidenceMetric.NET_AUC_CHANGE_CI_HIGH,
            EvidenceMetric.NET_AUC_CHANGE_P_VALUE,
        )
    )


def initial_auc_shift(run: RunRecord) -> AucDifference | None:
    """The initial model's AUC on this batch minus on initial_test, as logged."""
    return _recorded(
        _difference(
            run,
            EvidenceMetric.INITIAL_AUC_SHIFT,
            EvidenceMetric.INITIAL_AUC_SHIFT_CI_LOW,
            EvidenceMetric.INITIAL_AUC_SHIFT_CI_HIGH,
            None,
        )
    )


def alarm_outcome(run: RunRecord) -> AlarmOutcome | None:
    return logged_verdict(AlarmOutcome, run.tags.get(ETag.ALARM_OUTCOME))


# --- Drift ----------------------------------------------------------------------------------
def chance_band(run: RunRecord) -> ChanceBand | None:
    """The chance band when the run has it, else an older run's later-period band, else None."""
    chance = ChanceBand(
        kind="chance",
        p50=metric(run, EvidenceMetric.DRIFT_SHARE_CHANCE_P50),
        p95=metric(run, EvidenceMetric.DRIFT_SHARE_CHANCE_P95),
        max=metric(run, EvidenceMetric.DRIFT_SHARE_CHANCE_MAX),
        samples=as_int(parse_float(run.params.get(EvidenceParam.DRIFT_CHANCE_SAMPLES))),
    )
    if chance.p50 is not None or chance.p95 is not None:
        return chance
    later = ChanceBand(
        kind="later_period",
        p50=metric(run, EvidenceMetric.DRIFT_SHARE_NULL_P50),
        p95=metric(run, EvidenceMetric.DRIFT_SHARE_NULL_P95),
        samples=as_int(parse_float(run.params.get(EvidenceParam.DRIFT_NULL_SAMPLES))),
    )
    return None if later.p50 is None and later.p95 is None else later


def drifted_columns(records: object) -> list[DriftedColumn] | None:
    """The drifted columns of a `drift/feature_drift.json`; None when absent or unreadable."""
    if not isinstance(records, list):
        return None
    columns: list[DriftedColumn] = []
    for record in records:
        if not isinstance(record, Mapping) or record.get("drifted") is not True:
            continue
        name = record.get("column")
        if not isinstance(name, str):
            continue
        kind, test = record.get("kind"), record.get("test")
        columns.append(
            DriftedColumn(
                column=name,
                kind=kind if isinstance(kind, str) else None,
                test=test if isinstance(test, str) else None,
                statistic=finite(record.get("statistic")),
                p_value=finite(record.get("p_value")),
                threshold=finite(record.get("threshold")),
            )
        )
    return columns
