"""Drift expected by chance: held-out reference samples through the batches' own detector."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.core import contract
from pipeline.core.errors import DataError
from pipeline.data import features
from pipeline.data.storage import LocalStorage
from pipeline.drift import chance
from pipeline.drift import detection as drift
from pipeline.drift.chance import NullSampling
from tests.support.synthetic import as_read_from_csv, raw_encounters


def with_excluded_dispositions(raw: pd.DataFrame) -> pd.DataFrame:
    """Every 7th encounter ended in death (disposition 11): ``features.clean`` drops those."""
    out = raw.copy()
    out.loc[out.index % 7 == 0, "discharge_disposition_id"] = "11"
    return out


@pytest.fixture(scope="module")
def held_out_raw() -> pd.DataFrame:
    return as_read_from_csv(with_excluded_dispositions(raw_encounters(600, seed=21)))


def test_a_sample_cleaned_from_the_whole_equals_cleaning_the_sample(held_out_raw):
    cleaned = chance.cleaned_with_positions(held_out_raw)
    rng = np.random.default_rng(4)
    for _ in range(3):
        rows = rng.choice(len(held_out_raw), size=200, replace=False)
        direct = features.clean(held_out_raw.iloc[np.sort(rows)].reset_index(drop=True))
        pd.testing.assert_frame_equal(chance.clean_sample(cleaned, rows), direct)
        assert len(direct) < 200  # the deaths were dropped, as in a real batch


def test_shares_are_the_detectors_own_on_seeded_samples(held_out_raw):
    reference_raw = as_read_from_csv(raw_encounters(800, seed=22))
    sampling = NullSampling("sha", seed=5, rows=200, samples=4)
    shares = chance.null_drift_shares(reference_raw, held_out_raw, sampling)
    # The same draws, each cleaned on its own and checked by detect_drift: the same shares.
    rng = np.random.default_rng([5, 200])
    reference = features.clean(reference_raw)
    expected = []
    for _ in range(4):
        rows = np.sort(rng.choice(len(held_out_raw), size=200, replace=False))
        sample = features.clean(held_out_raw.iloc[rows].reset_index(drop=True))
        expected.append(drift.detect_drift(reference, sample).drift_share)
    assert shares == expected
    assert chance.null_drift_shares(reference_raw, held_out_raw, sampling) == shares


def test_a_batch_larger_than_the_held_out_rows_is_refused(held_out_raw):
    with pytest.raises(DataError, match="fewer than the batch size 601"):
        chance.null_drift_shares(held_out_raw, held_out_raw, NullSampling("sha", 1, 601))


def prepared_storage(folder) -> LocalStorage:
    storage = LocalStorage(folder)
    storage.write_csv(contract.INITIAL_TRAIN_KEY, raw_encounters(700, seed=31))
    storage.write_csv(contract.INITIAL_VALIDATION_KEY, raw_encounters(200, seed=32))
    storage.write_csv(contract.INITIAL_TEST_KEY, raw_encounters(200, seed=33))
    return storage


def test_the_band_is_computed_once_and_kept_for_this_data_only(tmp_path):
    storage = prepared_storage(tmp_path)
    sampling = NullSampling("sha-1", seed=7, rows=150, samples=5)
    key = chance.chance_band_key(7, 150)
    band = chance.chance_band(storage, sampling)
    assert band.samples == 5
    assert 0 <= band.p50 <= band.p95 <= 1
    kept = storage.read_csv(key)
    assert len(kept) == 5

    # A kept file is read, not recomputed: doctored shares show through.
    storage.write_csv(key, kept.assign(**{chance.SHARE_COLUMN: 0.5}))
    assert chance.chance_band(storage, sampling).p95 == 0.5
    # Other data (another sha256) is not served the kept shares.
    assert chance.chance_band(storage, NullSampling("sha-2", seed=7, rows=150, samples=5)) == band


def test_a_batch_larger_than_the_reference_period_gets_no_band_but_no_failure(tmp_path, caplog):
    storage = prepared_storage(tmp_path)
    assert chance.chance_band(storage, NullSampling("sha", seed=7, rows=401)) is None
    assert "fewer than the batch size 401" in caplog.text
    assert not storage.exists(chance.chance_band_key(7, 401))
