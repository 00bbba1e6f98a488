"""The report as the routes see it: read MLflow once, assemble, cache, and answer per endpoint."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from backend import policies as policy_report
from backend import report, roc
from backend.cache import TtlCache
from backend.mlflow_reader import MlflowReader
from backend.policy_schemas import PoliciesResponse
from backend.schemas import BatchesResponse, Health, RocResponse, Summary
from backend.settings import Settings
from pipeline import contract

logger = logging.getLogger(__name__)

ARTIFACT_READERS = 6


@dataclass(frozen=True)
class Report:
    """One assembled read of the store."""

    batches: BatchesResponse
    summary: Summary
    selection: report.Selection
    batches_json: bytes  # rendered once: a warm read only copies bytes
    summary_json: bytes


class UnknownBatchError(LookupError):
    """The batch has no quality-gate run in the store."""


class ReportService:
    """Assembles the report from MLflow and keeps it for `cache_ttl_seconds`."""

    def __init__(self, settings: Settings, reader: MlflowReader | None = None) -> None:
        self.settings = settings
        self.reader = reader or MlflowReader(settings.tracking_uri)
        self._cache: TtlCache[Report] = TtlCache(self._build, settings.cache_ttl_seconds)
        self._policies: TtlCache[PoliciesResponse] = TtlCache(
            self._build_policies, settings.cache_ttl_seconds
        )

    def _build(self) -> Report:
        snapshot = self.reader.snapshot()
        selection = report.select(snapshot)
        drift_runs = [
            run
            for run in selection.chosen_drift_runs()
            if report.parse_batch_number(run.params.get(contract.Param.BATCH_NUMBER)) != 0
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
        batches = report.assemble_batches(
            selection, drift_artifacts, self.settings.drift_threshold, self.settings.mlflow_ui_url
        )
        summary = report.assemble_summary(selection, batches)
        logger.info(
            "report read %d drift and %d gate runs from %s",
            len(snapshot.drift_runs),
            len(snapshot.gate_runs),
            self.reader.tracking_uri,
        )
        return Report(
            batches,
            summary,
            selection,
            batches.model_dump_json().encode(),
            summary.model_dump_json().encode(),
        )

    def fresh_batches_json(self) -> bytes | None:
        """The cached `/batches` body when fresh, without touching MLflow (the event-loop path)."""
        current = self._cache.peek()
        return current.batches_json if current is not None else None

    def fresh_summary_json(self) -> bytes | None:
        """The cached `/summary` body when fresh, without touching MLflow."""
        current = self._cache.peek()
        return current.summary_json if current is not None else None

    def batches_json(self) -> bytes:
        """`BatchesResponse` as JSON, flagged stale when MLflow failed and an old read is shown."""
        cached = self._cache.get()
        if not cached.stale:
            return cached.value.batches_json
        return cached.value.batches.model_copy(update={"stale": True}).model_dump_json().encode()

    def summary_json(self) -> bytes:
        """`Summary` as JSON, flagged stale like `batches_json`."""
        cached = self._cache.get()
        if not cached.stale:
            return cached.value.summary_json
        return cached.value.summary.model_copy(update={"stale": True}).model_dump_json().encode()

    def roc(self, batch: int) -> RocResponse:
        """The ROC curves the batch's gate run logged; `UnknownBatchError` without a gate run."""
        current = self._cache.get().value
        gate = current.selection.gate_run(batch)
        if gate is None:
            raise UnknownBatchError(f"batch {batch} has no quality-gate run")
        result = next(b for b in current.batches.batches if b.batch == batch)
        production = roc.curve_from_artifact(
            self.reader.read_json_artifact(gate, contract.ROC_PRODUCTION_ARTIFACT)
        )
        new = None
        if result.retrained:
            new = roc.curve_from_artifact(
                self.reader.read_json_artifact(gate, contract.ROC_NEW_ARTIFACT)
            )
        return RocResponse(batch=batch, production=production, new=new)

    def policies(self) -> PoliciesResponse:
        """The latest finished policy replay; cached like the report, stale when MLflow fails."""
        cached = self._policies.get()
        return cached.value.model_copy(update={"stale": True}) if cached.stale else cached.value

    def _build_policies(self) -> PoliciesResponse:
        runs = self.reader.replay_runs()
        chosen = policy_report.latest_finished_replay(runs)
        wanted = [(run, key) for run in chosen for key in policy_report.PER_BATCH_METRICS]
        histories: dict[str, dict[str, dict[int, float]]] = {}
        if wanted:  # a few small reads, cached per finished run: side by side
            with ThreadPoolExecutor(max_workers=ARTIFACT_READERS) as pool:
                values = pool.map(lambda item: self.reader.metric_history(*item), wanted)
                for (run, key), history in zip(wanted, values, strict=True):
                    histories.setdefault(run.run_id, {})[key] = history
        return policy_report.assemble(chosen, histories, self.settings.mlflow_ui_url)

    def health(self) -> Health:
        problem = self.reader.ping()
        return Health(
            status="ok",
            mlflow=problem is None,
            tracking_uri=self.settings.tracking_uri,
            detail=problem,
        )

    def refresh(self) -> None:
        self._cache.clear()
        self._policies.clear()
