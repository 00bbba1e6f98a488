"""Credentials that trip URI parsers, on the real PostgreSQL that .ci/run starts (issue 24).

`scripts/start-test-postgres.sh` creates a second login, `hp ü:ser`, whose password holds
`/ # ? @ : space %` and a non-ASCII letter. SQLAlchemy connects with it (percent-encoded in the
URI); the report must never show the password, encoded or not, nor the user's password-bearing
userinfo: not in `/config`, `/health`, `/provenance`, an error body, the exported file, or a
command-line error, whether the database is up or down.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.integration.backend.test_postgres_store import POSTGRES_ENV, tcp_forwarder
from tests.support.servers import free_port

pytestmark = pytest.mark.integration

USER = "hp ü:ser"
PASSWORD = "Pg/S3#c?r@t %é:x"
# every form the password could leak in: as typed, percent-encoded, and its tell-tale pieces
LEAKS = (PASSWORD, urllib.parse.quote(PASSWORD, safe=""), "S3#c", "S3%23c", "r@t", "r%40t")


def special_uri(port: int, raw_slash: bool = False) -> str:
    """Every reserved character percent-encoded, as RFC 3986 and the settings ask (a space as
    %20); SQLAlchemy decodes them back. ``raw_slash`` leaves the password's `/` and `:` as
    typed, which SQLAlchemy also accepts and `urlsplit` misreads (the issue's first defect)."""
    database = make_url(os.environ[POSTGRES_ENV]).database
    password = urllib.parse.quote(PASSWORD, safe="/:" if raw_slash else "")
    userinfo = f"{urllib.parse.quote(USER, safe='')}:{password}"
    uri = f"postgresql://{userinfo}@127.0.0.1:{port}/{database}"
    assert make_url(uri).password == PASSWORD and make_url(uri).username == USER
    return uri


def export(uri: str, out: Path) -> subprocess.CompletedProcess[str]:
    """`healthpredict report export` over the store at ``uri``, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "healthpredict", "report", "export", "--out", str(out)],
        env={**os.environ, "MLFLOW_TRACKING_URI": uri},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def assert_no_password(text: str, where: str) -> None:
    for leak in LEAKS:
        assert leak not in text, f"{where} shows {leak!r}: {text[:300]}"


@pytest.fixture
def database() -> tuple[str, int]:
    configured = os.environ.get(POSTGRES_ENV)
    if not configured:
        pytest.skip(f"{POSTGRES_ENV} is not set (.ci/run starts PostgreSQL and sets it)")
    url = make_url(configured)
    return url.host or "127.0.0.1", url.port or 5432


@pytest.mark.parametrize("raw_slash", [False, True], ids=["encoded", "raw-slash"])
def test_the_password_never_shows_with_the_database_up_or_down(
    database, make_client, fast_failing_http, tmp_path: Path, raw_slash: bool
) -> None:
    port = free_port()
    uri = special_uri(port, raw_slash)
    api = make_client(uri)
    # down: the forwarder is closed
    for path in ("/batches", "/summary", "/provenance"):
        response = api.get(path)
        assert response.status_code == 503, (path, response.text)
        assert_no_password(response.text, f"{path} while down")
        assert "\n" not in response.json()["detail"]
    health = api.get("/health")
    assert health.json()["mlflow"] is False
    assert_no_password(health.text, "/health while down")

    with tcp_forwarder(port, database):
        # up: the special login really connects (an empty store reads as no batches)
        batches = api.get("/batches")
        assert batches.status_code == 200, batches.text
        assert batches.json()["batches"] == []
        for path in ("/config", "/summary", "/provenance", "/health"):
            response = api.get(path)
            assert response.status_code == 200, (path, response.text)
            assert_no_password(response.text, path)
        shown = api.get("/config").json()["mlflow_tracking_uri"]
        assert shown == f"postgresql://***@127.0.0.1:{port}/mlflow"

        # the exported file, written by the command line over the same store
        out = tmp_path / "report.html"
        exported = export(uri, out)
        assert exported.returncode == 0, exported.stderr[-2000:]
        assert_no_password(out.read_text(encoding="utf-8"), "the exported file")
        assert_no_password(exported.stderr + exported.stdout, "export's output")

    # a command-line error with the database down: one line, no password
    failed = export(uri, out)
    assert failed.returncode != 0
    assert_no_password(failed.stderr + failed.stdout, "export's error")
    assert "Traceback" not in failed.stderr
