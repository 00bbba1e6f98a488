"""The report's rules, as pure functions over the reader's records.

Reading rules (CONTRACT.md "Reading"); the first, the third and "which version is Production"
live in `pipeline.mlflow_store`, shared with the pipeline's `experiment run --if-missing`:
- A run belongs to batch N when its `batch_number` param is ASCII digits only (no sign, no
  spaces, no other scripts: Python's `int('\\uff13')` would accept a full-width digit) and
  0 <= N <= MAX_BATCH_NUMBER. Everything else is noise and is ignored.
- Per batch and experiment the shown run is the most recent FINISHED one by `start_time` (ties:
  later `end_time`, then the larger `run_id`). Newer runs that are still running, failed or were
  killed do not hide it; they are counted in `unfinished_newer_runs`.
- A quality-gate run is a run of the training experiment that is not an HPO trial
  (`hpo_trial=True`) and carries `quality_gate=True` (any case) or the run name
  `quality_gate_batch_N`; stores written before the tag existed still read.
- Decisions come from the `decision` tag and are never re-derived; a value outside the Decision
  enum shows as `decision: null` with the raw text in `raw_decision`.
- A missing or non-finite metric is null, never 0 and never NaN.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from backend.mlflow_reader import RegistryVersion, RunRecord, StoreSnapshot
from backend.schemas import (
    BatchesResponse,
    BatchResult,
    DriftedColumn,
    DriftResult,
    ModelScores,
    ProductionModel,
    Summary,
)
from pipeline import contract
from pipeline.contract import Decision
from pipeline.mlflow_store import (
    FINISHED,
    MAX_BATCH_NUMBER,
    is_gate_run,
    parse_batch_number,
)
from pipeline.mlflow_store import production_of as production_version

__all__ = ["MAX_BATCH_NUMBER", "is_gate_run", "parse_batch_number", "production_version"]

REPORT_TITLE = "Health Predict: drift-aware retraining report"


def finite(value: object) -> float | None:
    """A finite float, or None: what the API shows for a metric.

    MLflow's SQL store saves an infinite metric as +/- the largest float, so that value reads as
    infinite too.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and abs(number) < sys.float_info.max else None


def parse_float(raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        return finite(float(raw))
    except ValueError:
        return None


def recency(run: RunRecord) -> tuple[int, int, str]:
    """Sort key: most recent start, then later end, then run id."""
    return (run.start_time or 0, run.end_time or 0, run.run_id)


@dataclass(frozen=True)
class BatchRuns:
    """The run shown for one batch of one experiment, and what the latest-run rule hid."""

    chosen: RunRecord | None
    superseded: int
    unfinished_newer: int


def latest_per_batch(runs: Iterable[RunRecord]) -> dict[int, BatchRuns]:
    """Apply the latest-finished-run rule to one experiment's runs."""
    grouped: dict[int, list[RunRecord]] = {}
    for run in runs:
        batch = parse_batch_number(run.params.get(contract.Param.BATCH_NUMBER))
        if batch is not None:
            grouped.setdefault(batch, []).append(run)
    result: dict[int, BatchRuns] = {}
    for batch, batch_runs in grouped.items():
        finished = [run for run in batch_runs if run.status == FINISHED]
        chosen = max(finished, key=recency) if finished else None
        newer_unfinished = sum(
            1
            for run in batch_runs
            if run.status != FINISHED and (chosen is None or recency(run) > recency(chosen))
        )
        result[batch] = BatchRuns(chosen, len(batch_runs) - (chosen is not None), newer_unfinished)
    return result


def run_url(mlflow_ui_url: str | None, run: RunRecord) -> str | None:
    if not mlflow_ui_url:
        return None
    return f"{mlflow_ui_url.rstrip('/')}/#/experiments/{run.experiment_id}/runs/{run.run_id}"


def _scores(run: RunRecord, metric_name: Callable[[str], str]) -> ModelScores:
    values = {score: finite(run.metrics.get(metric_name(score))) for score in contract.SCORES}
    return ModelScores.model_validate(values)


def _decision(run: RunRecord) -> tuple[Decision | None, str | None]:
    raw = run.tags.get(contract.Tag.DECISION)
    if raw is None:
        return None, None
    try:
        return Decision(raw.strip().upper()), None
    except ValueError:
        return None, raw


def _int_metric(run: RunRecord, name: str) -> int | None:
    value = finite(run.metrics.get(name))
    return round(value) if value is not None else None


def drifted_columns(records: object) -> list[DriftedColumn] | None:
    """The drifted columns of a `drift/feature_drift.json`; None when absent or unreadable."""
    if not isinstance(records, list):
        return None
    columns: list[DriftedColumn] = []
    for record in records:
        if not isinstance(record, Mapping) or record.get("drifted") is not True:
            continue
        name = record.get("column")
        if not isinstance(name, str):
            continue
        kind, test = record.get("kind"), record.get("test")
        columns.append(
            DriftedColumn(
                column=name,
                kind=kind if isinstance(kind, str) else None,
                test=test if isinstance(test, str) else None,
                statistic=finite(record.get("statistic")),
                p_value=finite(record.get("p_value")),
                threshold=finite(record.get("threshold")),
            )
        )
    return columns


@dataclass(frozen=True)
class Selection:
    """The runs a report shows, chosen from a snapshot (before any artifact is read)."""

    drift: dict[int, BatchRuns]
    gates: dict[int, BatchRuns]
    production: RegistryVersion | None

    def chosen_drift_runs(self) -> list[RunRecord]:
        return [runs.chosen for runs in self.drift.values() if runs.chosen is not None]

    def gate_run(self, batch: int) -> RunRecord | None:
        runs = self.gates.get(batch)
        return runs.chosen if runs is not None else None


def select(snapshot: StoreSnapshot) -> Selection:
    return Selection(
        drift=latest_per_batch(snapshot.drift_runs),
        gates=latest_per_batch(run for run in snapshot.gate_runs if is_gate_run(run)),
        production=production_version(snapshot.model_versions),
    )


def drift_threshold(selection: Selection, default: float) -> float:
    """The latest shown drift run's `drift_threshold` param, else the configured default."""
    for run in sorted(selection.chosen_drift_runs(), key=recency, reverse=True):
        value = parse_float(run.params.get(contract.Param.DRIFT_THRESHOLD))
        if value is not None and 0.0 < value <= 1.0:
            return value
    return default


def batch_result(
    batch: int,
    selection: Selection,
    drift_artifacts: Mapping[str, object],
    mlflow_ui_url: str | None,
) -> BatchResult:
    drift_runs = selection.drift.get(batch, BatchRuns(None, 0, 0))
    gate_runs = selection.gates.get(batch, BatchRuns(None, 0, 0))
    drift = None
    if drift_runs.chosen is not None:
        run = drift_runs.chosen
        dataset_drift = finite(run.metrics.get(contract.Metric.DATASET_DRIFT))
        drift = DriftResult(
            share=finite(run.metrics.get(contract.Metric.DRIFT_SHARE)),
            n_drifted_columns=_int_metric(run, contract.Metric.N_DRIFTED_COLUMNS),
            n_total_columns=_int_metric(run, contract.Metric.N_TOTAL_COLUMNS),
            dataset_drift=None if dataset_drift is None else dataset_drift >= 0.5,
            run_id=run.run_id,
            drifted_columns=drifted_columns(drift_artifacts.get(run.run_id)),
            mlflow_url=run_url(mlflow_ui_url, run),
        )
    gate = gate_runs.chosen
    decision, raw_decision = _decision(gate) if gate is not None else (None, None)
    retrained = decision in contract.RETRAINED_DECISIONS
    known = decision is not None and decision is not Decision.BASELINE
    return BatchResult(
        batch=batch,
        decision=decision,
        raw_decision=raw_decision,
        retrained=retrained if known else None,
        deployed=(decision in contract.DEPLOYED_DECISIONS) if known else None,
        drift=drift,
        production=_scores(gate, contract.prod_metric) if gate is not None else None,
        new=_scores(gate, contract.new_metric) if gate is not None and retrained else None,
        auc_improvement=finite(gate.metrics.get(contract.Metric.AUC_IMPROVEMENT)) if gate else None,
        f1_improvement=finite(gate.metrics.get(contract.Metric.F1_IMPROVEMENT)) if gate else None,
        test_set=gate.params.get(contract.Param.TEST_SET_USED) if gate else None,
        quality_gate_run_id=gate.run_id if gate else None,
        model_version=gate.params.get(contract.Param.MODEL_VERSION) if gate else None,
        superseded_runs=drift_runs.superseded + gate_runs.superseded,
        unfinished_newer_runs=drift_runs.unfinished_newer + gate_runs.unfinished_newer,
        mlflow_url=run_url(mlflow_ui_url, gate) if gate else None,
    )


def assemble_batches(
    selection: Selection,
    drift_artifacts: Mapping[str, object],
    default_threshold: float,
    mlflow_ui_url: str | None,
) -> BatchesResponse:
    batches = sorted(set(selection.drift) | set(selection.gates))
    return BatchesResponse(
        drift_threshold=drift_threshold(selection, default_threshold),
        batches=[batch_result(b, selection, drift_artifacts, mlflow_ui_url) for b in batches],
    )


def _auc_after(result: BatchResult) -> float | None:
    """Production's AUC once the batch is done: the candidate's if it was deployed."""
    if result.deployed and result.new is not None:
        return result.new.auc
    return result.production.auc if result.production is not None else None


def production_auc(
    version: RegistryVersion, selection: Selection, batches: Sequence[BatchResult]
) -> float | None:
    """The AUC of the Production version on the latest test set a gate run scored it on.

    The version became Production at the gate whose `training_run_id` is the version's run and
    that deployed it (its new AUC); every later gate scored it as Production (their prod AUC)
    until a gate deployed another model. A version no gate deployed (the initial model) was
    Production from the start. Null when no gate run scored it.
    """
    gated = [b for b in batches if b.quality_gate_run_id is not None]

    def trained_here(result: BatchResult) -> bool:
        run = selection.gate_run(result.batch)
        return run is not None and run.params.get(contract.Param.TRAINING_RUN_ID) == version.run_id

    deployed_at = next(
        (b for b in reversed(gated) if b.deployed and version.run_id and trained_here(b)), None
    )
    auc: float | None = None
    if deployed_at is not None:
        auc = deployed_at.new.auc if deployed_at.new is not None else None
    later = [b for b in gated if deployed_at is None or b.batch > deployed_at.batch]
    for result in later:
        if result.production is not None and result.production.auc is not None:
            auc = result.production.auc
        if result.deployed:
            break
    return auc


def takeaway(summary: Summary, last_batch: int | None) -> str:
    """One plain sentence from the figures; it never re-decides anything."""
    auc = "{:.3f}".format
    if summary.batches_processed == 0:
        if summary.has_baseline and summary.start_auc is not None:
            return (
                f"Baseline captured: Production scores AUC {auc(summary.start_auc)} on the "
                "initial test set; no batch has been processed yet."
            )
        return "No results yet: run `healthpredict experiment run` to process the batches."
    plural = "es" if summary.batches_processed != 1 else ""
    sentence = f"Over {summary.batches_processed} batch{plural}, "
    if summary.retraining_events:
        retrain = "retraining" + ("s" if summary.retraining_events != 1 else "")
        deploy = "deployment" + ("s" if summary.deployments != 1 else "")
        sentence += (
            f"drift led to {summary.retraining_events} {retrain} and {summary.deployments} {deploy}"
        )
    else:
        sentence += "no batch was retrained"
    if summary.end_auc is not None and last_batch is not None:
        where = f"on batch {last_batch}'s test set"
        if summary.start_auc is not None:
            sentence += (
                f"; Production's AUC went from {auc(summary.start_auc)} on the initial test set "
                f"to {auc(summary.end_auc)} {where}"
            )
        else:
            sentence += f"; Production's AUC is {auc(summary.end_auc)} {where}"
    return sentence + "."


def assemble_summary(selection: Selection, batches: BatchesResponse) -> Summary:
    later = [b for b in batches.batches if b.batch >= 1]
    gated = [b for b in batches.batches if b.quality_gate_run_id is not None]
    baseline = next((b for b in gated if b.batch == 0), None)
    last = gated[-1] if gated else None
    production = None
    if selection.production is not None:
        production = ProductionModel(
            name=contract.MODEL_NAME,
            version=selection.production.version,
            auc=production_auc(selection.production, selection, batches.batches),
        )
    summary = Summary(
        title=REPORT_TITLE,
        production_model=production,
        batches_processed=sum(1 for b in later if b.quality_gate_run_id is not None),
        total_batches=len(later),
        retraining_events=sum(1 for b in later if b.decision in contract.RETRAINED_DECISIONS),
        deployments=sum(1 for b in later if b.decision in contract.DEPLOYED_DECISIONS),
        has_baseline=baseline is not None,
        start_auc=baseline.production.auc if baseline and baseline.production else None,
        end_auc=_auc_after(last) if last is not None else None,
        drift_threshold=batches.drift_threshold,
        takeaway="",
    )
    return summary.model_copy(
        update={"takeaway": takeaway(summary, last.batch if last is not None else None)}
    )
