"""The one home for reading MLflow: paged searches, run records, the registry, and the rules.

The pipeline (``experiment run --if-missing``, the gate), the baseline and the report API all
read the same store; they import these helpers so that they cannot disagree about it:

- ``search_runs`` reads every page (``max_results=100`` silently drops older batches);
- ``registry_versions`` + ``production_of``: which version is Production (alias ``production``,
  case-sensitive; else the highest version whose stage matches ``Production`` in any case);
- ``parse_batch_number`` + ``is_gate_run`` + ``search_gate_runs``: which runs are quality-gate
  results of which batch (ASCII digits only; the ``quality_gate`` tag in any case or the run name
  ``quality_gate_batch_N``; never an HPO trial); ``latest_gate_runs`` / ``gate_results``: the
  latest FINISHED one of each batch, by the one recency order ``recency``;
- the first line of an exception, for one-line messages, is ``pipeline.core.errors.one_line`` (no
  MLflow import: data loading uses it too).

Only this module calls ``MlflowClient.search_runs`` / ``search_model_versions``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from mlflow import MlflowClient
from mlflow.entities import Run, RunStatus
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import RESOURCE_DOES_NOT_EXIST, ErrorCode

from pipeline.core import contract

SEARCH_PAGE_SIZE: Final = 1000
REGISTRY_PAGE_SIZE: Final = 1000
MAX_BATCH_NUMBER: Final = 10**9
FINISHED: Final = RunStatus.to_string(RunStatus.FINISHED)
RUNNING: Final = RunStatus.to_string(RunStatus.RUNNING)

_ASCII_DIGITS: Final = re.compile(r"[0-9]+")
_GATE_RUN_NAME: Final = re.compile(r"quality_gate_batch_[0-9]+")
_NOT_FOUND: Final = ErrorCode.Name(RESOURCE_DOES_NOT_EXIST)
# MLflow filters have no OR: gate runs are found by tag and by run name, and merged.
GATE_BY_TAG_FILTER: Final = f"tags.{contract.Tag.QUALITY_GATE} ILIKE '{contract.Tag.TRUE}'"
GATE_BY_NAME_FILTER: Final = f"attributes.run_name LIKE '{contract.quality_gate_run_name(0)[:-1]}%'"


def is_missing(error: MlflowException) -> bool:
    """MLflow's "does not exist" (an unregistered model, an unknown run)."""
    return error.error_code == _NOT_FOUND


# --- Runs -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class RunRecord:
    """What readers need from one MLflow run, as plain data (rules stay pure functions)."""

    run_id: str
    experiment_id: str
    run_name: str
    status: str
    start_time: int | None
    end_time: int | None
    params: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)
    artifact_uri: str | None = None


def run_record(run: Run) -> RunRecord:
    info, data = run.info, run.data
    return RunRecord(
        run_id=info.run_id,
        experiment_id=info.experiment_id,
        run_name=info.run_name or data.tags.get("mlflow.runName", ""),
        status=info.status,
        start_time=info.start_time,
        end_time=info.end_time,
        params=dict(data.params),
        tags={k: v for k, v in data.tags.items() if not k.startswith("mlflow.")},
        metrics=dict(data.metrics),
        artifact_uri=info.artifact_uri,
    )


def search_runs(
    client: MlflowClient, experiment_id: str, filter_string: str = ""
) -> Iterator[RunRecord]:
    """Every run of the experiment matching the filter, page by page."""
    page_token: str | None = None
    while True:
        page = client.search_runs(
            [experiment_id],
            filter_string=filter_string,
            max_results=SEARCH_PAGE_SIZE,
            page_token=page_token,
        )
        yield from (run_record(run) for run in page)
        page_token = page.token
        if not page_token:
            return


def experiment_id(client: MlflowClient, name: str) -> str | None:
    experiment = client.get_experiment_by_name(name)
    return str(experiment.experiment_id) if experiment is not None else None


def running_runs_named(client: MlflowClient, experiment_id: str, run_name: str) -> list[RunRecord]:
    """The experiment's runs called ``run_name`` that are still RUNNING."""
    query = f"attributes.run_name = '{run_name}' and attributes.status = '{RUNNING}'"
    return list(search_runs(client, experiment_id, query))


def search_gate_runs(client: MlflowClient, training_experiment_id: str) -> list[RunRecord]:
    """Candidate quality-gate runs (by tag, by run name); filter them with ``is_gate_run``."""
    runs: dict[str, RunRecord] = {}
    for query in (GATE_BY_TAG_FILTER, GATE_BY_NAME_FILTER):
        runs.update((run.run_id, run) for run in search_runs(client, training_experiment_id, query))
    return list(runs.values())


# --- Reading rules (pure) -------------------------------------------------------------------
def parse_batch_number(raw: str | None) -> int | None:
    """The batch a run belongs to, or None for noise ('abc', '-1', '', '\\uff13', 10**30).

    ASCII digits only: ``str.isdigit`` and ``int`` accept other scripts' digits.
    """
    if raw is None or not _ASCII_DIGITS.fullmatch(raw):
        return None
    if len(raw.lstrip("0")) > 10:  # avoid building huge ints: 11 digits exceed MAX_BATCH_NUMBER
        return None
    number = int(raw)
    return number if number <= MAX_BATCH_NUMBER else None


def is_true(value: str | None) -> bool:
    return value is not None and value.strip().lower() == contract.Tag.TRUE.lower()


def is_gate_run(run: RunRecord) -> bool:
    """Quality-gate runs only: HPO trials and training runs are never gate results."""
    if is_true(run.tags.get(contract.Tag.HPO_TRIAL)):
        return False
    return is_true(run.tags.get(contract.Tag.QUALITY_GATE)) or bool(
        _GATE_RUN_NAME.fullmatch(run.run_name or "")
    )


def recency(run: RunRecord) -> tuple[int, int, str]:
    """Sort key of "the latest run": most recent start, then later end, then run id."""
    return (run.start_time or 0, run.end_time or 0, run.run_id)


def latest_gate_runs(runs: Iterable[RunRecord]) -> dict[int, RunRecord]:
    """Per batch, its latest FINISHED quality-gate run (by ``recency``): the batch's gate result."""
    latest: dict[int, RunRecord] = {}
    for run in runs:
        if run.status != FINISHED or not is_gate_run(run):
            continue
        batch = parse_batch_number(run.params.get(contract.Param.BATCH_NUMBER))
        if batch is not None and (batch not in latest or recency(run) > recency(latest[batch])):
            latest[batch] = run
    return latest


def latest_gate_run(results: Mapping[int, RunRecord]) -> tuple[int, RunRecord] | None:
    """Of the batches' gate results, the one that ran last (by ``recency``), with its batch."""
    return max(results.items(), key=lambda item: recency(item[1]), default=None)


def finished_gate_batches(runs: Iterable[RunRecord]) -> set[int]:
    """The batches that have a FINISHED quality-gate run among ``runs``."""
    return set(latest_gate_runs(runs))


def gate_results(client: MlflowClient) -> dict[int, RunRecord]:
    """``latest_gate_runs`` of the training experiment; none when it does not exist yet."""
    training_id = experiment_id(client, contract.TRAINING_EXPERIMENT)
    return {} if training_id is None else latest_gate_runs(search_gate_runs(client, training_id))


# --- Registry -------------------------------------------------------------------------------
@dataclass(frozen=True)
class RegistryVersion:
    """One version of the registered model."""

    version: str
    run_id: str | None
    stage: str | None
    aliases: tuple[str, ...] = ()


def registry_versions(client: MlflowClient) -> list[RegistryVersion]:
    """All versions with their aliases, page by page; none when the model was never registered."""
    try:
        model = client.get_registered_model(contract.MODEL_NAME)
    except MlflowException as error:
        if is_missing(error):
            return []
        raise
    aliases_by_version: dict[str, list[str]] = {}
    for alias, version in (model.aliases or {}).items():
        aliases_by_version.setdefault(str(version), []).append(alias)
    versions: list[RegistryVersion] = []
    page_token: str | None = None
    while True:
        page = client.search_model_versions(
            f"name = '{contract.MODEL_NAME}'",
            max_results=REGISTRY_PAGE_SIZE,
            page_token=page_token,
        )
        versions.extend(
            RegistryVersion(
                version=str(mv.version),
                run_id=mv.run_id or None,
                stage=mv.current_stage or None,
                aliases=tuple(aliases_by_version.get(str(mv.version), ())),
            )
            for mv in page
        )
        page_token = page.token
        if not page_token:
            return versions


def production_of(versions: Sequence[RegistryVersion]) -> RegistryVersion | None:
    """Alias `production` (case-sensitive), else the highest version in stage Production."""
    with_alias = [v for v in versions if contract.PRODUCTION_ALIAS in v.aliases]
    if with_alias:
        return max(with_alias, key=_version_number)
    in_stage = [v for v in versions if (v.stage or "").lower() == contract.PRODUCTION_STAGE.lower()]
    return max(in_stage, key=_version_number) if in_stage else None


def _version_number(version: RegistryVersion) -> int:
    return int(version.version) if _ASCII_DIGITS.fullmatch(version.version) else -1
