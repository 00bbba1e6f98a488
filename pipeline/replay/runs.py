"""Logging a replay: a run per policy in ``HealthPredict_Policy_Replay``, sharing ``replay_id``.

Each run holds the same-batch figures (``step`` = batch) and, when every policy carries its
forward scores, the forward-in-time paired comparison (``step`` = N, ``pipeline.replay.forward``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping

from mlflow import MlflowClient
from mlflow.entities import Metric as MlflowMetric

from pipeline.core import contract
from pipeline.core.contract import ReplayMetric
from pipeline.replay import forward, policies
from pipeline.replay.engine import PolicyReplay, ReplayResult
from pipeline.tracking import client as tracking


def fixed_params_text(fixed: Mapping[str, float | int] | None) -> str:
    """The ``fixed_hyperparameters`` param: the values as JSON, or ``False``."""
    return "False" if fixed is None else json.dumps(dict(fixed), sort_keys=True)


def log_replay(client: MlflowClient, result: ReplayResult) -> list[str]:
    """One run per policy, sharing ``replay_id``; all end FINISHED together (or all FAILED)."""
    experiment_id = tracking.ensure_experiment(client, contract.POLICY_REPLAY_EXPERIMENT)
    now_ms = int(time.time() * 1000)
    run_ids: list[str] = []
    compared = forward.compare(result.results)
    with tracking.result_runs(client) as group:
        for policy_result in result.results:
            policy = policy_result.policy
            params = {
                contract.Param.TRIGGER: policy.trigger,
                contract.Param.TRAINING_POLICY: policy.training_policy,
                contract.Param.VALIDATION_DATA: policy.validation,
                contract.Param.FIXED_HYPERPARAMETERS: fixed_params_text(
                    result.fixed_hyperparameters
                ),
                contract.Param.SEED: result.seed,
                contract.Param.DRIFT_THRESHOLD: result.drift_threshold,
                contract.Param.REPLAY_GATE: policy.gate or result.gate,
            }
            if policy.training_policy == policies.RecentWeighted.name:
                params[contract.Param.NEWEST_BATCH_WEIGHT] = policies.NEWEST_BATCH_WEIGHT
            tags = {contract.Tag.REPLAY_ID: result.replay_id}
            if policy_result.configured:
                tags[contract.Tag.CONFIGURED] = contract.Tag.TRUE
            run = group.start(experiment_id, policy.run_name, params=params, tags=tags)
            metrics = _metrics(policy_result, now_ms)
            if policy.label in compared:
                metrics += _forward_metrics(compared[policy.label], now_ms)
            client.log_batch(run.info.run_id, metrics=metrics)
            run_ids.append(run.info.run_id)
    return run_ids


def _metrics(result: PolicyReplay, now_ms: int) -> list[MlflowMetric]:
    metrics: list[MlflowMetric] = []
    for step in result.steps:
        per_batch = {
            ReplayMetric.AUC_TEST: step.auc.auc,
            ReplayMetric.AUC_CI_LOW: step.auc.ci_low,
            ReplayMetric.AUC_CI_HIGH: step.auc.ci_high,
            ReplayMetric.RETRAINED: float(step.retrained),
            ReplayMetric.DEPLOYED: float(step.deployed),
        }
        metrics += [MlflowMetric(k, float(v), now_ms, step.batch) for k, v in per_batch.items()]
    summary = {
        ReplayMetric.N_RETRAINS: result.n_retrains,
        ReplayMetric.N_DEPLOYS: result.n_deploys,
        ReplayMetric.MEAN_AUC: result.mean_auc,
        ReplayMetric.WORST_AUC: result.worst_auc,
        ReplayMetric.TRAINING_SECONDS: result.training_seconds,
    }
    metrics += [MlflowMetric(k, float(v), now_ms, 0) for k, v in summary.items()]
    return metrics


def _forward_metrics(comparison: forward.ForwardComparison, now_ms: int) -> list[MlflowMetric]:
    metrics: list[MlflowMetric] = []
    for step in comparison.steps:
        per_step = {
            ReplayMetric.AUC_NEXT: step.auc.auc,
            ReplayMetric.AUC_NEXT_CI_LOW: step.auc.ci_low,
            ReplayMetric.AUC_NEXT_CI_HIGH: step.auc.ci_high,
            ReplayMetric.DELTA_NEXT: step.vs_configured.delta,
            ReplayMetric.DELTA_NEXT_CI_LOW: step.vs_configured.ci_low,
            ReplayMetric.DELTA_NEXT_CI_HIGH: step.vs_configured.ci_high,
        }
        if step.calibration_slope is not None:
            per_step[ReplayMetric.CALIBRATION_SLOPE_NEXT] = step.calibration_slope
        metrics += [MlflowMetric(k, float(v), now_ms, step.step) for k, v in per_step.items()]
    mean = comparison.mean_vs_configured
    summary = {
        ReplayMetric.MEAN_AUC_NEXT: comparison.mean_auc,
        ReplayMetric.MEAN_DELTA_NEXT: mean.mean,
        ReplayMetric.MEAN_DELTA_NEXT_CI_LOW: mean.ci_low,
        ReplayMetric.MEAN_DELTA_NEXT_CI_HIGH: mean.ci_high,
    }
    return metrics + [MlflowMetric(k, float(v), now_ms, 0) for k, v in summary.items()]
