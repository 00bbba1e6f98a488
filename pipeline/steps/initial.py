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
from pipeline.tracking import store as mlflow_store


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
    return InitialOutcome(result, deploy_initial(client, result.run_id))


def deploy_initial(client: MlflowClient, run_id: str) -> str:
    """Register the initial model's run and make it Production; returns its version.

    A run already registered (a retried step whose first attempt got that far) keeps its
    version, promoted only when nothing is Production yet, so later deploys stay Production.
    """
    registered = [v for v in mlflow_store.registry_versions(client) if v.run_id == run_id]
    if registered:
        if registry.production_version(client) is None:
            registry.promote(client, registered[0].version)
        return str(registered[0].version)
    version = registry.register(client, run_id)
    registry.promote(client, version)
    return str(version.version)
