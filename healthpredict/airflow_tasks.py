"""What the Airflow DAG's tasks do (``dags/health_predict_continuous_improvement.py``).

Each function opens the store and the storage from the DAG's params and calls one public step,
the same one the command line calls (a batch's tasks: the stages ``run_batch`` runs in order,
``pipeline.steps.batch_drift``, ``retrain``, ``gate_production_only`` / ``gate_candidate``);
what it returns is plain JSON, for XCom. No rule of the experiment is written here. Nothing here
imports Airflow: the DAG file wires these functions into tasks, and tests can call them as is.

Retry-safe by the DAG run's id: every result run an Airflow task writes carries the tag
``airflow_dag_run_id`` (``pipeline.tracking.client.orchestrator_tags``). A task that finds its
step's FINISHED run already written under this DAG run returns that record instead of writing a
second one, so a task cleared and re-run, or killed and retried, leaves the story it would have
left uninterrupted: the killed attempt's RUNNING run is marked KILLED by the next run of the same
step (``kill_abandoned_runs``), and a deploy whose gate run finished before its promotion is
promoted first (``finish_pending_promotion``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

import numpy as np
from mlflow import MlflowClient

from pipeline import steps
from pipeline.core import config, contract
from pipeline.core.contract import Decision, TriggerReason
from pipeline.core.errors import HealthPredictError
from pipeline.core.stats import AucEstimate
from pipeline.data import raw as data
from pipeline.data.manifest import read_manifest
from pipeline.data.storage import Storage, open_storage
from pipeline.drift import batches
from pipeline.evidence import initial_model
from pipeline.models import registry, training
from pipeline.replay import (
    BatchStep,
    PolicyReplay,
    Replayer,
    ReplayResult,
    default_policies,
    log_replay,
    policies,
)
from pipeline.replay.engine import replay_on
from pipeline.replay.policies import Policy
from pipeline.replay.run import store_replayer
from pipeline.steps import TrainingOptions
from pipeline.tracking import client as tracking
from pipeline.tracking import store as mlflow_store
from pipeline.tracking.store import RunRecord

logger = logging.getLogger(__name__)

REPORT_FILE: Final = "report.html"
Json = dict[str, Any]


@dataclass(frozen=True)
class DagParams:
    """The DAG's params; ``None`` means the command line's default (environment, state folder)."""

    data: str | None = None
    tracking_uri: str | None = None
    storage: str | None = None
    s3_endpoint_url: str | None = None
    seed: int = config.DEFAULT_SEED
    batch_size: int = batches.DEFAULT_BATCH_SIZE
    hpo_trials: int = training.DEFAULT_N_TRIALS
    refit_on_validation: bool = True
    gate: str = contract.REPLAY_GATE_STANDARD
    policies: Sequence[str] | None = None

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> DagParams:
        # An empty text field in the trigger form means "the default", as a missing one does.
        known: dict[str, Any] = {
            name: params[name]
            for name in cls.__dataclass_fields__
            if name in params and params[name] != ""
        }
        return cls(**known)

    @property
    def options(self) -> TrainingOptions:
        return TrainingOptions(
            n_trials=self.hpo_trials, refit_on_validation=self.refit_on_validation
        )

    def uri(self) -> str:
        return config.check_tracking_uri(self.tracking_uri or config.default_tracking_uri())

    def client(self) -> MlflowClient:
        return tracking.configure(self.uri())

    def open_storage(self) -> Storage:
        return open_storage(
            self.storage or config.default_storage(), s3_endpoint_url=self.s3_endpoint_url
        )


def dag_run_id() -> str | None:
    return tracking.orchestrator_tags().get(contract.Tag.AIRFLOW_DAG_RUN_ID)


def recorded(client: MlflowClient, experiment: str, run_name: str) -> RunRecord | None:
    """The latest FINISHED run called ``run_name`` that this DAG run already wrote, if any."""
    run_id = dag_run_id()
    experiment_id = mlflow_store.experiment_id(client, experiment)
    if run_id is None or experiment_id is None:
        return None
    query = (
        f"attributes.run_name = '{run_name}' and attributes.status = '{mlflow_store.FINISHED}' "
        f"and tags.{contract.Tag.AIRFLOW_DAG_RUN_ID} = '{run_id}'"
    )
    found = list(mlflow_store.search_runs(client, experiment_id, query))
    if found:
        logger.info("%s already written by DAG run %s: reusing it", run_name, run_id)
    return max(found, key=mlflow_store.recency, default=None)


# --- Tasks: each calls the step (or the batch stage) the command line calls -----------------
def run_prepare(params: Mapping[str, Any], expected_batches: Sequence[int]) -> Json:
    """Prepare the data; refuses a preparation whose batches are not the DAG's."""
    chosen = DagParams.of(params)
    storage = chosen.open_storage()
    manifest = steps.prepare(data.locate(chosen.data), storage, chosen.seed, chosen.batch_size)
    if list(manifest.batch_numbers) != list(expected_batches):
        raise HealthPredictError(
            f"the data was cut into batches {list(manifest.batch_numbers)} but the DAG runs "
            f"{list(expected_batches)}: update BATCHES in the DAG file"
        )
    return {"seed": manifest.seed, "batches": list(manifest.batch_numbers)}


def run_train_initial(params: Mapping[str, Any]) -> Json:
    chosen = DagParams.of(params)
    client = chosen.client()
    done = recorded(client, contract.TRAINING_EXPERIMENT, contract.training_run_name(0))
    if done is not None:  # a retry: the run is trained, maybe not yet registered and promoted
        return {"model_version": steps.deploy_initial(client, done.run_id), "run_id": done.run_id}
    outcome = steps.train_initial(client, chosen.open_storage(), chosen.options)
    return {"model_version": outcome.model_version, "run_id": outcome.training.run_id}


def run_capture_baseline(params: Mapping[str, Any]) -> Json:
    chosen = DagParams.of(params)
    done = recorded(
        chosen.client(), contract.TRAINING_EXPERIMENT, contract.quality_gate_run_name(0)
    )
    if done is not None:
        return {"gate_run_id": done.run_id}
    result = steps.capture_baseline(chosen.uri(), chosen.open_storage())
    return {"gate_run_id": result.quality_gate_run_id, "auc": result.auc}


def run_check_drift(params: Mapping[str, Any], batch: int) -> Json:
    """The batch's first stage (``steps.batch_drift``): drift check and test split."""
    chosen = DagParams.of(params)
    client, storage = chosen.client(), chosen.open_storage()
    done = recorded(client, contract.DRIFT_EXPERIMENT, contract.drift_run_name(batch))
    if done is not None:
        return {
            "batch": batch,
            "retrain": mlflow_store.is_true(done.tags.get(contract.Tag.RETRAIN_TRIGGERED)),
            "trigger": done.tags.get(contract.Tag.TRIGGER_REASON, TriggerReason.NONE),
            "drift_share": done.metrics[contract.Metric.DRIFT_SHARE],
        }
    report = steps.batch_drift(client, storage, read_manifest(storage), batch).report
    return {
        "batch": batch,
        "retrain": report.retrain,
        "trigger": str(report.trigger),
        "drift_share": report.drift_share,
    }


def run_retrain(params: Mapping[str, Any], drift: Mapping[str, Any]) -> Json:
    chosen = DagParams.of(params)
    client, storage, batch = chosen.client(), chosen.open_storage(), int(drift["batch"])
    done = recorded(client, contract.TRAINING_EXPERIMENT, contract.training_run_name(batch))
    if done is not None:
        return {"batch": batch, "training_run_id": done.run_id}
    manifest = read_manifest(storage)
    batch_data = steps.read_batch(storage, manifest, batch)
    result = steps.retrain(client, storage, manifest, batch_data, chosen.options)
    return {"batch": batch, "training_run_id": result.run_id}


def run_gate(
    params: Mapping[str, Any], drift: Mapping[str, Any], training_run_id: str | None = None
) -> Json:
    """The batch's gate stage: ``steps.gate_production_only`` without a candidate, else
    ``steps.gate_candidate`` with the one the ``retrain`` task logged."""
    chosen = DagParams.of(params)
    client, storage, batch = chosen.client(), chosen.open_storage(), int(drift["batch"])
    steps.finish_pending_promotion(client)  # a retry of a gate killed before it promoted
    done = recorded(client, contract.TRAINING_EXPERIMENT, contract.quality_gate_run_name(batch))
    if done is not None:
        return {"batch": batch, "decision": done.tags.get(contract.Tag.DECISION)}
    batch_data = steps.read_batch(storage, read_manifest(storage), batch)
    trigger = TriggerReason(drift["trigger"])
    if training_run_id is None:
        outcome = steps.gate_production_only(client, storage, batch_data, trigger)
    else:
        candidate = registry.load_candidate(client, training_run_id, batch)
        outcome = steps.gate_candidate(client, storage, batch_data, candidate, trigger)
    return {"batch": batch, "decision": str(outcome.record.decision), "run_id": outcome.run_id}


# --- The policy replay: one mapped task per policy, then one task records them all ----------
def replay_plan(params: Mapping[str, Any], drifts: Sequence[Mapping[str, Any]]) -> list[Json]:
    """One entry per policy to replay, each with the batches' drift shares."""
    chosen = DagParams.of(params)
    if chosen.policies is None:
        wanted = default_policies(chosen.options.policy)
    else:
        wanted = [Policy.parse(text) for text in chosen.policies]
    policies.check_unique(wanted)
    shares = {str(d["batch"]): float(d["drift_share"]) for d in drifts}
    return [{"policy": policy.label, "drift_shares": shares} for policy in wanted]


def run_replay_policy(params: Mapping[str, Any], plan: Mapping[str, Any]) -> Json:
    """Replay one policy as ``healthpredict replay`` would, logging nothing (``record_replay``
    logs them all as one replay)."""
    chosen = DagParams.of(params)
    shares = {int(batch): float(share) for batch, share in plan["drift_shares"].items()}
    replayer = shared_replayer(chosen, shares)
    result = replay_on(replayer, [Policy.parse(plan["policy"])], configured=chosen.options.policy)
    return {
        "seed": result.seed,
        "fixed_hyperparameters": dict(result.fixed_hyperparameters or {}),
        "drift_threshold": result.drift_threshold,
        "seconds": result.seconds,
        "fit_seconds": result.fit_seconds,
        "result": _policy_json(result.results[0]),
    }


# One replayer per store, prepared data, initial model, gate and drift shares, per worker
# process: mapped tasks that run in one process (``airflow dags test``, a LocalExecutor slot)
# load the data and the initial model once and share the new models they fit, as
# ``experiment run`` does; under a scheduler with one process per task the cache simply misses.
_REPLAYERS: dict[tuple[Any, ...], Replayer] = {}
_REPLAYERS_KEPT: Final = 2


def shared_replayer(chosen: DagParams, shares: Mapping[int, float]) -> Replayer:
    client, storage = chosen.client(), chosen.open_storage()
    version = initial_model.initial_version(client)
    key = (
        chosen.uri(),
        storage.describe(),
        read_manifest(storage),
        version.run_id if version is not None else None,
        chosen.gate,
        tuple(sorted(shares.items())),
    )
    if key not in _REPLAYERS:
        while len(_REPLAYERS) >= _REPLAYERS_KEPT:
            _REPLAYERS.pop(next(iter(_REPLAYERS)))
        _REPLAYERS[key] = store_replayer(client, storage, gate=chosen.gate, drift_shares=shares)
    return _REPLAYERS[key]


def record_replay(params: Mapping[str, Any], replayed: Sequence[Mapping[str, Any]]) -> Json:
    """Log the replayed policies as one replay (one ``replay_id``), then export the report."""
    chosen = DagParams.of(params)
    client = chosen.client()
    first = replayed[0]
    result = ReplayResult(
        replay_id=uuid.uuid4().hex,
        seed=int(first["seed"]),
        fixed_hyperparameters=first["fixed_hyperparameters"],
        gate=chosen.gate,
        drift_threshold=float(first["drift_threshold"]),
        results=[_policy_from_json(item["result"]) for item in replayed],
        seconds=sum(float(item["seconds"]) for item in replayed),
        fit_seconds=sum(float(item["fit_seconds"]) for item in replayed),
    )
    names = [policy.policy.run_name for policy in result.results]
    if not all(recorded(client, contract.POLICY_REPLAY_EXPERIMENT, name) for name in names):
        result = replace(result, run_ids=log_replay(client, result))
    return {"policies": len(names), "report": str(export_report(chosen.uri()))}


def export_report(tracking_uri: str) -> Path:
    """The report as one HTML file in the state folder (``healthpredict report export``)."""
    from backend.export_files import write_report
    from backend.settings import load_settings

    out = config.state_dir() / REPORT_FILE
    write_report(load_settings(tracking_uri=tracking_uri), out)
    return out


def _policy_json(result: PolicyReplay) -> Json:
    return {
        "policy": result.policy.label,
        "configured": result.configured,
        "training_seconds": result.training_seconds,
        "steps": [
            {
                "batch": step.batch,
                "decision": str(step.decision),
                "retrained": step.retrained,
                "deployed": step.deployed,
                "auc": list(_estimate(step.auc)),
                "new_auc": step.new_auc,
                # forward in time, so record_replay can pair the policies on the same rows
                "forward": None if step.forward is None else list(_estimate(step.forward)),
                "forward_scores": _floats(step.forward_scores),
                "labels": None if step.labels is None else [int(y) for y in step.labels],
            }
            for step in result.steps
        ],
    }


def _policy_from_json(item: Mapping[str, Any]) -> PolicyReplay:
    batch_steps = [
        BatchStep(
            batch=int(step["batch"]),
            decision=Decision(step["decision"]),
            retrained=bool(step["retrained"]),
            deployed=bool(step["deployed"]),
            auc=AucEstimate(*(float(value) for value in step["auc"])),
            new_auc=step["new_auc"],
            scores=np.empty(0),
            forward=None if step.get("forward") is None else AucEstimate(*step["forward"]),
            forward_scores=_array(step.get("forward_scores"), np.float64),
            labels=_array(step.get("labels"), np.int64),
        )
        for step in item["steps"]
    ]
    return PolicyReplay(
        Policy.parse(item["policy"]),
        batch_steps,
        float(item["training_seconds"]),
        bool(item["configured"]),
    )


def _estimate(estimate: AucEstimate) -> tuple[float, float, float, float]:
    return estimate.auc, estimate.ci_low, estimate.ci_high, estimate.variance


def _floats(values: np.ndarray | None) -> list[float] | None:
    return None if values is None else [float(value) for value in values]


def _array(values: Sequence[float] | None, dtype: type) -> np.ndarray | None:
    return None if values is None else np.asarray(values, dtype=dtype)
