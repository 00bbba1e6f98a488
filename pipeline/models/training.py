"""Seeded hyper-parameter search over XGBoost, with each trial recorded as an MLflow child run
(``pipeline.models.training_runs`` writes the runs).

The search is computed in full before anything is written, so a failure while training never
leaves a half-logged training run. The best trial's fitted model (early-stopped on validation AUC)
is kept as is: the test sets stay unseen until the quality gate scores them.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd
import xgboost
from mlflow import MlflowClient
from sklearn.compose import ColumnTransformer
from sklearn.metrics import roc_auc_score

from pipeline.core import contract
from pipeline.core.config import DEFAULT_SEED
from pipeline.data import features
from pipeline.models import training_runs
from pipeline.tracking import client as tracking

logger = logging.getLogger(__name__)

DEFAULT_N_TRIALS: Final = 4
DEFAULT_MAX_TREES: Final = 400
DEFAULT_EARLY_STOPPING_ROUNDS: Final = 30
N_JOBS: Final = 2

# Chosen on the initial validation split: shallow-to-medium trees, strong column subsampling and
# large leaves generalise best on 14k rows of one-hot encoded encounters.
SEARCH_SPACE: Final[Mapping[str, Sequence[float | int]]] = {
    "max_depth": (4, 5, 6),
    "learning_rate": (0.05, 0.08),
    "min_child_weight": (10, 20, 40),
    "subsample": (0.8, 0.9),
    "colsample_bytree": (0.2, 0.3, 0.4),
    "reg_lambda": (1.0, 5.0, 20.0),
}


@dataclass(frozen=True)
class TrainingSettings:
    """How much search to pay for; the defaults keep a full experiment around a minute."""

    seed: int = DEFAULT_SEED
    n_trials: int = DEFAULT_N_TRIALS
    max_trees: int = DEFAULT_MAX_TREES
    early_stopping_rounds: int = DEFAULT_EARLY_STOPPING_ROUNDS
    # Off by default: the kept model is the best trial's, early-stopped on validation. On, the
    # best trial's params are refitted on train + validation (trees scaled to the larger set).
    refit_on_validation: bool = True

    def __post_init__(self) -> None:
        if self.n_trials < 1:
            raise ValueError(f"n_trials must be at least 1, got {self.n_trials}")


@dataclass(frozen=True)
class SampleWeights:
    """Per-row weights for the fit on ``train`` and for the refit on train + validation."""

    train: np.ndarray | None = None
    refit: np.ndarray | None = None


@dataclass(frozen=True)
class EncodedSplit:
    features: np.ndarray
    target: np.ndarray


@dataclass(frozen=True)
class Trial:
    number: int
    params: dict[str, float | int]
    validation_auc: float
    best_iteration: int
    model: xgboost.XGBClassifier = field(repr=False)


@dataclass(frozen=True)
class SearchResult:
    preprocessor: ColumnTransformer = field(repr=False)
    trials: list[Trial]
    n_train_rows: int
    n_validation_rows: int
    # What is logged and scored: the best trial's model and preprocessor, or their refit.
    final_model: xgboost.XGBClassifier = field(repr=False)
    final_preprocessor: ColumnTransformer = field(repr=False)
    # Wall seconds of the XGBoost fits (trials and refit), for `make bench`'s split.
    fit_seconds: float = 0.0

    @property
    def best(self) -> Trial:
        """Highest validation AUC; ties go to the earlier trial."""
        return max(self.trials, key=lambda t: (t.validation_auc, -t.number))


@dataclass(frozen=True)
class TrainingResult:
    """A trained candidate and the run that holds its model and preprocessor."""

    run_id: str
    batch: int
    model: xgboost.XGBClassifier = field(repr=False)
    preprocessor: ColumnTransformer = field(repr=False)
    params: dict[str, float | int]
    validation_auc: float
    n_train_rows: int
    trial_run_ids: list[str]
    fit_seconds: float = 0.0


def sample_trial_params(seed: int, n_trials: int) -> list[dict[str, float | int]]:
    """Distinct points of SEARCH_SPACE drawn with a seeded generator (same seed, same trials)."""
    names = list(SEARCH_SPACE)
    grid = list(itertools.product(*(SEARCH_SPACE[name] for name in names)))
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(grid), size=min(n_trials, len(grid)), replace=False)
    return [dict(zip(names, grid[int(i)], strict=True)) for i in picks]


def encode(
    train_prepared: pd.DataFrame, validation_prepared: pd.DataFrame
) -> tuple[ColumnTransformer, EncodedSplit, EncodedSplit]:
    """Fit the preprocessor on training rows only and encode both splits with it."""
    train_x, train_y = features.split_xy(train_prepared)
    validation_x, validation_y = features.split_xy(validation_prepared)
    preprocessor = features.fit_preprocessor(train_x)
    return (
        preprocessor,
        EncodedSplit(features.transform(preprocessor, train_x), train_y.to_numpy()),
        EncodedSplit(features.transform(preprocessor, validation_x), validation_y.to_numpy()),
    )


def fit_trial(
    number: int,
    params: Mapping[str, float | int],
    train: EncodedSplit,
    validation: EncodedSplit,
    settings: TrainingSettings,
    sample_weight: np.ndarray | None = None,
) -> Trial:
    """One XGBoost fit, early-stopped on validation AUC."""
    model = xgboost.XGBClassifier(
        n_estimators=settings.max_trees,
        early_stopping_rounds=settings.early_stopping_rounds,
        eval_metric="auc",
        tree_method="hist",
        n_jobs=N_JOBS,
        random_state=settings.seed,
        **params,
    )
    model.fit(
        train.features,
        train.target,
        sample_weight=sample_weight,
        eval_set=[(validation.features, validation.target)],
        verbose=False,
    )
    auc = float(roc_auc_score(validation.target, model.predict_proba(validation.features)[:, 1]))
    logger.info(
        "trial %d: validation AUC %.4f after %d trees %s",
        number,
        auc,
        model.best_iteration + 1,
        dict(params),
    )
    return Trial(number, dict(params), auc, int(model.best_iteration), model)


def search(
    train_prepared: pd.DataFrame,
    validation_prepared: pd.DataFrame,
    settings: TrainingSettings,
    *,
    weights: SampleWeights | None = None,
    fixed_params: Mapping[str, float | int] | None = None,
) -> SearchResult:
    """Run every trial (pure computation: nothing is written to MLflow here).

    ``fixed_params`` replaces the search by one trial with those hyper-parameters (the policy
    replay's fast mode); ``weights`` weight the rows of the fit and of the refit.
    """
    for name, prepared in (("training", train_prepared), ("validation", validation_prepared)):
        features.require_both_outcomes(prepared[features.TARGET], f"the {name} data")
    weights = weights or SampleWeights()
    preprocessor, train, validation = encode(train_prepared, validation_prepared)
    candidates = (
        [dict(fixed_params)]
        if fixed_params is not None
        else sample_trial_params(settings.seed, settings.n_trials)
    )
    started = time.perf_counter()
    trials = [
        fit_trial(number, params, train, validation, settings, weights.train)
        for number, params in enumerate(candidates)
    ]
    best = max(trials, key=lambda t: (t.validation_auc, -t.number))
    final_model, final_preprocessor = best.model, preprocessor
    if settings.refit_on_validation:
        final_model, final_preprocessor = refit(
            best, train_prepared, validation_prepared, settings, weights.refit
        )
    return SearchResult(
        preprocessor,
        trials,
        len(train.target),
        len(validation.target),
        final_model,
        final_preprocessor,
        fit_seconds=time.perf_counter() - started,
    )


def refit(
    best: Trial,
    train_prepared: pd.DataFrame,
    validation_prepared: pd.DataFrame,
    settings: TrainingSettings,
    sample_weight: np.ndarray | None = None,
) -> tuple[xgboost.XGBClassifier, ColumnTransformer]:
    """The best trial's params on train + validation, trees scaled by the larger row count."""
    combined = pd.concat([train_prepared, validation_prepared], ignore_index=True)
    inputs, target = features.split_xy(combined)
    preprocessor = features.fit_preprocessor(inputs)
    n_trees = round((best.best_iteration + 1) * len(combined) / len(train_prepared))
    model = xgboost.XGBClassifier(
        n_estimators=n_trees,
        tree_method="hist",
        n_jobs=N_JOBS,
        random_state=settings.seed,
        **best.params,
    )
    model.fit(
        features.transform(preprocessor, inputs), target.to_numpy(), sample_weight=sample_weight
    )
    logger.info("refitted the best trial on %d rows with %d trees", len(combined), n_trees)
    return model, preprocessor


def train(
    client: MlflowClient,
    experiment_id: str,
    batch: int,
    train_prepared: pd.DataFrame,
    validation_prepared: pd.DataFrame,
    settings: TrainingSettings,
    data_sha256: str,
    *,
    weights: SampleWeights | None = None,
    policy_params: Mapping[str, Any] | None = None,
) -> TrainingResult:
    """Search, then record the training run (``initial_training`` / ``training_batch_N``).

    ``policy_params`` (training policy, validation data, newest batch weight) are logged as is.
    """
    result = search(train_prepared, validation_prepared, settings, weights=weights)
    best = result.best
    with tracking.result_run(client, experiment_id, contract.training_run_name(batch)) as run:
        trial_run_ids = training_runs.log_training_run(
            client,
            experiment_id,
            run.info.run_id,
            batch,
            result,
            settings,
            data_sha256,
            policy_params or {},
        )
    logger.info(
        "batch %d training: best of %d trials has validation AUC %.4f",
        batch,
        len(result.trials),
        best.validation_auc,
    )
    return TrainingResult(
        run_id=run.info.run_id,
        batch=batch,
        model=result.final_model,
        preprocessor=result.final_preprocessor,
        params=best.params,
        validation_auc=best.validation_auc,
        n_train_rows=result.n_train_rows,
        fit_seconds=result.fit_seconds,
        trial_run_ids=trial_run_ids,
    )
