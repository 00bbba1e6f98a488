"""How a batch is cut for training and testing, and what a model trained after batch N learned from.

A batch's test part is its test patients' rows (``patients``: about 30% of the patients, the same
ones in every batch and in ``initial_test``), so every re-run, the replay and the report see the
same rows and no test row's patient is in any model's training data. The cumulative training data
of batch N is the initial training split plus the training part of batches 1..N, re-split rather
than remembered. A batch is read and split once (``read_batch``) and passed down as a
``BatchData``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from pipeline.core import contract
from pipeline.data import features, patients
from pipeline.data.manifest import Manifest
from pipeline.data.storage import Storage


def split_batch(batch_raw: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(training part, test part): the test patients' rows are the test part (``patients``)."""
    return patients.split_by_patient(batch_raw, seed)


@dataclass(frozen=True, eq=False)
class BatchData:
    """One batch read from storage once and passed down: drift check, split, training, gate.

    ``raw`` is the stored batch; its patient split (``split_batch``) is cut once, and each derived
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
    train_raw, test_raw = split_batch(raw, manifest.seed)
    return BatchData(batch, raw, train_raw, test_raw)


def earlier_training_parts(storage: Storage, manifest: Manifest, batch: int) -> list[pd.DataFrame]:
    """Raw rows: the initial training split, then each batch's training part before ``batch``."""
    parts = [storage.read_csv(contract.INITIAL_TRAIN_KEY)]
    parts += [read_batch(storage, manifest, earlier).train_raw for earlier in range(1, batch)]
    return parts


def training_side_parts(storage: Storage, manifest: Manifest, batch: int) -> list[pd.DataFrame]:
    """Every raw row a model scored on batch ``batch`` may have learned from or been validated on:
    ``initial_train``, ``initial_validation`` and the training part of batches 1..``batch``."""
    parts = [
        storage.read_csv(contract.INITIAL_TRAIN_KEY),
        storage.read_csv(contract.INITIAL_VALIDATION_KEY),
    ]
    parts += [read_batch(storage, manifest, earlier).train_raw for earlier in range(1, batch + 1)]
    return parts


def measured_patient_overlap(storage: Storage, manifest: Manifest, data: BatchData) -> float:
    """Share of the batch's test rows whose patient is in ``training_side_parts`` (0 by design)."""
    parts = [*training_side_parts(storage, manifest, data.number - 1), data.train_raw]
    return patients.overlap_share(data.test_raw, parts)
