"""A quick look at a database tracking store before MLflow builds its client on it.

MLflow's SQL store retries a database that does not answer for about 100 s (ten attempts with
growing sleeps, not configurable) before it raises; the API would hang that long per request.
One plain SQLAlchemy connection with a short timeout says at once whether the database answers,
in one line, with the URI's credentials masked.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pipeline.core.errors import TrackingError
from pipeline.core.uris import redact_text, redact_uri

CONNECT_TIMEOUT_SECONDS = 4
# Database schemes MLflow accepts as a tracking store (with or without `+driver`).
NETWORK_DATABASES = ("postgresql", "mysql", "mssql")


def database_scheme(tracking_uri: str) -> str | None:
    """`postgresql`, `mysql` or `mssql` for a network database URI, else None."""
    scheme = urlsplit(tracking_uri).scheme.split("+", 1)[0].lower()
    return scheme if scheme in NETWORK_DATABASES else None


def check_database(tracking_uri: str) -> None:
    """Connect once (a few seconds at most); `TrackingError` in one line when it fails."""
    scheme = database_scheme(tracking_uri)
    if scheme is None:
        return
    import sqlalchemy  # the SQL store's own dependency; only database URIs need it
    from sqlalchemy.pool import NullPool

    connect_args = {"connect_timeout": CONNECT_TIMEOUT_SECONDS} if scheme != "mssql" else {}
    try:
        engine = sqlalchemy.create_engine(
            tracking_uri, poolclass=NullPool, connect_args=connect_args
        )
        with engine.connect():
            pass
        engine.dispose()
    except (sqlalchemy.exc.SQLAlchemyError, ImportError, OSError) as exc:
        # refused, timed out, bad password, unknown database, driver missing: one line
        reason = getattr(exc, "orig", None) or exc
        lines = str(reason).strip().splitlines() or [""]
        first_line = redact_text(lines[0])
        raise TrackingError(
            f"MLflow's database at {redact_uri(tracking_uri)} did not answer: "
            f"{type(reason).__name__}: {first_line}"
        ) from None
