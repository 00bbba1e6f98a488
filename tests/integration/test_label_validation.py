"""Issue 24 item 6: labels and key columns are checked before anything is written.

The target is `readmitted != "NO"`, so a missing, unknown or lower-case value used to count as a
readmission: `experiment prepare` accepted 20% NaN targets and cut batches from them. Each case
corrupts a copy of the real table and expects one line with the count and examples, exit 1, and
an empty storage folder.
"""

from __future__ import annotations

import functools
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from healthpredict.cli import main
from pipeline.data import raw as data
from tests.support.real_data import real_data_file

ROWS = data.EXPECTED_ROWS
FIFTH = ROWS // 5  # every fifth row: 20,353 rows


@functools.cache
def _real_csv_text() -> str:
    path = real_data_file()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as bundle:
            member = next(n for n in bundle.namelist() if n.endswith(data.CSV_NAME))
            return bundle.read(member).decode()
    return path.read_text()


def _table() -> pd.DataFrame:
    return pd.read_csv(io.StringIO(_real_csv_text()), dtype=str, keep_default_na=False)


def _every_fifth(column: str, value: str) -> Callable[[pd.DataFrame], None]:
    def corrupt(frame: pd.DataFrame) -> None:
        frame.loc[frame.index[::5], column] = value

    return corrupt


def _all(column: str, value: str) -> Callable[[pd.DataFrame], None]:
    def corrupt(frame: pd.DataFrame) -> None:
        frame[column] = value

    return corrupt


CASES = {
    # (corruption, expected start of the problem)
    "20% missing targets": (
        _every_fifth("readmitted", ""),
        f"{ROWS // 5 + 1:,} of {ROWS:,} values of `readmitted` are not NO, <30 or >30 (e.g. '')",
    ),
    "20% MAYBE": (
        _every_fifth("readmitted", "MAYBE"),
        f"{ROWS // 5 + 1:,} of {ROWS:,} values of `readmitted` are not NO, <30 or >30 "
        "(e.g. 'MAYBE')",
    ),
    "lower-case no": (
        _every_fifth("readmitted", "no"),
        f"{ROWS // 5 + 1:,} of {ROWS:,} values of `readmitted` are not NO, <30 or >30 (e.g. 'no')",
    ),
    "all targets missing": (
        _all("readmitted", "?"),
        f"{ROWS:,} of {ROWS:,} values of `readmitted` are not NO, <30 or >30 (e.g. missing)",
    ),
    "age ??? everywhere": (
        _all("age", "???"),
        f"{ROWS:,} of {ROWS:,} values of `age` are not an age band such as [50-60) (e.g. '???')",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_implausible_labels_and_columns_are_refused_before_anything_is_written(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corrupt, problem = CASES[case]
    frame = _table()
    corrupt(frame)
    path = tmp_path / "diabetic_data.csv"
    frame.to_csv(path, index=False)
    storage = tmp_path / "storage"
    code = main(["experiment", "prepare", "--data", str(path), "--storage", str(storage)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert err[-1] == f"error: data file {path}: {problem}; fix the file and run again"
    assert not storage.exists() or not any(storage.iterdir())
