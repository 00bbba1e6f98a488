"""S3 storage against a real moto S3 server: the contract's keys, and clear failures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from pipeline.core import contract
from pipeline.core.errors import StorageError
from pipeline.data.storage import S3Storage, open_storage
from tests.support.servers import (
    closed_port_url,
    moto_s3_server,
    s3_client,
    use_aws_test_credentials,
)
from tests.support.synthetic import as_read_from_csv, raw_encounters

BUCKET = "healthpredict-test"


@pytest.fixture
def raw() -> pd.DataFrame:
    return as_read_from_csv(raw_encounters(40, seed=3))


@pytest.fixture
def s3_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    use_aws_test_credentials(monkeypatch)
    with moto_s3_server() as endpoint:
        s3_client(endpoint).create_bucket(Bucket=BUCKET)
        yield endpoint


def test_s3_round_trip_under_a_prefix(s3_endpoint: str, raw: pd.DataFrame):
    storage = open_storage(f"s3://{BUCKET}/runs/one", s3_endpoint_url=s3_endpoint)
    assert isinstance(storage, S3Storage)
    assert not storage.exists(contract.INITIAL_TEST_KEY)

    storage.write_csv(contract.INITIAL_TEST_KEY, raw)

    assert storage.exists(contract.INITIAL_TEST_KEY)
    assert storage.uri(contract.INITIAL_TEST_KEY) == (
        f"s3://{BUCKET}/runs/one/{contract.INITIAL_TEST_KEY}"
    )
    pd.testing.assert_frame_equal(storage.read_csv(contract.INITIAL_TEST_KEY), raw)
    listed = s3_client(s3_endpoint).list_objects_v2(Bucket=BUCKET)["Contents"]
    assert [item["Key"] for item in listed] == [f"runs/one/{contract.INITIAL_TEST_KEY}"]


def test_s3_endpoint_comes_from_the_mlflow_variable(
    s3_endpoint: str, raw: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("MLFLOW_S3_ENDPOINT_URL", s3_endpoint)
    storage = open_storage(f"s3://{BUCKET}")
    storage.write_csv(contract.INITIAL_TEST_KEY, raw)
    assert storage.exists(contract.INITIAL_TEST_KEY)


def test_s3_missing_key_names_the_key_and_the_bucket(s3_endpoint: str):
    storage = open_storage(f"s3://{BUCKET}/prefix", s3_endpoint_url=s3_endpoint)
    with pytest.raises(StorageError) as caught:
        storage.read_csv(contract.INITIAL_TEST_KEY)
    message = str(caught.value)
    assert f"{contract.INITIAL_TEST_KEY} not found in s3://{BUCKET}/prefix" in message
    assert "healthpredict experiment prepare" in message


def test_s3_missing_bucket_is_named_on_read_write_and_exists(s3_endpoint: str, raw: pd.DataFrame):
    storage = open_storage("s3://no-such-bucket", s3_endpoint_url=s3_endpoint)
    with pytest.raises(StorageError, match="bucket 'no-such-bucket' does not exist"):
        storage.read_csv(contract.INITIAL_TEST_KEY)
    with pytest.raises(StorageError, match="bucket 'no-such-bucket' does not exist"):
        storage.exists(contract.INITIAL_TEST_KEY)
    with pytest.raises(StorageError, match="bucket 'no-such-bucket' does not exist"):
        storage.write_csv(contract.INITIAL_TEST_KEY, raw)


@pytest.mark.timeout(60)
def test_s3_unreachable_endpoint_is_a_storage_error(monkeypatch: pytest.MonkeyPatch):
    use_aws_test_credentials(monkeypatch)
    storage = open_storage(f"s3://{BUCKET}", s3_endpoint_url=closed_port_url())
    with pytest.raises(StorageError, match="cannot reach"):
        storage.read_csv(contract.INITIAL_TEST_KEY)


@pytest.mark.timeout(60)
def test_s3_without_credentials_is_a_storage_error(
    s3_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    storage = open_storage(f"s3://{BUCKET}", s3_endpoint_url=s3_endpoint)
    with pytest.raises(StorageError, match="credentials"):
        storage.read_csv(contract.INITIAL_TEST_KEY)
