"""The real data set for integration tests, loaded once per test process.

Tests that need it call ``initial_split()``; it skips the test with a clear reason when
``HEALTHPREDICT_DATA`` is unset (CI always sets it).
"""

from __future__ import annotations

import functools
import os

import pytest

from pipeline import config, data


def initial_split() -> data.InitialSplit:
    if not os.environ.get(config.DATA_ENV):
        pytest.skip(f"set {config.DATA_ENV} to the UCI diabetes zip to run tests on the real data")
    return _load()


@functools.cache
def _load() -> data.InitialSplit:
    return data.split_initial(data.load_raw().frame)
