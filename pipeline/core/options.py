"""The command-line options every command shares: the MLflow store and the data storage.

One definition of each flag, its metavar, default and help, used by both parsers: `healthpredict`
(every subcommand) and `python -m baseline` (which keeps its original `--mlflow-tracking-uri`
spelling as another name of the same option). It sits in the bottom layer so that both may import
it; it imports argparse and the defaults in `config`, nothing else.
"""

from __future__ import annotations

import argparse
from typing import Final, Literal

from pipeline.core import config

TRACKING_URI_FLAG: Final = "--tracking-uri"
STORAGE_FLAG: Final = "--storage"
S3_ENDPOINT_FLAG: Final = "--s3-endpoint-url"
_TRACKING_USES: Final = {
    "log to": "the MLflow store to log to",
    "read": "the MLflow store to read (it must exist: reading never creates one)",
}


def add_tracking_uri(
    parser: argparse.ArgumentParser,
    use: Literal["log to", "read"] = "log to",
    other_names: tuple[str, ...] = (),
) -> None:
    """``--tracking-uri URI`` (and ``other_names`` for it); read back with ``tracking_uri``."""
    parser.add_argument(
        *other_names,
        TRACKING_URI_FLAG,
        dest="tracking_uri",
        default=None,
        metavar="URI",
        help=f"{_TRACKING_USES[use]}: http(s)://host:port, sqlite:///file.db, postgresql://... "
        f"(default: ${config.TRACKING_URI_ENV}, else SQLite in the state folder "
        f"${config.STATE_DIR_ENV})",
    )


def add_storage(
    parser: argparse.ArgumentParser,
    storage_group: argparse._MutuallyExclusiveGroup | None = None,
) -> None:
    """``--storage`` (into ``storage_group`` when given) and ``--s3-endpoint-url``."""
    (storage_group or parser).add_argument(
        STORAGE_FLAG,
        default=None,
        metavar="DIR|s3://BUCKET[/PREFIX]",
        help="where the data splits and batches are kept: a local folder or an S3 bucket "
        f"(default: ${config.STORAGE_ENV}, else storage/ in the state folder)",
    )
    parser.add_argument(
        S3_ENDPOINT_FLAG,
        default=None,
        metavar="URL",
        help="S3-compatible endpoint such as MinIO, for s3:// storage "
        f"(default: ${config.S3_ENDPOINT_ENV}, else AWS)",
    )


def tracking_uri(args: argparse.Namespace) -> str:
    """The store's URI (the option, else the default), its scheme checked before MLflow loads."""
    return config.check_tracking_uri(str(args.tracking_uri or config.default_tracking_uri()))


def storage(args: argparse.Namespace) -> str:
    """The storage's location: the option, else the default."""
    return str(args.storage or config.default_storage())
