"""The quality gate's steps: score, decide (``pipeline.gate.rule``) and record the gate run.

``rule.decide`` is the one place the deploy rule lives; the report shows the decision tag and never
re-derives it. A gate step computes every score first and only then writes the run through
``runs.write_gate_run`` (the one gate-run writer, shared with the baseline), so a failure leaves
the run FAILED rather than a FINISHED half-result.

``production_only_gate`` is the one production-only gate (Production scored alone, nothing
trained): a batch's ``SKIP_NO_DRIFT`` gate here and batch 0's ``BASELINE`` capture
(``pipeline.gate.baseline``) both build their record with it.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion

from pipeline.core import contract, stats
from pipeline.core.contract import Decision, NonInferiority
from pipeline.core.errors import NoProductionModelError
from pipeline.evidence import initial_model
from pipeline.evidence.initial_model import GateContext, Scorer
from pipeline.gate import runs
from pipeline.gate.rule import (
    decide_with_rule,
    deploys,
    non_inferiority,
    pending_promotion,
    production_after,
)
from pipeline.models import registry
from pipeline.models import scoring as evaluation
from pipeline.models.scoring import Scores
from pipeline.models.training import TrainingResult
from pipeline.tracking import client as tracking
from pipeline.tracking import store as mlflow_store

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GateOutcome:
    """What the gate run recorded, and its run id, for the CLI's table and the tests."""

    record: runs.GateRun
    run_id: str


@dataclass(frozen=True)
class ProductionOnly:
    """How a production-only gate run is labelled: batch 0's baseline or a batch's no-drift skip."""

    batch: int
    decision: Decision
    test_set: str
    evaluation_type: str | None = None

    @classmethod
    def no_drift(cls, batch: int) -> ProductionOnly:
        return cls(
            batch,
            Decision.SKIP_NO_DRIFT,
            contract.batch_test_set(batch),
            contract.EVALUATION_TYPE_PRODUCTION_ONLY,
        )


def score_production(
    client: MlflowClient, test_prepared: pd.DataFrame
) -> tuple[ModelVersion | None, Scores | None, Scorer | None]:
    """Score the current Production version (model + its run's preprocessor) on a test set;
    also what scores any other prepared frame with it."""
    version = registry.production_version(client)
    if version is None:
        return None, None, None
    model, preprocessor = registry.load_scoring_pair(client, version)
    return (
        version,
        evaluation.score(model, preprocessor, test_prepared),
        _scorer(model, preprocessor),
    )


def _scorer(model: Any, preprocessor: Any) -> Scorer:
    return lambda prepared: evaluation.score(model, preprocessor, prepared).y_score


def production_only_gate(
    client: MlflowClient,
    kind: ProductionOnly,
    read_test: Callable[[], pd.DataFrame],
    context: GateContext | None,
) -> runs.GateRun:
    """Score Production alone on the test set: ``new_*`` mirror ``prod_*``, improvements are 0.

    The test set is read only once a Production version is known, so a store without one is
    refused (``NoProductionModelError``) before storage is touched. Nothing is written here.
    """
    version = registry.production_version(client)
    if version is None:
        raise NoProductionModelError(
            f"no Production version of {contract.MODEL_NAME} to score batch {kind.batch} with "
            "— run `healthpredict train-initial` first"
        )
    logger.info("scoring %s", contract.model_version_uri(version.version))
    model, preprocessor = registry.load_scoring_pair(client, version)
    test_prepared = read_test()
    production = evaluation.score(model, preprocessor, test_prepared)
    evaluated = str(version.version)
    measured = initial_model.measure(
        context,
        test_prepared,
        (evaluated, production),
        None,
        deployed=False,
        scorers={contract.PROD_PREFIX: _scorer(model, preprocessor)},
    )
    logger.info(
        "batch %d gate: %s (prod AUC %.4f on %d test rows)",
        kind.batch,
        kind.decision,
        production.auc,
        len(production.y_true),
    )
    return runs.GateRun(
        batch=kind.batch,
        decision=kind.decision,
        test_set=kind.test_set,
        production=production,
        production_model_version=evaluated,
        model_version=evaluated,
        evaluation_type=kind.evaluation_type,
        evidence=measured,
    )


def run_retrain_gate(
    client: MlflowClient,
    experiment_id: str,
    batch: int,
    test_prepared: pd.DataFrame,
    new_model: TrainingResult,
    context: GateContext | None = None,
    *,
    patient_overlap: float | None = None,
    gate_rule: str = contract.GATE_RULE_STANDARD,
) -> GateOutcome:
    """The new model vs Production on the batch's test split; deploys per ``decide`` (or, with
    ``gate_rule="strict"``, only when also non-inferior on the interval and above chance).

    A deployed new model is registered before the gate run is written (its version is a param)
    and promoted only after the run is FINISHED, so Production never names a version whose gate
    run is not a result. With a ``context`` the run also carries the evidence (the initial
    model, intervals, the paired verdict); it is measured here and never changes the decision.
    """
    production_version, production, production_scorer = score_production(client, test_prepared)
    new = evaluation.score(new_model.model, new_model.preprocessor, test_prepared)
    verdict = _non_inferiority(production, new)
    decision = decide_with_rule(
        gate_rule,
        runs.improvement(production, new, "auc"),
        verdict=verdict,
        new_ci_low=stats.auc_with_ci(new.y_true, new.y_score).ci_low,
    )
    evaluated = None if production_version is None else str(production_version.version)
    deployed = deploys(decision)
    scorers = {contract.NEW_PREFIX: _scorer(new_model.model, new_model.preprocessor)}
    if production_scorer is not None:
        scorers[contract.PROD_PREFIX] = production_scorer
    measured = initial_model.measure(
        context, test_prepared, (evaluated, production), new, deployed=deployed, scorers=scorers
    )
    registered = str(registry.register(client, new_model.run_id).version) if deployed else None
    model_version = production_after(decision, evaluated, registered)
    record = runs.GateRun(
        batch=batch,
        decision=decision,
        test_set=contract.batch_test_set(batch),
        production=production,
        new=new,
        production_model_version=evaluated,
        model_version=model_version,
        training_run_id=new_model.run_id,
        evidence=measured,
        test_patient_overlap=patient_overlap,
        rule=runs.GateRule(gate_rule, verdict),
    )
    run_id = _write(client, experiment_id, record)
    if registered is not None:
        registry.promote(client, registered)
    logger.info(
        "batch %d gate: %s (new AUC %.4f, prod AUC %s)",
        batch,
        decision,
        new.auc,
        "n/a" if production is None else f"{production.auc:.4f}",
    )
    return GateOutcome(record, run_id)


def _non_inferiority(production: Scores | None, new: Scores) -> NonInferiority | None:
    """The paired interval of new - prod against the margin; None without a Production."""
    if production is None:
        return None
    difference = stats.paired_auc_difference(new.y_true, new.y_score, production.y_score)
    return non_inferiority(difference.ci_low, difference.ci_high)


def run_no_drift_gate(
    client: MlflowClient,
    experiment_id: str,
    batch: int,
    test_prepared: pd.DataFrame,
    context: GateContext | None = None,
    *,
    patient_overlap: float | None = None,
) -> GateOutcome:
    """No retraining: Production alone is scored (``production_only_gate``) and logged."""
    record = production_only_gate(
        client, ProductionOnly.no_drift(batch), lambda: test_prepared, context
    )
    record = dataclasses.replace(record, test_patient_overlap=patient_overlap)
    return GateOutcome(record, _write(client, experiment_id, record))


def finish_pending_promotion(client: MlflowClient, experiment_id: str) -> str | None:
    """Promote what the latest FINISHED gate run deployed, when a kill stopped it short.

    A gate run ends FINISHED before its new model is promoted, so a step killed in between
    leaves a result saying "deployed version N" while Production is still the older version.
    The next gate step repairs that first; it returns the version it promoted, if any.
    """
    results = mlflow_store.latest_gate_runs(mlflow_store.search_gate_runs(client, experiment_id))
    latest = mlflow_store.latest_gate_run(results)
    if latest is None:
        return None
    _, run = latest
    current = registry.production_version(client)
    version = pending_promotion(
        run.tags.get(contract.Tag.DECISION),
        run.params.get(contract.Param.MODEL_VERSION),
        None if current is None else str(current.version),
    )
    if version is None:
        return None
    logger.warning(
        "gate run %s deployed version %s but was stopped before promoting it; promoting it now",
        run.run_id,
        version,
    )
    registry.promote(client, version)
    return version


def _write(client: MlflowClient, experiment_id: str, record: runs.GateRun) -> str:
    with tracking.result_runs(client) as group:
        return runs.write_gate_run(group, experiment_id, record)
