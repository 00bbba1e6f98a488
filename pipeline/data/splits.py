"""How a batch is cut for training and testing, and what a model trained after batch N learned from.

The 70/30 split is seeded per batch (``seed + batch``), so every re-run, the replay and the
report see the same rows; the cumulative training data of batch N is the initial training split
plus the training part of batches 1..N, re-split rather than remembered. A batch is read and split
once (``read_batch``) and passed down as a ``BatchData``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
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


@dataclass(frozen=True, eq=False)
class BatchData:
    """One batch read from storage once and passed down: drift check, split, training, gate.

    ``raw`` is the stored batch; its 70/30 split (``split_batch``) is cut once, and each derived
    frame is computed on first use and kept (``cleaned`` for the drift check, ``train`` and
    ``test`` prepared for training and scoring).
    """

    number: int
    raw: pd.DataFrame
    train_raw: pd.DataFrame
    test_raw: pd.DataFrame

    @cached_property
    def cleaned(self) -> pd.DataFrame:
        """The whole batch as the drift check compares it (``features.clean``)."""
        return features.clean(self.raw)

    @cached_property
    def train(self) -> pd.DataFrame:
        return features.prepare(self.train_raw)

    @cached_property
    def test(self) -> pd.DataFrame:
        return features.prepare(self.test_raw)


def read_batch(storage: Storage, manifest: Manifest, batch: int) -> BatchData:
    """Batch ``batch`` as ``prepare`` stored it, split by the manifest's seed."""
    raw = storage.read_csv(contract.batch_data_key(batch))
    train_raw, test_raw = split_batch(raw, manifest.seed, batch)
    return BatchData(batch, raw, train_raw, test_raw)


def earlier_training_parts(storage: Storage, manifest: Manifest, batch: int) -> list[pd.DataFrame]:
    """Raw rows: the initial training split, then each batch's training part before ``batch``."""
    parts = [storage.read_csv(contract.INITIAL_TRAIN_KEY)]
    parts += [read_batch(storage, manifest, earlier).train_raw for earlier in range(1, batch)]
    return parts
