"""Empty MLflow SQLite stores in a fraction of a second.

Creating a store runs MLflow's schema migrations (~10 s on the shared CI box). The first call
migrates one template database per test process; every later store is a copy of it, which MLflow
opens as an up-to-date store. Each test still gets its own, independent store.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from mlflow import MlflowClient

DATABASE_NAME = "mlflow.db"


def empty_store_uri(folder: Path, name: str = DATABASE_NAME) -> str:
    """A ``sqlite:///`` URI for a fresh, migrated, empty store at ``folder / name``."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    shutil.copyfile(_template(), target)
    return f"sqlite:///{target}"


@functools.cache
def _template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="healthpredict-mlflow-template-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    database = folder / DATABASE_NAME
    MlflowClient(tracking_uri=f"sqlite:///{database}").search_experiments(max_results=1)
    return database
