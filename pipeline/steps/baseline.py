"""Step 3: capture batch 0 (``pipeline.gate.baseline``), one capture per store at a time.

The same step serves ``experiment run``, ``python -m baseline`` / ``healthpredict baseline`` and
the API's ``POST /baseline`` (through ``baseline.capture``). Captures against one tracking URI
never interleave, by two locks taken in this order:

- ``capture_lock`` (an in-process lock plus an ``fcntl`` file under the state folder): the queue
  of captures that share this machine's state folder. ``blocking=True`` (the command line's
  default) waits its turn here; ``blocking=False`` (``--no-wait``, ``POST /baseline``) refuses.
- the step lease ``baseline`` (``pipeline.tracking.lease``, as ``run_batch`` holds ``batch N``):
  one writer per store, whoever and wherever it is (another state folder, another machine on the
  same MLflow server). It never waits: a capture the local queue cannot see is refused at once
  in one line naming the running one (``StepRunningError``, exit 3; 409 from the API), because a
  wait on a holder elsewhere could last as long as that holder lives.
"""

from __future__ import annotations

import fcntl
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from pipeline.core import config
from pipeline.core.errors import CaptureInProgressError
from pipeline.core.uris import redact_uri
from pipeline.data.storage import Storage, open_storage
from pipeline.gate import baseline
from pipeline.gate.baseline_result import BaselineResult
from pipeline.tracking import client as tracking
from pipeline.tracking import lease

LOCK_FOLDER: Final = "locks"
BASELINE_STEP: Final = "baseline"  # the step lease's name, as `run_batch` holds "batch N"

_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


def capture_baseline(
    tracking_uri: str,
    storage: str | Storage,
    *,
    s3_endpoint_url: str | None = None,
    blocking: bool = True,
) -> BaselineResult:
    """Capture batch 0; ``blocking=False`` raises ``CaptureInProgressError`` instead of waiting.

    A capture running against the same store under another state folder or machine is refused
    either way (``StepRunningError``): the step lease never waits.
    """
    client = tracking.configure(tracking_uri)
    with (
        capture_lock(tracking_uri, blocking=blocking),
        lease.step_lease(client, BASELINE_STEP),
    ):
        store = (
            open_storage(storage, s3_endpoint_url=s3_endpoint_url)
            if isinstance(storage, str)
            else storage
        )
        return baseline.capture(client, store)


def lock_path(tracking_uri: str) -> Path:
    """The lock file for captures against ``tracking_uri`` (one per store, in the state folder)."""
    digest = hashlib.sha256(tracking_uri.strip().rstrip("/").encode()).hexdigest()[:16]
    return config.state_dir() / LOCK_FOLDER / f"baseline-{digest}.lock"


@contextmanager
def capture_lock(tracking_uri: str, *, blocking: bool = True) -> Iterator[None]:
    """Hold the capture lock for ``tracking_uri`` across threads and processes."""
    path = lock_path(tracking_uri)
    busy = CaptureInProgressError(
        f"another baseline capture against {redact_uri(tracking_uri)} is running; "
        "try again when it ends"
    )
    with _process_locks_guard:
        process_lock = _process_locks.setdefault(str(path), threading.Lock())
    if not process_lock.acquire(blocking=blocking):
        raise busy
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as error:
                raise busy from error
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        process_lock.release()
