"""`GET /batches`: one row per batch, assembled from the selected drift and gate runs (pure).

Decisions come from the `decision` tag and are never re-derived; which model serves after a
decision is the gate's own rule (`pipeline.gate.rule.production_after`), except while the
deploy's promotion is pending (`selection.pending_promotion`): then the registry's Production
serves, and the row says so (`promotion_pending`). On the paths where no
new model was trained, MLflow's mirrored `new_*` metrics and zero improvements mean "none", so
the API answers null.
"""

from __future__ import annotations

from collections.abc import Mapping

from backend import run_fields
from backend.drift_verdict import retrain_verdict, run_threshold
from backend.gate_multiplicity import adjust_gate_comparisons
from backend.mlflow_reader import RunRecord
from backend.run_fields import int_metric, metric
from backend.schemas import BatchesResponse, BatchResult, DriftResult, ModelScores, PendingPromotion
from backend.selection import NO_RUNS, BatchRuns, Selection, drift_threshold, pending_promotion
from pipeline.core import contract
from pipeline.core.contract import Decision, EvidenceMetric
from pipeline.gate.rule import deploys, production_after


def drift_result(
    batch: int,
    run: RunRecord,
    drift_artifacts: Mapping[str, object],
    default_threshold: float,
    mlflow_ui_url: str | None,
) -> DriftResult:
    share = metric(run, contract.Metric.DRIFT_SHARE)
    threshold = run_threshold(run, default_threshold)
    verdict = retrain_verdict(batch, run, share, threshold)
    dataset_drift = metric(run, contract.Metric.DATASET_DRIFT)
    # Batch 0 logs the contract's zeros over 0 columns: nothing was measured, so null.
    measured = batch != 0
    majority = None if dataset_drift is None or not measured else dataset_drift >= 0.5
    return DriftResult(
        measured=measured,
        share=share if measured else None,
        n_drifted_columns=int_metric(run, contract.Metric.N_DRIFTED_COLUMNS) if measured else None,
        n_total_columns=int_metric(run, contract.Metric.N_TOTAL_COLUMNS),
        majority_drifted=majority,
        dataset_drift=majority,
        run_id=run.run_id,
        drifted_columns=run_fields.drifted_columns(drift_artifacts.get(run.run_id)),
        mlflow_url=run_fields.run_url(mlflow_ui_url, run),
        threshold=threshold,
        retrain_triggered=verdict.triggered,
        trigger_reason=None if verdict.reason is None else verdict.reason.value,
        trigger_logged=verdict.logged,
        profile=run.params.get(contract.Param.BATCH_PROFILE),
        profile_description=run.params.get(contract.Param.BATCH_DESCRIPTION),
        chance_band=run_fields.chance_band(run),
    )


def _new_model_metric(gate: RunRecord, name: str, retrained: bool) -> float | None:
    """A metric that compares with the new model: null when no new model was trained."""
    return metric(gate, name) if retrained else None


def _serving_after(
    decision: Decision | None,
    production: ModelScores | None,
    new: ModelScores | None,
    logged_version: str | None,
    pending: PendingPromotion | None,
) -> tuple[str | None, ModelScores | None]:
    """The version in Production after the gate, and its scores here: the decision's, unless
    its promotion is pending, when it is the registry's (scored here only if it was Production)."""
    if pending is None:
        return logged_version, production_after(decision, production, new)
    serving = pending.production_version
    scored = production is not None and serving is not None and production.version == serving
    return serving, production if scored else None


def _gated_result(
    batch: int,
    gate: RunRecord,
    drift: DriftResult | None,
    hidden: BatchRuns,
    url: str | None,
    pending: PendingPromotion | None,
) -> BatchResult:
    """The row of a batch that has a gate run (`hidden`: the runs the latest-run rule hid;
    `pending`: this batch's deploy whose promotion did not complete)."""
    decision, raw_decision = run_fields.decision(gate)
    retrained = decision in contract.RETRAINED_DECISIONS
    deployed = deploys(decision)
    known = decision is not None and decision is not Decision.BASELINE
    model_version = gate.params.get(contract.Param.MODEL_VERSION)
    production_version = gate.params.get(contract.Param.PRODUCTION_MODEL_VERSION)
    production = run_fields.scores(
        gate, contract.PROD_PREFIX, contract.prod_metric, production_version
    )
    new = None
    if retrained:
        new_version = model_version if deployed else None
        new = run_fields.scores(gate, contract.NEW_PREFIX, contract.new_metric, new_version)
    initial = run_fields.initial_scores(gate)
    serving, after = _serving_after(decision, production, new, model_version, pending)
    return BatchResult(
        batch=batch,
        decision=decision,
        raw_decision=raw_decision,
        retrained=retrained if known else None,
        deployed=deployed if known else None,
        promotion_pending=pending is not None,
        drift=drift,
        production=production,
        new=new,
        auc_improvement=_new_model_metric(gate, contract.Metric.AUC_IMPROVEMENT, retrained),
        f1_improvement=_new_model_metric(gate, contract.Metric.F1_IMPROVEMENT, retrained),
        test_set=gate.params.get(contract.Param.TEST_SET_USED),
        quality_gate_run_id=gate.run_id,
        model_version=serving,
        superseded_runs=hidden.superseded,
        unfinished_newer_runs=hidden.unfinished_newer,
        mlflow_url=url,
        evidence_recorded=initial is not None,
        initial=initial,
        production_after=after,
        gate_comparison=run_fields.gate_comparison(gate) if retrained else None,
        net_effect=run_fields.net_effect(gate),
        initial_auc_shift=run_fields.initial_auc_shift(gate),
        alarm_outcome=run_fields.alarm_outcome(gate),
        initial_auc_shift_detectable=metric(gate, EvidenceMetric.INITIAL_AUC_SHIFT_DETECTABLE),
        positive_rate=metric(gate, EvidenceMetric.POSITIVE_RATE_TEST),
        deployed_worse_than_chance=bool(deployed and new is not None and new.worse_than_chance),
    )


def batch_result(
    batch: int,
    selection: Selection,
    drift_artifacts: Mapping[str, object],
    default_threshold: float,
    mlflow_ui_url: str | None,
    pending: PendingPromotion | None = None,
) -> BatchResult:
    drift_runs = selection.drift.get(batch, NO_RUNS)
    gate_runs = selection.gates.get(batch, NO_RUNS)
    drift = None
    if drift_runs.chosen is not None:
        drift = drift_result(
            batch, drift_runs.chosen, drift_artifacts, default_threshold, mlflow_ui_url
        )
    hidden = BatchRuns(
        None,
        drift_runs.superseded + gate_runs.superseded,
        drift_runs.unfinished_newer + gate_runs.unfinished_newer,
    )
    gate = gate_runs.chosen
    if gate is not None:
        url = run_fields.run_url(mlflow_ui_url, gate)
        mine = pending if pending is not None and pending.batch == batch else None
        return _gated_result(batch, gate, drift, hidden, url, mine)
    return BatchResult(
        batch=batch,
        decision=None,
        retrained=None,
        deployed=None,
        drift=drift,
        production=None,
        new=None,
        auc_improvement=None,
        f1_improvement=None,
        test_set=None,
        quality_gate_run_id=None,
        superseded_runs=hidden.superseded,
        unfinished_newer_runs=hidden.unfinished_newer,
    )


def assemble_batches(
    selection: Selection,
    drift_artifacts: Mapping[str, object],
    default_threshold: float,
    mlflow_ui_url: str | None,
) -> BatchesResponse:
    batches = sorted(set(selection.drift) | set(selection.gates))
    baseline_gate = selection.gate_run(0)
    pending = pending_promotion(selection)
    return BatchesResponse(
        drift_threshold=drift_threshold(selection, default_threshold),
        batches=adjust_gate_comparisons(
            [
                batch_result(
                    b, selection, drift_artifacts, default_threshold, mlflow_ui_url, pending
                )
                for b in batches
            ]
        ),
        initial_positive_rate=metric(baseline_gate, EvidenceMetric.POSITIVE_RATE_TEST)
        if baseline_gate is not None
        else None,
    )
