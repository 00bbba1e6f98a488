"""The model registry: which version is Production, registering and promoting, loading for scoring.

"Production" is the version with alias ``production``; stores left by the original pipeline only
have the legacy stage (sometimes spelled ``production``), so without the alias the highest version
in that stage counts. Promotion keeps the two in step so older tools resolving
``models:/HealthPredictModel/Production`` see the same version. The rule itself is
``mlflow_store.production_of``, shared with the report API (see docs/architecture.md).
"""

from __future__ import annotations

import logging
import tempfile
import warnings
from pathlib import Path
from typing import Any, Final, NamedTuple

import joblib
import mlflow
import mlflow.artifacts
import mlflow.sklearn
import mlflow.xgboost
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException
from mlflow.models import Model

from pipeline.core import contract
from pipeline.core.errors import TrackingError, one_line
from pipeline.data import features
from pipeline.models.training import TrainingResult
from pipeline.tracking import client as tracking
from pipeline.tracking import store as mlflow_store

logger = logging.getLogger(__name__)

SUPPORTED_FLAVOURS: Final = ("xgboost", "sklearn")
_REGISTRATION_WAIT_SECONDS: Final = 60


class ScoringPair(NamedTuple):
    """A registered model and the preprocessor its run fitted: the only way anything is scored."""

    model: Any
    preprocessor: Any


def production_version(client: MlflowClient) -> ModelVersion | None:
    """The alias ``production``, else the highest version in stage Production; None when neither."""
    try:
        chosen = mlflow_store.production_of(mlflow_store.registry_versions(client))
        if chosen is None:
            return None
        return client.get_model_version(contract.MODEL_NAME, chosen.version)
    except MlflowException as error:
        raise _tracking_error("cannot read the model registry", error) from error


def register(client: MlflowClient, run_id: str) -> ModelVersion:
    """Register the model that run ``run_id`` logged under ``model`` as a new version."""
    tracking.point_fluent_api_at(client)
    try:
        source = _model_source(client, run_id)
        version = mlflow.register_model(
            source, contract.MODEL_NAME, await_registration_for=_REGISTRATION_WAIT_SECONDS
        )
    except MlflowException as error:
        raise _tracking_error(f"cannot register the model of run {run_id}", error) from error
    logger.info("registered %s version %s (run %s)", contract.MODEL_NAME, version.version, run_id)
    return version


def _model_source(client: MlflowClient, run_id: str) -> str:
    """``models:/<id>`` of the model ``run_id`` logged as ``model`` (the latest step wins)."""
    outputs = client.get_run(run_id).outputs
    logged = [
        (output.step, client.get_logged_model(output.model_id))
        for output in (outputs.model_outputs if outputs else [])
    ]
    named = [
        (step, model.creation_timestamp, model.model_id)
        for step, model in logged
        if model.name == contract.MODEL_ARTIFACT_PATH
    ]
    if named:
        return f"models:/{max(named)[2]}"
    return f"runs:/{run_id}/{contract.MODEL_ARTIFACT_PATH}"


def promote(client: MlflowClient, version: ModelVersion | str | int) -> None:
    """Make ``version`` Production: stage (archiving older Production versions) and alias."""
    number = str(version.version if isinstance(version, ModelVersion) else version)
    try:
        with warnings.catch_warnings():
            # Stages are deprecated in MLflow 3 but older tools still resolve /Production.
            warnings.simplefilter("ignore", FutureWarning)
            client.transition_model_version_stage(
                contract.MODEL_NAME,
                number,
                contract.PRODUCTION_STAGE,
                archive_existing_versions=True,
            )
        client.set_registered_model_alias(contract.MODEL_NAME, contract.PRODUCTION_ALIAS, number)
    except MlflowException as error:
        raise _tracking_error(f"cannot promote version {number}", error) from error
    logger.info("promoted %s version %s to Production", contract.MODEL_NAME, number)


def load_scoring_pair(client: MlflowClient, version: ModelVersion) -> ScoringPair:
    """The version's model and its run's preprocessor; ``FeatureMismatchError`` if they differ."""
    tracking.point_fluent_api_at(client)
    if not version.run_id:
        raise TrackingError(
            f"{contract.model_version_uri(version.version)} has no source run, "
            f"so there is no {contract.PREPROCESSOR_ARTIFACT} to score it with"
        )
    with tempfile.TemporaryDirectory(prefix="healthpredict-model-") as folder:
        model = _load_model(client, version, Path(folder) / "model")
        preprocessor = _load_preprocessor(client, version, Path(folder) / "preprocessor")
    features.check_model_fits(model, preprocessor)
    return ScoringPair(model, preprocessor)


def load_candidate(client: MlflowClient, run_id: str, batch: int) -> TrainingResult:
    """The candidate training run ``run_id`` logged (model and preprocessor), to gate it in
    another process than the one that trained it (the DAG's ``retrain`` then its gate task)."""
    tracking.point_fluent_api_at(client)
    uri = f"runs:/{run_id}/{contract.MODEL_ARTIFACT_PATH}"
    try:
        model = mlflow.xgboost.load_model(uri)
        with tempfile.TemporaryDirectory(prefix="healthpredict-candidate-") as folder:
            local = client.download_artifacts(run_id, contract.PREPROCESSOR_ARTIFACT, folder)
            preprocessor = joblib.load(local)
        run = client.get_run(run_id).data
    except (MlflowException, OSError) as error:
        what = f"cannot load the candidate of training run {run_id}"
        raise _tracking_error(what, error) from error
    features.check_model_fits(model, preprocessor)
    return TrainingResult(
        run_id=run_id,
        batch=batch,
        model=model,
        preprocessor=preprocessor,
        params={},
        validation_auc=float(run.metrics[contract.TrainingMetric.VALIDATION_AUC]),
        n_train_rows=int(run.params[contract.TrainingParam.N_TRAIN_ROWS]),
        trial_run_ids=[],
    )


def _load_model(client: MlflowClient, version: ModelVersion, folder: Path) -> Any:
    uri = contract.model_version_uri(version.version)
    try:
        local = mlflow.artifacts.download_artifacts(
            artifact_uri=uri, dst_path=str(folder), tracking_uri=client.tracking_uri
        )
        flavours = Model.load(local).flavors
    except (MlflowException, OSError) as error:
        raise _tracking_error(f"cannot download {uri}", error) from error
    try:
        if "xgboost" in flavours:
            return mlflow.xgboost.load_model(local)
        if "sklearn" in flavours:
            return mlflow.sklearn.load_model(local)
    except (MlflowException, OSError, ValueError) as error:
        raise _tracking_error(f"cannot load {uri}", error) from error
    raise TrackingError(
        f"{uri} has flavours {', '.join(sorted(flavours))}; "
        f"scoring needs one of {', '.join(SUPPORTED_FLAVOURS)}"
    )


def _load_preprocessor(client: MlflowClient, version: ModelVersion, folder: Path) -> Any:
    folder.mkdir(parents=True, exist_ok=True)
    try:
        local = client.download_artifacts(
            str(version.run_id), contract.PREPROCESSOR_ARTIFACT, dst_path=str(folder)
        )
    except (MlflowException, OSError) as error:
        raise _tracking_error(
            f"run {version.run_id} of {contract.model_version_uri(version.version)} "
            f"has no readable {contract.PREPROCESSOR_ARTIFACT}",
            error,
        ) from error
    return joblib.load(local)


def _tracking_error(what: str, error: BaseException) -> TrackingError:
    return TrackingError(f"{what}: {one_line(error)}")
