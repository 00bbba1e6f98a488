"""Step 2: train the initial model on the initial split, register it and make it Production."""

from __future__ import annotations

from mlflow import MlflowClient

from pipeline.core import contract
from pipeline.data import features
from pipeline.data.manifest import read_manifest
from pipeline.data.storage import Storage
from pipeline.models import registry, training
from pipeline.steps.options import TrainingOptions
from pipeline.steps.outcomes import InitialOutcome
from pipeline.tracking import client as tracking


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
