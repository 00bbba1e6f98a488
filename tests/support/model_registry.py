"""Build real model registries for tests: a small XGBoost model plus its fitted preprocessor.

Two layouts, because the baseline and the gate must read both:
- ``pipeline_layout``: what this pipeline writes — MLflow 3 logged model via
  ``training_runs.log_model``, preprocessor via ``training_runs.log_preprocessor``, registered
  and promoted by ``registry.register`` / ``registry.promote`` (alias ``production`` + stage
  ``Production``).
- ``legacy_layout``: what the original Airflow pipeline (MLflow 2) left — the model's files as
  plain run artifacts under ``model/``, a version created from that folder, and only the stage
  ``Production`` (no alias).
"""

from __future__ import annotations

import contextlib
import sqlite3
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import mlflow.xgboost
import numpy as np
import pandas as pd
import xgboost
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from sklearn.compose import ColumnTransformer
from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score

from pipeline.core import contract
from pipeline.data import features
from pipeline.models import registry, training_runs
from pipeline.tracking import client as tracking

N_ESTIMATORS: Final = 30
SEED: Final = 7


@dataclass(frozen=True)
class FittedPair:
    model: xgboost.XGBClassifier
    preprocessor: ColumnTransformer


def fit_pair(train_raw: pd.DataFrame, *, preprocessor_rows: int | None = None) -> FittedPair:
    """A small seeded classifier and its preprocessor, fitted on raw rows.

    ``preprocessor_rows`` fits the *logged* preprocessor on only the first rows, so it encodes to a
    different width than the model expects: a mismatched pair.
    """
    inputs, target = features.split_xy(features.prepare(train_raw))
    preprocessor = features.fit_preprocessor(inputs)
    model = xgboost.XGBClassifier(
        n_estimators=N_ESTIMATORS, max_depth=3, random_state=SEED, n_jobs=1
    ).fit(features.transform(preprocessor, inputs), target)
    if preprocessor_rows is not None:
        preprocessor = features.fit_preprocessor(inputs.iloc[:preprocessor_rows])
    return FittedPair(model, preprocessor)


def training_run(client: MlflowClient) -> tuple[str, str]:
    """A FINISHED training run to hang a model on; returns (experiment_id, run_id)."""
    experiment_id = tracking.ensure_experiment(client, contract.TRAINING_EXPERIMENT)
    run = client.create_run(experiment_id, run_name=contract.training_run_name(0))
    return experiment_id, run.info.run_id


def pipeline_layout(client: MlflowClient, pair: FittedPair) -> ModelVersion:
    """Log, register and promote the pair the way this pipeline does."""
    experiment_id, run_id = training_run(client)
    training_runs.log_preprocessor(client, run_id, pair.preprocessor)
    training_runs.log_model(client, experiment_id, run_id, pair.model)
    client.set_terminated(run_id, "FINISHED")
    version = registry.register(client, run_id)
    registry.promote(client, version)
    return version


def legacy_layout(
    client: MlflowClient, pair: FittedPair, *, stage: str = "Production"
) -> ModelVersion:
    """Log and register the pair as the original MLflow 2 pipeline did: stage only, no alias."""
    _, run_id = training_run(client)
    training_runs.log_preprocessor(client, run_id, pair.preprocessor)
    with tempfile.TemporaryDirectory() as folder:
        model_dir = Path(folder) / contract.MODEL_ARTIFACT_PATH
        mlflow.xgboost.save_model(
            pair.model, str(model_dir), pip_requirements=[f"xgboost=={xgboost.__version__}"]
        )
        client.log_artifacts(run_id, str(model_dir), artifact_path=contract.MODEL_ARTIFACT_PATH)
    client.set_terminated(run_id, "FINISHED")
    if not client.search_registered_models(filter_string=f"name = '{contract.MODEL_NAME}'"):
        client.create_registered_model(contract.MODEL_NAME)
    source = f"{client.get_run(run_id).info.artifact_uri}/{contract.MODEL_ARTIFACT_PATH}"
    version = client.create_model_version(contract.MODEL_NAME, source, run_id=run_id)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        client.transition_model_version_stage(contract.MODEL_NAME, version.version, stage)
    if stage != contract.PRODUCTION_STAGE:
        respell_stage(client, version.version, stage)
    return client.get_model_version(contract.MODEL_NAME, version.version)


def respell_stage(client: MlflowClient, version: str | int, stage: str) -> None:
    """Store the stage spelled as old tools did (``production``): MLflow's API canonicalises it."""
    database = tracking.sqlite_path(client.tracking_uri)
    if database is None:
        raise ValueError("re-spelling a stage needs a SQLite store")
    with contextlib.closing(sqlite3.connect(database)) as connection, connection:
        connection.execute(
            "UPDATE model_versions SET current_stage = ? WHERE name = ? AND version = ?",
            (stage, contract.MODEL_NAME, int(version)),
        )


def expected_scores(pair: FittedPair, test_raw: pd.DataFrame) -> dict[str, float]:
    """Scores recomputed without ``pipeline.models.scoring``: sklearn on the model's own output."""
    prepared = features.prepare(test_raw)
    inputs, target = features.split_xy(prepared)
    probabilities = pair.model.predict_proba(features.transform(pair.preprocessor, inputs))[:, 1]
    predicted = (probabilities >= 0.5).astype(np.int64)
    return {
        "auc": float(roc_auc_score(target, probabilities)),
        "f1": float(f1_score(target, predicted, zero_division=0)),
        "precision": float(precision_score(target, predicted, zero_division=0)),
        "recall": float(recall_score(target, predicted, zero_division=0)),
    }
