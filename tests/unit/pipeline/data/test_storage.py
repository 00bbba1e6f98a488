"""Local storage: folders speak the contract's keys and fail clearly (S3 against moto:
tests/integration/pipeline/data/test_s3_storage.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.core import contract
from pipeline.core.errors import DataError, StorageError
from pipeline.data.storage import LocalStorage, open_storage
from tests.support.synthetic import as_read_from_csv, raw_encounters

BUCKET = "healthpredict-test"


@pytest.fixture
def raw() -> pd.DataFrame:
    return as_read_from_csv(raw_encounters(40, seed=3))


def test_local_round_trip_keeps_missing_values_and_types(tmp_path: Path, raw: pd.DataFrame):
    assert raw["race"].isna().any(), "the sample must contain missing values"
    storage = open_storage(str(tmp_path / "store"))
    storage.write_csv(contract.INITIAL_TEST_KEY, raw)

    assert storage.exists(contract.INITIAL_TEST_KEY)
    pd.testing.assert_frame_equal(storage.read_csv(contract.INITIAL_TEST_KEY), raw)
    written = (tmp_path / "store" / contract.INITIAL_TEST_KEY).read_text()
    assert ",?," in written, "missing values are written as the raw table's '?' marker"


def test_local_overwrite_leaves_no_temporary_files(tmp_path: Path, raw: pd.DataFrame):
    storage = LocalStorage(tmp_path)
    storage.write_csv(contract.batch_data_key(2), raw)
    storage.write_csv(contract.batch_data_key(2), raw.iloc[:5])

    assert len(storage.read_csv(contract.batch_data_key(2))) == 5
    folder = (tmp_path / contract.batch_data_key(2)).parent
    assert [p.name for p in folder.iterdir()] == ["batch_2.csv"]


def test_local_missing_key_names_the_key_the_folder_and_the_fix(tmp_path: Path):
    storage = LocalStorage(tmp_path)
    assert not storage.exists(contract.INITIAL_TEST_KEY)
    with pytest.raises(StorageError) as caught:
        storage.read_csv(contract.INITIAL_TEST_KEY)
    message = str(caught.value)
    assert contract.INITIAL_TEST_KEY in message
    assert str(tmp_path) in message
    assert "healthpredict experiment prepare" in message
    assert "\n" not in message


def test_a_file_that_is_not_the_raw_table_is_a_data_error(tmp_path: Path):
    path = tmp_path / contract.INITIAL_TEST_KEY
    path.parent.mkdir(parents=True)
    path.write_text("encounter_id,time_in_hospital\nabc,not-a-number\n")
    with pytest.raises(DataError, match=r"initial_test\.csv"):
        LocalStorage(tmp_path).read_csv(contract.INITIAL_TEST_KEY)


@pytest.mark.parametrize(
    ("location", "problem"),
    [("", "empty"), ("s3://", "names no bucket"), ("gs://bucket/data", "only a folder or s3")],
)
def test_unusable_locations_are_refused(location: str, problem: str):
    with pytest.raises(StorageError, match=problem):
        open_storage(location)
