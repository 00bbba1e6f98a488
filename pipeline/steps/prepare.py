"""Step 1: split the raw table, cut the batches and store it all with a manifest."""

from __future__ import annotations

import logging
from pathlib import Path

from pipeline.core import contract
from pipeline.core.config import DEFAULT_SEED
from pipeline.data import raw as data
from pipeline.data.manifest import BatchInfo, Manifest
from pipeline.data.storage import Storage
from pipeline.drift import batches

logger = logging.getLogger(__name__)


def prepare(
    data_path: str | Path | None,
    storage: Storage,
    seed: int = DEFAULT_SEED,
    batch_size: int = batches.DEFAULT_BATCH_SIZE,
) -> Manifest:
    """Split the raw table, cut the batches and store it all (raw rows) with a manifest."""
    raw = data.load_raw(data_path)
    split = data.split_initial(raw.frame, seed)
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
    storage.write_csv(contract.MANIFEST_KEY, manifest.to_frame())
    logger.info(
        "prepared %d batches of %d rows in %s (data sha256 %s)",
        len(made),
        batch_size,
        storage.describe(),
        raw.sha256[:12],
    )
    return manifest
