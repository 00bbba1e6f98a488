"""Issue 24 item 1: credentials are found the way the drivers find them, whatever they hold."""

from __future__ import annotations

import logging

import pytest

from pipeline.core.errors import one_line
from pipeline.core.uris import install_log_redaction, redact_text, redact_uri, without_userinfo

# Passwords and user names with every character that cut the old `urlsplit` rule short.
PASSWORDS = ["Pg/S3cret", "a#b", "a?b", "p@ss", "x:y", "two words", "50%off", "пароль€", "/#?@: %"]
USERS = ["mlflow", "ann/e", "bob#1", "jo?", "名前", "a b"]


@pytest.mark.parametrize("password", PASSWORDS)
@pytest.mark.parametrize("scheme", ["postgresql", "postgresql+psycopg", "mysql+pymysql", "mssql"])
def test_database_passwords_are_masked_whatever_they_hold(scheme: str, password: str) -> None:
    uri = f"{scheme}://mlflow:{password}@127.0.0.1:5433/mlflow?sslmode=require"
    assert redact_uri(uri) == f"{scheme}://***@127.0.0.1:5433/mlflow?sslmode=require"


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("password", PASSWORDS)
def test_http_credentials_are_masked_whatever_they_hold(user: str, password: str) -> None:
    uri = f"http://{user}:{password}@mlflow.example:5000/api"
    shown = redact_uri(uri)
    assert shown == "http://***@mlflow.example:5000/api"
    assert without_userinfo(uri) == "http://mlflow.example:5000/api"


@pytest.mark.parametrize("password", [p for p in PASSWORDS if "@" not in p])
def test_what_sqlalchemy_reads_as_credentials_is_never_shown(password: str) -> None:
    """The database rule agrees with SQLAlchemy's own parser (the lean API repeats it by hand)."""
    make_url = pytest.importorskip("sqlalchemy.engine").make_url
    uri = f"postgresql://mlflow:{password}@db.internal:5432/mlflow"
    url = make_url(uri)
    shown = redact_uri(uri)
    assert url.password is not None and url.password not in shown.split("://", 1)[1]
    assert shown.endswith(f"@{url.host}:{url.port}/{url.database}")


def test_links_and_plain_uris_are_left_alone() -> None:
    for uri in (
        "http://127.0.0.1:5000/#/experiments/1/runs/abc",
        "https://medium.example/@author/post",
        "http://mlflow:5000/?next=/x@y",
        "sqlite:////tmp/a@b/mlflow.db",
        "file:///tmp/mlruns",
    ):
        assert redact_uri(uri) == uri, uri


@pytest.mark.parametrize("password", ["two words", "a b/c", "Pg/S3cret", "q?x#y"])
def test_a_uri_inside_a_message_is_masked_whatever_its_password(password: str) -> None:
    message = (
        f"MLflow tracking URI postgresql://mlflow:{password}@db:5432/mlflow did not answer: "
        "connection refused"
    )
    shown = one_line(RuntimeError(message))
    assert password not in shown
    assert shown == (
        "MLflow tracking URI postgresql://***@db:5432/mlflow did not answer: connection refused"
    )


def test_third_party_log_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    """urllib3 logs its retries with the full URL (a token in the query) through %-arguments."""
    install_log_redaction()
    with caplog.at_level(logging.WARNING, logger="urllib3.connectionpool"):
        logging.getLogger("urllib3.connectionpool").warning(
            "Retrying (%r) after connection broken by '%r': %s",
            "Retry(total=1)",
            "NewConnectionError()",
            "/api/2.0/mlflow/experiments/search?token=Zq9secret&max_results=1",
        )
        logging.getLogger("sqlalchemy.pool").warning(
            "connect to %s failed", "postgresql://mlflow:Pg/S3cret@db/mlflow"
        )
    text = caplog.text
    assert "Zq9secret" not in text and "S3cret" not in text
    assert "?token=***&max_results=1" in text
    assert "postgresql://***@db/mlflow" in text


def test_settings_errors_never_quote_a_password() -> None:
    from backend.settings import InvalidSettingsError, load_settings

    with pytest.raises(InvalidSettingsError) as caught:
        load_settings(tracking_uri="postgresql://mlflow:two words@db/mlflow")
    assert "two words" not in str(caught.value) and "words" not in str(caught.value)
    assert "MLFLOW_TRACKING_URI" in str(caught.value)
    assert redact_text("x") == "x"
