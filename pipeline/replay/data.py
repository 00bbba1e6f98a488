"""What a replay reads from storage: the prepared splits and batches, prepared once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from pipeline.core import contract
from pipeline.core.errors import PolicyError
from pipeline.data import features, splits
from pipeline.data.manifest import read_manifest
from pipeline.data.storage import Storage
from pipeline.drift import detection as drift
from pipeline.replay.policies import LabelledHistory


@dataclass(frozen=True)
class ReplayData:
    """Everything a replay reads from storage, prepared once (``features.prepare``)."""

    seed: int
    initial_train: pd.DataFrame
    initial_validation: pd.DataFrame
    initial_test: pd.DataFrame
    batch_train: Mapping[int, pd.DataFrame]
    batch_test: Mapping[int, pd.DataFrame]
    drift_shares: Mapping[int, float]
    drift_threshold: float

    @property
    def batches(self) -> list[int]:
        return sorted(self.batch_test)

    def history(self, batch: int) -> LabelledHistory:
        return LabelledHistory(
            batch,
            self.seed,
            self.initial_train,
            self.initial_validation,
            {n: self.batch_train[n] for n in self.batches if n <= batch},
        )


def load_data(
    storage: Storage,
    *,
    drift_threshold: float = contract.DEFAULT_DRIFT_THRESHOLD,
    drift_shares: Mapping[int, float] | None = None,
) -> ReplayData:
    """Read the prepared splits and batches; drift shares are recomputed unless given."""
    manifest = read_manifest(storage)
    initial_train_raw = storage.read_csv(contract.INITIAL_TRAIN_KEY)
    reference = features.clean(initial_train_raw) if drift_shares is None else None
    batch_train: dict[int, pd.DataFrame] = {}
    batch_test: dict[int, pd.DataFrame] = {}
    shares: dict[int, float] = dict(drift_shares or {})
    for number in manifest.batch_numbers:
        batch = splits.read_batch(storage, manifest, number)
        batch_train[number] = batch.train
        batch_test[number] = batch.test
        if reference is not None:
            shares[number] = drift.detect_drift(
                reference, batch.cleaned, drift_threshold
            ).drift_share
    missing = [n for n in manifest.batch_numbers if n not in shares]
    if missing:
        raise PolicyError(f"no drift share for batch {missing[0]}")
    return ReplayData(
        seed=manifest.seed,
        initial_train=features.prepare(initial_train_raw),
        initial_validation=features.prepare(storage.read_csv(contract.INITIAL_VALIDATION_KEY)),
        initial_test=features.prepare(storage.read_csv(contract.INITIAL_TEST_KEY)),
        batch_train=batch_train,
        batch_test=batch_test,
        drift_shares=shares,
        drift_threshold=drift_threshold,
    )
