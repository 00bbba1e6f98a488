"""Where things live by default: one git-ignored state folder holds the MLflow store and the data.

`healthpredict experiment run` and `healthpredict serve` share these defaults, so a report served
after an experiment run with default options shows that run.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final
from urllib.parse import unquote, urlparse, urlsplit

from pipeline.core.errors import TrackingError

STATE_DIR_ENV = "HEALTHPREDICT_HOME"
TRACKING_URI_ENV = "MLFLOW_TRACKING_URI"
STORAGE_ENV = "HEALTHPREDICT_STORAGE"
DATA_ENV = "HEALTHPREDICT_DATA"
CACHE_DIR_ENV = "HEALTHPREDICT_CACHE"
# Where the data set is downloaded from when there is no local copy (a mirror, or a test's
# closed port).
DATA_URL_ENV = "HEALTHPREDICT_DATA_URL"
# The variable MLflow itself reads for S3-compatible stores (MinIO, moto).
S3_ENDPOINT_ENV = "MLFLOW_S3_ENDPOINT_URL"

DEFAULT_STATE_DIR = ".healthpredict"
DEFAULT_SEED = 42
# The stores MLflow can track to (a URI without a scheme is a local folder); a database scheme may
# name its driver (`postgresql+psycopg2://`).
TRACKING_SCHEMES: Final = (
    "http",
    "https",
    "sqlite",
    "postgresql",
    "mysql",
    "mssql",
    "file",
    "databricks",
)
_SQLITE_PREFIX: Final = "sqlite:///"


def state_dir() -> Path:
    return Path(os.environ.get(STATE_DIR_ENV) or DEFAULT_STATE_DIR).resolve()


def default_tracking_uri() -> str:
    return os.environ.get(TRACKING_URI_ENV) or f"sqlite:///{state_dir() / 'mlflow.db'}"


def check_tracking_uri(tracking_uri: str) -> str:
    """``tracking_uri`` when its scheme is one MLflow tracks to; else one line naming those."""
    if not tracking_uri.strip():
        raise TrackingError("MLflow tracking URI is empty")
    scheme = urlsplit(tracking_uri.strip()).scheme.lower().partition("+")[0]
    if scheme and scheme not in TRACKING_SCHEMES:
        raise TrackingError(
            f"MLflow tracking URI scheme {scheme + ':'!r} is not supported; use "
            f"{', '.join(s + '://' for s in TRACKING_SCHEMES)} or a folder path "
            "(e.g. http://127.0.0.1:5000 or sqlite:///mlflow.db)"
        )
    return tracking_uri


def sqlite_path(tracking_uri: str) -> Path | None:
    """The database file of a ``sqlite:///`` URI, or None for any other store."""
    if not tracking_uri.startswith(_SQLITE_PREFIX):
        return None
    return Path(unquote(urlparse(tracking_uri).path))


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
