"""What the Airflow DAG's tasks do (``dags/health_predict_continuous_improvement.py``).

Each function opens the store and the storage from the DAG's params and calls one public step,
the same one the command line calls; what it returns is plain JSON, for XCom. Nothing here
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
import tempfile
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

import joblib
import mlflow.xgboost
import numpy as np
from mlflow import MlflowClient

# --- The steps: the one import block the integrator repoints (pipeline.steps, replay split) ---
from healthpredict.experiment import (
    TrainingOptions,
    capture_baseline,
    check_drift,
    prepare,
    retrain,
    train_initial,
)

# --- End of the steps -----------------------------------------------------------------------
from pipeline.core import config, contract
from pipeline.core.contract import Decision, TriggerReason
from pipeline.core.errors import HealthPredictError
from pipeline.core.stats import AucEstimate
from pipeline.data import features, splits
from pipeline.data import raw as data
from pipeline.data.manifest import read_manifest
from pipeline.data.storage import Storage, open_storage
from pipeline.drift import batches
from pipeline.evidence import initial_model
from pipeline.gate import steps as gate
from pipeline.models import registry, training
from pipeline.models.training import TrainingResult
from pipeline.replay import policies
from pipeline.replay.engine import (
    BatchStep,
    PolicyResult,
    ReplayResult,
    fast_settings,
    initial_model_from_store,
    load_data,
    log_replay,
    replay,
    with_configured,
)
from pipeline.replay.policies import Policy
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


# --- Tasks ----------------------------------------------------------------------------------
def run_prepare(params: Mapping[str, Any], expected_batches: Sequence[int]) -> Json:
    """Prepare the data; refuses a preparation whose batches are not the DAG's."""
    chosen = DagParams.of(params)
    storage = chosen.open_storage()
    manifest = prepare(data.locate(chosen.data), storage, chosen.seed, chosen.batch_size)
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
    if done is not None:
        versions = [v for v in mlflow_store.registry_versions(client) if v.run_id == done.run_id]
        if versions:
            if registry.production_version(client) is None:
                registry.promote(client, versions[0].version)
            return {"model_version": str(versions[0].version), "run_id": done.run_id}
        version = registry.register(client, done.run_id)  # killed before it was registered
        registry.promote(client, version)
        return {"model_version": str(version.version), "run_id": done.run_id}
    outcome = train_initial(client, chosen.open_storage(), chosen.options)
    return {"model_version": outcome.model_version, "run_id": outcome.training.run_id}


def run_capture_baseline(params: Mapping[str, Any]) -> Json:
    chosen = DagParams.of(params)
    done = recorded(
        chosen.client(), contract.TRAINING_EXPERIMENT, contract.quality_gate_run_name(0)
    )
    if done is not None:
        return {"gate_run_id": done.run_id}
    result = capture_baseline(chosen.uri(), chosen.open_storage())
    return {"gate_run_id": result.quality_gate_run_id, "auc": result.auc}


def run_check_drift(params: Mapping[str, Any], batch: int) -> Json:
    """Drift check of one batch, and its test split written for the gate (as ``run_batch``)."""
    chosen = DagParams.of(params)
    client, storage = chosen.client(), chosen.open_storage()
    gate.finish_pending_promotion(
        client, tracking.ensure_experiment(client, contract.TRAINING_EXPERIMENT)
    )
    manifest = read_manifest(storage)
    batch_raw = storage.read_csv(contract.batch_data_key(batch))
    storage.write_csv(
        contract.batch_test_key(batch), splits.split_batch(batch_raw, manifest.seed, batch)[1]
    )
    done = recorded(client, contract.DRIFT_EXPERIMENT, contract.drift_run_name(batch))
    if done is not None:
        return {
            "batch": batch,
            "retrain": mlflow_store.is_true(done.tags.get(contract.Tag.RETRAIN_TRIGGERED)),
            "trigger": done.tags.get(contract.Tag.TRIGGER_REASON, TriggerReason.NONE),
            "drift_share": done.metrics[contract.Metric.DRIFT_SHARE],
        }
    report, _ = check_drift(
        client,
        storage,
        manifest,
        batch,
        batch_raw,
        threshold=contract.DEFAULT_DRIFT_THRESHOLD,
        force_retrain=False,
    )
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
    result = retrain(client, storage, read_manifest(storage), batch, chosen.options)
    return {"batch": batch, "training_run_id": result.run_id}


def run_gate(
    params: Mapping[str, Any], drift: Mapping[str, Any], training_run_id: str | None = None
) -> Json:
    """``evaluate_production_only`` (no candidate) or ``compare_against_production``."""
    chosen = DagParams.of(params)
    client, storage, batch = chosen.client(), chosen.open_storage(), int(drift["batch"])
    experiment_id = tracking.ensure_experiment(client, contract.TRAINING_EXPERIMENT)
    gate.finish_pending_promotion(client, experiment_id)
    done = recorded(client, contract.TRAINING_EXPERIMENT, contract.quality_gate_run_name(batch))
    if done is not None:
        return {"batch": batch, "decision": done.tags.get(contract.Tag.DECISION)}
    context = initial_model.gate_context(
        client, storage, drift_detected=drift["trigger"] == TriggerReason.DRIFT
    )
    test = features.prepare(storage.read_csv(contract.batch_test_key(batch)))
    if training_run_id is None:
        outcome = gate.run_no_drift_gate(client, experiment_id, batch, test, context)
    else:
        candidate = load_candidate(client, training_run_id, batch)
        outcome = gate.run_retrain_gate(client, experiment_id, batch, test, candidate, context)
    return {"batch": batch, "decision": str(outcome.record.decision), "run_id": outcome.run_id}


def load_candidate(client: MlflowClient, run_id: str, batch: int) -> TrainingResult:
    """The candidate the ``retrain`` task logged: its model and preprocessor, from its run."""
    tracking.point_fluent_api_at(client)
    model = mlflow.xgboost.load_model(f"runs:/{run_id}/{contract.MODEL_ARTIFACT_PATH}")
    with tempfile.TemporaryDirectory(prefix="healthpredict-candidate-") as folder:
        local = client.download_artifacts(run_id, contract.PREPROCESSOR_ARTIFACT, folder)
        preprocessor = joblib.load(local)
    features.check_model_fits(model, preprocessor)
    run = client.get_run(run_id).data
    return TrainingResult(
        run_id=run_id,
        batch=batch,
        model=model,
        preprocessor=preprocessor,
        params={},
        validation_auc=float(run.metrics.get(training.VALIDATION_AUC_METRIC, np.nan)),
        n_train_rows=int(run.params.get(training.N_TRAIN_ROWS_PARAM, 0)),
        trial_run_ids=[],
    )


# --- The policy replay: one mapped task per policy, then one task records them all ----------
def replay_plan(params: Mapping[str, Any], drifts: Sequence[Mapping[str, Any]]) -> list[Json]:
    """One entry per policy to replay, each with the batches' drift shares."""
    chosen = DagParams.of(params)
    configured = chosen.options.policy
    if chosen.policies is None:
        wanted = with_configured(policies.DEFAULT_REPLAY, configured)
    else:
        wanted = [Policy.parse(text) for text in chosen.policies]
    policies.check_unique(wanted)
    shares = {str(d["batch"]): float(d["drift_share"]) for d in drifts}
    return [{"policy": policy.label, "drift_shares": shares} for policy in wanted]


def run_replay_policy(params: Mapping[str, Any], plan: Mapping[str, Any]) -> Json:
    """Replay one policy (pure computation: nothing is written)."""
    chosen = DagParams.of(params)
    client, storage = chosen.client(), chosen.open_storage()
    shares = {int(batch): share for batch, share in plan["drift_shares"].items()}
    dataset = load_data(storage, drift_shares=shares)
    model, best = initial_model_from_store(client)
    policy = Policy.parse(plan["policy"])
    result = replay(
        dataset,
        model,
        [policy],
        settings=fast_settings(dataset.seed),
        fixed_params=best,
        configured=chosen.options.policy,
        gate=chosen.gate,
    )
    return {
        "seed": result.seed,
        "fixed_hyperparameters": dict(best),
        "drift_threshold": result.drift_threshold,
        "seconds": result.seconds,
        "fit_seconds": result.fit_seconds,
        "result": _policy_json(result.results[0]),
    }


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


def _policy_json(result: PolicyResult) -> Json:
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
                "auc": [step.auc.auc, step.auc.ci_low, step.auc.ci_high, step.auc.variance],
                "candidate_auc": step.candidate_auc,
            }
            for step in result.steps
        ],
    }


def _policy_from_json(item: Mapping[str, Any]) -> PolicyResult:
    steps = [
        BatchStep(
            batch=int(step["batch"]),
            decision=Decision(step["decision"]),
            retrained=bool(step["retrained"]),
            deployed=bool(step["deployed"]),
            auc=AucEstimate(*(float(value) for value in step["auc"])),
            candidate_auc=step["candidate_auc"],
            scores=np.empty(0),
        )
        for step in item["steps"]
    ]
    return PolicyResult(
        Policy.parse(item["policy"]),
        steps,
        float(item["training_seconds"]),
        bool(item["configured"]),
    )
