"""The raw-data loader: where it looks, what it refuses, and the initial split."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.core import config
from pipeline.core.errors import DataError
from pipeline.data import features, patients, splits
from pipeline.data import raw as data

N_ROWS = 40


def raw_table(n: int = N_ROWS, seed: int = 0) -> pd.DataFrame:
    """A tiny table with the real 50 columns and plausible values, in file order."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({c: rng.choice(["No", "Steady"], n) for c in features.RAW_COLUMNS})
    frame["encounter_id"] = np.arange(1, n + 1)
    frame["patient_nbr"] = np.arange(1000, 1000 + n)
    frame["race"] = rng.choice(["Caucasian", "AfricanAmerican", "?"], n)
    frame["age"] = rng.choice(features.AGE_BANDS, n)
    frame["discharge_disposition_id"] = rng.choice(["1", "3", "6"], n)
    for column in features.NUMERIC_COLUMNS:
        frame[column] = rng.integers(0, 10, n)
    frame[features.RAW_TARGET] = rng.choice(["NO", ">30", "<30"], n)
    return frame


def write_csv(frame: pd.DataFrame, path: Path) -> bytes:
    frame.to_csv(path, index=False)
    return path.read_bytes()


def write_zip(
    csv_bytes: bytes, path: Path, member: str = "dataset_diabetes/diabetic_data.csv"
) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("dataset_diabetes/IDs_mapping.csv", "admission_type_id,description\n")
        bundle.writestr(member, csv_bytes)
    return path


@pytest.fixture
def small_expected_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the tiny table pass the row-count check (everything else is checked for real)."""
    monkeypatch.setattr(data, "EXPECTED_ROWS", N_ROWS)


@pytest.fixture
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.delenv(config.DATA_ENV, raising=False)
    cache = tmp_path / "cache"
    monkeypatch.setenv(config.CACHE_DIR_ENV, str(cache))
    return cache


def test_zip_and_csv_give_the_same_table_and_sha256(tmp_path: Path, small_expected_rows: None):
    csv_bytes = write_csv(raw_table(), tmp_path / "diabetic_data.csv")
    archive = write_zip(csv_bytes, tmp_path / "dataset.zip")

    from_csv = data.load_raw(tmp_path / "diabetic_data.csv")
    from_zip = data.load_raw(archive)

    assert from_csv.sha256 == from_zip.sha256 == hashlib.sha256(csv_bytes).hexdigest()
    pd.testing.assert_frame_equal(from_csv.frame, from_zip.frame)
    assert list(from_zip.frame.columns) == list(features.RAW_COLUMNS)
    assert from_zip.source == str(archive)
    assert from_zip.frame["race"].isna().sum() == (raw_table()["race"] == "?").sum()


def test_csv_is_found_anywhere_inside_the_archive(tmp_path: Path, small_expected_rows: None):
    csv_bytes = write_csv(raw_table(), tmp_path / "t.csv")
    archive = write_zip(csv_bytes, tmp_path / "nested.zip", member="a/b/c/diabetic_data.csv")
    assert len(data.load_raw(archive).frame) == N_ROWS


def test_missing_file_names_the_path(tmp_path: Path):
    with pytest.raises(DataError, match=r"data file .*nope\.csv not found"):
        data.load_raw(tmp_path / "nope.csv")


def test_corrupt_zip_is_a_data_error(tmp_path: Path):
    bad = tmp_path / "broken.zip"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    with pytest.raises(DataError, match=r"broken\.zip is not a valid zip archive"):
        data.load_raw(bad)


def test_truncated_zip_is_a_data_error(tmp_path: Path):
    archive = write_zip(write_csv(raw_table(), tmp_path / "t.csv"), tmp_path / "full.zip")
    cut = tmp_path / "cut.zip"
    cut.write_bytes(archive.read_bytes()[:200])
    with pytest.raises(DataError, match=r"cut\.zip is not a valid zip archive"):
        data.load_raw(cut)


def test_zip_without_the_table_is_refused(tmp_path: Path):
    archive = write_zip(b"x\n1\n", tmp_path / "other.zip", member="something_else.csv")
    with pytest.raises(DataError, match=r"contains no diabetic_data\.csv"):
        data.load_raw(archive)


def test_missing_columns_are_named(tmp_path: Path):
    path = tmp_path / "short.csv"
    write_csv(raw_table().drop(columns=["race", "age"]), path)
    with pytest.raises(DataError, match=r"short\.csv is missing columns: race, age$"):
        data.load_raw(path)


def test_wrong_row_count_is_refused(tmp_path: Path):
    path = tmp_path / "few.csv"
    write_csv(raw_table(), path)
    with pytest.raises(DataError, match=rf"few\.csv has {N_ROWS} rows, expected 101,766"):
        data.load_raw(path)


def test_unreadable_csv_is_a_data_error(tmp_path: Path):
    path = tmp_path / "garbage.csv"
    frame = raw_table()
    frame["time_in_hospital"] = "many"  # a numeric column with text: not the expected table
    write_csv(frame, path)
    with pytest.raises(DataError, match=r"garbage\.csv is not a readable CSV table"):
        data.load_raw(path)


def test_env_variable_is_used_without_a_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_env: Path, small_expected_rows: None
):
    archive = write_zip(write_csv(raw_table(), tmp_path / "t.csv"), tmp_path / "env.zip")
    monkeypatch.setenv(config.DATA_ENV, str(archive))
    assert data.load_raw().source == str(archive)
    assert not (isolated_env / data.CSV_NAME).exists()  # a given path is read in place


def test_download_fills_the_cache_and_later_runs_use_it(
    tmp_path: Path, isolated_env: Path, small_expected_rows: None
):
    csv_bytes = write_csv(raw_table(), tmp_path / "t.csv")
    archive = write_zip(csv_bytes, tmp_path / "official.zip")
    target = isolated_env / data.CSV_NAME

    data.download_to_cache(target, url=archive.as_uri())
    loaded = data.load_raw()

    assert loaded.source == str(target)
    assert loaded.sha256 == hashlib.sha256(csv_bytes).hexdigest()
    assert [p.name for p in isolated_env.iterdir()] == [data.CSV_NAME]  # no temp file left


def test_failed_download_leaves_no_cache(tmp_path: Path, isolated_env: Path):
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip")
    with pytest.raises(DataError, match="is not a valid zip archive"):
        data.download_to_cache(isolated_env / data.CSV_NAME, url=broken.as_uri())
    with pytest.raises(DataError, match=r"download of .* failed"):
        data.download_to_cache(isolated_env / data.CSV_NAME, url=(tmp_path / "x").as_uri())
    assert not (isolated_env / data.CSV_NAME).exists()


def test_the_initial_period_is_split_by_patient_and_kept_in_file_order():
    frame = raw_table(n=5000).assign(patient_nbr=lambda t: t["encounter_id"] % 400)
    split = data.split_initial(frame, seed=7)

    period = frame.iloc[:1000]  # 20% of 5,000 rows
    test_patients = set(split.test["patient_nbr"])
    training_patients = set(split.train["patient_nbr"]) | set(split.validation["patient_nbr"])
    assert test_patients.isdisjoint(training_patients)
    # every row of the period is in exactly one part, each part in file order
    parts = pd.concat([split.train, split.validation, split.test])
    assert sorted(parts["encounter_id"]) == period["encounter_id"].tolist()
    for part in (split.train, split.validation, split.test, split.future):
        assert part["encounter_id"].is_monotonic_increasing
    assert split.future["encounter_id"].tolist() == frame["encounter_id"].iloc[1000:].tolist()
    # training comes before validation in time, 70:15 of the training-side rows
    assert split.train["encounter_id"].max() < split.validation["encounter_id"].min()
    side = len(split.train) + len(split.validation)
    assert len(split.train) == int(side * 70 / 85)
    # about 30% of the patients are test patients (400 patients: 120 +/- 3 SD of 9)
    assert 93 <= len(test_patients) <= 147


def test_a_patient_has_one_role_whatever_table_it_is_in():
    frame = raw_table(n=4000).assign(patient_nbr=lambda t: t["encounter_id"] % 700)
    split = data.split_initial(frame, seed=3)
    later_train, later_test = splits.split_batch(split.future, seed=3)
    assert set(later_test["patient_nbr"]) >= set(split.test["patient_nbr"])
    assert set(later_train["patient_nbr"]).isdisjoint(split.test["patient_nbr"])
    assert set(later_test["patient_nbr"]).isdisjoint(split.train["patient_nbr"])
    # a patient number read back as text or float keeps its role
    as_text = split.future.assign(patient_nbr=split.future["patient_nbr"].astype(float))
    assert splits.split_batch(as_text, seed=3)[1]["encounter_id"].tolist() == (
        later_test["encounter_id"].tolist()
    )


def test_each_seed_holds_out_its_own_patients():
    ids = pd.Series(np.arange(20_000))
    first, second = patients.is_test_patient(ids, 1), patients.is_test_patient(ids, 2)
    # independent 30% draws share 9% of the patients (+/- 0.2% at 20,000)
    assert abs(first.mean() - 0.30) < 0.01 and abs(second.mean() - 0.30) < 0.01
    assert abs((first & second).mean() - 0.09) < 0.01
    assert (patients.is_test_patient(ids, 1) == first).all()


def test_split_refuses_too_few_rows():
    with pytest.raises(DataError, match="too few"):
        data.split_initial(raw_table(n=5), seed=0)


@pytest.mark.parametrize(("outcome", "wording"), [("NO", "not readmitted"), (">30", "readmitted")])
def test_an_initial_split_with_a_single_outcome_is_refused(outcome: str, wording: str):
    split = data.split_initial(raw_table(n=1000).assign(readmitted=outcome), seed=0)
    with pytest.raises(DataError) as caught:
        data.check_outcomes(split)
    assert str(caught.value) == (
        f"the initial training split has a single outcome: all {len(split.train):,} encounters "
        f"are {wording}; a model needs both readmitted and not-readmitted encounters"
    )


def test_a_test_split_with_one_outcome_is_refused_even_when_training_has_both():
    table = raw_table(n=1000)
    split = data.split_initial(table, seed=0)
    split.test.loc[:, features.RAW_TARGET] = "NO"
    with pytest.raises(DataError, match="the initial test split has a single outcome"):
        data.check_outcomes(split)
    data.check_outcomes(data.split_initial(table, seed=0))  # the table itself holds both outcomes


def test_the_download_url_can_point_at_a_mirror(monkeypatch: pytest.MonkeyPatch):
    assert data.data_url() == data.OFFICIAL_URL
    monkeypatch.setenv(config.DATA_URL_ENV, "http://mirror.example/diabetes.zip")
    assert data.data_url() == "http://mirror.example/diabetes.zip"
