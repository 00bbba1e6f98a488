"""Issue 24 item 7: an unreachable or misconfigured store fails the CLI in seconds, in one line.

Before: `report export` against a closed HTTP port took 251-255 s (MLflow's default retries),
`batch run` / `baseline` against a stopped PostgreSQL 108-113 s with a 196-line traceback, and a
`mysql://` URI without its driver printed a traceback. The commands run in-process (their
imports already loaded), so the time measured is the command's own.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from healthpredict.cli import main
from tests.support.servers import free_port

LIMIT_SECONDS = 15.0


@pytest.fixture(autouse=True)
def own_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """MLflow's HTTP settings as a fresh shell has them; whatever the CLI sets is undone."""
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.startswith(("MLFLOW_HTTP", "MLFLOW_TRACKING")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HEALTHPREDICT_HOME", str(tmp_path / "home"))
    yield
    os.environ.clear()
    os.environ.update(saved)


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[float, str]:
    started = time.monotonic()
    code = main(list(args))
    took = time.monotonic() - started
    err = capsys.readouterr().err
    assert code != 0 and "Traceback" not in err, err[-2000:]
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, err[-2000:]
    return took, errors[0]


def test_report_export_against_a_closed_http_port_fails_in_seconds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "dist"
    page.mkdir()
    (page / "index.html").write_text("<!doctype html><title>r</title>")
    monkeypatch.setenv("HEALTHPREDICT_STATIC_DIR", str(page))
    port = free_port()
    out = tmp_path / "r.html"
    took, line = _run(
        capsys, "report", "export", "--out", str(out), "--tracking-uri", f"http://127.0.0.1:{port}"
    )
    assert took < LIMIT_SECONDS, took
    assert f"127.0.0.1:{port}" in line
    assert not out.exists()


def test_a_stopped_postgresql_fails_the_baseline_in_seconds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    port = free_port()  # nothing listens: PostgreSQL is stopped
    uri = f"postgresql://mlflow:Pg/S3cret@127.0.0.1:{port}/mlflow"
    took, line = _run(capsys, "baseline", "--tracking-uri", uri)
    assert took < LIMIT_SECONDS, took
    assert f"postgresql://***@127.0.0.1:{port}/mlflow did not answer" in line
    assert "S3cret" not in line


def test_a_missing_database_driver_names_the_package(capsys: pytest.CaptureFixture[str]) -> None:
    took, line = _run(capsys, "baseline", "--tracking-uri", "mysql://root:pw@127.0.0.1:3306/mlflow")
    assert took < LIMIT_SECONDS
    assert line == (
        "error: the database driver for mysql://***@127.0.0.1:3306/mlflow is not installed: "
        "install mysqlclient (`pip install mysqlclient`), or name an installed one in the URI "
        "(e.g. postgresql+psycopg://, mysql+pymysql://)"
    )
