"""Step 4b: train a new model on the rows the configured training policy picks."""

from __future__ import annotations

import pandas as pd
from mlflow import MlflowClient

from pipeline.core import contract
from pipeline.data import features, splits
from pipeline.data.manifest import Manifest
from pipeline.data.splits import BatchData
from pipeline.data.storage import Storage
from pipeline.models import training
from pipeline.models.training import TrainingResult
from pipeline.replay import policies
from pipeline.steps.options import TrainingOptions
from pipeline.tracking import client as tracking


def retrain(
    client: MlflowClient,
    storage: Storage,
    manifest: Manifest,
    batch: BatchData,
    options: TrainingOptions,
) -> TrainingResult:
    """Train a new model on the rows the configured training policy picks (all_data: the
    cumulative data, validated on the initial validation split).

    Earlier batches' training parts are re-split from storage; this batch's comes with ``batch``.
    """
    earlier = splits.earlier_training_parts(storage, manifest, batch.number)
    cumulative = pd.concat([*earlier, batch.train_raw], ignore_index=True)
    storage.write_csv(contract.cumulative_data_key(batch.number), cumulative)
    history = policies.LabelledHistory(
        batch.number,
        manifest.seed,
        features.prepare(earlier[0]),
        features.prepare(storage.read_csv(contract.INITIAL_VALIDATION_KEY)),
        {number: features.prepare(part) for number, part in enumerate(earlier[1:], start=1)}
        | {batch.number: batch.train},
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
        batch.number,
        training_set.train,
        training_set.validation,
        options.settings(manifest),
        manifest.data_sha256,
        weights=training.SampleWeights(training_set.train_weight, training_set.refit_weight),
        policy_params=policy_params,
    )
