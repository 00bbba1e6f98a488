"""The report's rules, as pure functions over the reader's records.

Reading rules (CONTRACT.md "Reading"); the first, the third and "which version is Production"
live in `pipeline.tracking.store`, shared with the pipeline's `experiment run --if-missing`:
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
- The retrain verdict comes from the drift run's `retrain_triggered` / `trigger_reason` tags;
  stores without them get `share >= that run's drift_threshold` (`retrain_verdict`, the one
  fallback), flagged `trigger_logged: false`. Batch 0 has no verdict.
- Decisions come from the `decision` tag and are never re-derived; a value outside the Decision
  enum shows as `decision: null` with the raw text in `raw_decision`.
- A missing or non-finite metric is null, never 0 and never NaN.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from backend import evidence
from backend.mlflow_reader import RegistryVersion, RunRecord, StoreSnapshot
from backend.schemas import (
    AucDifference,
    AucOnTestSet,
    AverageEffect,
    BatchesResponse,
    BatchResult,
    Calibration,
    ChanceBand,
    DriftedColumn,
    DriftResult,
    GateComparison,
    ModelScores,
    ProductionModel,
    Summary,
)
from pipeline.core import contract
from pipeline.core.contract import (
    AlarmOutcome,
    AucChange,
    Decision,
    EvidenceMetric,
    EvidenceParam,
    TriggerReason,
)
from pipeline.core.contract import EvidenceTag as ETag
from pipeline.tracking.store import (
    FINISHED,
    MAX_BATCH_NUMBER,
    is_gate_run,
    is_true,
    parse_batch_number,
    recency,
)
from pipeline.tracking.store import production_of as production_version

__all__ = ["MAX_BATCH_NUMBER", "is_gate_run", "parse_batch_number", "production_version"]

_Verdict = TypeVar("_Verdict", AucChange, AlarmOutcome)
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


@dataclass(frozen=True)
class BatchRuns:
    """The run shown for one batch of one experiment, and what the latest-run rule hid."""

    chosen: RunRecord | None
    superseded: int
    unfinished_newer: int


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


def run_url(mlflow_ui_url: str | None, run: RunRecord) -> str | None:
    if not mlflow_ui_url:
        return None
    return f"{mlflow_ui_url.rstrip('/')}/#/experiments/{run.experiment_id}/runs/{run.run_id}"


def _metric(run: RunRecord, name: str) -> float | None:
    return finite(run.metrics.get(name))


def _calibration(run: RunRecord, prefix: str) -> Calibration | None:
    calibration = Calibration(
        brier=_metric(run, contract.brier_metric(prefix)),
        ece=_metric(run, contract.ece_metric(prefix)),
        slope=_metric(run, contract.calibration_slope_metric(prefix)),
        intercept=_metric(run, contract.calibration_intercept_metric(prefix)),
    )
    return None if all(v is None for v in calibration.model_dump().values()) else calibration


def _scores(
    run: RunRecord, prefix: str, metric_name: Callable[[str], str], version: str | None = None
) -> ModelScores:
    """A model's logged scores with the evidence the run has for it (intervals, calibration)."""
    values = {score: _metric(run, metric_name(score)) for score in contract.SCORES}
    high = _metric(run, contract.auc_ci_high_metric(prefix))
    return ModelScores.model_validate(
        {
            **values,
            "version": version,
            "auc_ci_low": _metric(run, contract.auc_ci_low_metric(prefix)),
            "auc_ci_high": high,
            "worse_than_chance": evidence.worse_than_chance(high),
            "calibration": _calibration(run, prefix),
        }
    )


def _initial_scores(run: RunRecord) -> ModelScores | None:
    """The never-retrained model; None when the run did not score it."""
    if _metric(run, contract.initial_metric("auc")) is None:
        return None
    version = run.params.get(EvidenceParam.INITIAL_MODEL_VERSION)
    return _scores(run, contract.INITIAL_PREFIX, contract.initial_metric, version)


def _difference(run: RunRecord, delta: str, low: str, high: str, p: str | None) -> AucDifference:
    return AucDifference(
        delta=_metric(run, delta),
        ci_low=_metric(run, low),
        ci_high=_metric(run, high),
        p_value=_metric(run, p) if p is not None else None,
    )


def _recorded(difference: AucDifference) -> AucDifference | None:
    return difference if difference.ci_low is not None or difference.ci_high is not None else None


def _gate_comparison(run: RunRecord) -> GateComparison | None:
    """Candidate minus Production with the pipeline's verdict; None when not recorded."""
    difference = _difference(
        run,
        contract.Metric.AUC_IMPROVEMENT,
        EvidenceMetric.AUC_IMPROVEMENT_CI_LOW,
        EvidenceMetric.AUC_IMPROVEMENT_CI_HIGH,
        EvidenceMetric.AUC_IMPROVEMENT_P_VALUE,
    )
    verdict = _enum(AucChange, run.tags.get(ETag.AUC_CHANGE))
    if _recorded(difference) is None and verdict is None:
        return None
    return GateComparison(**difference.model_dump(), verdict=verdict)


def _net_effect(run: RunRecord) -> AucDifference | None:
    return _recorded(
        _difference(
            run,
            EvidenceMetric.NET_AUC_CHANGE,
            EvidenceMetric.NET_AUC_CHANGE_CI_LOW,
            EvidenceMetric.NET_AUC_CHANGE_CI_HIGH,
            EvidenceMetric.NET_AUC_CHANGE_P_VALUE,
        )
    )


def _initial_auc_shift(run: RunRecord) -> AucDifference | None:
    return _recorded(
        _difference(
            run,
            EvidenceMetric.INITIAL_AUC_SHIFT,
            EvidenceMetric.INITIAL_AUC_SHIFT_CI_LOW,
            EvidenceMetric.INITIAL_AUC_SHIFT_CI_HIGH,
            None,
        )
    )


def _enum(kind: type[_Verdict], raw: str | None) -> _Verdict | None:
    """A logged verdict; an unknown value reads as not recorded (never guessed)."""
    if raw is None:
        return None
    try:
        return kind(raw.strip().lower())
    except ValueError:
        return None


def _chance_band(run: RunRecord) -> ChanceBand | None:
    band = ChanceBand(
        p50=_metric(run, EvidenceMetric.DRIFT_SHARE_NULL_P50),
        p95=_metric(run, EvidenceMetric.DRIFT_SHARE_NULL_P95),
        samples=_int(parse_float(run.params.get(EvidenceParam.DRIFT_NULL_SAMPLES))),
    )
    return None if band.p50 is None and band.p95 is None else band


def _int(value: float | None) -> int | None:
    return round(value) if value is not None else None


def _decision(run: RunRecord) -> tuple[Decision | None, str | None]:
    raw = run.tags.get(contract.Tag.DECISION)
    if raw is None:
        return None, None
    try:
        return Decision(raw.strip().upper()), None
    except ValueError:
        return None, raw


def _int_metric(run: RunRecord, name: str) -> int | None:
    return _int(finite(run.metrics.get(name)))


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
        production=production_version(snapshot.model_versions),
        versions=tuple(snapshot.model_versions),
    )


def drift_threshold(selection: Selection, default: float) -> float:
    """The latest shown drift run's `drift_threshold` param, else the configured default."""
    for run in sorted(selection.chosen_drift_runs(), key=recency, reverse=True):
        value = _threshold_param(run)
        if value is not None:
            return value
    return default


def _threshold_param(run: RunRecord) -> float | None:
    value = parse_float(run.params.get(contract.Param.DRIFT_THRESHOLD))
    return value if value is not None and 0.0 < value <= 1.0 else None


def run_threshold(run: RunRecord, default: float) -> float:
    """The drift run's own `drift_threshold` param when it is a share in (0, 1], else `default`."""
    value = _threshold_param(run)
    return default if value is None else value


@dataclass(frozen=True)
class RetrainVerdict:
    """Whether the batch's drift check triggered retraining, why, and who said so."""

    triggered: bool | None
    reason: TriggerReason | None
    logged: bool  # true: the pipeline's tags; false: derived here for stores without them


NO_VERDICT = RetrainVerdict(None, None, logged=False)


def retrain_verdict(
    batch: int, run: RunRecord, share: float | None, threshold: float
) -> RetrainVerdict:
    """The pipeline's logged verdict; for stores without it, `share >= threshold` (this run's).

    The one place the backend derives a verdict; the page never does. Batch 0 has none.
    """
    if batch == 0:
        return NO_VERDICT
    raw_triggered = (run.tags.get(contract.Tag.RETRAIN_TRIGGERED) or "").strip().lower()
    if raw_triggered in (contract.Tag.TRUE.lower(), contract.Tag.FALSE.lower()):
        raw_reason = (run.tags.get(contract.Tag.TRIGGER_REASON) or "").strip().lower()
        reason = TriggerReason(raw_reason) if raw_reason in set(TriggerReason) else None
        return RetrainVerdict(is_true(raw_triggered), reason, logged=True)
    if share is None:
        return NO_VERDICT
    drifted = share >= threshold
    return RetrainVerdict(
        drifted, TriggerReason.DRIFT if drifted else TriggerReason.NONE, logged=False
    )


def drift_result(
    batch: int,
    run: RunRecord,
    drift_artifacts: Mapping[str, object],
    default_threshold: float,
    mlflow_ui_url: str | None,
) -> DriftResult:
    share = finite(run.metrics.get(contract.Metric.DRIFT_SHARE))
    threshold = run_threshold(run, default_threshold)
    verdict = retrain_verdict(batch, run, share, threshold)
    dataset_drift = finite(run.metrics.get(contract.Metric.DATASET_DRIFT))
    # Batch 0 logs the contract's zeros over 0 columns: nothing was measured, so null.
    measured = batch != 0
    majority = None if dataset_drift is None or not measured else dataset_drift >= 0.5
    return DriftResult(
        measured=measured,
        share=share if measured else None,
        n_drifted_columns=_int_metric(run, contract.Metric.N_DRIFTED_COLUMNS) if measured else None,
        n_total_columns=_int_metric(run, contract.Metric.N_TOTAL_COLUMNS),
        majority_drifted=majority,
        dataset_drift=majority,
        run_id=run.run_id,
        drifted_columns=drifted_columns(drift_artifacts.get(run.run_id)),
        mlflow_url=run_url(mlflow_ui_url, run),
        threshold=threshold,
        retrain_triggered=verdict.triggered,
        trigger_reason=None if verdict.reason is None else verdict.reason.value,
        trigger_logged=verdict.logged,
        profile=run.params.get(contract.Param.BATCH_PROFILE),
        profile_description=run.params.get(contract.Param.BATCH_DESCRIPTION),
        chance_band=_chance_band(run),
    )


def _candidate_metric(gate: RunRecord | None, name: str, retrained: bool | None) -> float | None:
    """A metric that compares with a candidate: null when no candidate was trained."""
    return finite(gate.metrics.get(name)) if gate is not None and retrained else None


def batch_result(
    batch: int,
    selection: Selection,
    drift_artifacts: Mapping[str, object],
    default_threshold: float,
    mlflow_ui_url: str | None,
) -> BatchResult:
    drift_runs = selection.drift.get(batch, BatchRuns(None, 0, 0))
    gate_runs = selection.gates.get(batch, BatchRuns(None, 0, 0))
    drift = None
    if drift_runs.chosen is not None:
        drift = drift_result(
            batch, drift_runs.chosen, drift_artifacts, default_threshold, mlflow_ui_url
        )
    gate = gate_runs.chosen
    decision, raw_decision = _decision(gate) if gate is not None else (None, None)
    retrained = decision in contract.RETRAINED_DECISIONS
    known = decision is not None and decision is not Decision.BASELINE
    deployed = decision in contract.DEPLOYED_DECISIONS
    production_version_param = (
        gate.params.get(contract.Param.PRODUCTION_MODEL_VERSION) if gate else None
    )
    model_version = gate.params.get(contract.Param.MODEL_VERSION) if gate else None
    production = (
        _scores(gate, contract.PROD_PREFIX, contract.prod_metric, production_version_param)
        if gate
        else None
    )
    new = (
        _scores(gate, contract.NEW_PREFIX, contract.new_metric, model_version if deployed else None)
        if gate and retrained
        else None
    )
    initial = _initial_scores(gate) if gate is not None else None
    return BatchResult(
        batch=batch,
        decision=decision,
        raw_decision=raw_decision,
        retrained=retrained if known else None,
        deployed=deployed if known else None,
        drift=drift,
        production=production,
        new=new,
        # No candidate (baseline, no drift): MLflow's 0 improvements mean "none", so null.
        auc_improvement=_candidate_metric(gate, contract.Metric.AUC_IMPROVEMENT, retrained),
        f1_improvement=_candidate_metric(gate, contract.Metric.F1_IMPROVEMENT, retrained),
        test_set=gate.params.get(contract.Param.TEST_SET_USED) if gate else None,
        quality_gate_run_id=gate.run_id if gate else None,
        model_version=model_version,
        superseded_runs=drift_runs.superseded + gate_runs.superseded,
        unfinished_newer_runs=drift_runs.unfinished_newer + gate_runs.unfinished_newer,
        mlflow_url=run_url(mlflow_ui_url, gate) if gate else None,
        evidence_recorded=initial is not None,
        initial=initial,
        production_after=new if deployed and new is not None else production,
        gate_comparison=_gate_comparison(gate) if gate is not None and retrained else None,
        net_effect=_net_effect(gate) if gate is not None else None,
        initial_auc_shift=_initial_auc_shift(gate) if gate is not None else None,
        alarm_outcome=_enum(AlarmOutcome, gate.tags.get(ETag.ALARM_OUTCOME)) if gate else None,
        positive_rate=_metric(gate, EvidenceMetric.POSITIVE_RATE_TEST) if gate else None,
        deployed_worse_than_chance=bool(deployed and new is not None and new.worse_than_chance),
    )


def assemble_batches(
    selection: Selection,
    drift_artifacts: Mapping[str, object],
    default_threshold: float,
    mlflow_ui_url: str | None,
) -> BatchesResponse:
    batches = sorted(set(selection.drift) | set(selection.gates))
    baseline_gate = selection.gate_run(0)
    return BatchesResponse(
        drift_threshold=drift_threshold(selection, default_threshold),
        batches=[
            batch_result(b, selection, drift_artifacts, default_threshold, mlflow_ui_url)
            for b in batches
        ],
        initial_positive_rate=_metric(baseline_gate, EvidenceMetric.POSITIVE_RATE_TEST)
        if baseline_gate is not None
        else None,
    )


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
    scores: ModelScores | None = None
    for run, result in timeline:
        scored = run.params.get(contract.Param.PRODUCTION_MODEL_VERSION, current)
        production = result.production
        if scored == version.version and production is not None and production.auc is not None:
            scores = production
        deployed = _deployed_version(run, result, version)
        if deployed is not None:
            current = deployed
            if deployed == version.version and result.new is not None:
                scores = result.new
    return scores


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


def takeaway(summary: Summary, last_batch: int | None, rerun: Sequence[int] = ()) -> str:
    """One plain sentence from the figures (and a warning when batches ran out of order)."""
    sentence = _figures_sentence(summary, last_batch)
    if rerun:
        numbers = ", ".join(str(batch) for batch in rerun)
        sentence += (
            f" Batch{'es' if len(rerun) > 1 else ''} {numbers} ran again after later batches, "
            "so the rows mix runs from different times; Production is the model the most "
            "recent run left."
        )
    return sentence


def _figures_sentence(summary: Summary, last_batch: int | None) -> str:
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


def _on_test_set(result: BatchResult, scores: ModelScores | None) -> AucOnTestSet | None:
    if scores is None or scores.auc is None:
        return None
    return AucOnTestSet(
        auc=scores.auc,
        ci_low=scores.auc_ci_low,
        ci_high=scores.auc_ci_high,
        worse_than_chance=scores.worse_than_chance,
        batch=result.batch,
        test_set=result.test_set,
    )


def net_effect_average(batches: Sequence[BatchResult]) -> evidence.Average | None:
    """The net effect averaged over the retrained batches that recorded it (variances add)."""
    effects = [
        evidence.Effect(b.batch, b.net_effect.delta, b.net_effect.ci_low, b.net_effect.ci_high)
        for b in batches
        if b.decision in contract.RETRAINED_DECISIONS
        and b.net_effect is not None
        and b.net_effect.delta is not None
        and b.net_effect.ci_low is not None
        and b.net_effect.ci_high is not None
        and b.net_effect.ci_low <= b.net_effect.ci_high
    ]
    return evidence.average_effect(effects)


def _average_effect(average: evidence.Average | None) -> AverageEffect | None:
    if average is None:
        return None
    return AverageEffect(
        delta=average.delta,
        ci_low=average.ci_low,
        ci_high=average.ci_high,
        p_value=average.p_value,
        batches=list(average.batches),
    )


def assemble_summary(selection: Selection, batches: BatchesResponse) -> Summary:
    later = [b for b in batches.batches if b.batch >= 1]
    gated = [b for b in batches.batches if b.quality_gate_run_id is not None]
    baseline = next((b for b in gated if b.batch == 0), None)
    last = gated[-1] if gated else None
    production = None
    if selection.production is not None:
        scores = production_scores(selection.production, selection, batches.batches)
        production = ProductionModel(
            name=contract.MODEL_NAME,
            version=selection.production.version,
            auc=scores.auc if scores is not None else None,
            auc_ci_low=scores.auc_ci_low if scores is not None else None,
            auc_ci_high=scores.auc_ci_high if scores is not None else None,
            worse_than_chance=scores.worse_than_chance if scores is not None else None,
        )
    after_last = last.production_after if last is not None else None
    recorded = any(b.evidence_recorded for b in gated)
    average = net_effect_average(later)
    retrained = [b.batch for b in later if b.decision in contract.RETRAINED_DECISIONS]
    summary = Summary(
        title=REPORT_TITLE,
        production_model=production,
        batches_processed=sum(1 for b in later if b.quality_gate_run_id is not None),
        total_batches=len(later),
        retraining_events=len(retrained),
        deployments=sum(1 for b in later if b.decision in contract.DEPLOYED_DECISIONS),
        has_baseline=baseline is not None,
        start_auc=baseline.production.auc if baseline and baseline.production else None,
        end_auc=after_last.auc if after_last is not None else None,
        drift_threshold=batches.drift_threshold,
        takeaway="",
        evidence_recorded=recorded,
        start=_on_test_set(baseline, baseline.production) if baseline is not None else None,
        end_production=_on_test_set(last, after_last) if last is not None else None,
        end_never_retrained=_on_test_set(last, last.initial) if last is not None else None,
        net_effect_last=last.net_effect if last is not None and last.batch >= 1 else None,
        net_effect_average=_average_effect(average),
        retraining_takeaway=evidence.retraining_takeaway(average, retrained) if recorded else None,
    )
    return summary.model_copy(
        update={
            "takeaway": takeaway(
                summary, last.batch if last is not None else None, rerun_out_of_order(selection)
            )
        }
    )
