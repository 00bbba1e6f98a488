"""Response models of `GET /provenance`: which MLflow runs, versions, data and code every figure
of the report comes from."""

from __future__ import annotations

from pydantic import Field

from backend.schemas import _Model


class RunProvenance(_Model):
    """Which MLflow runs one batch's figures come from."""

    batch: int
    drift_run_id: str | None
    drift_run_url: str | None = Field(
        description="the run in the MLflow UI, when MLFLOW_UI_URL is set"
    )
    quality_gate_run_id: str | None
    quality_gate_run_url: str | None
    training_run_id: str | None = Field(
        description="the run that trained the new model (retrain path)"
    )
    model_version: str | None = Field(description="the Production version after this batch's gate")
    superseded_runs: int = Field(description="older or unfinished runs the latest-run rule skipped")
    test_patient_overlap: float | None = Field(
        default=None,
        description="share of the test rows whose patient is in any training or validation data "
        "(0 by design); null when the gate run did not measure it",
    )
    airflow_dag_run_id: str | None = Field(
        description="the Airflow DAG run that wrote the batch's runs (tag airflow_dag_run_id)"
    )
    airflow_dag_run_url: str | None = Field(
        description="that DAG run in the Airflow UI, when AIRFLOW_UI_URL is set"
    )


class ModelVersionProvenance(_Model):
    version: str
    run_id: str | None
    stage: str | None
    aliases: list[str]


class Provenance(_Model):
    """Where every number of the report comes from: the stamp on the page and in the export."""

    tracking_uri: str = Field(description="the MLflow tracking URI, credentials removed")
    mlflow_ui_url: str | None
    model_name: str
    production_version: str | None
    model_versions: list[ModelVersionProvenance] = Field(
        description="every registered version, ascending"
    )
    batches: list[RunProvenance]
    data_sha256: list[str] = Field(
        description="distinct data sha256 values the shown runs logged (one when all agree)"
    )
    seeds: list[int] = Field(
        description="distinct seeds the training runs behind the models logged"
    )
    project_version: str | None
    git_commit: str | None = Field(description="the commit the API runs from, when known")
    superseded_runs: int = Field(
        description="runs the latest-run rule skipped over all batches (older or unfinished)"
    )
