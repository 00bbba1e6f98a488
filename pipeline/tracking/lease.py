"""One writer per step (a batch, the baseline) at a time: a lease taken before anything is written.

Two `batch run 4` at once used to race: the second marked the first's live training run KILLED
and both promoted a version. The second now refuses at once, in one line naming the running one.

- Local stores (SQLite, a folder): a lock file beside the store, held with `flock`. Every writer
  shares that file system, and the kernel drops the lock when its process dies, so a crashed
  holder's lease ends with it.
- Remote stores (an MLflow server, a database): writers may sit on different machines and share
  only the store, so the lease lives there: a registered model named after the step, created
  atomically (the registry refuses a second model of the same name), with its holder and an
  expiry in its tags, renewed while the step runs and deleted when it ends. A crashed holder's
  lease expires after `LEASE_SECONDS`.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final, ParamSpec, TypeVar

from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from pipeline.core.config import sqlite_path
from pipeline.core.errors import HealthPredictError

P = ParamSpec("P")
R = TypeVar("R")

LEASE_FOLDER: Final = "leases"
LEASE_MODEL_PREFIX: Final = "healthpredict-lease-"
LEASE_SECONDS: Final = 300.0
RENEW_EVERY_SECONDS: Final = 60.0


class StepRunningError(HealthPredictError):
    """Another process is running the same step against the same store."""

    exit_code = 3


def _holder() -> dict[str, object]:
    return {"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%H:%M:%S")}


def _busy(step: str, holder: dict[str, object]) -> StepRunningError:
    who = f"pid {holder.get('pid', '?')} on {holder.get('host', '?')}"
    return StepRunningError(
        f"{step} is already running ({who}, since {holder.get('since', '?')}): "
        "wait for it to end, or stop that process"
    )


def _local_folder(tracking_uri: str) -> Path | None:
    database = sqlite_path(tracking_uri)
    if database is not None:
        return database.parent
    if "://" not in tracking_uri or tracking_uri.startswith("file://"):
        return Path(tracking_uri.removeprefix("file://"))
    return None


@contextmanager
def _lock_file(folder: Path, step: str) -> Iterator[None]:
    path = folder / LEASE_FOLDER / f"{step.replace(' ', '-')}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            try:
                holder = json.loads(handle.read() or "{}")
            except ValueError:
                holder = {}
            raise _busy(step, holder) from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(_holder()))
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def _take_store_lease(client: MlflowClient, name: str, step: str) -> None:
    for _ in range(2):
        tags = {
            **{k: str(v) for k, v in _holder().items()},
            "expires": str(time.time() + LEASE_SECONDS),
        }
        try:
            client.create_registered_model(name, tags=tags, description=f"lease: {step} is running")
            return
        except MlflowException as exc:
            if exc.error_code != "RESOURCE_ALREADY_EXISTS":
                raise
        held = client.get_registered_model(name).tags
        if float(held.get("expires", "0")) > time.time():
            raise _busy(step, dict(held))
        client.delete_registered_model(name)  # expired: its holder crashed
    raise _busy(step, {})


@contextmanager
def _store_lease(client: MlflowClient, step: str) -> Iterator[None]:
    name = LEASE_MODEL_PREFIX + step.replace(" ", "-")
    _take_store_lease(client, name, step)
    done = threading.Event()

    def renew() -> None:
        while not done.wait(RENEW_EVERY_SECONDS):
            expires = str(time.time() + LEASE_SECONDS)
            with contextlib.suppress(MlflowException):  # the step's own calls will say so
                client.set_registered_model_tag(name, "expires", expires)

    renewer = threading.Thread(target=renew, name=f"lease-{step}", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        done.set()
        with contextlib.suppress(MlflowException):  # it expires on its own
            client.delete_registered_model(name)


@contextmanager
def step_lease(client: MlflowClient, step: str) -> Iterator[None]:
    """Hold the lease of `step` (e.g. "batch 4") on `client`'s store while the block runs."""
    folder = _local_folder(client.tracking_uri)
    lease = _lock_file(folder, step) if folder is not None else _store_lease(client, step)
    with lease:
        yield


def one_writer(step: Callable[..., str]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Run the decorated step under `step_lease`; `step(*args, **kwargs)` names it. The first
    argument is the `MlflowClient` or the tracking URI."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def leased(*args: P.args, **kwargs: P.kwargs) -> R:
            target = args[0]
            client = (
                target
                if isinstance(target, MlflowClient)
                else MlflowClient(str(target), str(target))
            )
            with step_lease(client, step(*args, **kwargs)):
                return function(*args, **kwargs)

        return leased

    return decorate
