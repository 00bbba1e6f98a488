"""The quality gate: the decision rule, and the gate run that records it.

``decide`` is the one place the deploy rule lives; the report shows the decision tag and never
re-derives it. A gate step computes every score first and only then writes, inside
``tracking.result_run``, so a failure leaves the run FAILED rather than a FINISHED half-result.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

import pandas as pd
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion

from pipeline import contract, evaluation, evidence, initial_model, registry, tracking
from pipeline.contract import Decision
from pipeline.errors import NoProductionModelError
from pipeline.evaluation import Scores
from pipeline.initial_model import GateContext
from pipeline.training import TrainingResult

logger = logging.getLogger(__name__)

# The version that was Production when the gate scored it (``model_version`` is the one after).
PRODUCTION_MODEL_VERSION_PARAM: Final = "production_model_version"


def decide(auc_improvement: float | None, has_production: bool) -> Decision:
    """Deploy unless the candidate is clearly worse (by more than the regression tolerance)."""
    if not has_production or auc_improvement is None:
        return Decision.DEPLOY
    if auc_improvement >= 0:
        return Decision.DEPLOY
    if auc_improvement >= contract.AUC_REGRESSION_TOLERANCE:
        return Decision.DEPLOY_REFRESH
    return Decision.SKIP


@dataclass(frozen=True)
class GateOutcome:
    """What the gate run recorded, for the CLI's table and the tests."""

    batch: int
    decision: Decision
    run_id: str
    production: Scores | None
    candidate: Scores | None
    auc_improvement: float | None
    f1_improvement: float | None
    evaluated_version: str | None
    model_version: str | None  # Production after the gate


def score_production(
    client: MlflowClient, test_prepared: pd.DataFrame
) -> tuple[ModelVersion | None, Scores | None]:
    """Score the current Production version (model + its run's preprocessor) on a test set."""
    version = registry.production_version(client)
    if version is None:
        return None, None
    model, preprocessor = registry.load_scoring_pair(client, version)
    return version, evaluation.score(model, preprocessor, test_prepared)


def run_retrain_gate(
    client: MlflowClient,
    experiment_id: str,
    batch: int,
    test_prepared: pd.DataFrame,
    candidate: TrainingResult,
    context: GateContext | None = None,
) -> GateOutcome:
    """Candidate vs Production on the batch's test split; deploys per ``decide``."""
    production_version, production = score_production(client, test_prepared)
    new = evaluation.score(candidate.model, candidate.preprocessor, test_prepared)
    auc_improvement = None if production is None else new.auc - production.auc
    f1_improvement = None if production is None else new.f1 - production.f1
    decision = decide(auc_improvement, production is not None)
    evaluated = None if production_version is None else str(production_version.version)
    measured = (
        None
        if context is None
        else initial_model.measure(
            context,
            test_prepared,
            production_version=evaluated,
            production=production,
            candidate=new,
            after=new
            if decision in contract.DEPLOYED_DECISIONS or production is None
            else production,
        )
    )
    with tracking.result_run(
        client,
        experiment_id,
        contract.quality_gate_run_name(batch),
        params=_gate_params(batch, evaluated)
        | {contract.Param.TRAINING_RUN_ID: candidate.run_id}
        | _evidence_params(measured),
        tags=_gate_tags(decision) | _evidence_tags(measured),
    ) as run:
        run_id = run.info.run_id
        log_evidence(client, run_id, measured)
        _log_model_scores(client, run_id, "new", new)
        if production is not None:
            _log_model_scores(client, run_id, "prod", production)
            _log_improvements(client, run_id, auc_improvement, f1_improvement)
        if decision in contract.DEPLOYED_DECISIONS:
            model_version = deploy(client, candidate.run_id)
        else:
            model_version = str(evaluated)  # SKIP implies a Production version was scored
        client.log_param(run_id, contract.Param.MODEL_VERSION, model_version)
    logger.info(
        "batch %d gate: %s (new AUC %.4f, prod AUC %s)",
        batch,
        decision,
        new.auc,
        "n/a" if production is None else f"{production.auc:.4f}",
    )
    return GateOutcome(
        batch,
        decision,
        run_id,
        production,
        new,
        auc_improvement,
        f1_improvement,
        evaluated,
        model_version,
    )


def deploy(client: MlflowClient, training_run_id: str) -> str:
    """Register the candidate and make it Production (alias and stage); its version number."""
    version = registry.register(client, training_run_id)
    registry.promote(client, version)
    return str(version.version)


def run_no_drift_gate(
    client: MlflowClient,
    experiment_id: str,
    batch: int,
    test_prepared: pd.DataFrame,
    context: GateContext | None = None,
) -> GateOutcome:
    """No retraining: Production alone is scored, new_* mirror prod_* and improvements are 0."""
    production_version, production = score_production(client, test_prepared)
    if production_version is None or production is None:
        raise NoProductionModelError(
            f"no Production version of {contract.MODEL_NAME} to score batch {batch} with "
            "— run `healthpredict train-initial` first"
        )
    evaluated = str(production_version.version)
    measured = (
        None
        if context is None
        else initial_model.measure(
            context,
            test_prepared,
            production_version=evaluated,
            production=production,
            candidate=None,
            after=production,
        )
    )
    params = _gate_params(batch, evaluated) | {
        contract.Param.EVALUATION_TYPE: contract.EVALUATION_TYPE_PRODUCTION_ONLY,
        contract.Param.MODEL_VERSION: evaluated,
    }
    with tracking.result_run(
        client,
        experiment_id,
        contract.quality_gate_run_name(batch),
        params=params | _evidence_params(measured),
        tags=_gate_tags(Decision.SKIP_NO_DRIFT) | _evidence_tags(measured),
    ) as run:
        run_id = run.info.run_id
        log_evidence(client, run_id, measured)
        _log_model_scores(client, run_id, "prod", production)
        evaluation.log_scores(client, run_id, "new", production)
        _log_improvements(client, run_id, 0.0, 0.0)
    logger.info("batch %d gate: %s (prod AUC %.4f)", batch, Decision.SKIP_NO_DRIFT, production.auc)
    return GateOutcome(
        batch,
        Decision.SKIP_NO_DRIFT,
        run_id,
        production,
        production,
        0.0,
        0.0,
        evaluated,
        evaluated,
    )


def _gate_params(batch: int, evaluated_version: str | None) -> dict[str, object]:
    params: dict[str, object] = {
        contract.Param.BATCH_NUMBER: batch,
        contract.Param.TEST_SET_USED: contract.batch_test_set(batch),
        contract.Param.MODEL_TYPE: contract.MODEL_TYPE_XGBOOST,
    }
    if evaluated_version is not None:
        params[PRODUCTION_MODEL_VERSION_PARAM] = evaluated_version
    return params


def _gate_tags(decision: Decision) -> dict[str, str]:
    return {contract.Tag.QUALITY_GATE: contract.Tag.TRUE, contract.Tag.DECISION: str(decision)}


def _log_improvements(
    client: MlflowClient, run_id: str, auc_improvement: float | None, f1_improvement: float | None
) -> None:
    metrics = {
        contract.Metric.AUC_IMPROVEMENT: auc_improvement,
        contract.Metric.F1_IMPROVEMENT: f1_improvement,
    }
    evaluation.log_metrics(client, run_id, {k: v for k, v in metrics.items() if v is not None})


def _log_model_scores(client: MlflowClient, run_id: str, prefix: str, scores: Scores) -> None:
    """``new_*``/``prod_*`` metrics and the matching ROC curve file."""
    evaluation.log_scores(client, run_id, prefix, scores)
    artifact = contract.ROC_NEW_ARTIFACT if prefix == "new" else contract.ROC_PRODUCTION_ARTIFACT
    payload = evaluation.roc_curve_payload(scores.y_true, scores.y_score)
    evaluation.log_roc(client, run_id, artifact, payload)


def _evidence_params(measured: evidence.GateEvidence | None) -> dict[str, object]:
    return {} if measured is None else measured.params()


def _evidence_tags(measured: evidence.GateEvidence | None) -> dict[str, str]:
    return {} if measured is None else measured.tags()


def log_evidence(client: MlflowClient, run_id: str, measured: evidence.GateEvidence | None) -> None:
    if measured is None:
        return
    evaluation.log_metrics(client, run_id, measured.metrics())
    for artifact, payload in measured.artifacts().items():
        tracking.log_json_artifact(client, run_id, artifact, payload)
