"""Replay batches 1-5 from storage under each retraining policy, starting from the initial model.

Per batch: would the policy retrain, would the gate deploy, and what AUC (DeLong interval) does
the model that is Production *after* the batch reach on the batch's test split. Per policy: the
number of retrains and deploys, mean and worst AUC, and the seconds spent fitting.

Two modes:
- default (fast): every candidate uses the initial search's best hyper-parameters, early-stopped
  on the policy's validation data, without the refit on train + validation. This is said on
  every run (param ``fixed_hyperparameters``) and on the page.
- ``exact``: the pipeline's own training settings (the seeded search, the refit), which
  reproduces the decisions and AUCs the pipeline logged for the policy it ran.

A candidate depends only on the training policy, its validation choice and the batch, never on
the trigger's history, so candidates are fitted once and shared between policies; each policy is
still charged the seconds its own candidates took. Nothing is written until every policy has
been replayed; the runs are then written together and end FINISHED together (or all FAILED).
"""

from __future__ import annotations

import json
import logging
import math
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

import numpy as np
import pandas as pd
from mlflow import MlflowClient
from mlflow.entities import Metric as MlflowMetric

from pipeline.core import contract
from pipeline.core.contract import Decision, ReplayMetric
from pipeline.core.errors import PolicyError
from pipeline.core.stats import AucEstimate, auc_with_ci, independent_auc_difference
from pipeline.data import features, splits
from pipeline.data.manifest import read_manifest
from pipeline.data.storage import Storage
from pipeline.drift import detection as drift
from pipeline.models import scoring as evaluation
from pipeline.models import training
from pipeline.replay import policies
from pipeline.replay.policies import BatchEvidence, History, Policy
from pipeline.tracking import client as tracking
from pipeline.tracking import store as mlflow_store
from pipeline.tracking.store import RunRecord

logger = logging.getLogger(__name__)

INITIAL_MODEL_KEY: Final = "initial"
CHANCE_AUC: Final = 0.5


@dataclass(frozen=True)
class ReplayData:
    """Everything a replay reads from storage, prepared once (``features.prepare``)."""

    seed: int
    initial_train: pd.DataFrame
    initial_validation: pd.DataFrame
    initial_test: pd.DataFrame
    batch_train: Mapping[int, pd.DataFrame]
    batch_test: Mapping[int, pd.DataFrame]
    drift_shares: Mapping[int, float]
    drift_threshold: float

    @property
    def batches(self) -> list[int]:
        return sorted(self.batch_test)

    def history(self, batch: int) -> History:
        return History(
            batch,
            self.seed,
            self.initial_train,
            self.initial_validation,
            {n: self.batch_train[n] for n in self.batches if n <= batch},
        )


def load_data(
    storage: Storage,
    *,
    drift_threshold: float = contract.DEFAULT_DRIFT_THRESHOLD,
    drift_shares: Mapping[int, float] | None = None,
) -> ReplayData:
    """Read the prepared splits and batches; drift shares are recomputed unless given."""
    manifest = read_manifest(storage)
    initial_train_raw = storage.read_csv(contract.INITIAL_TRAIN_KEY)
    reference = features.clean(initial_train_raw) if drift_shares is None else None
    batch_train: dict[int, pd.DataFrame] = {}
    batch_test: dict[int, pd.DataFrame] = {}
    shares: dict[int, float] = dict(drift_shares or {})
    for number in manifest.batch_numbers:
        raw = storage.read_csv(contract.batch_data_key(number))
        train_part, test_part = splits.split_batch(raw, manifest.seed, number)
        batch_train[number] = features.prepare(train_part)
        batch_test[number] = features.prepare(test_part)
        if reference is not None:
            shares[number] = drift.detect_drift(
                reference, features.clean(raw), drift_threshold
            ).drift_share
    missing = [n for n in manifest.batch_numbers if n not in shares]
    if missing:
        raise PolicyError(f"no drift share for batch {missing[0]}")
    return ReplayData(
        seed=manifest.seed,
        initial_train=features.prepare(initial_train_raw),
        initial_validation=features.prepare(storage.read_csv(contract.INITIAL_VALIDATION_KEY)),
        initial_test=features.prepare(storage.read_csv(contract.INITIAL_TEST_KEY)),
        batch_train=batch_train,
        batch_test=batch_test,
        drift_shares=shares,
        drift_threshold=drift_threshold,
    )


@dataclass(frozen=True)
class ScoringModel:
    key: str
    model: Any = field(repr=False)
    preprocessor: Any = field(repr=False)
    fit_seconds: float = 0.0


@dataclass(frozen=True)
class BatchStep:
    """One batch under one policy."""

    batch: int
    decision: Decision
    retrained: bool
    deployed: bool
    auc: AucEstimate  # Production after the batch, on the batch's test split
    candidate_auc: float | None
    scores: np.ndarray = field(repr=False)  # that model's P(readmitted) on the test split


@dataclass(frozen=True)
class PolicyResult:
    policy: Policy
    steps: list[BatchStep]
    training_seconds: float
    configured: bool

    @property
    def n_retrains(self) -> int:
        return sum(step.retrained for step in self.steps)

    @property
    def n_deploys(self) -> int:
        return sum(step.deployed for step in self.steps)

    @property
    def mean_auc(self) -> float:
        return float(np.mean([step.auc.auc for step in self.steps]))

    @property
    def worst_auc(self) -> float:
        return min(step.auc.auc for step in self.steps)


@dataclass(frozen=True)
class ReplayResult:
    replay_id: str
    seed: int
    fixed_hyperparameters: Mapping[str, float | int] | None  # None: the pipeline's own search
    gate: str
    drift_threshold: float
    results: list[PolicyResult]
    seconds: float
    fit_seconds: float = 0.0
    run_ids: list[str] = field(default_factory=list)


def gate_decision(
    candidate: AucEstimate, production_auc: float, gate: str = contract.REPLAY_GATE_STANDARD
) -> Decision:
    """The pipeline's rule (``rule.decide``); ``above_chance`` also refuses a candidate whose
    whole interval lies below 0.5."""
    from pipeline.gate.rule import decide

    if gate == contract.REPLAY_GATE_ABOVE_CHANCE and candidate.ci_high < CHANCE_AUC:
        return Decision.SKIP
    return decide(candidate.auc - production_auc, has_production=True)


class Replayer:
    """Replays policies over one ``ReplayData``; candidates and scores are cached."""

    def __init__(
        self,
        data: ReplayData,
        initial: ScoringModel,
        settings: training.TrainingSettings,
        *,
        fixed_params: Mapping[str, float | int] | None,
        gate: str = contract.REPLAY_GATE_STANDARD,
    ) -> None:
        if gate not in (contract.REPLAY_GATE_STANDARD, contract.REPLAY_GATE_ABOVE_CHANCE):
            raise PolicyError(f"unknown replay gate {gate!r}")
        self.data = data
        self.initial = initial
        self.settings = settings
        self.fixed_params = fixed_params
        self.gate = gate
        self._candidates: dict[tuple[str, str, int], ScoringModel] = {}
        self._scores: dict[tuple[str, str], np.ndarray] = {}
        self.fit_seconds = 0.0  # XGBoost fits of the distinct candidates

    def candidate(self, policy: Policy, batch: int) -> ScoringModel:
        key = (policy.training_policy, policy.validation, batch)
        if key not in self._candidates:
            chosen = policies.get_training_policy(policy.training_policy)
            training_set = chosen.build(self.data.history(batch), policy.validation)
            start = time.perf_counter()
            result = training.search(
                training_set.train,
                training_set.validation,
                self.settings,
                weights=training.SampleWeights(
                    training_set.train_weight, training_set.refit_weight
                ),
                fixed_params=self.fixed_params,
            )
            seconds = time.perf_counter() - start
            self.fit_seconds += result.fit_seconds
            self._candidates[key] = ScoringModel(
                f"{policy.training_policy}:{policy.validation}:{batch}",
                result.final_model,
                result.final_preprocessor,
                seconds,
            )
            logger.info("replay: %s candidate for batch %d in %.1f s", key[0], batch, seconds)
        return self._candidates[key]

    def scores(self, model: ScoringModel, where: str, frame: pd.DataFrame) -> np.ndarray:
        key = (model.key, where)
        if key not in self._scores:
            inputs, _ = features.split_xy(frame)
            encoded = features.transform(model.preprocessor, inputs)
            self._scores[key] = evaluation.positive_probability(model.model, encoded)
        return self._scores[key]

    def estimate(self, model: ScoringModel, where: str, frame: pd.DataFrame) -> AucEstimate:
        y_true = frame[features.TARGET].to_numpy(dtype=np.int64)
        return auc_with_ci(y_true, self.scores(model, where, frame))

    def evidence(
        self, production: ScoringModel, batch: int, needs_performance: bool
    ) -> BatchEvidence:
        shift = None
        if needs_performance:
            here = self.estimate(production, f"train_{batch}", self.data.batch_train[batch])
            reference = self.estimate(production, "initial_test", self.data.initial_test)
            shift = independent_auc_difference(here, reference)
        return BatchEvidence(batch, self.data.drift_shares[batch], self.data.drift_threshold, shift)

    def run(self, policy: Policy, *, configured: bool = False) -> PolicyResult:
        trigger = policies.get_trigger(policy.trigger)
        production = self.initial
        steps: list[BatchStep] = []
        seconds = 0.0
        for batch in self.data.batches:
            test = self.data.batch_test[batch]
            where = f"test_{batch}"
            evidence = self.evidence(production, batch, trigger.needs_performance)
            decision, candidate_auc = Decision.SKIP_NO_DRIFT, None
            if trigger.fires(evidence):
                candidate = self.candidate(policy, batch)
                seconds += candidate.fit_seconds
                new = self.estimate(candidate, where, test)
                candidate_auc = new.auc
                decision = gate_decision(new, self.estimate(production, where, test).auc, self.gate)
                if decision in contract.DEPLOYED_DECISIONS:
                    production = candidate
            steps.append(
                BatchStep(
                    batch,
                    decision,
                    retrained=decision in contract.RETRAINED_DECISIONS,
                    deployed=decision in contract.DEPLOYED_DECISIONS,
                    auc=self.estimate(production, where, test),
                    candidate_auc=candidate_auc,
                    scores=self.scores(production, where, test),
                )
            )
        return PolicyResult(policy, steps, seconds, configured)


def replay(
    data: ReplayData,
    initial: ScoringModel,
    chosen: Sequence[Policy],
    *,
    settings: training.TrainingSettings,
    fixed_params: Mapping[str, float | int] | None,
    configured: Policy = policies.CONFIGURED_POLICY,
    gate: str = contract.REPLAY_GATE_STANDARD,
    on_policy: Callable[[PolicyResult], None] | None = None,
) -> ReplayResult:
    """Replay every chosen policy (pure computation: nothing is written)."""
    policies.check_unique(chosen)
    start = time.perf_counter()
    replayer = Replayer(data, initial, settings, fixed_params=fixed_params, gate=gate)
    results = []
    for policy in chosen:
        result = replayer.run(policy, configured=policy == configured)
        results.append(result)
        if on_policy is not None:
            on_policy(result)
    return ReplayResult(
        replay_id=uuid.uuid4().hex,
        seed=data.seed,
        fixed_hyperparameters=fixed_params,
        gate=gate,
        drift_threshold=data.drift_threshold,
        results=results,
        seconds=time.perf_counter() - start,
        fit_seconds=replayer.fit_seconds,
    )


def with_configured(chosen: Sequence[Policy], configured: Policy) -> list[Policy]:
    """The chosen policies, with the configured one in place of its namesake (or added)."""
    if configured in chosen:
        return list(chosen)
    names = [policy.run_name for policy in chosen]
    if configured.run_name in names:
        return [configured if p.run_name == configured.run_name else p for p in chosen]
    return [*chosen, configured]


def fast_settings(seed: int) -> training.TrainingSettings:
    """The default replay's training: one fit per candidate, early-stopped, no refit."""
    return training.TrainingSettings(seed=seed, n_trials=1, refit_on_validation=False)


def fixed_params_text(fixed: Mapping[str, float | int] | None) -> str:
    """The ``fixed_hyperparameters`` param: the values as JSON, or ``False``."""
    return "False" if fixed is None else json.dumps(dict(fixed), sort_keys=True)


def log_replay(client: MlflowClient, result: ReplayResult) -> list[str]:
    """One run per policy, sharing ``replay_id``; all end FINISHED together (or all FAILED)."""
    experiment_id = tracking.ensure_experiment(client, contract.POLICY_REPLAY_EXPERIMENT)
    now_ms = int(time.time() * 1000)
    run_ids: list[str] = []
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
                contract.Param.REPLAY_GATE: result.gate,
            }
            if policy.training_policy == policies.RecentWeighted.name:
                params[contract.Param.NEWEST_BATCH_WEIGHT] = policies.NEWEST_BATCH_WEIGHT
            tags = {contract.Tag.REPLAY_ID: result.replay_id}
            if policy_result.configured:
                tags[contract.Tag.CONFIGURED] = contract.Tag.TRUE
            run = group.start(experiment_id, policy.run_name, params=params, tags=tags)
            client.log_batch(run.info.run_id, metrics=_metrics(policy_result, now_ms))
            run_ids.append(run.info.run_id)
    return run_ids


def _metrics(result: PolicyResult, now_ms: int) -> list[MlflowMetric]:
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


# --- Against a store ------------------------------------------------------------------------
def best_params(run_params: Mapping[str, str]) -> dict[str, float | int]:
    """The search's best hyper-parameters as the training run logged them (``best_*``)."""
    params: dict[str, float | int] = {}
    for name, values in training.SEARCH_SPACE.items():
        text = run_params.get(f"{training.BEST_PARAM_PREFIX}{name}")
        if text is None:
            raise PolicyError(f"the initial training run has no {training.BEST_PARAM_PREFIX}{name}")
        params[name] = int(text) if isinstance(values[0], int) else float(text)
    return params


def initial_model_from_store(client: MlflowClient) -> tuple[ScoringModel, dict[str, float | int]]:
    """The initial model (the never-retrained model the gate scores: `initial_model`'s rule) and
    its search's best hyper-parameters."""
    from pipeline.evidence import initial_model
    from pipeline.models import registry

    version = initial_model.initial_version(client)
    if version is None or not version.run_id:
        raise PolicyError(
            "the store has no model trained on batch 0 — run `healthpredict train-initial`"
        )
    model, preprocessor = registry.load_scoring_pair(client, version)
    params = client.get_run(version.run_id).data.params
    return ScoringModel(INITIAL_MODEL_KEY, model, preprocessor), best_params(params)


@dataclass(frozen=True)
class Fidelity:
    """An exact replay of the policy that ran, against the quality-gate runs it logged."""

    batches: int
    decision_mismatches: list[str]
    max_auc_difference: float

    @property
    def reproduced(self) -> bool:
        return not self.decision_mismatches and self.max_auc_difference <= 1e-6


def compare_with_pipeline(client: MlflowClient, result: PolicyResult) -> Fidelity:
    """Per batch: the logged decision, and the AUC of the model Production after it
    (``new_auc_test`` when deployed, else ``prod_auc_test``), against the replay's."""
    training_id = mlflow_store.experiment_id(client, contract.TRAINING_EXPERIMENT)
    gates = [] if training_id is None else mlflow_store.search_gate_runs(client, training_id)
    by_batch: dict[int, list[RunRecord]] = {}
    for run in gates:
        number = mlflow_store.parse_batch_number(run.params.get(contract.Param.BATCH_NUMBER))
        if (
            run.status == mlflow_store.FINISHED
            and mlflow_store.is_gate_run(run)
            and number is not None
        ):
            by_batch.setdefault(number, []).append(run)
    mismatches: list[str] = []
    worst = 0.0
    for step in result.steps:
        logged = max(by_batch.get(step.batch, []), key=mlflow_store.recency, default=None)
        if logged is None:
            mismatches.append(f"batch {step.batch}: no finished quality-gate run")
            continue
        decision = logged.tags.get(contract.Tag.DECISION)
        if decision != str(step.decision):
            mismatches.append(f"batch {step.batch}: logged {decision}, replayed {step.decision}")
        deployed = decision in {str(d) for d in contract.DEPLOYED_DECISIONS}
        name = contract.new_metric("auc") if deployed else contract.prod_metric("auc")
        worst = max(worst, abs(logged.metrics.get(name, math.inf) - step.auc.auc))
    return Fidelity(len(result.steps), mismatches, worst)


def run_replay(
    client: MlflowClient,
    storage: Storage,
    chosen: Sequence[Policy] | None = None,
    *,
    exact_settings: training.TrainingSettings | None = None,
    configured: Policy = policies.CONFIGURED_POLICY,
    gate: str = contract.REPLAY_GATE_STANDARD,
    drift_threshold: float = contract.DEFAULT_DRIFT_THRESHOLD,
    drift_shares: Mapping[int, float] | None = None,
    initial: tuple[ScoringModel, Mapping[str, float | int]] | None = None,
    on_policy: Callable[[PolicyResult], None] | None = None,
    seed: int | None = None,
) -> ReplayResult:
    """Replay from storage, starting from the initial model, and log the runs.

    ``exact_settings`` replays with the pipeline's own search (``--exact``); otherwise the
    initial search's best hyper-parameters are fixed. ``initial`` and ``drift_shares`` skip
    reading what the caller already holds (``experiment run`` passes them). ``seed`` (default:
    the prepared seed) seeds the candidates' fits and the newest batch's held-out rows.
    """
    if chosen is None:  # the default set, with the configured policy among them
        chosen = with_configured(policies.DEFAULT_REPLAY, configured)
    data = load_data(storage, drift_threshold=drift_threshold, drift_shares=drift_shares)
    if seed is not None:
        data = replace(data, seed=seed)
    model, best = initial if initial is not None else initial_model_from_store(client)
    result = replay(
        data,
        model,
        chosen,
        settings=exact_settings or fast_settings(data.seed),
        fixed_params=None if exact_settings is not None else best,
        configured=configured,
        gate=gate,
        on_policy=on_policy,
    )
    return replace(result, run_ids=log_replay(client, result))
