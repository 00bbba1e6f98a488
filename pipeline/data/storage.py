"""Where the experiment's CSVs live: a local folder or ``s3://bucket[/prefix]``.

Both back-ends speak in the contract's storage keys (``contract.INITIAL_TEST_KEY``,
``contract.batch_data_key(n)``, ...) and hold *raw* rows, so every reader goes through
``features.read_raw_csv`` and then ``features.prepare``. Every failure is a one-line
``StorageError`` that names the key and the storage, so the user knows what to run or fix.

Refinements of docs/architecture.md:
- ``write_csv`` writes missing values as the raw table's ``?`` marker, so a written frame reads
  back identically through ``features.read_raw_csv``.
- A stored object that is not the raw table raises ``DataError`` naming the key.
- S3 clients use short timeouts and one retry, so an unreachable endpoint fails in seconds.
- ``read_text`` reads a small stored file without pandas (the CLI's manifest check).
- boto3, pandas and the feature code are imported where they are used, so opening a storage
  (and reading the manifest of a local one) stays cheap for the CLI's fast paths.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

from pipeline.core.config import S3_ENDPOINT_ENV
from pipeline.core.errors import DataError, StorageError, one_line

if TYPE_CHECKING:
    import pandas as pd
    from botocore.exceptions import BotoCoreError, ClientError
    from mypy_boto3_s3 import S3Client

logger = logging.getLogger(__name__)

S3_SCHEME: Final = "s3://"
AWS_ENDPOINT_ENV: Final = "AWS_ENDPOINT_URL"
# Keys that `healthpredict experiment prepare` writes; a missing one means it has not run yet.
_PREPARED_PREFIXES: Final = ("processed_data/", "drift_monitoring/")
_PREPARE_HINT: Final = "run `healthpredict experiment prepare` first"
_MISSING_KEY_CODES: Final = frozenset({"NoSuchKey", "404", "NotFound"})
_MISSING_BUCKET_CODES: Final = frozenset({"NoSuchBucket"})
_S3_CLIENT_SETTINGS: Final[dict[str, Any]] = {
    "connect_timeout": 3,
    "read_timeout": 20,
    "retries": {"max_attempts": 2, "mode": "standard"},
}


class Storage(Protocol):
    """The storage interface every pipeline step and the baseline use."""

    def read_csv(self, key: str) -> pd.DataFrame: ...

    def read_text(self, key: str) -> str: ...

    def write_csv(self, key: str, frame: pd.DataFrame) -> None: ...

    def exists(self, key: str) -> bool: ...

    def uri(self, key: str) -> str: ...

    def describe(self) -> str: ...


def open_storage(location: str | Path, *, s3_endpoint_url: str | None = None) -> Storage:
    """A local folder path or ``s3://bucket[/prefix]``; the endpoint only applies to S3."""
    text = str(location).strip()
    if not text:
        raise StorageError("storage location is empty: give a folder or s3://bucket[/prefix]")
    if text.startswith(S3_SCHEME):
        bucket, _, prefix = text[len(S3_SCHEME) :].partition("/")
        if not bucket:
            raise StorageError(f"storage location {text!r} names no bucket")
        return S3Storage(bucket, prefix, endpoint_url=s3_endpoint_url)
    if "://" in text:
        raise StorageError(f"storage location {text!r}: only a folder or s3:// is supported")
    return LocalStorage(Path(text))


def missing_key_message(key: str, storage: str) -> str:
    hint = f" — {_PREPARE_HINT}" if key.startswith(_PREPARED_PREFIXES) else ""
    return f"{key} not found in {storage}{hint}"


def _parse_raw(source: Any, key: str, storage: str) -> pd.DataFrame:
    import pandas as pd

    from pipeline.data import features

    try:
        return features.read_raw_csv(source)
    except (ValueError, pd.errors.ParserError) as error:
        raise DataError(f"{key} in {storage} is not the raw table: {one_line(error)}") from error


def _raw_csv_bytes(frame: pd.DataFrame) -> bytes:
    from pipeline.data import features

    return frame.to_csv(index=False, na_rep=features.MISSING_MARKER).encode("utf-8")


class LocalStorage:
    """A folder on disk; writes are atomic (temp file + rename) so readers never see half a file."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder).expanduser().resolve()

    def _path(self, key: str) -> Path:
        return self.folder / key

    def read_csv(self, key: str) -> pd.DataFrame:
        path = self._path(key)
        if not path.is_file():
            raise StorageError(missing_key_message(key, self.describe()))
        return _parse_raw(path, key, self.describe())

    def read_text(self, key: str) -> str:
        path = self._path(key)
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError as error:
            raise StorageError(missing_key_message(key, self.describe())) from error
        except (OSError, UnicodeDecodeError) as error:
            raise StorageError(f"cannot read {key} in {self.describe()}: {error}") from error

    def write_csv(self, key: str, frame: pd.DataFrame) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(_raw_csv_bytes(frame))
                os.replace(temp_name, path)
            except BaseException:
                Path(temp_name).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise StorageError(f"cannot write {key} to {self.describe()}: {error}") from error
        logger.debug("wrote %d rows to %s", len(frame), path)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def uri(self, key: str) -> str:
        return str(self._path(key))

    def describe(self) -> str:
        return str(self.folder)


class S3Storage:
    """An S3 (or S3-compatible: MinIO, moto) bucket, optionally under a key prefix."""

    def __init__(self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = (
            endpoint_url or os.environ.get(S3_ENDPOINT_ENV) or os.environ.get(AWS_ENDPOINT_ENV)
        )
        # A session of its own: boto3's default session caches credentials process-wide and is
        # not safe to share between threads (the API serves captures from worker threads).
        import boto3
        from botocore.config import Config

        self._client: S3Client = boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint_url, config=Config(**_S3_CLIENT_SETTINGS)
        )

    def _object_key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def read_csv(self, key: str) -> pd.DataFrame:
        return _parse_raw(io.BytesIO(self._read_bytes(key)), key, self.describe())

    def read_text(self, key: str) -> str:
        try:
            return self._read_bytes(key).decode("utf-8")
        except UnicodeDecodeError as error:
            raise StorageError(f"cannot read {key} in {self.describe()}: {error}") from error

    def _read_bytes(self, key: str) -> bytes:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self._client.get_object(Bucket=self.bucket, Key=self._object_key(key))
            return response["Body"].read()
        except ClientError as error:
            raise self._client_error(error, key) from error
        except BotoCoreError as error:
            raise self._unreachable(error) from error

    def write_csv(self, key: str, frame: pd.DataFrame) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._client.put_object(
                Bucket=self.bucket, Key=self._object_key(key), Body=_raw_csv_bytes(frame)
            )
        except ClientError as error:
            raise self._client_error(error, key) from error
        except BotoCoreError as error:
            raise self._unreachable(error) from error
        logger.debug("wrote %d rows to %s", len(frame), self.uri(key))

    def exists(self, key: str) -> bool:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._client.head_object(Bucket=self.bucket, Key=self._object_key(key))
        except ClientError as error:
            if _error_code(error) in _MISSING_KEY_CODES:
                # HEAD answers a bare 404 for a missing bucket too: tell the two apart.
                self._check_bucket()
                return False
            raise self._client_error(error, key) from error
        except BotoCoreError as error:
            raise self._unreachable(error) from error
        return True

    def uri(self, key: str) -> str:
        return f"{S3_SCHEME}{self.bucket}/{self._object_key(key)}"

    def describe(self) -> str:
        location = f"{S3_SCHEME}{self.bucket}" + (f"/{self.prefix}" if self.prefix else "")
        return f"{location} (endpoint {self.endpoint_url})" if self.endpoint_url else location

    def _check_bucket(self) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._client.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            raise self._client_error(error, None) from error
        except BotoCoreError as error:
            raise self._unreachable(error) from error

    def _client_error(self, error: ClientError, key: str | None) -> StorageError:
        code = _error_code(error)
        if code in _MISSING_BUCKET_CODES or (key is None and code in _MISSING_KEY_CODES):
            where = f" at {self.endpoint_url}" if self.endpoint_url else ""
            return StorageError(f"S3 bucket {self.bucket!r} does not exist{where}")
        if key is not None and code in _MISSING_KEY_CODES:
            return StorageError(missing_key_message(key, self.describe()))
        message = error.response.get("Error", {}).get("Message") or code
        subject = key if key is not None else "bucket"
        return StorageError(f"S3 refused {subject} in {self.describe()}: {code} {message}")

    def _unreachable(self, error: BotoCoreError) -> StorageError:
        return StorageError(f"cannot reach {self.describe()}: {error}")


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
