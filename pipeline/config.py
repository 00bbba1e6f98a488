"""Where things live by default: one git-ignored state folder holds the MLflow store and the data.

`healthpredict experiment run` and `healthpredict serve` share these defaults, so a report served
after an experiment run with default options shows that run.
"""

from __future__ import annotations

import os
from pathlib import Path

STATE_DIR_ENV = "HEALTHPREDICT_HOME"
TRACKING_URI_ENV = "MLFLOW_TRACKING_URI"
STORAGE_ENV = "HEALTHPREDICT_STORAGE"
DATA_ENV = "HEALTHPREDICT_DATA"
CACHE_DIR_ENV = "HEALTHPREDICT_CACHE"
# The variable MLflow itself reads for S3-compatible stores (MinIO, moto).
S3_ENDPOINT_ENV = "MLFLOW_S3_ENDPOINT_URL"

DEFAULT_STATE_DIR = ".healthpredict"
DEFAULT_SEED = 42


def state_dir() -> Path:
    return Path(os.environ.get(STATE_DIR_ENV) or DEFAULT_STATE_DIR).resolve()


def default_tracking_uri() -> str:
    return os.environ.get(TRACKING_URI_ENV) or f"sqlite:///{state_dir() / 'mlflow.db'}"


def default_artifact_root() -> Path:
    """Artifact folder for experiments created against a local SQLite store."""
    return state_dir() / "mlartifacts"


def default_storage() -> str:
    return os.environ.get(STORAGE_ENV) or str(state_dir() / "storage")


def cache_dir() -> Path:
    if os.environ.get(CACHE_DIR_ENV):
        return Path(os.environ[CACHE_DIR_ENV]).resolve()
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "healthpredict"
