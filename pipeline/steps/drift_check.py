"""Step 4a: a batch's drift check against the initial training split (run ``drift_batch_N``)."""

from __future__ import annotations

import logging

from mlflow import MlflowClient

from pipeline.core import contract
from pipeline.data import features
from pipeline.data.manifest import Manifest
from pipeline.data.splits import BatchData
from pipeline.data.storage import Storage
from pipeline.drift import chance
from pipeline.drift import detection as drift
from pipeline.drift.detection import DriftReport
from pipeline.gate import runs
from pipeline.tracking import client as tracking

logger = logging.getLogger(__name__)


def check_drift(
    client: MlflowClient,
    storage: Storage,
    manifest: Manifest,
    batch: BatchData,
    *,
    threshold: float,
    force_retrain: bool,
) -> tuple[DriftReport, str]:
    """Batch vs initial train (both cleaned); logged as ``drift_batch_N`` once computed."""
    report = drift.detect_drift(
        features.clean(storage.read_csv(contract.INITIAL_TRAIN_KEY)),
        batch.cleaned,
        threshold,
        force_retrain=force_retrain,
    )
    band = chance.chance_band(
        storage, chance.NullSampling(manifest.data_sha256, manifest.seed, len(batch.raw))
    )
    experiment_id = tracking.ensure_experiment(client, contract.DRIFT_EXPERIMENT)
    info = manifest.info(batch.number)
    record = runs.DriftRun.from_report(
        batch.number,
        report,
        {
            contract.Param.REFERENCE_DATA: storage.uri(contract.INITIAL_TRAIN_KEY),
            contract.Param.NEW_DATA: storage.uri(contract.batch_data_key(batch.number)),
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
        batch.number,
        report.n_drifted_columns,
        report.n_total_columns,
        report.drift_share,
        threshold,
        f" — retraining ({report.trigger})" if report.retrain else "",
    )
    return report, run_id
