"""Load the raw diabetes table, check that it is the table we expect, and cut the initial split.

The table can come from an explicit path (the CSV, or the zip as distributed), from
``$HEALTHPREDICT_DATA``, from the cache, or from the official UCI download. Whatever the source,
the frame is validated (50 columns, 101,766 rows) and identified by the sha256 of the
``diabetic_data.csv`` bytes, so the zip and the bare CSV are recognisably the same data.

Only a download populates the cache: an explicit path or ``$HEALTHPREDICT_DATA`` is read in
place, so the project never keeps a second copy of data the user already points at.

``locate`` finds (or downloads) the file and checks it cheaply, without pandas: the CLI calls it
before it creates any MLflow store, so a missing file or a failed download costs nothing and
says how to pass a local copy. ``$HEALTHPREDICT_DATA_URL`` replaces the official URL (a mirror).
The initial split refuses data with a single outcome: no model or AUC can come of it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from pipeline.core import config
from pipeline.core.errors import DataError, one_line
from pipeline.data import columns

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger(__name__)

CSV_NAME: Final = "diabetic_data.csv"
EXPECTED_ROWS: Final = 101_766
OFFICIAL_URL: Final = (
    "https://archive.ics.uci.edu/static/public/296/"
    "diabetes+130-us+hospitals+for+years+1999-2008.zip"
)
LOCAL_COPY_HINT: Final = (
    f"pass a local copy with --data PATH, {config.DATA_ENV}=PATH or `make demo DATA=PATH`"
)
DOWNLOAD_TIMEOUT_SECONDS: Final = 60
_HEADER_LIMIT_BYTES: Final = 1 << 16
_NAMED_MISSING_COLUMNS: Final = 5
_CHUNK_BYTES: Final = 1 << 20

INITIAL_FRACTION: Final = 0.2
TRAIN_FRACTION: Final = 0.70
VALIDATION_FRACTION: Final = 0.15


@dataclass(frozen=True)
class RawData:
    """The validated raw table, the sha256 of its CSV bytes and where it came from."""

    frame: pd.DataFrame
    sha256: str
    source: str


@dataclass(frozen=True)
class InitialSplit:
    """Raw rows in file order: the initial period (train/validation/test) and the future."""

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame
    future: pd.DataFrame


def load_raw(path: str | Path | None = None) -> RawData:
    """Find, read and validate the raw table (path, then env, then cache, then download)."""
    return _load_file(locate(path))


def locate(path: str | Path | None = None) -> Path:
    """The raw data's file: ``path``, ``$HEALTHPREDICT_DATA``, the cache, else a fresh download.

    A given file must exist, be a .csv (or a zip holding ``diabetic_data.csv``) and start with
    the data set's header; ``DataError`` otherwise. Reads one line, so it answers at once.
    """
    if path is not None:
        return _checked(Path(path), "--data")
    from_env = os.environ.get(config.DATA_ENV)
    if from_env:
        return _checked(Path(from_env), f"${config.DATA_ENV}")
    cached = config.cache_dir() / CSV_NAME
    if cached.is_file():
        return cached
    logger.info(
        "no local copy of the data (--data, $%s, cache %s): downloading it",
        config.DATA_ENV,
        cached.parent,
    )
    return download_to_cache(cached, data_url())


def data_url() -> str:
    return os.environ.get(config.DATA_URL_ENV) or OFFICIAL_URL


def _checked(path: Path, given_by: str) -> Path:
    """The file, when it is a .csv or .zip whose table has the data set's columns (its header)."""
    if not path.is_file():
        raise DataError(f"data file {path} not found (given by {given_by})")
    if path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
        header = _zipped_header(path)
    elif path.suffix.lower() == ".csv":
        with path.open("rb") as table:
            header = table.readline(_HEADER_LIMIT_BYTES)
    else:
        raise DataError(
            f"data file {path} (given by {given_by}) is not the data set: expected "
            f"{CSV_NAME} or the zip as distributed by UCI (a .csv or .zip file)"
        )
    _check_header(header, path)
    return path


def _zipped_header(path: Path) -> bytes:
    """The first line of the archive's ``diabetic_data.csv``, read without unpacking the rest."""
    try:
        with zipfile.ZipFile(path) as bundle:
            members = [n for n in bundle.namelist() if Path(n).name == CSV_NAME]
            if not members:
                raise DataError(f"data archive {path} contains no {CSV_NAME}")
            with bundle.open(members[0]) as table:
                return table.readline(_HEADER_LIMIT_BYTES)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise DataError(f"data file {path} is not a valid zip archive ({exc})") from exc


def _check_header(header: bytes, path: Path) -> None:
    """``DataError`` naming the missing columns (the first few when most are missing)."""
    text = header.decode("utf-8", errors="replace").lstrip("\ufeff")
    present = {name.strip().strip('"') for name in next(csv.reader([text]), [])}
    missing = [c for c in columns.RAW_COLUMNS if c not in present]
    if not missing:
        return
    if len(missing) <= _NAMED_MISSING_COLUMNS:
        raise DataError(f"data file {path} is missing columns: {', '.join(missing)}")
    raise DataError(
        f"data file {path} is not the data set: its header lacks {len(missing)} of the "
        f"{len(columns.RAW_COLUMNS)} columns of {CSV_NAME} ({', '.join(missing[:3])}, ...)"
    )


def split_initial(
    frame: pd.DataFrame, seed: int, initial_fraction: float = INITIAL_FRACTION
) -> InitialSplit:
    """The first ``initial_fraction`` of rows (file order ~ time) is the initial period.

    Its test patients' rows (``patients.split_by_patient``, seeded) are ``initial_test``; the
    other rows, in file order, are cut 70:15 into training and validation. The rest is the future.
    """
    from pipeline.data import patients

    if not 0 < initial_fraction < 1:
        raise DataError(f"initial fraction must be between 0 and 1, got {initial_fraction}")
    ordered = frame.reset_index(drop=True)
    n_initial = int(len(ordered) * initial_fraction)
    training_side, test = patients.split_by_patient(ordered.iloc[:n_initial], seed)
    n_train = int(len(training_side) * TRAIN_FRACTION / (TRAIN_FRACTION + VALIDATION_FRACTION))
    if n_train == 0 or n_train == len(training_side) or len(test) == 0:
        raise DataError(f"{len(frame)} rows are too few to split into train/validation/test")
    return InitialSplit(
        train=training_side.iloc[:n_train].reset_index(drop=True),
        validation=training_side.iloc[n_train:].reset_index(drop=True),
        test=test,
        future=ordered.iloc[n_initial:].reset_index(drop=True),
    )


def check_outcomes(split: InitialSplit) -> None:
    """``DataError`` when a part of the initial split holds one outcome only (nothing to learn)."""
    from pipeline.data import features

    for name, part in (
        ("training", split.train),
        ("validation", split.validation),
        ("test", split.test),
    ):
        features.require_both_outcomes(features.outcome(part), f"the initial {name} split")


def download_to_cache(target: Path, url: str = OFFICIAL_URL) -> Path:
    """Fetch the official archive and store its ``diabetic_data.csv`` at ``target`` atomically."""
    logger.info("downloading the UCI diabetes data set from %s", url)
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:
            total = int(response.headers.get("Content-Length") or 0)
            buffer = io.BytesIO()
            while chunk := response.read(_CHUNK_BYTES):
                buffer.write(chunk)
                _log_progress(buffer.tell(), total)
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        raise DataError(f"download of {url} failed ({exc}); {LOCAL_COPY_HINT}") from exc
    csv_bytes = _csv_from_zip(buffer.getvalue(), url)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".download-", delete=False) as tmp:
        tmp.write(csv_bytes)
    os.replace(tmp.name, target)
    logger.info("cached %s (%d bytes)", target, len(csv_bytes))
    return target


def _log_progress(done: int, total: int) -> None:
    if total:
        logger.info("downloaded %.1f of %.1f MB", done / 1e6, total / 1e6)
    else:
        logger.info("downloaded %.1f MB", done / 1e6)


def _load_file(path: Path) -> RawData:
    data = path.read_bytes()
    if zipfile.is_zipfile(io.BytesIO(data)) or path.suffix.lower() == ".zip":
        data = _csv_from_zip(data, str(path))
    frame = _parse(data, str(path))
    return RawData(frame=frame, sha256=hashlib.sha256(data).hexdigest(), source=str(path))


def _csv_from_zip(archive: bytes, label: str) -> bytes:
    """The bytes of ``diabetic_data.csv`` wherever it sits inside the archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as bundle:
            members = [n for n in bundle.namelist() if Path(n).name == CSV_NAME]
            if not members:
                raise DataError(f"data archive {label} contains no {CSV_NAME}")
            return bundle.read(members[0])
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise DataError(f"data file {label} is not a valid zip archive ({exc})") from exc


def _parse(data: bytes, label: str) -> pd.DataFrame:
    import pandas as pd

    from pipeline.data import features

    try:
        frame = features.read_raw_csv(io.BytesIO(data))
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"data file {label} is not a readable CSV table: {one_line(exc)}") from exc
    missing = [c for c in features.RAW_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"data file {label} is missing columns: {', '.join(missing)}")
    if len(frame) != EXPECTED_ROWS:
        raise DataError(f"data file {label} has {len(frame):,} rows, expected {EXPECTED_ROWS:,}")
    features.check_values(frame, label)
    return frame.loc[:, list(features.RAW_COLUMNS)]
