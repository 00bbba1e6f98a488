"""The real data set for integration tests, found as the pipeline finds it (never downloaded).

``real_data_file()`` returns ``$HEALTHPREDICT_DATA``, else the pipeline's cache (which `make demo`
fills), and skips the test with the reason when neither is there; CI always sets the variable.
``initial_split()`` loads and splits it once per test process.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

from pipeline.core import config
from pipeline.data import raw as data


def real_data_file() -> Path:
    value = os.environ.get(config.DATA_ENV)
    if value:
        path = Path(value)
        if not path.is_file():
            pytest.fail(f"${config.DATA_ENV}={value} does not exist")
        return path
    cached = config.cache_dir() / data.CSV_NAME
    if cached.is_file():
        return cached
    pytest.skip(
        f"${config.DATA_ENV} is unset and {cached} does not exist: "
        "point the variable at dataset_diabetes.zip to run the tests on the real data"
    )


def initial_split(seed: int = config.DEFAULT_SEED) -> data.InitialSplit:
    return _load(real_data_file(), seed)


@functools.cache
def _load(path: Path, seed: int) -> data.InitialSplit:
    return data.split_initial(data.load_raw(path).frame, seed)
