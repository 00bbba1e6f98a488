"""Fixtures for hardening: one messy store per session, the API over it, real servers.

The messy store is built once (`tests.support.stores`): the six real batches, a few hundred
runs of noise, the malformed artifacts and metrics, a drifted column and a decision tag that are
HTML, and a batch with no metrics at all. Tests that only read share it; tests that write copy it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.main import create_app
from backend.mlflow_reader import API_HTTP_LIMITS
from tests.support.api import api_settings
from tests.support.stores import XSS_TEXT, BuiltStore, StoreSpec, build_store

MESSY_SPEC = StoreSpec(
    other_runs=300, malformed=True, drifted_column=XSS_TEXT, odd_decision=XSS_TEXT
)


@pytest.fixture(scope="session")
def messy_store(tmp_path_factory: pytest.TempPathFactory) -> BuiltStore:
    return build_store(tmp_path_factory.mktemp("messy") / "store", MESSY_SPEC)


@pytest.fixture(scope="session")
def messy_app(messy_store: BuiltStore, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return create_app(api_settings(messy_store.tracking_uri, tmp_path_factory.mktemp("api")))


@pytest.fixture(scope="session")
def messy_api(messy_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(messy_app) as client:
        yield client


@pytest.fixture
def fast_failing_http(monkeypatch: pytest.MonkeyPatch) -> None:
    """The MLflow HTTP limits `healthpredict serve` sets, scoped to one test."""
    for name, value in API_HTTP_LIMITS.items():
        monkeypatch.setenv(name, value)
