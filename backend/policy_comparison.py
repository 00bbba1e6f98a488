"""`GET /policies`: the latest finished policy replay, assembled from logged figures (pure).

The replay (``healthpredict replay``) logs one run per policy, sharing a ``replay_id`` tag, with
per-batch metrics at ``step`` = batch. This module picks the latest replay whose runs all
FINISHED and turns the runs and their metric histories into the response (the notes under it are
`policy_notes`). It decides nothing the pipeline decided: the per-batch outcome is read off the
logged ``retrained``/``deployed`` flags. The only arithmetic is the interval of the mean AUC over
batches, by the pipeline's one rule for averaging independent estimates
(`pipeline.core.stats.mean_of_independent`: the batches' test splits are independent, so the
variances add), each variance read back from the batch's logged 95% interval (intervals clipped
at 0 or 1 make it slightly narrower); the mean's interval is clipped to [0, 1] like an AUC's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Final

from backend import policy_forward
from backend.policy_notes import notes
from backend.policy_schemas import BatchOutcome, PoliciesResponse, PolicyBatch, PolicyResult
from backend.policy_words import policy_title
from backend.run_fields import as_int, finite, parse_float, run_url
from pipeline.core import contract, stats
from pipeline.core.contract import ReplayMetric
from pipeline.tracking import store as mlflow_store
from pipeline.tracking.store import RunRecord, recency

# step -> value, for one run and one metric key
History = Mapping[int, float]
Histories = Mapping[str, Mapping[str, History]]  # run id -> metric key -> history

PER_BATCH_METRICS: Final = (
    ReplayMetric.AUC_TEST,
    ReplayMetric.AUC_CI_LOW,
    ReplayMetric.AUC_CI_HIGH,
    ReplayMetric.RETRAINED,
    ReplayMetric.DEPLOYED,
)
NO_FIXED: Final = frozenset({"", "false", "none"})


def metrics_to_read(run: RunRecord) -> tuple[str, ...]:
    """The metric histories a run needs: the forward ones only where the replay logged them."""
    if ReplayMetric.MEAN_AUC_NEXT in run.metrics:
        return PER_BATCH_METRICS + policy_forward.FORWARD_METRICS
    return PER_BATCH_METRICS


def latest_finished_replay(runs: Sequence[RunRecord]) -> list[RunRecord]:
    """The runs of the latest replay whose runs all FINISHED (empty when there is none).

    "Latest" is the store's one order of runs (`recency`: start, then end, then run id) applied
    to each replay's most recent run; the chosen replay's runs come in the order they ran.
    """
    groups: dict[str, list[RunRecord]] = {}
    for run in runs:
        replay_id = run.tags.get(contract.Tag.REPLAY_ID)
        if replay_id:
            groups.setdefault(replay_id, []).append(run)
    finished = [
        group
        for group in groups.values()
        if all(run.status == mlflow_store.FINISHED for run in group)
    ]
    if not finished:
        return []
    latest = max(finished, key=lambda group: max(recency(run) for run in group))
    return sorted(latest, key=recency)


def outcome(retrained: bool | None, deployed: bool | None) -> BatchOutcome | None:
    if retrained is None:
        return None
    if not retrained:
        return "not_retrained"
    if deployed is None:
        return None
    return "deployed" if deployed else "kept_production"


def _flag(value: float | None) -> bool | None:
    return None if value is None else value >= 0.5


def _batches(history: Mapping[str, History]) -> list[PolicyBatch]:
    steps = sorted(step for step in history.get(ReplayMetric.AUC_TEST, {}) if step >= 1)
    rows = []
    for step in steps:
        value = {key: finite(history.get(key, {}).get(step)) for key in PER_BATCH_METRICS}
        retrained = _flag(value[ReplayMetric.RETRAINED])
        deployed = _flag(value[ReplayMetric.DEPLOYED])
        rows.append(
            PolicyBatch(
                batch=step,
                auc=value[ReplayMetric.AUC_TEST],
                ci_low=value[ReplayMetric.AUC_CI_LOW],
                ci_high=value[ReplayMetric.AUC_CI_HIGH],
                retrained=retrained,
                deployed=deployed,
                outcome=outcome(retrained, deployed),
            )
        )
    return rows


def mean_interval(batches: Sequence[PolicyBatch]) -> tuple[float | None, float | None]:
    """95% interval of the mean AUC over batches (independent splits), or nulls."""
    known = [
        (b.auc, b.ci_low, b.ci_high)
        for b in batches
        if b.auc is not None and b.ci_low is not None and b.ci_high is not None
    ]
    if not batches or len(known) < len(batches):
        return None, None
    mean = stats.mean_of_independent(
        [auc for auc, _, _ in known],
        [stats.variance_from_interval(low, high) for _, low, high in known],
    )
    return max(mean.ci_low, 0.0), min(mean.ci_high, 1.0)


def label(
    trigger: str | None, training: str | None, validation: str | None, gate: str | None = None
) -> str:
    """As the CLI spells a policy; a gate other than the standard one is its fourth part."""
    if trigger is None:
        return "?"
    if training in (None, "", "none"):
        return trigger
    base = f"{trigger}:{training}:{validation or '?'}"
    return base if gate in (None, "", contract.REPLAY_GATE_STANDARD) else f"{base}:{gate}"


def policy_result(
    run: RunRecord, history: Mapping[str, History], mlflow_ui_url: str | None
) -> PolicyResult:
    batches = _batches(history)
    low, high = mean_interval(batches)
    worst = [b for b in batches if b.auc is not None]
    worst_batch = min(worst, key=lambda b: (b.auc, b.batch)).batch if worst else None
    params, metrics = run.params, run.metrics
    trigger = params.get(contract.Param.TRIGGER)
    training = params.get(contract.Param.TRAINING_POLICY)
    validation = params.get(contract.Param.VALIDATION_DATA)
    gate = params.get(contract.Param.REPLAY_GATE)
    return PolicyResult(
        run_id=run.run_id,
        run_name=run.run_name,
        label=label(trigger, training, validation, gate),
        title=policy_title(trigger, training, validation, gate),
        trigger=trigger,
        training_policy=training,
        validation_data=validation,
        configured=mlflow_store.is_true(run.tags.get(contract.Tag.CONFIGURED)),
        gate=gate,
        batches=batches,
        n_retrains=as_int(finite(metrics.get(ReplayMetric.N_RETRAINS))),
        n_deploys=as_int(finite(metrics.get(ReplayMetric.N_DEPLOYS))),
        mean_auc=finite(metrics.get(ReplayMetric.MEAN_AUC)),
        mean_auc_ci_low=low,
        mean_auc_ci_high=high,
        worst_auc=finite(metrics.get(ReplayMetric.WORST_AUC)),
        worst_batch=worst_batch,
        training_seconds=finite(metrics.get(ReplayMetric.TRAINING_SECONDS)),
        mlflow_url=run_url(mlflow_ui_url, run),
        forward=policy_forward.forward_steps(history),
        mean_auc_next=finite(metrics.get(ReplayMetric.MEAN_AUC_NEXT)),
    )


def with_paired_verdicts(
    results: Sequence[PolicyResult], runs: Sequence[RunRecord]
) -> tuple[list[PolicyResult], str | None]:
    """Each policy's mean paired difference to the configured one, its raw and Holm-adjusted p
    and verdict, and the note that words them (None when the replay did not record them)."""
    differences = [policy_forward.mean_difference(run.metrics) for run in runs]
    configured = [result.configured for result in results]
    if sum(configured) != 1 or any(d is None for d in differences):
        return list(results), None
    adjusted = policy_forward.adjust(differences, configured)
    updated = []
    for result, difference, adjustment in zip(results, differences, adjusted, strict=True):
        assert difference is not None and adjustment is not None
        updated.append(
            result.model_copy(
                update={
                    "mean_delta_vs_configured": difference.mean,
                    "mean_delta_ci_low": difference.ci_low,
                    "mean_delta_ci_high": difference.ci_high,
                    "p_value": adjustment.p_value,
                    "p_holm": adjustment.p_holm,
                    "verdict_vs_configured": adjustment.verdict,
                }
            )
        )
    reference = next(result.label for result in results if result.configured)
    compared = [
        (result.label, difference, adjustment)
        for result, difference, adjustment in zip(results, differences, adjusted, strict=True)
        if not result.configured and difference is not None and adjustment is not None
    ]
    return updated, policy_forward.note([reference], compared)


def hyperparameters_text(raw: str | None) -> tuple[bool | None, str | None]:
    """(fixed?, "name value, …") from the ``fixed_hyperparameters`` param."""
    if raw is None:
        return None, None
    if raw.strip().lower() in NO_FIXED:
        return False, None
    try:
        values = json.loads(raw)
    except ValueError:
        return True, raw
    if not isinstance(values, dict):
        return True, raw
    return True, ", ".join(f"{name} {value}" for name, value in values.items())


def assemble(
    runs: Sequence[RunRecord], histories: Histories, mlflow_ui_url: str | None
) -> PoliciesResponse:
    """The response for the latest finished replay among ``runs``."""
    chosen = latest_finished_replay(runs)
    if not chosen:
        return PoliciesResponse(available=False)
    results = [policy_result(run, histories.get(run.run_id, {}), mlflow_ui_url) for run in chosen]
    results, paired_note = with_paired_verdicts(results, chosen)
    first = chosen[0].params
    fixed, hyper = hyperparameters_text(first.get(contract.Param.FIXED_HYPERPARAMETERS))
    seed_text = first.get(contract.Param.SEED)
    seed = mlflow_store.parse_batch_number(seed_text)  # a non-negative integer, like a batch
    return PoliciesResponse(
        available=True,
        replay_id=chosen[0].tags.get(contract.Tag.REPLAY_ID),
        seed=seed,
        drift_threshold=parse_float(first.get(contract.Param.DRIFT_THRESHOLD)),
        fixed_hyperparameters=fixed,
        hyperparameters=hyper,
        finished_at=max(run.end_time or 0 for run in chosen) or None,
        policies=results,
        forward_recorded=paired_note is not None,
        notes=notes(results, seed, fixed, hyper, paired_note),
    )
