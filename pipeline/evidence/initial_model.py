"""The initial model (never retrained): which version it is, and how it scores.

"The initial model" is the version ``train-initial`` promoted: the highest registered version
whose source run trained on batch 0 (``batch_number`` = 0 on the training run). The gate scores
it on every batch, beside Production, so the report can show what the model would have scored
had it never been retrained.

Registered versions never change, so within one process a version's scoring pair and its AUC on
``initial_test`` are loaded once and reused by every later batch (``experiment run`` scores five).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException

from pipeline.core import contract, stats
from pipeline.core.stats import AucEstimate
from pipeline.data import features
from pipeline.data.storage import Storage
from pipeline.evidence import cbpe
from pipeline.evidence import measure as evidence
from pipeline.evidence.measure import GateEvidence
from pipeline.models import registry
from pipeline.models import scoring as evaluation
from pipeline.models.registry import ScoringPair
from pipeline.models.scoring import Scores
from pipeline.tracking import store as mlflow_store

logger = logging.getLogger(__name__)

INITIAL_BATCH: Final = "0"

_pairs: dict[tuple[str, str], ScoringPair] = {}
_initial_test_aucs: dict[tuple[str, str, str], AucEstimate] = {}
_references: dict[str, pd.DataFrame] = {}
_calibrators: dict[tuple[str, str, str], cbpe.Calibrator] = {}

# Scores a prepared frame: the model's probability of readmission per row.
Scorer = Callable[[pd.DataFrame], np.ndarray]


@dataclass(frozen=True)
class InitialModel:
    """The never-retrained version; its scoring pair is loaded on first use, once per process."""

    client: MlflowClient
    registered: ModelVersion

    @property
    def version(self) -> str:
        return str(self.registered.version)

    def score(self, test_prepared: pd.DataFrame) -> Scores:
        key = (self.client.tracking_uri, self.version)
        if key not in _pairs:
            _pairs[key] = registry.load_scoring_pair(self.client, self.registered)
        pair = _pairs[key]
        return evaluation.score(pair.model, pair.preprocessor, test_prepared)

    def score_probabilities(self, prepared: pd.DataFrame) -> np.ndarray:
        return self.score(prepared).y_score


def initial_version(client: MlflowClient) -> ModelVersion | None:
    """The highest version whose training run was batch 0's; None when there is none."""
    versions = mlflow_store.registry_versions(client)
    for version in sorted(versions, key=lambda v: -_number(v.version)):
        if version.run_id and _trained_on_batch_zero(client, version.run_id):
            return client.get_model_version(contract.MODEL_NAME, version.version)
    return None


def find(client: MlflowClient) -> InitialModel | None:
    """The initial model; None (with a warning) when no version was trained on batch 0."""
    version = initial_version(client)
    if version is None:
        logger.warning(
            "no registered version of %s was trained on batch 0: the never-retrained model "
            "is not scored",
            contract.MODEL_NAME,
        )
        return None
    return InitialModel(client, version)


def auc_on_initial_test(model: InitialModel, storage: Storage) -> AucEstimate:
    """The initial model's AUC (with its DeLong variance) on ``initial_test``, once per process."""
    key = (model.client.tracking_uri, model.version, storage.uri(contract.INITIAL_TEST_KEY))
    if key not in _initial_test_aucs:
        scores = model.score(features.prepare(storage.read_csv(contract.INITIAL_TEST_KEY)))
        _initial_test_aucs[key] = stats.auc_with_ci(scores.y_true, scores.y_score)
    return _initial_test_aucs[key]


def _number(version: str) -> int:
    return int(version) if version.isdigit() else -1


def _trained_on_batch_zero(client: MlflowClient, run_id: str) -> bool:
    try:
        run = client.get_run(run_id)
    except MlflowException as error:
        if mlflow_store.is_missing(error):
            return False  # a deleted source run: not the initial model
        raise
    return run.data.params.get(contract.Param.BATCH_NUMBER) == INITIAL_BATCH


@dataclass(frozen=True)
class GateContext:
    """What a gate needs, beyond its own models, to measure against the initial model."""

    model: InitialModel
    on_initial_test: AucEstimate | None  # None when the gate's test set is initial_test itself
    drift_detected: bool
    # the labelled reference for estimates without labels: initial_test, prepared (every model is
    # refit on train + validation, so validation scores are in-sample and would flatter them)
    reference: pd.DataFrame | None = None
    reference_key: str = ""


def gate_context(
    client: MlflowClient, storage: Storage, *, drift_detected: bool, test_is_initial: bool = False
) -> GateContext | None:
    """Load the initial model (and its ``initial_test`` AUC) for a gate; None when not found."""
    model = find(client)
    if model is None:
        return None
    on_initial_test = None if test_is_initial else auc_on_initial_test(model, storage)
    key = storage.uri(contract.INITIAL_TEST_KEY)
    if key not in _references and storage.exists(contract.INITIAL_TEST_KEY):
        _references[key] = features.prepare(storage.read_csv(contract.INITIAL_TEST_KEY))
    return GateContext(model, on_initial_test, drift_detected, _references.get(key), key)


def estimates(
    context: GateContext,
    test_scores: Mapping[str, Scores],
    scorers: Mapping[str, Scorer],
    versions: Mapping[str, str | None],
) -> dict[str, cbpe.EstimatedAuc]:
    """Each model's AUC on the test rows estimated without their labels (``cbpe``), calibrated on
    the reference period; a registered version's calibrator is fitted once per process."""
    reference = context.reference
    if reference is None:
        return {}
    y_reference = reference[features.TARGET].to_numpy(dtype=np.int64)
    out = {}
    for prefix, scores in test_scores.items():
        version = versions.get(prefix)
        key = (context.reference_key, context.model.client.tracking_uri, version or "")
        calibrator = _calibrators.get(key) if version else None
        if calibrator is None:
            calibrator = cbpe.fit_calibrator(y_reference, scorers[prefix](reference))
            if version:
                _calibrators[key] = calibrator
        out[prefix] = cbpe.estimate_auc(calibrator, scores.y_score)
    return out


def measure(
    context: GateContext | None,
    test_prepared: pd.DataFrame,
    production: tuple[str | None, Scores | None],
    new: Scores | None,
    *,
    deployed: bool,
    scorers: Mapping[str, Scorer] | None = None,
    new_version: str | None = None,
) -> GateEvidence | None:
    """The gate's evidence (None without a context); ``production`` is (version, scores).

    Production after the decision is the new model when it is deployed, else Production. The
    initial model's scores are Production's when it is Production (nothing is scored twice).
    """
    if context is None:
        return None
    production_version, production_scores = production
    after = new if deployed or production_scores is None else production_scores
    if after is None:
        raise ValueError("a gate without Production must have a new model to deploy")
    same_model = production_version == context.model.version
    initial = production_scores if same_model else None
    initial = initial or context.model.score(test_prepared)
    scored = {contract.INITIAL_PREFIX: initial}
    if production_scores is not None:
        scored[contract.PROD_PREFIX] = production_scores
    if new is not None:
        scored[contract.NEW_PREFIX] = new
    available = {contract.INITIAL_PREFIX: context.model.score_probabilities, **(scorers or {})}
    versions = {
        contract.INITIAL_PREFIX: context.model.version,
        contract.PROD_PREFIX: production_version,
        contract.NEW_PREFIX: new_version,
    }
    scored = {prefix: s for prefix, s in scored.items() if prefix in available}
    return evidence.gate_evidence(
        initial_model_version=context.model.version,
        initial=initial,
        initial_on_initial_test=context.on_initial_test,
        production=production_scores,
        new=new,
        after=after,
        drift_detected=context.drift_detected,
        estimates=estimates(context, scored, available, versions),
    )
