"""A one-value cache that never makes a reader with a copy wait for MLflow.

- Cold (no copy yet): readers wait for the one load in progress (single flight); when it fails
  the error propagates (the route answers 503).
- Expired, with a copy: the copy is returned at once and one background reload starts, unless
  one is already in flight or the last one ended less than its own duration (and
  `min_reload_interval`) ago. A hung MLflow therefore costs readers nothing but freshness, and a
  store that refuses at once (a stopped database) is not asked again on every read.
- A reload that fails keeps the copy and flags it stale until a reload succeeds; so does one
  still running after `stale_after` seconds (a hung MLflow). A cold reader waits at most
  `deadline` seconds before the route answers 503 (the load goes on, still single flight).
- `reload()` (POST /refresh, after a baseline capture) waits for a reload that started after the
  call; concurrent callers share it, and the next one starts no sooner than the last one took
  (and `min_reload_interval`) after it ended, so refresh spam cannot keep MLflow busy.
- `ttl_seconds=0` means no caching: every read waits for a reload (still one at a time), so an
  answer says what MLflow said just now.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Generic, TypeVar

from pipeline.core.errors import TrackingError

T = TypeVar("T")

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Cached(Generic[T]):
    value: T
    stale: bool


class TtlCache(Generic[T]):
    """Holds one value for `ttl_seconds`, reloading it in the background once it expires."""

    def __init__(
        self,
        load: Callable[[], T],
        ttl_seconds: float,
        min_reload_interval: float = 0.0,
        deadline: float | None = None,
        stale_after: float | None = None,
    ) -> None:
        self._load = load
        self._deadline = deadline
        self._stale_after = stale_after if stale_after is not None else deadline
        self._ttl = ttl_seconds
        self._min_interval = min_reload_interval
        self._lock = threading.Lock()
        self._value: T | None = None
        self._loaded_at: float | None = None
        self._failed = False
        self._inflight: Future[T] | None = None
        self._last_started: float | None = None
        self._next_allowed: float | None = None  # earliest start of the next refresh reload

    def _overdue(self) -> bool:
        """A reload has been running longer than the deadline (MLflow hangs). Lock held."""
        running = self._inflight is not None and not self._inflight.done()
        return (
            running
            and self._stale_after is not None
            and self._last_started is not None
            and time.monotonic() - self._last_started > self._stale_after
        )

    def _fresh(self) -> bool:
        return self._loaded_at is not None and time.monotonic() - self._loaded_at < self._ttl

    def _finished(self, started: float) -> None:
        """Refresh reloads leave MLflow (and this process) idle at least as long as the last one
        took, and `min_reload_interval` at least: a burst of refreshes gets half the CPU."""
        now = time.monotonic()
        self._next_allowed = now + max(self._min_interval, now - started)

    def _run(self, future: Future[T]) -> None:
        started = time.monotonic()
        try:
            value = self._load()
        except BaseException as exc:  # handed to every waiter through the future
            with self._lock:
                self._finished(started)
                self._failed = self._value is not None
            if not isinstance(exc, TrackingError):
                logger.exception("report reload failed")
            future.set_exception(exc)
            return
        with self._lock:
            self._finished(started)
            self._value, self._loaded_at, self._failed = value, time.monotonic(), False
        future.set_result(value)

    def _start(self) -> Future[T]:
        """The reload in flight, or a new one in a background thread. Call with the lock held."""
        if self._inflight is not None and not self._inflight.done():
            return self._inflight
        future: Future[T] = Future()
        self._inflight, self._last_started = future, time.monotonic()
        threading.Thread(
            target=self._run, args=(future,), name="report-reload", daemon=True
        ).start()
        return future

    def get_nowait(self) -> Cached[T] | None:
        """The copy without waiting (starting a background reload when it expired), or None
        when a reader has to wait: no copy yet, or `ttl_seconds=0`."""
        with self._lock:
            if self._value is None or self._ttl == 0:
                return None
            if not self._fresh() and self._may_start():
                self._start()
            return Cached(self._value, stale=self._failed or self._overdue())

    def _may_start(self) -> bool:
        """A background reload may start: the last one ended long enough ago. Lock held."""
        return self._next_allowed is None or time.monotonic() >= self._next_allowed

    def get(self) -> Cached[T]:
        """The copy, waiting only when there is none yet (or `ttl_seconds=0`)."""
        ready = self.get_nowait()
        if ready is not None:
            return ready
        with self._lock:
            future = self._start()
        try:
            value = future.result(self._deadline)
        except (FutureTimeout, TrackingError) as exc:
            with self._lock:
                if self._value is not None:
                    return Cached(self._value, stale=True)
            if isinstance(exc, TrackingError):
                raise
            raise TrackingError(
                f"MLflow did not answer within {self._deadline:g} s (the read goes on in the "
                "background; try again shortly)"
            ) from None
        return Cached(value, stale=False)

    def reload(self, timeout: float | None = None) -> bool:
        """Reload and wait (at most about `timeout` s); True when the reload succeeded.

        Only a reload that started after this call counts (the caller wants what the store
        holds now), and such a reload is shared: every caller waiting meanwhile joins it. A new
        reload starts no sooner than `_finished` allows, so a burst of refreshes spends at most
        half of the time reloading. Readers are not held up by any of this.
        """
        requested = time.monotonic()
        deadline = None if timeout is None else requested + timeout
        while True:
            with self._lock:
                future, started = self._inflight, self._last_started
                running = future is not None and not future.done()
                if running and started is not None and started >= requested:
                    break  # a reload that began after this request: join it
                wait = 0.0
                if not running and self._next_allowed is not None:
                    wait = self._next_allowed - time.monotonic()
                if not running and wait <= 0:
                    future = self._start()
                    break
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            if running and future is not None:
                with contextlib.suppress(TrackingError, FutureTimeout):
                    future.result(left)  # an older reload: wait for it, then start ours
            else:
                time.sleep(wait if left is None else min(wait, left))
        assert future is not None
        try:
            future.result(None if deadline is None else max(deadline - time.monotonic(), 0))
        except (FutureTimeout, TrackingError):
            return False  # the answer is "not reloaded"; readers keep the copy, flagged stale
        return True
