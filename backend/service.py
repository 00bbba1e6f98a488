"""The report as the routes see it: read MLflow once, assemble, cache, and answer per endpoint."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from backend import batch_results, policy_comparison, reliability, roc
from backend import provenance as stamp_rules
from backend.cache import Cached, TtlCache
from backend.health_probe import HealthProbe
from backend.mlflow_reader import MlflowReader, RunRecord
from backend.policy_schemas import PoliciesResponse
from backend.provenance_schemas import Provenance
from backend.reads import COLD_READ_DEADLINE_SECONDS, READ_DEADLINE_SECONDS
from backend.schemas import (
    BatchesResponse,
    BatchResult,
    CalibrationResponse,
    Health,
    ReliabilityCurve,
    RocResponse,
    Summary,
)
from backend.selection import Selection, select
from backend.settings import Settings
from backend.summary import assemble_summary
from pipeline.core import contract
from pipeline.core.uris import redact_uri
from pipeline.tracking.store import parse_batch_number

logger = logging.getLogger(__name__)

ARTIFACT_READERS = 6
# POST /refresh: reloads are at least this far apart (and at least as far as the last one took);
# a refresh waits at most REFRESH_WAIT_SECONDS in all (readers never wait: they get the copy).
REFRESH_MIN_INTERVAL_SECONDS = 2.0
REFRESH_WAIT_SECONDS = 25.0


@dataclass(frozen=True)
class Report:
    """One assembled read of the store."""

    batches: BatchesResponse
    summary: Summary
    selection: Selection
    batches_json: bytes  # rendered once: a warm read only copies bytes
    summary_json: bytes
    stale_batches_json: bytes  # the same, flagged stale (served while MLflow does not answer)
    stale_summary_json: bytes
    training_experiment_id: str | None = None


class UnknownBatchError(LookupError):
    """The batch has no quality-gate run in the store."""


class ReportService:
    """Assembles the report from MLflow and keeps it for `cache_ttl_seconds`."""

    def __init__(self, settings: Settings, reader: MlflowReader | None = None) -> None:
        self.settings = settings
        self.reader = reader or MlflowReader(settings.tracking_uri)
        self._cache: TtlCache[Report] = TtlCache(
            self._build,
            settings.cache_ttl_seconds,
            REFRESH_MIN_INTERVAL_SECONDS,
            deadline=COLD_READ_DEADLINE_SECONDS,
            stale_after=READ_DEADLINE_SECONDS,
        )
        self._health = HealthProbe(self.reader.ping, redact_uri(self.reader.tracking_uri))
        # Called once, after the first report is built (the served process freezes its heap).
        self.after_first_report: Callable[[], object] | None = None
        self._provenance: tuple[Report, Provenance] | None = None
        self._policies: TtlCache[PoliciesResponse] = TtlCache(
            self._build_policies,
            settings.cache_ttl_seconds,
            REFRESH_MIN_INTERVAL_SECONDS,
            deadline=COLD_READ_DEADLINE_SECONDS,
            stale_after=READ_DEADLINE_SECONDS,
        )

    def _build(self) -> Report:
        snapshot = self.reader.snapshot()
        chosen = select(snapshot)
        drift_runs = [
            run
            for run in chosen.chosen_drift_runs()
            if parse_batch_number(run.params.get(contract.Param.BATCH_NUMBER)) != 0
        ]
        drift_artifacts: dict[str, object] = {}
        if drift_runs:  # a handful of small files: read them side by side
            with ThreadPoolExecutor(max_workers=min(len(drift_runs), ARTIFACT_READERS)) as pool:
                contents = pool.map(
                    lambda run: self.reader.read_json_artifact(
                        run, contract.FEATURE_DRIFT_ARTIFACT
                    ),
                    drift_runs,
                )
                drift_artifacts = {
                    run.run_id: content for run, content in zip(drift_runs, contents, strict=True)
                }
        batches = batch_results.assemble_batches(
            chosen, drift_artifacts, self.settings.drift_threshold, self.settings.mlflow_ui_url
        )
        summary = assemble_summary(chosen, batches)
        logger.info(
            "report read %d drift and %d gate runs from %s",
            len(snapshot.drift_runs),
            len(snapshot.gate_runs),
            redact_uri(self.reader.tracking_uri),
        )
        report = Report(
            batches,
            summary,
            chosen,
            batches.model_dump_json().encode(),
            summary.model_dump_json().encode(),
            batches.model_copy(update={"stale": True}).model_dump_json().encode(),
            summary.model_copy(update={"stale": True}).model_dump_json().encode(),
            snapshot.training_experiment_id,
        )
        hook, self.after_first_report = self.after_first_report, None
        if hook is not None:
            hook()
        return report

    def ready_batches_json(self) -> bytes | None:
        """The `/batches` body when a copy exists, without waiting (the event-loop path)."""
        cached = self._cache.get_nowait()
        return _batches_body(cached) if cached is not None else None

    def ready_summary_json(self) -> bytes | None:
        """The `/summary` body when a copy exists, without waiting."""
        cached = self._cache.get_nowait()
        return _summary_body(cached) if cached is not None else None

    def batches_json(self) -> bytes:
        """`BatchesResponse` as JSON, flagged stale when MLflow failed and an old read is shown."""
        return _batches_body(self._cache.get())

    def summary_json(self) -> bytes:
        """`Summary` as JSON, flagged stale like `batches_json`."""
        return _summary_body(self._cache.get())

    def _gate(self, batch: int) -> tuple[RunRecord, BatchResult]:
        """The batch's gate run and result; `UnknownBatchError` without a gate run."""
        current = self._cache.get().value
        gate = current.selection.gate_run(batch)
        if gate is None:
            raise UnknownBatchError(f"batch {batch} has no quality-gate run")
        return gate, next(b for b in current.batches.batches if b.batch == batch)

    def ready_roc(self, batch: int) -> RocResponse | None:
        """`roc(batch)` when it needs no MLflow call (a copy and its curves in memory), else
        None: the event-loop path, like `ready_batches_json`."""
        cached = self._cache.get_nowait()
        if cached is None or (gate := cached.value.selection.gate_run(batch)) is None:
            return None
        result = next(b for b in cached.value.batches.batches if b.batch == batch)
        wanted = [contract.ROC_PRODUCTION_ARTIFACT]
        if result.retrained:
            wanted.append(contract.ROC_NEW_ARTIFACT)
        if not all(self.reader.has_cached_artifact(gate, path) for path in wanted):
            return None
        return self.roc(batch)

    def roc(self, batch: int) -> RocResponse:
        """The ROC curves the batch's gate run logged; `UnknownBatchError` without a gate run."""
        gate, result = self._gate(batch)
        production = roc.curve_from_artifact(
            self.reader.read_json_artifact(gate, contract.ROC_PRODUCTION_ARTIFACT)
        )
        new = None
        if result.retrained:
            new = roc.curve_from_artifact(
                self.reader.read_json_artifact(gate, contract.ROC_NEW_ARTIFACT)
            )
        return RocResponse(batch=batch, production=production, new=new)

    def calibration(self, batch: int) -> CalibrationResponse:
        """The reliability curves the batch's gate run logged; null for those it did not."""
        gate, result = self._gate(batch)

        def curve(path: str) -> ReliabilityCurve | None:
            return reliability.curve_from_artifact(self.reader.read_json_artifact(gate, path))

        return CalibrationResponse(
            batch=batch,
            production=curve(contract.RELIABILITY_PRODUCTION_ARTIFACT),
            new=curve(contract.RELIABILITY_NEW_ARTIFACT) if result.retrained else None,
            initial=curve(contract.RELIABILITY_INITIAL_ARTIFACT)
            if result.initial is not None
            else None,
        )

    def provenance(self) -> Provenance:
        """The provenance stamp of the current report (the training runs' params read once)."""
        current = self._cache.get().value
        stamped = self._provenance
        if stamped is not None and stamped[0] is current:
            return stamped[1]
        selection = current.selection
        run_ids = stamp_rules.training_run_ids(selection)
        experiment_id = current.training_experiment_id
        training_params = (
            self.reader.run_params(experiment_id, run_ids) if experiment_id and run_ids else {}
        )
        stamp = stamp_rules.assemble_provenance(
            selection,
            current.batches,
            training_params,
            tracking_uri=redact_uri(self.settings.tracking_uri),
            mlflow_ui_url=self.settings.mlflow_ui_url,
            airflow_ui_url=self.settings.airflow_ui_url,
            revision=stamp_rules.project_revision(),
        )
        self._provenance = (current, stamp)
        return stamp

    def policies(self) -> PoliciesResponse:
        """The latest finished policy replay; cached like the report, stale when MLflow fails."""
        cached = self._policies.get()
        return cached.value.model_copy(update={"stale": True}) if cached.stale else cached.value

    def _build_policies(self) -> PoliciesResponse:
        runs = self.reader.replay_runs()
        chosen = policy_comparison.latest_finished_replay(runs)
        wanted = [(run, key) for run in chosen for key in policy_comparison.metrics_to_read(run)]
        histories: dict[str, dict[str, dict[int, float]]] = {}
        if wanted:  # a few small reads, cached per finished run: side by side
            with ThreadPoolExecutor(max_workers=ARTIFACT_READERS) as pool:
                values = pool.map(lambda item: self.reader.metric_history(*item), wanted)
                for (run, key), history in zip(wanted, values, strict=True):
                    histories.setdefault(run.run_id, {})[key] = history
        return policy_comparison.assemble(chosen, histories, self.settings.mlflow_ui_url)

    async def health(self) -> Health:
        """The last known state of MLflow, from at most one bounded probe (`HealthProbe`)."""
        problem = await self._health.check()
        return Health(
            status="ok",
            mlflow=problem is None,
            tracking_uri=redact_uri(self.settings.tracking_uri),
            detail=problem,
        )

    def refresh(self) -> bool:
        """Reload the report now (shared with concurrent refreshes, see `TtlCache.reload`);
        True when it was reloaded."""
        deadline = time.monotonic() + REFRESH_WAIT_SECONDS  # one limit for both reloads
        self.reader.forget_unreadable()  # an artifact logged since is read on the next request
        reloaded = self._cache.reload(timeout=REFRESH_WAIT_SECONDS)
        left = deadline - time.monotonic()
        if left > 0 and self._policies.get_nowait() is not None:  # only a replay someone read
            self._policies.reload(timeout=left)
        return reloaded


def _batches_body(cached: Cached[Report]) -> bytes:
    return cached.value.stale_batches_json if cached.stale else cached.value.batches_json


def _summary_body(cached: Cached[Report]) -> bytes:
    return cached.value.stale_summary_json if cached.stale else cached.value.summary_json
