"""The provenance stamp: which store, runs, model versions, data and code the report comes from.

`assemble_provenance` is a pure function over the selection the report already made and the
params of the training runs behind the models; `project_revision` asks the installed package and
git (once per process) for the code's version and commit.
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from backend.mlflow_reader import RegistryVersion
from backend.provenance_schemas import ModelVersionProvenance, Provenance, RunProvenance
from backend.run_fields import dag_run_url, metric, run_url
from backend.schemas import BatchesResponse
from backend.selection import Selection
from pipeline.core import contract
from pipeline.core.contract import EvidenceMetric

logger = logging.getLogger(__name__)

PACKAGE = "healthpredict"
REPO_ROOT = Path(__file__).resolve().parents[1]
GIT_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class ProjectRevision:
    version: str | None
    git_commit: str | None


@functools.cache
def project_revision() -> ProjectRevision:
    """The installed package's version and, in a git checkout, the commit of HEAD."""
    try:
        version: str | None = metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        version = None
    return ProjectRevision(version, _git_commit(REPO_ROOT))


def _git_commit(root: Path) -> str | None:
    git = shutil.which("git")
    if git is None or not (root / ".git").exists():
        return None
    try:
        completed = subprocess.run(
            [git, "-C", str(root), "rev-parse", "--verify", "HEAD"],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        logger.info("git commit unknown: %s", exc)
        return None
    commit = completed.stdout.strip()
    return commit if completed.returncode == 0 and commit else None


def training_run_ids(selection: Selection) -> list[str]:
    """The runs that trained the registered versions and the batches' new models."""
    ids = {version.run_id for version in selection.versions if version.run_id}
    for runs in selection.gates.values():
        if runs.chosen is not None:
            trained = runs.chosen.params.get(contract.Param.TRAINING_RUN_ID)
            if trained:
                ids.add(trained)
    return sorted(ids)


def _distinct(values: Sequence[str | None]) -> list[str]:
    return sorted({value.strip() for value in values if value and value.strip()})


def _seeds(values: Sequence[str | None]) -> list[int]:
    return sorted({int(v) for v in _distinct(values) if v.isascii() and v.isdigit()})


def _version_key(version: RegistryVersion) -> tuple[int, str]:
    return (int(version.version) if version.version.isdigit() else -1, version.version)


def assemble_provenance(
    selection: Selection,
    batches: BatchesResponse,
    training_params: Mapping[str, Mapping[str, str]],
    *,
    tracking_uri: str,
    mlflow_ui_url: str | None,
    airflow_ui_url: str | None,
    revision: ProjectRevision,
) -> Provenance:
    """The stamp for one report; `tracking_uri` must already have its credentials removed."""
    per_batch: list[RunProvenance] = []
    for result in batches.batches:
        drift = selection.drift.get(result.batch)
        gate = selection.gate_run(result.batch)
        drift_run = drift.chosen if drift is not None else None
        dag_run = next(
            (
                run.tags[contract.Tag.AIRFLOW_DAG_RUN_ID]
                for run in (gate, drift_run)
                if run is not None and run.tags.get(contract.Tag.AIRFLOW_DAG_RUN_ID)
            ),
            None,
        )
        per_batch.append(
            RunProvenance(
                batch=result.batch,
                drift_run_id=drift_run.run_id if drift_run else None,
                drift_run_url=run_url(mlflow_ui_url, drift_run) if drift_run else None,
                quality_gate_run_id=gate.run_id if gate else None,
                quality_gate_run_url=run_url(mlflow_ui_url, gate) if gate else None,
                training_run_id=gate.params.get(contract.Param.TRAINING_RUN_ID) if gate else None,
                model_version=result.model_version,
                superseded_runs=result.superseded_runs,
                test_patient_overlap=(
                    metric(gate, EvidenceMetric.TEST_PATIENT_OVERLAP) if gate else None
                ),
                airflow_dag_run_id=dag_run,
                airflow_dag_run_url=dag_run_url(airflow_ui_url, dag_run),
            )
        )
    shown_params = [run.params for run in selection.chosen_drift_runs()]
    shown_params += list(training_params.values())
    versions = sorted(selection.versions, key=_version_key)
    return Provenance(
        tracking_uri=tracking_uri,
        mlflow_ui_url=mlflow_ui_url,
        model_name=contract.MODEL_NAME,
        production_version=selection.production.version if selection.production else None,
        model_versions=[
            ModelVersionProvenance(
                version=v.version, run_id=v.run_id, stage=v.stage, aliases=sorted(v.aliases)
            )
            for v in versions
        ],
        batches=per_batch,
        data_sha256=_distinct([p.get(contract.Param.DATA_SHA256) for p in shown_params]),
        seeds=_seeds([p.get(contract.Param.SEED) for p in training_params.values()]),
        project_version=revision.version,
        git_commit=revision.git_commit,
        superseded_runs=sum(result.superseded_runs for result in batches.batches),
    )
