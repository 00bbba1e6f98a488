"""How a batch is cut for training and testing, and what a model trained after batch N learned from.

The 70/30 split is seeded per batch (``seed + batch``), so every re-run, the replay and the
report see the same rows; the cumulative training data of batch N is the initial training split
plus the training part of batches 1..N, re-split rather than remembered.
"""

from __future__ import annotations

from typing import Final

import pandas as pd
from sklearn.model_selection import train_test_split

from pipeline.core import contract
from pipeline.data import features
from pipeline.data.manifest import Manifest
from pipeline.data.storage import Storage

BATCH_TEST_FRACTION: Final = 0.30


def split_batch(
    batch_raw: pd.DataFrame, seed: int, batch: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """70/30 split stratified on the outcome, seeded per batch: the same rows on every re-run."""
    readmitted = features.outcome(batch_raw)
    train_part, test_part = train_test_split(
        batch_raw,
        test_size=BATCH_TEST_FRACTION,
        stratify=readmitted,
        random_state=seed + batch,
    )
    return train_part.reset_index(drop=True), test_part.reset_index(drop=True)


def cumulative_training_data(storage: Storage, manifest: Manifest, batch: int) -> pd.DataFrame:
    """Initial train rows plus the training part of every batch up to and including ``batch``."""
    return pd.concat(training_parts(storage, manifest, batch), ignore_index=True)


def training_parts(storage: Storage, manifest: Manifest, batch: int) -> list[pd.DataFrame]:
    """Raw rows: the initial training split, then each batch's training part up to ``batch``."""
    parts = [storage.read_csv(contract.INITIAL_TRAIN_KEY)]
    for earlier in range(1, batch + 1):
        batch_raw = storage.read_csv(contract.batch_data_key(earlier))
        parts.append(split_batch(batch_raw, manifest.seed, earlier)[0])
    return parts
