"""A quick look at a database tracking store before MLflow builds its client on it.

MLflow's SQL store retries a database that does not answer for about 100 s (ten attempts with
growing sleeps, not configurable) before it raises: the CLI took 108-113 s to fail with a
196-line traceback, and the API hung that long per request. One plain SQLAlchemy connection with
a short timeout says at once whether the database answers, in one line, with the URI's
credentials masked; a missing driver names the package to install.
"""

from __future__ import annotations

import importlib.util
import os
from typing import Final
from urllib.parse import urlsplit

from pipeline.core.errors import TrackingError
from pipeline.core.uris import redact_text, redact_uri

CONNECT_TIMEOUT_ENV: Final = "HEALTHPREDICT_DB_CONNECT_TIMEOUT"
DEFAULT_CONNECT_TIMEOUT_SECONDS: Final = 4
# Database schemes MLflow accepts as a tracking store (with or without `+driver`).
NETWORK_DATABASES = ("postgresql", "mysql", "mssql")
SQL_STORES: Final = ("sqlite", *NETWORK_DATABASES)
# What MLflow's SQL store imports beside mlflow-skinny: the `database` extra (pyproject.toml).
SQL_STORE_PACKAGES: Final = ("sqlalchemy", "alembic")
# The module SQLAlchemy imports for a dialect -> the package that provides it.
DRIVER_PACKAGES: Final = {
    "MySQLdb": "mysqlclient",
    "pymysql": "PyMySQL",
    "mysql": "mysql-connector-python",
    "psycopg2": "psycopg2-binary",
    "psycopg": "psycopg[binary]",
    "pg8000": "pg8000",
    "asyncpg": "asyncpg",
    "pyodbc": "pyodbc",
    "pymssql": "pymssql",
}


def _scheme(tracking_uri: str) -> str:
    """The URI's scheme without its `+driver`, lower-case (`postgresql+psycopg` -> `postgresql`)."""
    return urlsplit(tracking_uri).scheme.split("+", 1)[0].lower()


def database_scheme(tracking_uri: str) -> str | None:
    """`postgresql`, `mysql` or `mssql` for a network database URI, else None."""
    scheme = _scheme(tracking_uri)
    return scheme if scheme in NETWORK_DATABASES else None


def connect_timeout() -> int:
    """Seconds a database connection may take (`HEALTHPREDICT_DB_CONNECT_TIMEOUT`, default 4)."""
    value = os.environ.get(CONNECT_TIMEOUT_ENV, "").strip()
    if not value:
        return DEFAULT_CONNECT_TIMEOUT_SECONDS
    if not value.isdigit() or int(value) < 1:
        raise TrackingError(
            f"{CONNECT_TIMEOUT_ENV} must be a whole number of seconds, got {value!r}"
        )
    return int(value)


def _missing_driver(exc: ImportError, tracking_uri: str) -> TrackingError:
    module = (exc.name or "").split(".")[0]
    package = DRIVER_PACKAGES.get(module, module or "the database driver")
    return TrackingError(
        f"the database driver for {redact_uri(tracking_uri)} is not installed: "
        f"install {package} (`pip install {package}`), or name an installed one in the URI "
        "(e.g. postgresql+psycopg://, mysql+pymysql://)"
    )


def check_sql_store_installed(tracking_uri: str) -> None:
    """A database URI needs SQLAlchemy and alembic, which the lean install (reading an MLflow
    server over HTTP) does not have: say which extra brings them instead of an ImportError."""
    if _scheme(tracking_uri) not in SQL_STORES:
        return
    missing = [name for name in SQL_STORE_PACKAGES if importlib.util.find_spec(name) is None]
    if missing:
        raise TrackingError(
            f"reading {redact_uri(tracking_uri)} directly needs {' and '.join(missing)}, which "
            "this install lacks: install healthpredict with its database extra "
            "(`pip install 'healthpredict[database]'`), or read the store through `mlflow server`"
        )


def check_database(tracking_uri: str) -> None:
    """Connect once (a few seconds at most); `TrackingError` in one line when it fails."""
    check_sql_store_installed(tracking_uri)
    scheme = database_scheme(tracking_uri)
    if scheme is None:
        return
    import sqlalchemy  # the SQL store's own dependency; only database URIs need it
    from sqlalchemy.pool import NullPool

    timeout = connect_timeout()
    connect_args = {"connect_timeout": timeout} if scheme != "mssql" else {"timeout": timeout}
    try:
        engine = sqlalchemy.create_engine(
            tracking_uri, poolclass=NullPool, connect_args=connect_args
        )
        with engine.connect():
            pass
        engine.dispose()
    except ImportError as exc:
        raise _missing_driver(exc, tracking_uri) from None
    except (sqlalchemy.exc.SQLAlchemyError, OSError, ValueError) as exc:
        # refused, timed out, bad password, unknown database: one line
        reason = getattr(exc, "orig", None) or exc
        lines = str(reason).strip().splitlines() or [""]
        first_line = redact_text(lines[0])
        raise TrackingError(
            f"MLflow's database at {redact_uri(tracking_uri)} did not answer: "
            f"{type(reason).__name__}: {first_line}"
        ) from None
