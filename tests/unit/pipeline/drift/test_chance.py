"""Drift expected by chance: samples of the training period against the rest of it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

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
def training_raw() -> pd.DataFrame:
    return as_read_from_csv(with_excluded_dispositions(raw_encounters(2600, seed=21)))


def test_each_draw_is_checked_by_the_detector_against_the_rest(training_raw):
    sampling = NullSampling("sha", seed=5, rows=300, samples=4)
    shares = chance.null_drift_shares(training_raw, sampling)
    # The same draws, split by hand and checked by detect_drift itself: the same shares.
    cleaned = features.clean(training_raw).reset_index(drop=True)
    assert len(cleaned) < len(training_raw)  # the deaths were dropped, as in a real batch
    rng = np.random.default_rng([5, 300])
    expected = []
    for _ in range(4):
        drawn = np.zeros(len(cleaned), dtype=bool)
        drawn[rng.choice(len(cleaned), size=300, replace=False)] = True
        rest, sample = cleaned[~drawn], cleaned[drawn]
        expected.append(drift.detect_drift(rest, sample).drift_share)
    assert shares == expected
    assert chance.null_drift_shares(training_raw, sampling) == shares  # seeded


def test_counted_distances_equal_the_detectors_on_a_drifted_draw(training_raw):
    cleaned = features.clean(training_raw).reset_index(drop=True)
    # Not chance: the 300 encounters with the most prior stays, so several columns drift.
    drawn = np.zeros(len(cleaned), dtype=bool)
    drawn[np.argsort(-cleaned["number_inpatient"].to_numpy(), kind="stable")[:300]] = True
    report = drift.detect_drift(cleaned[~drawn], cleaned[drawn])
    counted = chance._CountedColumns(cleaned, 300)
    assert counted.statistics(drawn) == pytest.approx(
        [c.statistic for c in report.columns], rel=1e-9, abs=1e-12
    )
    assert counted.drift_share(drawn) == report.drift_share > 0
    # and one distance by hand with scipy on the raw values
    inpatient = cleaned["number_inpatient"].to_numpy(float)
    rest = inpatient[~drawn]
    by_hand = scipy_stats.wasserstein_distance(rest, inpatient[drawn]) / np.std(rest)
    position = list(drift.ANALYSED_COLUMNS).index("number_inpatient")
    assert counted.statistics(drawn)[position] == pytest.approx(by_hand, rel=1e-9)


def test_a_training_period_too_small_to_sample_is_refused(training_raw):
    with pytest.raises(DataError, match="leaves too few"):
        chance.null_drift_shares(training_raw, NullSampling("sha", 1, 1500))
    with pytest.raises(DataError, match="not more than the batch size 9,000"):
        chance.null_drift_shares(training_raw, NullSampling("sha", 1, 9000))


def prepared_storage(folder, rows: int = 2600) -> LocalStorage:
    storage = LocalStorage(folder)
    storage.write_csv(contract.INITIAL_TRAIN_KEY, raw_encounters(rows, seed=31))
    return storage


def test_the_band_is_computed_once_and_kept_for_this_data_only(tmp_path):
    storage = prepared_storage(tmp_path)
    sampling = NullSampling("sha-1", seed=7, rows=150, samples=5)
    key = chance.chance_band_key(7, 150)
    band = chance.chance_band(storage, sampling)
    assert band.samples == 5
    assert 0 <= band.p50 <= band.p95 <= band.max <= 1
    kept = storage.read_csv(key)
    assert len(kept) == 5

    # A kept file is read, not recomputed: doctored shares show through.
    storage.write_csv(key, kept.assign(**{chance.SHARE_COLUMN: 0.5}))
    assert chance.chance_band(storage, sampling).p95 == 0.5
    # Other data (another sha256) is not served the kept shares.
    assert chance.chance_band(storage, NullSampling("sha-2", seed=7, rows=150, samples=5)) == band


def test_a_batch_too_large_for_the_training_period_gets_no_band_but_no_failure(tmp_path, caplog):
    storage = prepared_storage(tmp_path, rows=900)
    assert chance.chance_band(storage, NullSampling("sha", seed=7, rows=401)) is None
    assert "leaves too few" in caplog.text
    assert not storage.exists(chance.chance_band_key(7, 401))
