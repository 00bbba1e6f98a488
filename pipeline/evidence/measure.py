"""The evidence a quality-gate run carries beside its decision (CONTRACT.md, "Evidence").

The gate decides by its rule (``rule.decide``); this module only measures, so nothing here can
change a decision. From the scores of the models the gate scored on one test set it builds a
``GateEvidence``: an interval for every AUC, the paired difference new - Production with its
verdict, the net effect (Production after the decision - the never-retrained initial model),
calibration per model, the initial model's shift against its own AUC on ``initial_test`` and the
alarm outcome. ``GateEvidence`` turns itself into contract names (``params``/``tags``/``metrics``/
``artifacts``); the gate-run writer logs them with the rest of the run, so they are all there or
the run is not a result.

The statistics themselves live in ``pipeline.core.stats``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np

from pipeline.core import contract, stats
from pipeline.core.contract import AlarmOutcome, AucChange
from pipeline.core.stats import AucDifference, AucEstimate, Calibration
from pipeline.evidence import cbpe
from pipeline.evidence.cbpe import EstimatedAuc
from pipeline.models.scoring import Scores

RELIABILITY_ARTIFACTS: Final = {
    contract.PROD_PREFIX: contract.RELIABILITY_PRODUCTION_ARTIFACT,
    contract.NEW_PREFIX: contract.RELIABILITY_NEW_ARTIFACT,
    contract.INITIAL_PREFIX: contract.RELIABILITY_INITIAL_ARTIFACT,
}


@dataclass(frozen=True)
class ModelEvidence:
    """One scored model on the gate's test set: its AUC interval and its calibration."""

    auc: AucEstimate
    calibration: Calibration

    @classmethod
    def of(cls, scores: Scores) -> ModelEvidence:
        return cls(
            stats.auc_with_ci(scores.y_true, scores.y_score),
            stats.calibration(scores.y_true, scores.y_score),
        )


@dataclass(frozen=True)
class GateEvidence:
    """What the gate measured beyond its decision; ``models`` is keyed by metric prefix."""

    initial_model_version: str
    initial: Scores
    models: Mapping[str, ModelEvidence]
    auc_change: AucDifference | None  # new - prod, paired (retrain path with a Production)
    net_effect: AucDifference  # Production after the decision - initial, paired
    initial_shift: AucDifference  # initial here - initial on initial_test
    # the smallest drop of that shift detected with 80% power; None on initial_test itself
    initial_shift_detectable: float | None
    alarm: AlarmOutcome
    positive_rate: float
    # each scored model's AUC estimated before the labels (CBPE), keyed by prefix; may be empty
    estimates: Mapping[str, EstimatedAuc] = field(default_factory=dict)

    @property
    def auc_change_verdict(self) -> AucChange | None:
        return None if self.auc_change is None else AucChange(stats.verdict(self.auc_change))

    def params(self) -> dict[str, object]:
        params: dict[str, object] = {
            contract.EvidenceParam.INITIAL_MODEL_VERSION: self.initial_model_version
        }
        if self.estimates:
            params[contract.EvidenceParam.ESTIMATION_METHOD] = cbpe.METHOD
        return params

    def tags(self) -> dict[str, str]:
        tags = {contract.EvidenceTag.ALARM_OUTCOME: str(self.alarm)}
        if self.auc_change_verdict is not None:
            tags[contract.EvidenceTag.AUC_CHANGE] = str(self.auc_change_verdict)
        return tags

    def metrics(self) -> dict[str, float]:
        metric = contract.EvidenceMetric
        values: dict[str, float] = {
            contract.initial_metric(name): value for name, value in self.initial.as_dict().items()
        }
        for prefix, model in self.models.items():
            values |= {
                contract.auc_ci_low_metric(prefix): model.auc.ci_low,
                contract.auc_ci_high_metric(prefix): model.auc.ci_high,
                contract.brier_metric(prefix): model.calibration.brier,
                contract.ece_metric(prefix): model.calibration.ece,
                contract.calibration_slope_metric(prefix): model.calibration.slope,
                contract.calibration_intercept_metric(prefix): model.calibration.intercept,
            }
            values |= _calibration_evidence(prefix, model.calibration)
            if prefix in self.estimates:
                values |= _estimate_metrics(prefix, self.estimates[prefix], model.auc.auc)
        if self.auc_change is not None:
            values |= {
                metric.AUC_IMPROVEMENT_CI_LOW: self.auc_change.ci_low,
                metric.AUC_IMPROVEMENT_CI_HIGH: self.auc_change.ci_high,
                metric.AUC_IMPROVEMENT_P_VALUE: self.auc_change.p_value,
            }
        return (
            values
            | {
                metric.NET_AUC_CHANGE: self.net_effect.delta,
                metric.NET_AUC_CHANGE_CI_LOW: self.net_effect.ci_low,
                metric.NET_AUC_CHANGE_CI_HIGH: self.net_effect.ci_high,
                metric.NET_AUC_CHANGE_P_VALUE: self.net_effect.p_value,
                metric.INITIAL_AUC_SHIFT: self.initial_shift.delta,
                metric.INITIAL_AUC_SHIFT_CI_LOW: self.initial_shift.ci_low,
                metric.INITIAL_AUC_SHIFT_CI_HIGH: self.initial_shift.ci_high,
                metric.POSITIVE_RATE_TEST: self.positive_rate,
            }
            | (
                {}
                if self.initial_shift_detectable is None
                else {metric.INITIAL_AUC_SHIFT_DETECTABLE: self.initial_shift_detectable}
            )
        )

    def artifacts(self) -> dict[str, dict[str, Any]]:
        """Artifact path -> strict-JSON payload: one reliability curve per scored model."""
        return {
            RELIABILITY_ARTIFACTS[prefix]: model.calibration.reliability_json()
            for prefix, model in self.models.items()
        }


def gate_evidence(
    *,
    initial_model_version: str,
    initial: Scores,
    initial_on_initial_test: AucEstimate | None,
    production: Scores | None,
    new: Scores | None,
    after: Scores,
    drift_detected: bool,
    estimates: Mapping[str, EstimatedAuc] | None = None,
) -> GateEvidence:
    """Measure one gate's models on its test set.

    ``after`` is the model in Production after the decision (``new`` when deployed,
    ``production`` otherwise). ``initial_on_initial_test`` is the initial model's AUC on
    ``initial_test``; None when this test set *is* ``initial_test`` (batch 0), where the shift is
    exactly 0.
    """
    _same_rows(initial, production, new, after)
    models = {contract.INITIAL_PREFIX: ModelEvidence.of(initial)}
    if production is not None:
        models[contract.PROD_PREFIX] = ModelEvidence.of(production)
    if new is not None:
        models[contract.NEW_PREFIX] = ModelEvidence.of(new)
    y_true = initial.y_true
    auc_change = (
        None
        if production is None or new is None
        else stats.paired_auc_difference(y_true, new.y_score, production.y_score)
    )
    initial_here = models[contract.INITIAL_PREFIX].auc
    shift = (
        stats.paired_auc_difference(y_true, initial.y_score, initial.y_score)
        if initial_on_initial_test is None
        else stats.independent_auc_difference(initial_here, initial_on_initial_test)
    )
    return GateEvidence(
        initial_model_version=initial_model_version,
        initial=initial,
        models=models,
        auc_change=auc_change,
        net_effect=stats.paired_auc_difference(y_true, after.y_score, initial.y_score),
        initial_shift=shift,
        initial_shift_detectable=(
            None if initial_on_initial_test is None else stats.detectable_difference(shift)
        ),
        alarm=AlarmOutcome(stats.alarm_outcome(drift_detected, shift)),
        positive_rate=float(np.mean(y_true)),
        estimates={k: v for k, v in (estimates or {}).items() if k in models},
    )


def _estimate_metrics(prefix: str, estimated: EstimatedAuc, realised: float) -> dict[str, float]:
    return {
        contract.auc_estimated_metric(prefix): estimated.estimate,
        contract.auc_estimated_ci_low_metric(prefix): estimated.ci_low,
        contract.auc_estimated_ci_high_metric(prefix): estimated.ci_high,
        contract.auc_estimation_error_metric(prefix): estimated.estimate - realised,
    }


def _calibration_evidence(prefix: str, calibration: Calibration) -> dict[str, float]:
    """The slope's interval and the ECE perfect calibration would show, when measured."""
    measured = {
        contract.calibration_slope_ci_low_metric(prefix): calibration.slope_ci_low,
        contract.calibration_slope_ci_high_metric(prefix): calibration.slope_ci_high,
        contract.ece_null_p95_metric(prefix): calibration.ece_null_p95,
    }
    return {name: value for name, value in measured.items() if value is not None}


def _same_rows(*scored: Scores | None) -> None:
    """Paired statistics need every model scored on the same rows in the same order."""
    present = [s for s in scored if s is not None]
    first = present[0].y_true
    if any(not np.array_equal(s.y_true, first) for s in present[1:]):
        raise ValueError("the gate's models were not scored on the same test rows")
