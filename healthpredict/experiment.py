"""The experiment step by step: prepare, train the initial model, capture the baseline, batches.

Each step is a small function that reads what earlier steps stored (storage + MLflow), so any step
can be re-run on its own from the CLI. Everything a batch needs is derived deterministically from
the stored batch CSVs and the prepared seed, so ``batch run 4`` works without batches 1-3 having
run in this process (their training parts are re-split, not remembered).

The prepared data carries a manifest (``pipeline.data.manifest``): one row per batch with its
profile and size, and the seed and data sha256 of the preparation; it is what refuses a batch
outside the prepared range or a batch run before ``prepare``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

import pandas as pd
from mlflow import MlflowClient

from pipeline.core import contract
from pipeline.core.config import DEFAULT_SEED
from pipeline.core.contract import Decision
from pipeline.data import features, splits
from pipeline.data import raw as data
from pipeline.data.manifest import MANIFEST_KEY, BatchInfo, Manifest, read_manifest
from pipeline.data.storage import Storage
from pipeline.drift import batches, chance
from pipeline.drift import detection as drift
from pipeline.drift.detection import DriftReport
from pipeline.evidence import initial_model
from pipeline.gate import runs
from pipeline.gate import steps as gate
from pipeline.gate.steps import GateOutcome
from pipeline.models import registry, training
from pipeline.models.training import TrainingResult, TrainingSettings
from pipeline.replay import policies
from pipeline.tracking import client as tracking
from pipeline.tracking import lease
from pipeline.tracking import store as mlflow_store

if TYPE_CHECKING:
    from pipeline.gate.baseline_result import BaselineResult
    from pipeline.replay.engine import ReplayResult

logger = logging.getLogger(__name__)

FITTING_STEP: Final = "model fitting"  # timings key: seconds inside XGBoost fits

Timings = dict[str, float]


@dataclass(frozen=True)
class TrainingOptions:
    """What the user may choose about training; the seed always comes from the manifest."""

    n_trials: int = training.DEFAULT_N_TRIALS
    refit_on_validation: bool = True
    training_policy: str = policies.CONFIGURED_POLICY.training_policy
    validation_data: str = policies.CONFIGURED_POLICY.validation

    @property
    def policy(self) -> policies.Policy:
        """The policy the pipeline runs: the drift trigger with this training policy."""
        return policies.Policy(
            policies.CONFIGURED_POLICY.trigger, self.training_policy, self.validation_data
        )

    def settings(self, manifest: Manifest) -> TrainingSettings:
        return TrainingSettings(
            seed=manifest.seed,
            n_trials=self.n_trials,
            refit_on_validation=self.refit_on_validation,
        )


# --- Outcomes -------------------------------------------------------------------------------
@dataclass(frozen=True)
class InitialOutcome:
    training: TrainingResult
    model_version: str


@dataclass(frozen=True)
class BatchOutcome:
    """One batch's drift check and gate, as the CLI table and the tests see it."""

    batch: int
    profile: str
    drift_share: float
    n_drifted_columns: int
    n_total_columns: int
    retrained: bool
    decision: Decision
    prod_auc: float | None
    new_auc: float | None
    auc_improvement: float | None
    model_version: str | None
    drift_run_id: str
    gate_run_id: str
    training_run_id: str | None
    timings: Timings = field(default_factory=dict)
    fit_seconds: float = 0.0  # XGBoost fits of this batch's candidate


@dataclass(frozen=True)
class ExperimentResult:
    manifest: Manifest
    initial: InitialOutcome
    baseline: BaselineResult
    batches: list[BatchOutcome]
    timings: Timings
    replay: ReplayResult | None = None


@contextmanager
def timed(step: str, timings: Timings) -> Iterator[None]:
    """Record a step's wall time and log it, so slow steps show in the CLI output."""
    logger.info("%s ...", step)
    start = time.perf_counter()
    yield
    timings[step] = time.perf_counter() - start
    logger.info("%s done in %.1f s", step, timings[step])


# --- Steps ----------------------------------------------------------------------------------
def prepare(
    data_path: str | Path | None,
    storage: Storage,
    seed: int = DEFAULT_SEED,
    batch_size: int = batches.DEFAULT_BATCH_SIZE,
) -> Manifest:
    """Split the raw table, cut the batches and store it all (raw rows) with a manifest."""
    raw = data.load_raw(data_path)
    split = data.split_initial(raw.frame)
    data.check_outcomes(split)
    made = batches.make_batches(split.future, split.train, seed=seed, size=batch_size)
    for key, frame in (
        (contract.INITIAL_TRAIN_KEY, split.train),
        (contract.INITIAL_VALIDATION_KEY, split.validation),
        (contract.INITIAL_TEST_KEY, split.test),
        (contract.FUTURE_DATA_KEY, split.future),
    ):
        storage.write_csv(key, frame)
    for batch in made:
        storage.write_csv(contract.batch_data_key(batch.number), batch.frame)
    manifest = Manifest(
        seed=seed,
        data_sha256=raw.sha256,
        batch_size=batch_size,
        batches=tuple(BatchInfo(b.number, b.profile, b.description, len(b.frame)) for b in made),
    )
    # Written last: its presence means every file above is in place.
    storage.write_csv(MANIFEST_KEY, manifest.to_frame())
    logger.info(
        "prepared %d batches of %d rows in %s (data sha256 %s)",
        len(made),
        batch_size,
        storage.describe(),
        raw.sha256[:12],
    )
    return manifest


def train_initial(
    client: MlflowClient, storage: Storage, options: TrainingOptions
) -> InitialOutcome:
    """Train on the initial split, register it and make it Production (batch 0's model)."""
    manifest = read_manifest(storage)
    settings = options.settings(manifest)
    experiment_id = tracking.ensure_experiment(client, contract.TRAINING_EXPERIMENT)
    result = training.train(
        client,
        experiment_id,
        0,
        features.prepare(storage.read_csv(contract.INITIAL_TRAIN_KEY)),
        features.prepare(storage.read_csv(contract.INITIAL_VALIDATION_KEY)),
        settings,
        manifest.data_sha256,
    )
    version = registry.register(client, result.run_id)
    registry.promote(client, version)
    return InitialOutcome(result, str(version.version))


def check_drift(
    client: MlflowClient,
    storage: Storage,
    manifest: Manifest,
    batch: int,
    batch_raw: pd.DataFrame,
    *,
    threshold: float,
    force_retrain: bool,
) -> tuple[DriftReport, str]:
    """Batch vs initial train (both cleaned); logged as ``drift_batch_N`` once computed."""
    reference_raw = storage.read_csv(contract.INITIAL_TRAIN_KEY)
    report = drift.detect_drift(
        features.clean(reference_raw),
        features.clean(batch_raw),
        threshold,
        force_retrain=force_retrain,
    )
    band = chance.chance_band(
        storage, chance.NullSampling(manifest.data_sha256, manifest.seed, len(batch_raw))
    )
    experiment_id = tracking.ensure_experiment(client, contract.DRIFT_EXPERIMENT)
    info = manifest.info(batch)
    record = runs.DriftRun.from_report(
        batch,
        report,
        {
            contract.Param.REFERENCE_DATA: storage.uri(contract.INITIAL_TRAIN_KEY),
            contract.Param.NEW_DATA: storage.uri(contract.batch_data_key(batch)),
            contract.Param.DATA_SHA256: manifest.data_sha256,
            contract.Param.BATCH_PROFILE: info.profile,
            contract.Param.BATCH_DESCRIPTION: info.description,
        },
        band,
    )
    with tracking.result_runs(client) as group:
        run_id = runs.write_drift_run(group, experiment_id, record)
    logger.info(
        "batch %d drift: %d of %d columns drifted (share %.2f, threshold %.2f)%s",
        batch,
        report.n_drifted_columns,
        report.n_total_columns,
        report.drift_share,
        threshold,
        f" — retraining ({report.trigger})" if report.retrain else "",
    )
    return report, run_id


def retrain(
    client: MlflowClient,
    storage: Storage,
    manifest: Manifest,
    batch: int,
    options: TrainingOptions,
) -> TrainingResult:
    """Train a candidate on the rows the configured training policy picks (all_data: the
    cumulative data, validated on the initial validation split)."""
    parts = splits.training_parts(storage, manifest, batch)
    storage.write_csv(contract.cumulative_data_key(batch), pd.concat(parts, ignore_index=True))
    history = policies.History(
        batch,
        manifest.seed,
        features.prepare(parts[0]),
        features.prepare(storage.read_csv(contract.INITIAL_VALIDATION_KEY)),
        {number: features.prepare(part) for number, part in enumerate(parts[1:], start=1)},
    )
    chosen = policies.get_training_policy(options.training_policy)
    training_set = chosen.build(history, policies.check_validation(options.validation_data))
    policy_params: dict[str, object] = {
        contract.Param.TRAINING_POLICY: chosen.name,
        contract.Param.VALIDATION_DATA: options.validation_data,
    }
    if training_set.newest_batch_weight is not None:
        policy_params[contract.Param.NEWEST_BATCH_WEIGHT] = training_set.newest_batch_weight
    experiment_id = tracking.ensure_experiment(client, contract.TRAINING_EXPERIMENT)
    return training.train(
        client,
        experiment_id,
        batch,
        training_set.train,
        training_set.validation,
        options.settings(manifest),
        manifest.data_sha256,
        weights=training.SampleWeights(training_set.train_weight, training_set.refit_weight),
        policy_params=policy_params,
    )


@lease.one_writer(lambda client, storage, batch, **_: f"batch {batch}")
def run_batch(
    client: MlflowClient,
    storage: Storage,
    batch: int,
    *,
    force_retrain: bool = False,
    options: TrainingOptions | None = None,
    drift_threshold: float = contract.DEFAULT_DRIFT_THRESHOLD,
) -> BatchOutcome:
    """Drift check, test split, retraining when drift (or the user) asks for it, quality gate."""
    manifest = read_manifest(storage)
    info = manifest.info(batch)
    timings: Timings = {}
    gate.finish_pending_promotion(
        client, tracking.ensure_experiment(client, contract.TRAINING_EXPERIMENT)
    )
    with timed(f"batch {batch} drift", timings):
        batch_raw = storage.read_csv(contract.batch_data_key(batch))
        report, drift_run_id = check_drift(
            client,
            storage,
            manifest,
            batch,
            batch_raw,
            threshold=drift_threshold,
            force_retrain=force_retrain,
        )
        test_raw = splits.split_batch(batch_raw, manifest.seed, batch)[1]
        storage.write_csv(contract.batch_test_key(batch), test_raw)
    candidate: TrainingResult | None = None
    if report.retrain:
        with timed(f"batch {batch} training", timings):
            candidate = retrain(client, storage, manifest, batch, options or TrainingOptions())
    with timed(f"batch {batch} gate", timings):
        context = initial_model.gate_context(
            client, storage, drift_detected=report.trigger is contract.TriggerReason.DRIFT
        )
        outcome = _gate(client, batch, features.prepare(test_raw), candidate, context)
    gated = outcome.record
    scored_new = gated.candidate or gated.production  # new_* mirror prod_* without a candidate
    return BatchOutcome(
        batch=batch,
        profile=info.profile,
        drift_share=report.drift_share,
        n_drifted_columns=report.n_drifted_columns,
        n_total_columns=report.n_total_columns,
        retrained=candidate is not None,
        decision=gated.decision,
        prod_auc=None if gated.production is None else gated.production.auc,
        new_auc=None if scored_new is None else scored_new.auc,
        auc_improvement=gated.auc_improvement,
        model_version=gated.model_version,
        drift_run_id=drift_run_id,
        gate_run_id=outcome.run_id,
        training_run_id=None if candidate is None else candidate.run_id,
        timings=timings,
        fit_seconds=0.0 if candidate is None else candidate.fit_seconds,
    )


def _gate(
    client: MlflowClient,
    batch: int,
    test_prepared: pd.DataFrame,
    candidate: TrainingResult | None,
    context: initial_model.GateContext | None,
) -> GateOutcome:
    experiment_id = tracking.ensure_experiment(client, contract.TRAINING_EXPERIMENT)
    if candidate is None:
        return gate.run_no_drift_gate(client, experiment_id, batch, test_prepared, context)
    return gate.run_retrain_gate(client, experiment_id, batch, test_prepared, candidate, context)


def capture_baseline(tracking_uri: str, storage: Storage) -> BaselineResult:
    """Batch 0 through the baseline package (the same capture the API's button runs)."""
    from baseline.capture import capture_baseline as capture

    return capture(tracking_uri, storage)


def run_all(
    data_path: str | Path | None,
    tracking_uri: str,
    storage: Storage,
    *,
    seed: int = DEFAULT_SEED,
    batch_size: int = batches.DEFAULT_BATCH_SIZE,
    options: TrainingOptions | None = None,
    on_batch: Callable[[BatchOutcome], None] | None = None,
    replay: bool = True,
) -> ExperimentResult:
    """The whole experiment: prepare, initial model, baseline (batch 0), every batch in order,
    then (unless ``replay`` is off) the default policy replay."""
    client = tracking.configure(tracking_uri)
    timings: Timings = {}
    start = time.perf_counter()
    with timed("prepare", timings):
        manifest = prepare(data_path, storage, seed, batch_size)
    with timed("train-initial", timings):
        initial = train_initial(client, storage, options or TrainingOptions())
    with timed("baseline", timings):
        baseline_outcome = capture_baseline(tracking_uri, storage)
    outcomes: list[BatchOutcome] = []
    for number in manifest.batch_numbers:
        with timed(f"batch {number}", timings):
            outcome = run_batch(client, storage, number, options=options)
        outcomes.append(outcome)
        if on_batch is not None:
            on_batch(outcome)
    replayed = None
    if replay:
        with timed("replay", timings):
            replayed = _replay_defaults(client, storage, initial, outcomes, options)
    timings["total"] = time.perf_counter() - start
    fitting = initial.training.fit_seconds + sum(outcome.fit_seconds for outcome in outcomes)
    timings[FITTING_STEP] = fitting + (replayed.fit_seconds if replayed is not None else 0.0)
    logger.info(
        "%s: %.1f s of %.1f s (everything else %.1f s)",
        FITTING_STEP,
        timings[FITTING_STEP],
        timings["total"],
        timings["total"] - timings[FITTING_STEP],
    )
    return ExperimentResult(manifest, initial, baseline_outcome, outcomes, timings, replayed)


def _replay_defaults(
    client: MlflowClient,
    storage: Storage,
    initial: InitialOutcome,
    outcomes: list[BatchOutcome],
    options: TrainingOptions | None,
) -> ReplayResult:
    """The default replay, from what this run already holds: the initial model, drift shares."""
    from pipeline.replay import engine as policy_replay

    model = policy_replay.ScoringModel(
        policy_replay.INITIAL_MODEL_KEY, initial.training.model, initial.training.preprocessor
    )
    return policy_replay.run_replay(
        client,
        storage,
        configured=(options or TrainingOptions()).policy,
        drift_shares={outcome.batch: outcome.drift_share for outcome in outcomes},
        initial=(model, initial.training.params),
    )


def finished_gate_batches(client: MlflowClient) -> set[int]:
    """Batches with a FINISHED quality-gate run, by the report's own reading rules."""
    experiment_id = mlflow_store.experiment_id(client, contract.TRAINING_EXPERIMENT)
    if experiment_id is None:
        return set()
    return mlflow_store.finished_gate_batches(mlflow_store.search_gate_runs(client, experiment_id))


def is_complete(client: MlflowClient, storage: Storage) -> bool:
    """Prepared storage, a Production model and a finished gate for batch 0 and every batch."""
    if not storage.exists(MANIFEST_KEY):
        return False
    wanted = {0, *read_manifest(storage).batch_numbers}
    return (
        wanted <= finished_gate_batches(client) and registry.production_version(client) is not None
    )
