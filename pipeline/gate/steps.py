"""The quality gate's steps: score, decide (``pipeline.gate.rule``) and record the gate run.

``rule.decide`` is the one place the deploy rule lives; the report shows the decision tag and never
re-derives it. A gate step computes every score first and only then writes the run through
``runs.write_gate_run`` (the one gate-run writer, shared with the baseline), so a failure leaves
the run FAILED rather than a FINISHED half-result.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion

from pipeline.core import contract
from pipeline.core.contract import Decision
from pipeline.core.errors import NoProductionModelError
from pipeline.evidence import initial_model
from pipeline.evidence.initial_model import GateContext
from pipeline.gate import runs
from pipeline.gate.rule import decide
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
    """Candidate vs Production on the batch's test split; deploys per ``decide``.

    A deployed candidate is registered before the gate run is written (its version is a param)
    and promoted only after the run is FINISHED, so Production never names a version whose gate
    run is not a result. With a ``context`` the run also carries the evidence (the initial
    model, intervals, the paired verdict); it is measured here and never changes the decision.
    """
    production_version, production = score_production(client, test_prepared)
    new = evaluation.score(candidate.model, candidate.preprocessor, test_prepared)
    decision = decide(runs.improvement(production, new, "auc"), production is not None)
    evaluated = None if production_version is None else str(production_version.version)
    deployed = decision in contract.DEPLOYED_DECISIONS
    measured = initial_model.measure(
        context, test_prepared, (evaluated, production), new, deployed=deployed
    )
    if deployed:
        model_version = str(registry.register(client, candidate.run_id).version)
    else:
        model_version = str(evaluated)  # SKIP implies a Production version was scored
    record = runs.GateRun(
        batch=batch,
        decision=decision,
        test_set=contract.batch_test_set(batch),
        production=production,
        candidate=new,
        production_model_version=evaluated,
        model_version=model_version,
        training_run_id=candidate.run_id,
        evidence=measured,
    )
    run_id = _write(client, experiment_id, record)
    if deployed:
        registry.promote(client, model_version)
    logger.info(
        "batch %d gate: %s (new AUC %.4f, prod AUC %s)",
        batch,
        decision,
        new.auc,
        "n/a" if production is None else f"{production.auc:.4f}",
    )
    return GateOutcome(record, run_id)


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
    measured = initial_model.measure(
        context, test_prepared, (evaluated, production), None, deployed=False
    )
    record = runs.GateRun(
        batch=batch,
        decision=Decision.SKIP_NO_DRIFT,
        test_set=contract.batch_test_set(batch),
        production=production,
        production_model_version=evaluated,
        model_version=evaluated,
        evaluation_type=contract.EVALUATION_TYPE_PRODUCTION_ONLY,
        evidence=measured,
    )
    run_id = _write(client, experiment_id, record)
    logger.info("batch %d gate: %s (prod AUC %.4f)", batch, Decision.SKIP_NO_DRIFT, production.auc)
    return GateOutcome(record, run_id)


def finish_pending_promotion(client: MlflowClient, experiment_id: str) -> str | None:
    """Promote what the latest FINISHED gate run deployed, when a kill stopped it short.

    A gate run ends FINISHED before its candidate is promoted, so a step killed in between
    leaves a result saying "deployed version N" while Production is still the older version.
    The next gate step repairs that first; it returns the version it promoted, if any.
    """
    finished = [
        run
        for run in mlflow_store.search_gate_runs(client, experiment_id)
        if run.status == mlflow_store.FINISHED and mlflow_store.is_gate_run(run)
    ]
    if not finished:
        return None
    latest = max(finished, key=mlflow_store.recency)
    deployed = latest.tags.get(contract.Tag.DECISION) in contract.DEPLOYED_DECISIONS
    version = latest.params.get(contract.Param.MODEL_VERSION)
    current = registry.production_version(client)
    if not deployed or version is None or (current is not None and str(current.version) == version):
        return None
    logger.warning(
        "gate run %s deployed version %s but was stopped before promoting it; promoting it now",
        latest.run_id,
        version,
    )
    registry.promote(client, version)
    return version


def _write(client: MlflowClient, experiment_id: str, record: runs.GateRun) -> str:
    with tracking.result_runs(client) as group:
        return runs.write_gate_run(group, experiment_id, record)
