"""`redact_uri`: credentials never reach a page, a response body or a log line."""

from __future__ import annotations

import pytest

from pipeline.core.uris import redact_text, redact_uri

SECRET = "Pa55w0rd"


@pytest.mark.parametrize(
    ("uri", "shown"),
    [
        (f"http://alice:{SECRET}@mlflow:5000", "http://***@mlflow:5000"),
        (f"https://alice:{SECRET}@mlflow.example/api/", "https://***@mlflow.example/api/"),
        (f"https://{SECRET}@mlflow.example", "https://***@mlflow.example"),
        (
            f"postgresql://mlflow:{SECRET}@db:5432/mlflow",
            "postgresql://***@db:5432/mlflow",
        ),
        (
            f"postgresql+psycopg://mlflow:{SECRET}@db/mlflow?sslmode=require&sslpassword={SECRET}",
            "postgresql+psycopg://***@db/mlflow?sslmode=require&sslpassword=***",
        ),
        (
            f"mysql+pymysql://root:{SECRET}@127.0.0.1:3306/mlflow",
            "mysql+pymysql://***@127.0.0.1:3306/mlflow",
        ),
        (f"http://mlflow:5000/?password={SECRET}&x=1", "http://mlflow:5000/?password=***&x=1"),
        (
            f"postgresql://db/mlflow?user=mlflow&password={SECRET}",
            "postgresql://db/mlflow?user=mlflow&password=***",
        ),
        (
            f"https://blob.example/c?sv=2022&sig={SECRET}&X-Amz-Signature={SECRET}",
            "https://blob.example/c?sv=2022&sig=***&X-Amz-Signature=***",
        ),
        (
            f"http://h/?access_key={SECRET}&PWD={SECRET}&api-token={SECRET}#top",
            "http://h/?access_key=***&PWD=***&api-token=***#top",
        ),
    ],
)
def test_credentials_are_masked(uri: str, shown: str) -> None:
    assert redact_uri(uri) == shown
    assert SECRET not in redact_uri(uri)


@pytest.mark.parametrize(
    "uri",
    [
        "http://127.0.0.1:5000",
        "https://mlflow.example/path?experiment=3&keyword=drift",
        "sqlite:///.healthpredict/mlflow.db",
        "sqlite:////tmp/store/mlflow.db",
        "file:///tmp/mlruns",
        "/home/user/.healthpredict/mlruns",
        "postgresql://db:5432/mlflow?sslmode=require",
        "databricks",
    ],
)
def test_uris_without_secrets_come_back_unchanged(uri: str) -> None:
    assert redact_uri(uri) == uri


def test_uris_inside_an_error_message_are_masked() -> None:
    message = (
        f"MLflow at http://alice:{SECRET}@mlflow:5000 did not answer: "
        f"(psycopg.OperationalError) connection to 'postgresql://u:{SECRET}@db/x' failed"
    )
    redacted = redact_text(message)
    assert SECRET not in redacted
    assert "http://***@mlflow:5000 did not answer" in redacted
    assert "'postgresql://***@db/x' failed" in redacted


def test_query_parameters_quoted_without_their_uri_are_masked() -> None:
    message = f"Max retries exceeded with url: /?token={SECRET}/api/2.0/x?a=1&pwd={SECRET} (x)"
    assert redact_text(message) == "Max retries exceeded with url: /?token=***&pwd=*** (x)"
    plain = "url: /api/2.0/runs/search?max_results=1&order_by=start_time"
    assert redact_text(plain) == plain
