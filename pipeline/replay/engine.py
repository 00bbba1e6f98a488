"""The replay engine: batches 1-5 under each retraining policy, starting from the initial model.

Per batch: would the policy retrain, would the gate deploy, and what AUC (DeLong interval) does
the model that is Production *after* the batch reach on the batch's test split. Per policy: the
number of retrains and deploys, mean and worst AUC, and the seconds spent fitting.

Forward in time, which is what a deployed policy meets: the model in Production *before* batch N
(after batch N-1; the initial model before batch 1) on batch N's test split, with its scores and
the split's labels, so that ``pipeline.replay.forward`` can pair every policy with the configured
one on the same rows. The same-batch score above lets a model trained on a batch's training half
be judged on that batch's test half, which flatters retraining; the forward score does not.

Two modes:
- default (fast): every new model uses the initial search's best hyper-parameters, early-stopped
  on the policy's validation data, without the refit on train + validation. This is said on
  every run (param ``fixed_hyperparameters``) and on the page.
- ``exact``: the pipeline's own training settings (the seeded search, the refit), which
  reproduces the decisions and AUCs the pipeline logged for the policy it ran.

A new model depends only on the training policy, its validation choice and the batch, never on
the trigger's history, so new models are fitted once and shared between policies; each policy is
still charged the seconds its own new models took. Nothing here writes: ``replay`` computes,
``pipeline.replay.runs`` logs, ``pipeline.replay.fidelity`` checks an exact replay against the
pipeline's own gate runs, and ``pipeline.replay.run`` does all three against a store.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from pipeline.core import contract, stats
from pipeline.core.contract import Decision
from pipeline.core.errors import PolicyError
from pipeline.core.stats import (
    AucDifference,
    AucEstimate,
    auc_with_ci,
    independent_auc_difference,
    paired_auc_difference,
)
from pipeline.data import features
from pipeline.evidence import cbpe
from pipeline.gate.rule import (
    decide,
    decide_with_rule,
    deploys,
    non_inferiority,
    production_after,
)
from pipeline.models import scoring as evaluation
from pipeline.models import training
from pipeline.replay import policies
from pipeline.replay.data import ReplayData
from pipeline.replay.policies import BatchEvidence, Policy

logger = logging.getLogger(__name__)

INITIAL_MODEL_KEY: Final = "initial"


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
    new_auc: float | None  # the new model trained on this batch (None: none was trained)
    scores: np.ndarray = field(repr=False)  # that model's P(readmitted) on the test split
    # Forward: Production *before* this batch on this batch's test split (None: not recorded).
    forward: AucEstimate | None = None
    forward_scores: np.ndarray | None = field(default=None, repr=False)
    labels: np.ndarray | None = field(default=None, repr=False)  # the test split's outcomes


@dataclass(frozen=True)
class PolicyReplay:
    """One policy replayed over the batches: a ``BatchStep`` per batch, and its summary."""

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

    @property
    def mean_auc_next(self) -> float | None:
        """Mean forward AUC: Production after batch N on batch N+1, N = 0..last-1."""
        forward = [step.forward.auc for step in self.steps if step.forward is not None]
        if not forward or len(forward) < len(self.steps):
            return None
        return float(np.mean(forward))


@dataclass(frozen=True)
class ReplayResult:
    replay_id: str
    seed: int
    fixed_hyperparameters: Mapping[str, float | int] | None  # None: the pipeline's own search
    gate: str
    drift_threshold: float
    results: list[PolicyReplay]
    seconds: float
    fit_seconds: float = 0.0
    run_ids: list[str] = field(default_factory=list)


def gate_decision(
    new: AucEstimate,
    production_auc: float,
    gate: str = contract.REPLAY_GATE_STANDARD,
    difference: AucDifference | None = None,
) -> Decision:
    """The pipeline's rule (``rule.decide``); ``above_chance`` also refuses a new model whose
    whole interval lies below 0.5 (``stats.worse_than_chance``); ``strict`` is the pipeline's
    ``--gate strict`` (``rule.decide_with_rule``) on the paired ``difference`` new - prod."""
    if gate == contract.REPLAY_GATE_ABOVE_CHANCE and stats.worse_than_chance(new.ci_high):
        return Decision.SKIP
    if gate == contract.REPLAY_GATE_STRICT:
        if difference is None:
            raise PolicyError("the strict gate needs the paired difference new - Production")
        return decide_with_rule(
            contract.GATE_RULE_STRICT,
            new.auc - production_auc,
            verdict=non_inferiority(difference.ci_low, difference.ci_high),
            new_ci_low=new.ci_low,
        )
    return decide(new.auc - production_auc, has_production=True)


class Replayer:
    """Replays policies over one ``ReplayData``; new models and scores are cached."""

    def __init__(
        self,
        data: ReplayData,
        initial: ScoringModel,
        settings: training.TrainingSettings,
        *,
        fixed_params: Mapping[str, float | int] | None,
        gate: str = contract.REPLAY_GATE_STANDARD,
    ) -> None:
        if gate not in policies.REPLAY_GATES:
            raise PolicyError(f"unknown replay gate {gate!r}")
        self.data = data
        self.initial = initial
        self.settings = settings
        self.fixed_params = fixed_params
        self.gate = gate
        self._new_models: dict[tuple[str, str, int], ScoringModel] = {}
        self._scores: dict[tuple[str, str], np.ndarray] = {}
        self._calibrators: dict[str, cbpe.Calibrator] = {}
        self.fit_seconds = 0.0  # XGBoost fits of the distinct new models

    def new_model(self, policy: Policy, batch: int) -> ScoringModel:
        """The model the policy trains on batch ``batch`` (fitted once, shared by triggers)."""
        key = (policy.training_policy, policy.validation, batch)
        if key not in self._new_models:
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
            self._new_models[key] = ScoringModel(
                f"{policy.training_policy}:{policy.validation}:{batch}",
                result.final_model,
                result.final_preprocessor,
                seconds,
            )
            logger.info("replay: %s new model for batch %d in %.1f s", key[0], batch, seconds)
        return self._new_models[key]

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
        self,
        production: ScoringModel,
        batch: int,
        needs_performance: bool,
        needs_estimate: bool = False,
    ) -> BatchEvidence:
        shift = estimated_shift = None
        if needs_performance:
            here = self.estimate(production, f"train_{batch}", self.data.batch_train[batch])
            reference = self.estimate(production, "initial_test", self.data.initial_test)
            shift = independent_auc_difference(here, reference)
        if needs_estimate:
            estimated_shift = self.estimated_shift(production, batch)
        return BatchEvidence(
            batch,
            self.data.drift_shares[batch],
            self.data.drift_threshold,
            shift,
            estimated_shift,
        )

    def estimated_shift(self, production: ScoringModel, batch: int) -> AucDifference:
        """Production's AUC on the batch's training rows estimated from its scores alone (CBPE,
        calibrated on ``initial_test``), minus its realised AUC on ``initial_test``."""
        if production.key not in self._calibrators:
            reference = self.data.initial_test
            self._calibrators[production.key] = cbpe.fit_calibrator(
                reference[features.TARGET].to_numpy(dtype=np.int64),
                self.scores(production, "initial_test", reference),
            )
        scores = self.scores(production, f"train_{batch}", self.data.batch_train[batch])
        estimated = cbpe.estimate_auc(self._calibrators[production.key], scores)
        reference_auc = self.estimate(production, "initial_test", self.data.initial_test).auc
        return AucDifference(
            delta=estimated.estimate - reference_auc,
            ci_low=estimated.ci_low - reference_auc,
            ci_high=estimated.ci_high - reference_auc,
            p_value=float("nan"),
            variance=float("nan"),
        )

    def run(self, policy: Policy, *, configured: bool = False) -> PolicyReplay:
        trigger = policies.get_trigger(policy.trigger)
        production = self.initial
        steps: list[BatchStep] = []
        seconds = 0.0
        for batch in self.data.batches:
            test = self.data.batch_test[batch]
            where = f"test_{batch}"
            forward = self.estimate(production, where, test)  # decided before this batch
            forward_scores = self.scores(production, where, test)
            evidence = self.evidence(
                production, batch, trigger.needs_performance, trigger.needs_estimate
            )
            decision, new_auc = Decision.SKIP_NO_DRIFT, None
            if trigger.fires(evidence):
                new_model = self.new_model(policy, batch)
                seconds += new_model.fit_seconds
                new = self.estimate(new_model, where, test)
                new_auc = new.auc
                gate = policy.gate or self.gate
                difference = (
                    paired_auc_difference(
                        test[features.TARGET].to_numpy(dtype=np.int64),
                        self.scores(new_model, where, test),
                        self.scores(production, where, test),
                    )
                    if gate == contract.REPLAY_GATE_STRICT
                    else None
                )
                decision = gate_decision(
                    new, self.estimate(production, where, test).auc, gate, difference
                )
                production = production_after(decision, production, new_model)
            steps.append(
                BatchStep(
                    batch,
                    decision,
                    retrained=decision in contract.RETRAINED_DECISIONS,
                    deployed=deploys(decision),
                    auc=self.estimate(production, where, test),
                    new_auc=new_auc,
                    scores=self.scores(production, where, test),
                    forward=forward,
                    forward_scores=forward_scores,
                    labels=test[features.TARGET].to_numpy(dtype=np.int64),
                )
            )
        return PolicyReplay(policy, steps, seconds, configured)


def replay(
    data: ReplayData,
    initial: ScoringModel,
    chosen: Sequence[Policy],
    *,
    settings: training.TrainingSettings,
    fixed_params: Mapping[str, float | int] | None,
    configured: Policy = policies.CONFIGURED_POLICY,
    gate: str = contract.REPLAY_GATE_STANDARD,
    on_policy: Callable[[PolicyReplay], None] | None = None,
) -> ReplayResult:
    """Replay every chosen policy (pure computation: nothing is written)."""
    replayer = Replayer(data, initial, settings, fixed_params=fixed_params, gate=gate)
    return replay_on(replayer, chosen, configured=configured, on_policy=on_policy)


def replay_on(
    replayer: Replayer,
    chosen: Sequence[Policy],
    *,
    configured: Policy = policies.CONFIGURED_POLICY,
    on_policy: Callable[[PolicyReplay], None] | None = None,
) -> ReplayResult:
    """Replay the chosen policies on a ``Replayer``, whose fitted models and scores carry over
    between calls (the DAG's mapped tasks share one per worker process)."""
    policies.check_unique(chosen)
    start = time.perf_counter()
    fit_before = replayer.fit_seconds
    results = []
    for policy in chosen:
        result = replayer.run(policy, configured=policy == configured)
        results.append(result)
        if on_policy is not None:
            on_policy(result)
    return ReplayResult(
        replay_id=uuid.uuid4().hex,
        seed=replayer.data.seed,
        fixed_hyperparameters=replayer.fixed_params,
        gate=replayer.gate,
        drift_threshold=replayer.data.drift_threshold,
        results=results,
        seconds=time.perf_counter() - start,
        fit_seconds=replayer.fit_seconds - fit_before,
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
    """The default replay's training: one fit per new model, early-stopped, no refit."""
    return training.TrainingSettings(seed=seed, n_trials=1, refit_on_validation=False)
