"""Find the data set before `make demo` installs anything: the standard library and system python.

`make demo` runs this first, so a missing data set is reported in one line within seconds, not
after minutes of installing. It asks the pipeline's own rule (`pipeline.data.raw.locate`: DATA=,
then $HEALTHPREDICT_DATA, then the cache), whose module imports nothing outside the standard
library. With no local copy it downloads the archive into the cache as the experiment would,
after checking for 3 s that the download host answers at all: offline, one line says so and how
to pass a copy. When the state folder already holds a store, a missing data set is no error:
`experiment run --if-missing` needs the data only when that store's run-through is incomplete.

    python3 scripts/check_data.py [--data PATH]        # exit 0: found (path on stdout); 1: not
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
try:
    from pipeline.core import config
    from pipeline.core.errors import DataError
    from pipeline.data import raw
except (ImportError, SyntaxError) as exc:  # an older system python: the experiment checks later
    print(f"data: not checked early ({sys.executable} cannot read the pipeline: {exc})")
    sys.exit(0)

REACH_TIMEOUT_SECONDS = 3.0
MAKE_HINT = "pass a local copy: make demo DATA=path/to/dataset_diabetes.zip"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Find the data set before `make demo` installs.")
    parser.add_argument("--data", help="the data set (DATA= of make demo)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="data: %(message)s", stream=sys.stdout)
    try:
        if args.data or _has_local_copy():
            found = raw.locate(args.data or None)
        elif _store_exists():
            print(
                f"data: no local copy; {config.state_dir()} already holds a store, so the "
                "experiment needs the data only if its run-through is incomplete"
            )
            return 0
        else:
            _check_reachable()
            found = raw.locate(None)
    except DataError as exc:
        message = str(exc) if "local copy" in str(exc) else f"{exc}; {MAKE_HINT}"
        print(f"data: {message}", file=sys.stderr)
        return 1
    print(f"data: {found}")
    return 0


def _has_local_copy() -> bool:
    """$HEALTHPREDICT_DATA is set (locate checks the file) or the cache holds the table."""
    return bool(os.environ.get(config.DATA_ENV)) or (config.cache_dir() / raw.CSV_NAME).is_file()


def _store_exists() -> bool:
    """A SQLite store whose file exists, or any other store (its contents are unknown here)."""
    database = config.sqlite_path(config.default_tracking_uri())
    return database is None or database.is_file()


def _check_reachable() -> None:
    """One line within seconds when a download cannot work, instead of a long timeout."""
    url = raw.data_url()
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    where = f"DATA=, ${config.DATA_ENV}, cache {config.cache_dir()}"
    try:
        with socket.create_connection((parts.hostname or "", port), REACH_TIMEOUT_SECONDS):
            pass
    except OSError as exc:
        raise DataError(
            f"no local copy ({where}) and {parts.hostname} cannot be reached to download it "
            f"({exc}); {MAKE_HINT}"
        ) from exc


if __name__ == "__main__":
    sys.exit(main())
