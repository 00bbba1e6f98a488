"""The experiment's orchestration: every step in order, then the default policy replay.

The steps themselves (``prepare``, ``train_initial``, ``capture_baseline``, ``run_batch``) are
``pipeline.steps``; each reads what earlier steps stored (storage + MLflow), so any step can also
run on its own (the CLI's ``experiment prepare`` / ``train-initial`` / ``batch run N``, the
Airflow DAG's tasks). This module runs them in order (``run_all``) and answers "has the whole
experiment run?" (``is_complete``, for ``experiment run --if-missing``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from mlflow import MlflowClient

from pipeline.core.config import DEFAULT_SEED
from pipeline.core.contract import MANIFEST_KEY
from pipeline.data.manifest import Manifest, read_manifest
from pipeline.data.storage import Storage
from pipeline.drift import batches
from pipeline.models import registry
from pipeline.steps import (
    BaselineResult,
    BatchResult,
    InitialOutcome,
    TrainingOptions,
    capture_baseline,
    prepare,
    run_batch,
    train_initial,
)
from pipeline.steps.timing import Timings, timed
from pipeline.tracking import client as tracking
from pipeline.tracking import store as mlflow_store

if TYPE_CHECKING:
    from pipeline.replay.engine import ReplayResult

logger = logging.getLogger(__name__)

FITTING_STEP: Final = "model fitting"  # timings key: seconds inside XGBoost fits


@dataclass(frozen=True)
class ExperimentResult:
    manifest: Manifest
    initial: InitialOutcome
    baseline: BaselineResult
    batches: list[BatchResult]
    timings: Timings
    replay: ReplayResult | None = None


def run_all(
    data_path: str | Path | None,
    tracking_uri: str,
    storage: Storage,
    *,
    seed: int = DEFAULT_SEED,
    batch_size: int = batches.DEFAULT_BATCH_SIZE,
    options: TrainingOptions | None = None,
    on_batch: Callable[[BatchResult], None] | None = None,
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
    outcomes: list[BatchResult] = []
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
    outcomes: list[BatchResult],
    options: TrainingOptions | None,
) -> ReplayResult:
    """The default replay, from what this run already holds: the initial model, drift shares."""
    from pipeline import replay

    model = replay.ScoringModel(
        replay.INITIAL_MODEL_KEY, initial.training.model, initial.training.preprocessor
    )
    return replay.run_replay(
        client,
        storage,
        configured=(options or TrainingOptions()).policy,
        drift_shares={outcome.batch: outcome.drift_share for outcome in outcomes},
        initial=(model, initial.training.params),
    )


def finished_gate_batches(client: MlflowClient) -> set[int]:
    """Batches with a FINISHED quality-gate run, by the report's own reading rules."""
    return set(mlflow_store.gate_results(client))


def is_complete(client: MlflowClient, storage: Storage) -> bool:
    """Prepared storage, a Production model and a finished gate for batch 0 and every batch."""
    if not storage.exists(MANIFEST_KEY):
        return False
    wanted = {0, *read_manifest(storage).batch_numbers}
    return (
        wanted <= finished_gate_batches(client) and registry.production_version(client) is not None
    )
