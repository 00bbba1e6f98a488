"""Shared session fixtures: the real data set, and one real experiment run for the whole session.

Tiers by folder (``pytest_collection_modifyitems`` marks them, so a new file is marked by where
it lives): ``tests/unit`` and ``tests/architecture`` are the fast tier (``make test-fast``);
``tests/integration``, ``tests/hardening`` and ``tests/deploy`` are ``integration`` (an MLflow
server, another process, S3 or the real data); ``tests/e2e`` is ``e2e`` (the built page in
Chromium). The report API's fixture stores (``tests/support/report_stores.py``) serve every tier.

``experiment_store`` runs the whole experiment once (``run_all``, default seed) through a real
``mlflow server`` on 127.0.0.1 (SQLite backend, proxied artifacts, all in a session tmp folder)
with local storage. Every test that needs "a real experiment store" reuses it, so the session pays
for it once; the server lives until the session ends.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pipeline.core import config

if TYPE_CHECKING:
    from healthpredict.experiment import ExperimentResult
    from pipeline.steps import BatchResult

pytest_plugins = ("tests.support.report_stores",)

TESTS = Path(__file__).resolve().parent
# The marker every test under a folder gets; tests/unit and tests/architecture get none.
TIER_BY_FOLDER = {
    "integration": "integration",
    "hardening": "integration",
    "deploy": "integration",
    "e2e": "e2e",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by the folder it lives in, so `-m "not integration and not e2e"` is the
    fast tier without any file having to remember its marker."""
    for item in items:
        parts = item.path.relative_to(TESTS).parts if item.path.is_relative_to(TESTS) else ()
        marker = TIER_BY_FOLDER.get(parts[0]) if parts else None
        if marker is not None:
            item.add_marker(marker)


@dataclass(frozen=True)
class ExperimentStore:
    """Where the session's experiment lives and what it decided."""

    tracking_uri: str  # the running mlflow server's URL
    backend_uri: str  # the server's SQLite store (read it only through the server)
    storage: str  # local storage folder holding the prepared CSVs
    state_dir: Path
    result: ExperimentResult

    @property
    def outcomes(self) -> list[BatchResult]:
        """Batches 1-5 in order (batch 0 is ``result.baseline``)."""
        return list(self.result.batches)


def _reset_mlflow_globals() -> None:
    import mlflow.tracking._model_registry.utils as registry_utils
    import mlflow.tracking._tracking_service.utils as tracking_utils

    tracking_utils._tracking_uri = None
    registry_utils._registry_uri = None


@pytest.fixture(scope="session", autouse=True)
def pristine_environment() -> dict[str, str]:
    """The environment as the session started, before any test or fixture changed it."""
    return dict(os.environ)


def _restore_environment(pristine: dict[str, str]) -> None:
    os.environ.clear()
    os.environ.update(pristine)


@pytest.fixture(autouse=True)
def isolated_mlflow_state(pristine_environment: dict[str, str]) -> Iterator[None]:
    """Each test starts with MLflow pointing nowhere and the session's original environment.

    MLflow keeps the tracking and registry URIs in process globals and mirrors them into
    environment variables, and the pipeline sets MLflow's HTTP retry variables for its process.
    Without this, a client made with only a tracking URI takes its registry from the previous
    test's store, and subprocesses inherit settings that no user gave them.
    """
    _restore_environment(pristine_environment)
    _reset_mlflow_globals()
    yield
    _restore_environment(pristine_environment)
    _reset_mlflow_globals()


@pytest.fixture(scope="session")
def real_data_path() -> Path:
    """The real data set: $HEALTHPREDICT_DATA, else the pipeline's cache (filled by `make demo`)."""
    from tests.support.real_data import real_data_file

    return real_data_file()


@pytest.fixture(scope="session")
def experiment_store(
    real_data_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ExperimentStore]:
    """The whole experiment, run once per session against a real MLflow server."""
    from healthpredict import experiment
    from pipeline.data.storage import open_storage
    from tests.support.servers import mlflow_server

    state = tmp_path_factory.mktemp("experiment-store")
    storage_folder = state / "storage"
    with mlflow_server(state) as server:
        with pytest.MonkeyPatch.context() as patch:
            # Only while it runs: the baseline's lock file lives in the state folder.
            patch.setenv(config.STATE_DIR_ENV, str(state))
            result = experiment.run_all(
                real_data_path,
                server.url,
                open_storage(str(storage_folder)),
                seed=config.DEFAULT_SEED,
            )
        yield ExperimentStore(
            tracking_uri=server.url,
            backend_uri=server.backend_uri,
            storage=str(storage_folder),
            state_dir=state,
            result=result,
        )
