"""The training run's writer: params, metrics, trial child runs, the model and the preprocessor.

``training.train`` computes the whole search first and only then calls ``log_training_run`` inside
a ``tracking.result_run``, so a failure never leaves a half-logged training run.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import joblib
import mlflow.xgboost
import sklearn
import xgboost
from mlflow import MlflowClient
from mlflow.entities import Metric as MlflowMetric
from mlflow.entities import Param as MlflowParam
from mlflow.entities import RunTag
from mlflow.utils.mlflow_tags import MLFLOW_PARENT_RUN_ID
from sklearn.compose import ColumnTransformer

from pipeline.core import contract
from pipeline.tracking import client as tracking

if TYPE_CHECKING:
    from pipeline.models.training import SearchResult, TrainingSettings, Trial


def log_trial(client: MlflowClient, experiment_id: str, parent_run_id: str, trial: Trial) -> str:
    """A finished child run with the trial's params and validation AUC (never ``new_auc_test``)."""
    run = client.create_run(
        experiment_id,
        run_name=contract.hpo_trial_run_name(trial.number),
        tags={MLFLOW_PARENT_RUN_ID: parent_run_id, contract.Tag.HPO_TRIAL: contract.Tag.TRUE},
    )
    params = {contract.TrainingParam.TRIAL_NUMBER: trial.number, **trial.params}
    metrics = {
        contract.TrainingMetric.VALIDATION_AUC: trial.validation_auc,
        contract.TrainingMetric.BEST_ITERATION: trial.best_iteration,
    }
    _log_batch(client, run.info.run_id, params=params, metrics=metrics)
    client.set_terminated(run.info.run_id, "FINISHED")
    return run.info.run_id


def log_training_run(
    client: MlflowClient,
    experiment_id: str,
    run_id: str,
    batch: int,
    result: SearchResult,
    settings: TrainingSettings,
    data_sha256: str,
    policy_params: Mapping[str, Any] | None = None,
) -> list[str]:
    """Log params, metrics, trial child runs, the model and the preprocessor into ``run_id``.

    The caller owns the run's life cycle (it ends FAILED if anything here raises).
    """
    best = result.best
    params: dict[str, Any] = {
        contract.Param.BATCH_NUMBER: batch,
        contract.Param.SEED: settings.seed,
        contract.Param.DATA_SHA256: data_sha256,
        contract.Param.MODEL_TYPE: contract.MODEL_TYPE_XGBOOST,
        contract.TrainingParam.N_TRAIN_ROWS: result.n_train_rows,
        contract.TrainingParam.N_VALIDATION_ROWS: result.n_validation_rows,
        contract.TrainingParam.N_TRIALS: len(result.trials),
        contract.TrainingParam.REFIT: settings.refit_on_validation,
        **{
            f"{contract.TrainingParam.BEST_PREFIX}{name}": value
            for name, value in best.params.items()
        },
        **(policy_params or {}),
    }
    metrics = {
        contract.TrainingMetric.VALIDATION_AUC: best.validation_auc,
        contract.TrainingMetric.BEST_ITERATION: best.best_iteration,
    }
    _log_batch(client, run_id, params=params, metrics=metrics)
    trial_run_ids = [log_trial(client, experiment_id, run_id, trial) for trial in result.trials]
    log_preprocessor(client, run_id, result.final_preprocessor)
    log_model(client, experiment_id, run_id, result.final_model)
    return trial_run_ids


def log_preprocessor(client: MlflowClient, run_id: str, preprocessor: ColumnTransformer) -> None:
    """The fitted preprocessor, which scoring pairs with the registered model of this run."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / contract.PREPROCESSOR_FILE
        joblib.dump(preprocessor, path)
        client.log_artifact(run_id, str(path), artifact_path=contract.PREPROCESSOR_DIR)


def log_model(
    client: MlflowClient, experiment_id: str, run_id: str, model: xgboost.XGBClassifier
) -> None:
    """Log the classifier as the run's ``model``; explicit requirements skip slow inference.

    The logged model is created in the run's experiment first: without an active fluent run,
    MLflow 3 would otherwise file it under the Default experiment, where registering
    ``runs:/<run>/model`` cannot find it.
    """
    logged = client.create_logged_model(
        experiment_id, name=contract.MODEL_ARTIFACT_PATH, source_run_id=run_id
    )
    tracking.point_fluent_api_at(client)
    mlflow.xgboost.log_model(
        model,
        name=contract.MODEL_ARTIFACT_PATH,
        run_id=run_id,
        model_id=logged.model_id,
        pip_requirements=[
            f"xgboost=={xgboost.__version__}",
            f"scikit-learn=={sklearn.__version__}",
        ],
        model_format="ubj",
    )


def _log_batch(
    client: MlflowClient,
    run_id: str,
    *,
    params: Mapping[str, Any] | None = None,
    metrics: Mapping[str, float] | None = None,
    tags: Mapping[str, str] | None = None,
) -> None:
    """One round trip for everything; values as MLflow stores them."""
    now_ms = int(time.time() * 1000)
    client.log_batch(
        run_id,
        params=[MlflowParam(k, str(v)) for k, v in (params or {}).items()],
        metrics=[MlflowMetric(k, float(v), now_ms, 0) for k, v in (metrics or {}).items()],
        tags=[RunTag(k, v) for k, v in (tags or {}).items()],
    )
