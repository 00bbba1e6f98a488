"""`GET /policies`: the latest finished policy replay, assembled from logged figures (pure).

The replay (``healthpredict replay``) logs one run per policy, sharing a ``replay_id`` tag, with
per-batch metrics at ``step`` = batch. This module picks the latest replay whose runs all
FINISHED, turns the runs and their metric histories into the response, and writes the notes the
page shows. It decides nothing the pipeline decided: the per-batch outcome is read off the logged
``retrained``/``deployed`` flags. The only arithmetic is the interval of the mean AUC over
batches: each batch's variance is read back from its logged 95% interval (half-width / 1.96,
squared; intervals clipped at 0 or 1 make it slightly narrower) and, the batches' test splits
being independent, the variances add: Var(mean) = sum / n^2.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from statistics import NormalDist
from typing import Final

from backend.policy_schemas import BatchOutcome, PoliciesResponse, PolicyBatch, PolicyResult
from backend.report import finite, run_url
from pipeline.core import contract
from pipeline.core.contract import ReplayMetric
from pipeline.tracking import store as mlflow_store
from pipeline.tracking.store import RunRecord

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
Z95: Final = NormalDist().inv_cdf(0.975)
NO_FIXED: Final = frozenset({"", "false", "none"})


def latest_finished_replay(runs: Sequence[RunRecord]) -> list[RunRecord]:
    """The runs of the most recent replay whose runs all FINISHED (empty when there is none)."""
    groups: dict[str, list[RunRecord]] = {}
    for run in runs:
        replay_id = run.tags.get(contract.Tag.REPLAY_ID)
        if replay_id:
            groups.setdefault(replay_id, []).append(run)
    finished: list[list[RunRecord]] = [
        group
        for group in groups.values()
        if all(run.status == mlflow_store.FINISHED for run in group)
    ]
    if not finished:
        return []

    def recency(group: Sequence[RunRecord]) -> tuple[int, int, str]:
        return (
            max(run.end_time or 0 for run in group),
            max(run.start_time or 0 for run in group),
            group[0].tags[contract.Tag.REPLAY_ID],
        )

    latest = max(range(len(finished)), key=lambda index: recency(finished[index]))
    return sorted(finished[latest], key=lambda run: run.start_time or 0)


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
    if not batches:
        return None, None
    values = [(b.auc, b.ci_low, b.ci_high) for b in batches]
    if any(v is None for row in values for v in row):
        return None, None
    aucs = [row[0] for row in values if row[0] is not None]
    variance = (
        sum(((high - low) / (2 * Z95)) ** 2 for _, low, high in values if low is not None and high)
        / len(values) ** 2
    )
    mean = sum(aucs) / len(aucs)
    half = Z95 * math.sqrt(variance)
    return max(mean - half, 0.0), min(mean + half, 1.0)


def _float_param(text: str | None) -> float | None:
    try:
        return finite(float(text)) if text is not None else None
    except ValueError:
        return None


def _int(value: float | None) -> int | None:
    return None if value is None else round(value)


def label(trigger: str | None, training: str | None, validation: str | None) -> str:
    if trigger is None:
        return "?"
    if training in (None, "", "none"):
        return trigger
    return f"{trigger}:{training}:{validation or '?'}"


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
    return PolicyResult(
        run_id=run.run_id,
        run_name=run.run_name,
        label=label(trigger, training, validation),
        trigger=trigger,
        training_policy=training,
        validation_data=validation,
        configured=mlflow_store.is_true(run.tags.get(contract.Tag.CONFIGURED)),
        gate=params.get(contract.Param.REPLAY_GATE),
        batches=batches,
        n_retrains=_int(finite(metrics.get(ReplayMetric.N_RETRAINS))),
        n_deploys=_int(finite(metrics.get(ReplayMetric.N_DEPLOYS))),
        mean_auc=finite(metrics.get(ReplayMetric.MEAN_AUC)),
        mean_auc_ci_low=low,
        mean_auc_ci_high=high,
        worst_auc=finite(metrics.get(ReplayMetric.WORST_AUC)),
        worst_batch=worst_batch,
        training_seconds=finite(metrics.get(ReplayMetric.TRAINING_SECONDS)),
        mlflow_url=run_url(mlflow_ui_url, run),
    )


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


def _overlap(a: PolicyResult, b: PolicyResult) -> bool:
    assert a.mean_auc_ci_low is not None and a.mean_auc_ci_high is not None
    assert b.mean_auc_ci_low is not None and b.mean_auc_ci_high is not None
    return a.mean_auc_ci_low <= b.mean_auc_ci_high and b.mean_auc_ci_low <= a.mean_auc_ci_high


def notes(
    results: Sequence[PolicyResult], seed: int | None, fixed: bool | None, hyper: str | None
) -> list[str]:
    """The page's reading of the comparison: descriptive, and explicit where nothing is shown."""
    n_batches = max((len(r.batches) for r in results), default=0)
    seed_text = f"one seed ({seed})" if seed is not None else "one seed"
    lines = [
        f"{n_batches} batches and {seed_text}: these figures describe this run-through of the "
        "experiment; they are not evidence of how the policies compare in general."
    ]
    if fixed:
        lines.append(
            "Every candidate in this replay used the initial search's best hyper-parameters"
            + (f" ({hyper})" if hyper else "")
            + ", early-stopped on its policy's validation data and not refitted; the pipeline "
            "searches on every retrain, so the configured policy's AUCs here can differ "
            "slightly from the batches above."
        )
    ranked = [r for r in results if r.mean_auc_ci_low is not None and r.mean_auc is not None]
    if len(ranked) >= 2:
        best = max(ranked, key=lambda r: r.mean_auc or 0.0)
        below = [r.label for r in ranked if r is not best and not _overlap(best, r)]
        if not below:
            lines.append(
                "The 95% intervals of the mean AUC overlap for every pair of policies: no "
                "policy is shown better than another."
            )
        else:
            lines.append(
                f"{best.label} has the highest mean AUC, and its 95% interval lies above that of "
                f"{', '.join(below)}; where intervals overlap, no policy is shown better."
            )
    return lines


def assemble(
    runs: Sequence[RunRecord], histories: Histories, mlflow_ui_url: str | None
) -> PoliciesResponse:
    """The response for the latest finished replay among ``runs``."""
    chosen = latest_finished_replay(runs)
    if not chosen:
        return PoliciesResponse(available=False)
    results = [policy_result(run, histories.get(run.run_id, {}), mlflow_ui_url) for run in chosen]
    first = chosen[0].params
    fixed, hyper = hyperparameters_text(first.get(contract.Param.FIXED_HYPERPARAMETERS))
    seed_text = first.get(contract.Param.SEED)
    seed = mlflow_store.parse_batch_number(seed_text)  # a non-negative integer, like a batch
    return PoliciesResponse(
        available=True,
        replay_id=chosen[0].tags.get(contract.Tag.REPLAY_ID),
        seed=seed,
        drift_threshold=_float_param(first.get(contract.Param.DRIFT_THRESHOLD)),
        fixed_hyperparameters=fixed,
        hyperparameters=hyper,
        finished_at=max(run.end_time or 0 for run in chosen) or None,
        policies=results,
        notes=notes(results, seed, fixed, hyper),
    )
