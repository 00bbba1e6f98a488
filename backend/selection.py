"""Which runs the report shows: the reading rules of CONTRACT.md "Reading", as pure functions.

The batch-number rule, "the latest run" (`recency`), "is a quality-gate run" and "which version
is Production" live in `pipeline.tracking.store`, shared with `experiment run --if-missing`.
Here they are applied to one snapshot of the store:
- A run belongs to batch N when its `batch_number` param is ASCII digits only (no sign, no
  spaces, no other scripts: Python's `int('\\uff13')` would accept a full-width digit) and
  0 <= N <= MAX_BATCH_NUMBER. Everything else is noise and is ignored.
- Per batch and experiment the shown run is the most recent FINISHED one by `start_time` (ties:
  later `end_time`, then the larger `run_id`). Newer runs that are still running, failed or were
  killed do not hide it; they are counted in `unfinished_newer_runs`.
- Batch 0's two runs are paired by their `capture_id` tag: a run whose capture's other run has
  not FINISHED is not a result (it counts as unfinished), so the report never shows half a pair
  or mixes two captures. Runs without the tag (older stores) follow the rule above.
- A quality-gate run is a run of the training experiment that is not an HPO trial
  (`hpo_trial=True`) and carries `quality_gate=True` (any case) or the run name
  `quality_gate_batch_N`; stores written before the tag existed still read.
- The re-run walk (`production_scores`, `rerun_out_of_order`) follows gate runs in the order
  they ran, not by batch number.
- A promotion is pending (`pending_promotion`) when the latest shown gate run deployed a version
  the registry's Production is not: the pipeline's own rule (`pipeline.gate.rule`), which the
  next gate step repairs (`finish_pending_promotion`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from backend import run_fields
from backend.mlflow_reader import RegistryVersion, RunRecord, StoreSnapshot
from backend.schemas import BatchResult, ModelScores, PendingPromotion
from pipeline.core import contract
from pipeline.gate import rule
from pipeline.tracking.store import (
    FINISHED,
    is_gate_run,
    latest_gate_run,
    parse_batch_number,
    production_of,
    recency,
)


@dataclass(frozen=True)
class BatchRuns:
    """The run shown for one batch of one experiment, and what the latest-run rule hid."""

    chosen: RunRecord | None
    superseded: int
    unfinished_newer: int


NO_RUNS = BatchRuns(None, 0, 0)


def is_finished(run: RunRecord) -> bool:
    return run.status == FINISHED


def latest_per_batch(
    runs: Iterable[RunRecord], is_result: Callable[[RunRecord], bool] = is_finished
) -> dict[int, BatchRuns]:
    """Apply the latest-finished-run rule to one experiment's runs."""
    grouped: dict[int, list[RunRecord]] = {}
    for run in runs:
        batch = parse_batch_number(run.params.get(contract.Param.BATCH_NUMBER))
        if batch is not None:
            grouped.setdefault(batch, []).append(run)
    result: dict[int, BatchRuns] = {}
    for batch, batch_runs in grouped.items():
        finished = [run for run in batch_runs if is_result(run)]
        chosen = max(finished, key=recency) if finished else None
        newer_unfinished = sum(
            1
            for run in batch_runs
            if not is_result(run) and (chosen is None or recency(run) > recency(chosen))
        )
        result[batch] = BatchRuns(chosen, len(batch_runs) - (chosen is not None), newer_unfinished)
    return result


@dataclass(frozen=True)
class Selection:
    """The runs a report shows, chosen from a snapshot (before any artifact is read)."""

    drift: dict[int, BatchRuns]
    gates: dict[int, BatchRuns]
    production: RegistryVersion | None
    versions: tuple[RegistryVersion, ...] = ()

    def chosen_drift_runs(self) -> list[RunRecord]:
        return [runs.chosen for runs in self.drift.values() if runs.chosen is not None]

    def gate_run(self, batch: int) -> RunRecord | None:
        runs = self.gates.get(batch)
        return runs.chosen if runs is not None else None


def complete_captures(drift_runs: Iterable[RunRecord], gate_runs: Iterable[RunRecord]) -> set[str]:
    """Baseline captures (`capture_id`) whose drift run and gate run both FINISHED."""

    def finished_ids(runs: Iterable[RunRecord]) -> set[str]:
        return {
            capture
            for run in runs
            if is_finished(run) and (capture := run.tags.get(contract.Tag.CAPTURE_ID))
        }

    return finished_ids(drift_runs) & finished_ids(gate_runs)


def select(snapshot: StoreSnapshot) -> Selection:
    gate_runs = [run for run in snapshot.gate_runs if is_gate_run(run)]
    complete = complete_captures(snapshot.drift_runs, gate_runs)

    def is_result(run: RunRecord) -> bool:
        """FINISHED, and never half a baseline pair: a capture counts once both runs finished."""
        capture = run.tags.get(contract.Tag.CAPTURE_ID)
        return is_finished(run) and (capture is None or capture in complete)

    return Selection(
        drift=latest_per_batch(snapshot.drift_runs, is_result),
        gates=latest_per_batch(gate_runs, is_result),
        production=production_of(snapshot.model_versions),
        versions=tuple(snapshot.model_versions),
    )


def pending_promotion(selection: Selection) -> PendingPromotion | None:
    """The deploy whose promotion did not complete, if the latest shown gate run left one."""
    shown = {batch: runs.chosen for batch, runs in selection.gates.items() if runs.chosen}
    latest = latest_gate_run(shown)
    if latest is None:
        return None
    batch, run = latest
    production = selection.production.version if selection.production is not None else None
    version = rule.pending_promotion(
        run.tags.get(contract.Tag.DECISION),
        run.params.get(contract.Param.MODEL_VERSION),
        production,
    )
    if version is None:
        return None
    return PendingPromotion(batch=batch, version=version, production_version=production)


def drift_threshold(selection: Selection, default: float) -> float:
    """The latest shown drift run's `drift_threshold` param, else the configured default."""
    for run in sorted(selection.chosen_drift_runs(), key=recency, reverse=True):
        value = run_fields.threshold_param(run)
        if value is not None:
            return value
    return default


def rerun_out_of_order(selection: Selection) -> list[int]:
    """Batches whose shown gate run started after the shown gate run of a later batch."""
    shown = sorted(
        (batch, runs.chosen) for batch, runs in selection.gates.items() if runs.chosen is not None
    )
    return [
        batch
        for index, (batch, run) in enumerate(shown)
        if any(recency(run) > recency(later) for _, later in shown[index + 1 :])
    ]


def production_scores(
    version: RegistryVersion, selection: Selection, batches: Sequence[BatchResult]
) -> ModelScores | None:
    """The AUC of the Production version on the latest test set a gate run scored it on.

    Gate runs are walked in the order they ran, not by batch number: a batch re-run after later
    batches (`batch run 3` on a finished experiment) is the most recent word. A gate run scored
    the version as Production when its `production_model_version` names it (older stores: when
    the version was Production at that point of the walk, the initial model from the start) and
    deployed it when its `model_version` names it or its `training_run_id` is the version's run
    (its new AUC). Null when no gate run scored it.
    """
    by_batch = {result.batch: result for result in batches}
    timeline = sorted(
        (
            (runs.chosen, by_batch[batch])
            for batch, runs in selection.gates.items()
            if runs.chosen is not None and batch in by_batch
        ),
        key=lambda pair: recency(pair[0]),
    )
    deployed_anywhere = any(
        _deployed_version(run, result, version) == version.version for run, result in timeline
    )
    current: str | None = None if deployed_anywhere else version.version
    found: ModelScores | None = None
    for run, result in timeline:
        scored = run.params.get(contract.Param.PRODUCTION_MODEL_VERSION, current)
        production = result.production
        if scored == version.version and production is not None and production.auc is not None:
            found = production
        deployed = _deployed_version(run, result, version)
        if deployed is not None:
            current = deployed
            if deployed == version.version and result.new is not None:
                found = result.new
    return found


def _deployed_version(run: RunRecord, result: BatchResult, version: RegistryVersion) -> str | None:
    """The version a gate run put in Production, when it deployed one (else None)."""
    if not result.deployed:
        return None
    logged = run.params.get(contract.Param.MODEL_VERSION)
    if logged is not None:
        return logged
    trained = run.params.get(contract.Param.TRAINING_RUN_ID)
    if version.run_id and trained == version.run_id:
        return version.version
    return f"trained by {trained}"  # another model; its number is unknown in older stores
