"""`GET /summary`: the experiment in figures and sentences, from the assembled batches (pure).

Every figure is read off the batch rows or the re-run walk; the sentences (`takeaway`, and
"Did retraining help?" from `retraining_effect`) say what the figures say and re-decide nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from backend import bottom_line, retraining_effect
from backend.schemas import (
    AucOnTestSet,
    AverageEffect,
    BatchesResponse,
    BatchResult,
    ModelScores,
    PendingPromotion,
    ProductionModel,
    Summary,
)
from backend.selection import (
    Selection,
    pending_promotion,
    production_scores,
    rerun_out_of_order,
)
from pipeline.core import contract
from pipeline.gate.rule import deploys

REPORT_TITLE: Final = "Health Predict — Continuous Improvement Experiment"


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


def pending_sentence(pending: PendingPromotion) -> str:
    """The promotion gap in words: what the gate decided and what the registry still serves."""
    still = (
        f"Production is still version {pending.production_version}"
        if pending.production_version is not None
        else "no version is in Production"
    )
    return (
        f" Batch {pending.batch}'s gate decided to deploy version {pending.version}, but the "
        f"promotion did not complete: {still} until the next step completes it."
    )


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
        vs_chance=bottom_line.chance_words(scores.auc, scores.auc_ci_low, scores.auc_ci_high),
        batch=result.batch,
        test_set=result.test_set,
    )


def _average_effect(average: retraining_effect.Average | None) -> AverageEffect | None:
    if average is None:
        return None
    return AverageEffect(
        delta=average.delta,
        ci_low=average.ci_low,
        ci_high=average.ci_high,
        p_value=average.p_value,
        batches=list(average.batches),
    )


def _production_model(
    selection: Selection, batches: Sequence[BatchResult]
) -> ProductionModel | None:
    """The registry's Production version with its AUC from the re-run walk."""
    if selection.production is None:
        return None
    scores = production_scores(selection.production, selection, batches)
    return ProductionModel(
        name=contract.MODEL_NAME,
        version=selection.production.version,
        auc=scores.auc if scores is not None else None,
        auc_ci_low=scores.auc_ci_low if scores is not None else None,
        auc_ci_high=scores.auc_ci_high if scores is not None else None,
        worse_than_chance=scores.worse_than_chance if scores is not None else None,
        vs_chance=bottom_line.chance_words(scores.auc, scores.auc_ci_low, scores.auc_ci_high)
        if scores is not None
        else None,
    )


def assemble_summary(selection: Selection, batches: BatchesResponse) -> Summary:
    later = [b for b in batches.batches if b.batch >= 1]
    gated = [b for b in batches.batches if b.quality_gate_run_id is not None]
    baseline = next((b for b in gated if b.batch == 0), None)
    last = gated[-1] if gated else None
    after_last = last.production_after if last is not None else None
    recorded = any(b.evidence_recorded for b in gated)
    average = retraining_effect.net_effect_average(later)
    retrained = [b.batch for b in later if b.decision in contract.RETRAINED_DECISIONS]
    summary = Summary(
        title=REPORT_TITLE,
        production_model=_production_model(selection, batches.batches),
        batches_processed=sum(1 for b in later if b.quality_gate_run_id is not None),
        total_batches=len(later),
        retraining_events=len(retrained),
        deployments=sum(1 for b in later if deploys(b.decision)),
        has_baseline=baseline is not None,
        start_auc=baseline.production.auc if baseline and baseline.production else None,
        end_auc=after_last.auc if after_last is not None else None,
        drift_threshold=batches.drift_threshold,
        takeaway="",
        evidence_recorded=recorded,
        start=_on_test_set(baseline, baseline.production) if baseline is not None else None,
        end_production=_on_test_set(last, after_last) if last is not None else None,
        end_initial=_on_test_set(last, last.initial) if last is not None else None,
        net_effect_last=last.net_effect if last is not None and last.batch >= 1 else None,
        net_effect_average=_average_effect(average),
        retraining_takeaway=retraining_effect.retraining_takeaway(average, retrained)
        if recorded
        else None,
        promotion_pending=pending_promotion(selection),
    )
    last_batch = last.batch if last is not None else None
    sentence = takeaway(summary, last_batch, rerun_out_of_order(selection))
    if summary.promotion_pending is not None:
        sentence += pending_sentence(summary.promotion_pending)
    return summary.model_copy(
        update={"takeaway": sentence, "bottom_line": bottom_line.bottom_line(summary, later)}
    )
