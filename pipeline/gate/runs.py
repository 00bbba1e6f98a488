"""One writer per run kind: the quality-gate run and the drift run, whoever writes them.

The pipeline (``batch run N``) and the baseline (``python -m baseline``, ``POST /baseline``) both
describe what they found as a record (``GateRun``, ``DriftRun``) and hand it to
``write_gate_run`` / ``write_drift_run``, the only code that turns those records into MLflow
params, tags, metrics and artifacts (names from ``pipeline.core.contract``). The writers open their
run inside a ``tracking.result_runs`` group, so a failure never leaves a FINISHED half-result and
the baseline can end its two runs together.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.core import contract
from pipeline.core.contract import Decision, NonInferiority, TriggerReason
from pipeline.core.stats import ChanceBand
from pipeline.drift.detection import DriftReport
from pipeline.evidence.measure import GateEvidence
from pipeline.models import scoring as evaluation
from pipeline.models.scoring import Scores
from pipeline.tracking import client as tracking
from pipeline.tracking.client import ResultRuns


def improvement(production: Scores | None, new: Scores | None, score: str) -> float | None:
    """``new - prod`` for one score; 0 when nothing new was trained, None without Production."""
    if production is None:
        return None
    if new is None:
        return 0.0
    return float(getattr(new, score) - getattr(production, score))


@dataclass(frozen=True)
class GateRule:
    """The rule a retrain gate decided by, and the non-inferiority verdict it measured."""

    name: str
    non_inferiority: NonInferiority | None  # None: no Production to compare with
    margin: float = contract.NON_INFERIORITY_MARGIN

    def params(self) -> dict[str, object]:
        return {
            contract.EvidenceParam.GATE_RULE: self.name,
            contract.EvidenceParam.NON_INFERIORITY_MARGIN: self.margin,
        }

    def tags(self) -> dict[str, str]:
        if self.non_inferiority is None:
            return {}
        return {contract.EvidenceTag.NON_INFERIORITY: str(self.non_inferiority)}


@dataclass(frozen=True)
class GateRun:
    """What a quality gate found: ``quality_gate_batch_{N}``.

    ``new`` is the retrained model's scores (retrain path only); without one the ``new_*`` metrics
    mirror ``prod_*`` and the improvements are 0 (``BASELINE``, ``SKIP_NO_DRIFT``).
    """

    batch: int
    decision: Decision
    test_set: str
    production: Scores | None
    new: Scores | None = None
    production_model_version: str | None = None  # Production when the gate scored it
    model_version: str | None = None  # Production after the gate
    training_run_id: str | None = None
    evaluation_type: str | None = None
    evidence: GateEvidence | None = None  # CONTRACT.md "Evidence"; None: the run records none
    # share of test rows whose patient is in training-side data (0 by design); None: not measured
    test_patient_overlap: float | None = None
    rule: GateRule | None = None  # retrain path: the rule and its non-inferiority verdict

    @property
    def auc_improvement(self) -> float | None:
        return improvement(self.production, self.new, "auc")

    @property
    def f1_improvement(self) -> float | None:
        return improvement(self.production, self.new, "f1")

    def params(self) -> dict[str, object]:
        optional = {
            contract.Param.PRODUCTION_MODEL_VERSION: self.production_model_version,
            contract.Param.MODEL_VERSION: self.model_version,
            contract.Param.TRAINING_RUN_ID: self.training_run_id,
            contract.Param.EVALUATION_TYPE: self.evaluation_type,
        }
        evidence = {} if self.evidence is None else self.evidence.params()
        evidence |= {} if self.rule is None else self.rule.params()
        return (
            {
                contract.Param.BATCH_NUMBER: self.batch,
                contract.Param.TEST_SET_USED: self.test_set,
                contract.Param.MODEL_TYPE: contract.MODEL_TYPE_XGBOOST,
            }
            | {name: value for name, value in optional.items() if value is not None}
            | evidence
        )

    def tags(self) -> dict[str, str]:
        evidence = {} if self.evidence is None else self.evidence.tags()
        evidence |= {} if self.rule is None else self.rule.tags()
        return {
            contract.Tag.QUALITY_GATE: contract.Tag.TRUE,
            contract.Tag.DECISION: str(self.decision),
        } | evidence


def write_gate_run(
    group: ResultRuns,
    experiment_id: str,
    record: GateRun,
    *,
    tags: Mapping[str, str] | None = None,
) -> str:
    """Write ``record`` as a gate run in ``group`` (it ends with the group); its run id."""
    client = group.client
    run_id = group.start(
        experiment_id,
        contract.quality_gate_run_name(record.batch),
        params=record.params(),
        tags=record.tags() | dict(tags or {}),
    ).info.run_id
    scored_new = record.new or record.production
    if record.production is not None:
        evaluation.log_scores(client, run_id, contract.PROD_PREFIX, record.production)
        _log_roc(group, run_id, contract.ROC_PRODUCTION_ARTIFACT, record.production)
    if scored_new is not None:
        evaluation.log_scores(client, run_id, contract.NEW_PREFIX, scored_new)
    if record.new is not None:
        _log_roc(group, run_id, contract.ROC_NEW_ARTIFACT, record.new)
    improvements = {
        contract.Metric.AUC_IMPROVEMENT: record.auc_improvement,
        contract.Metric.F1_IMPROVEMENT: record.f1_improvement,
        contract.EvidenceMetric.TEST_PATIENT_OVERLAP: record.test_patient_overlap,
    }
    evaluation.log_metrics(
        client, run_id, {name: value for name, value in improvements.items() if value is not None}
    )
    if record.evidence is not None:
        evaluation.log_metrics(client, run_id, record.evidence.metrics())
        for artifact, payload in record.evidence.artifacts().items():
            tracking.log_json_artifact(client, run_id, artifact, payload)
    return run_id


def _log_roc(group: ResultRuns, run_id: str, artifact: str, scores: Scores) -> None:
    payload = evaluation.roc_curve_payload(scores.y_true, scores.y_score)
    evaluation.log_roc(group.client, run_id, artifact, payload)


@dataclass(frozen=True)
class DriftRun:
    """What a drift check found: ``drift_batch_{N}``.

    ``trigger`` is the pipeline's retrain verdict (None on batch 0, which has no drift by
    definition and is never retrained).
    """

    batch: int
    threshold: float
    drift_share: float = 0.0
    n_drifted_columns: int = 0
    n_total_columns: int = 0
    dataset_drift: bool = False
    trigger: TriggerReason | None = None
    feature_drift: list[dict[str, Any]] | None = None
    data_params: Mapping[str, str] = field(default_factory=dict)  # reference/new data, sha256
    chance_band: ChanceBand | None = None  # drift expected by chance (never read by a decision)

    @classmethod
    def baseline(cls) -> DriftRun:
        """Batch 0: the reference itself, so nothing drifted and nothing was analysed."""
        return cls(batch=0, threshold=contract.DEFAULT_DRIFT_THRESHOLD)

    @classmethod
    def from_report(
        cls,
        batch: int,
        report: DriftReport,
        data_params: Mapping[str, str],
        chance_band: ChanceBand | None = None,
    ) -> DriftRun:
        return cls(
            batch=batch,
            threshold=report.threshold,
            drift_share=report.drift_share,
            n_drifted_columns=report.n_drifted_columns,
            n_total_columns=report.n_total_columns,
            dataset_drift=report.dataset_drift,
            trigger=report.trigger,
            feature_drift=report.to_records(),
            data_params=data_params,
            chance_band=chance_band,
        )

    def params(self) -> dict[str, object]:
        band = (
            {}
            if self.chance_band is None
            else {contract.EvidenceParam.DRIFT_CHANCE_SAMPLES: self.chance_band.samples}
        )
        return {
            contract.Param.BATCH_NUMBER: self.batch,
            contract.Param.DRIFT_THRESHOLD: self.threshold,
            **self.data_params,
            **band,
        }

    def tags(self) -> dict[str, str]:
        if self.trigger is None:
            return {}
        triggered = self.trigger is not TriggerReason.NONE
        return {
            contract.Tag.RETRAIN_TRIGGERED: contract.Tag.TRUE if triggered else contract.Tag.FALSE,
            contract.Tag.TRIGGER_REASON: str(self.trigger),
        }

    def metrics(self) -> dict[str, float]:
        return {
            contract.Metric.DRIFT_SHARE: self.drift_share,
            contract.Metric.N_DRIFTED_COLUMNS: float(self.n_drifted_columns),
            contract.Metric.N_TOTAL_COLUMNS: float(self.n_total_columns),
            contract.Metric.DATASET_DRIFT: 1.0 if self.dataset_drift else 0.0,
        } | self._band_metrics()

    def _band_metrics(self) -> dict[str, float]:
        if self.chance_band is None:
            return {}
        return {
            contract.EvidenceMetric.DRIFT_SHARE_CHANCE_P50: self.chance_band.p50,
            contract.EvidenceMetric.DRIFT_SHARE_CHANCE_P95: self.chance_band.p95,
            contract.EvidenceMetric.DRIFT_SHARE_CHANCE_MAX: self.chance_band.max,
        }


def write_drift_run(
    group: ResultRuns,
    experiment_id: str,
    record: DriftRun,
    *,
    tags: Mapping[str, str] | None = None,
) -> str:
    """Write ``record`` as a drift run in ``group`` (it ends with the group); its run id."""
    # Serialised first: a record that is not strict JSON fails before any run is opened.
    records_json = (
        None if record.feature_drift is None else json.dumps(record.feature_drift, allow_nan=False)
    )
    run_id = group.start(
        experiment_id,
        contract.drift_run_name(record.batch),
        params=record.params(),
        tags=record.tags() | dict(tags or {}),
    ).info.run_id
    evaluation.log_metrics(group.client, run_id, record.metrics())
    if records_json is not None:
        group.client.log_text(run_id, records_json, contract.FEATURE_DRIFT_ARTIFACT)
    return run_id
