"""Which patients are held out for testing: one role per patient, for the whole experiment.

``patient_nbr`` repeats (about 30% of encounters belong to a patient seen before), so a split by
encounter puts the same patient in a model's training data and in the test set it is scored on.
Here every patient gets one role per seed: ``TEST_PATIENT_SHARE`` of the patients are *test
patients*, whose encounters only ever appear in test sets (``initial_test`` and each batch's test
split); every other patient's encounters only ever appear in training or validation data. No test
row's patient can then reach the training data of any model scored on it, whichever batches that
model learned from (the initial model, a retrained candidate, a replayed policy).

The role is a seeded hash of the patient number (pandas' ``hash_array``, SipHash with a key made
from the seed), not a draw from one table: batches are split one at a time, by different processes
and long after ``prepare``, and each must give a patient the same role without a stored list.
scikit-learn's ``GroupShuffleSplit`` splits one frame at a time, so it cannot give that guarantee.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

PATIENT_COLUMN: Final = "patient_nbr"
TEST_PATIENT_SHARE: Final = 0.30
_BUCKETS: Final = 1_000_000


def _hash_key(seed: int) -> str:
    """pandas wants a 16-character key; each seed gets its own."""
    return f"hp{seed % 10**14:014d}"


def is_test_patient(patient_nbr: pd.Series, seed: int) -> np.ndarray:
    """True where the row's patient is a test patient under ``seed`` (same answer in every call)."""
    numbers = pd.to_numeric(patient_nbr, errors="coerce").astype("Int64")  # 12 and 12.0 alike
    ids = numbers.astype("string").fillna("").to_numpy(dtype=object)
    hashes = pd.util.hash_array(ids, hash_key=_hash_key(seed), categorize=True)
    return (hashes % _BUCKETS) < int(TEST_PATIENT_SHARE * _BUCKETS)


def split_by_patient(raw: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(training-side rows, test rows) of ``raw``, each in its original order."""
    test = is_test_patient(raw[PATIENT_COLUMN], seed)
    return raw.loc[~test].reset_index(drop=True), raw.loc[test].reset_index(drop=True)


def overlap_share(test_raw: pd.DataFrame, training_raw: list[pd.DataFrame]) -> float:
    """Share of ``test_raw``'s rows whose patient appears in any of ``training_raw``."""
    if len(test_raw) == 0:
        return 0.0
    seen = pd.concat([part[PATIENT_COLUMN] for part in training_raw], ignore_index=True)
    return float(test_raw[PATIENT_COLUMN].isin(seen).mean())
