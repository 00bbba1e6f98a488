"""`/health` without starving anyone: the last known state, refreshed by one bounded probe.

A burst of `/health` used to call MLflow once per request, each in a worker thread of the shared
pool, with no time limit: a hung MLflow, a locked SQLite file or a stopped PostgreSQL filled the
pool and every other `def` route waited behind them. Here at most one probe is in flight; a
request waits for it at most `WAIT_SECONDS` (on the event loop, holding no worker thread) and
otherwise answers the last known state, saying so. A probe that overruns `PROBE_DEADLINE_SECONDS`
counts as "MLflow did not answer" (its thread finishes on its own; no second one starts meanwhile).

Waiting costs nothing that outlives the wait: the requests of one event loop share one asyncio
view of the probe, and a request arriving after the first `WAIT_SECONDS` does not wait at all.
Each request used to wrap the probe's future anew (`asyncio.wrap_future`), which leaves a
callback on it until the probe ends: during a hang, 100 clients left ~3,500 of them a second,
and the growing heap made every full garbage collection, which pauses all routes, longer.
"""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Final

# A probe younger than this is answered as is: a burst of /health costs one MLflow call. A failed
# one is reused for a shorter time, so a store that comes back shows within a second.
FRESH_SECONDS: Final = 2.0
FAILED_FRESH_SECONDS: Final = 1.0
# How long one request waits for a probe in flight before answering the last known state.
WAIT_SECONDS: Final = 0.5
# A probe still running after this long means MLflow does not answer.
PROBE_DEADLINE_SECONDS: Final = 5.0


@dataclass(frozen=True)
class ProbeResult:
    problem: str | None  # None: MLflow answered
    finished_at: float


class HealthProbe:
    """Single-flight, time-limited calls of `ping` (None when MLflow answers, else why not)."""

    def __init__(self, ping: Callable[[], str | None], where: str = "") -> None:
        self._ping = ping
        self._mlflow = f"MLflow at {where}" if where else "MLflow"
        self._lock = threading.Lock()
        self._last: ProbeResult | None = None
        self._inflight: Future[ProbeResult] | None = None
        self._started = 0.0
        # The running probe as each event loop sees it (one asyncio future per loop and probe).
        self._views: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, asyncio.Future[ProbeResult]
        ] = weakref.WeakKeyDictionary()

    def _run(self, future: Future[ProbeResult]) -> None:
        future.set_running_or_notify_cancel()
        try:
            problem = self._ping()
        except Exception as exc:  # noqa: BLE001 - any failure of the probe is the answer
            problem = f"{type(exc).__name__}: {exc}"
        result = ProbeResult(problem, time.monotonic())
        with self._lock:
            self._last = result
        future.set_result(result)

    def _current(self) -> tuple[ProbeResult | None, Future[ProbeResult] | None]:
        """The last result, and the probe to wait for (a new one when the last is old)."""
        now = time.monotonic()
        with self._lock:
            last = self._last
            fresh_for = (
                FRESH_SECONDS if last is None or last.problem is None else FAILED_FRESH_SECONDS
            )
            if last is not None and now - last.finished_at < fresh_for:
                return last, None
            running = self._inflight is not None and not self._inflight.done()
            if running and now - self._started > PROBE_DEADLINE_SECONDS:
                overdue = f"{self._mlflow} did not answer within {PROBE_DEADLINE_SECONDS:g} s"
                return ProbeResult(overdue, now), None
            if not running:
                self._inflight, self._started = Future(), now
                self._views = weakref.WeakKeyDictionary()
                threading.Thread(
                    target=self._run, args=(self._inflight,), name="health-probe", daemon=True
                ).start()
            return last, self._inflight

    async def check(self) -> str | None:
        """None when MLflow answered (lately), else the reason; never waits long.

        Only the first `WAIT_SECONDS` of a probe are waited for: a request arriving later
        answers the last known state at once (a burst during a hang costs no waiting)."""
        last, future = self._current()
        if future is None:
            assert last is not None
            return last.problem
        wait = WAIT_SECONDS - (time.monotonic() - self._started)
        if wait <= 0:
            return self._while_waiting(last)
        try:
            # shield: a request that stops waiting removes its own callback and cancels nothing
            result = await asyncio.wait_for(asyncio.shield(self._view(future)), wait)
        except TimeoutError:
            return self._while_waiting(last)
        return result.problem

    def _view(self, future: Future[ProbeResult]) -> asyncio.Future[ProbeResult]:
        """The running loop's one asyncio future for `future` (made on its first waiter)."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if future is not self._inflight:  # a newer probe started meanwhile: wait for this one
                return asyncio.wrap_future(future)
            view = self._views.get(loop)
            if view is None:
                view = self._views[loop] = asyncio.wrap_future(future)
            return view

    def _while_waiting(self, last: ProbeResult | None) -> str | None:
        """The answer while a probe runs past `WAIT_SECONDS`: the last known state while it is
        recent, else that MLflow has not answered (an old success says nothing about now)."""
        if last is None:
            return f"{self._mlflow} has not answered yet (probe running over {WAIT_SECONDS:g} s)"
        age = time.monotonic() - last.finished_at
        if age < PROBE_DEADLINE_SECONDS:
            return last.problem
        return (
            f"{self._mlflow} has not answered within {WAIT_SECONDS:g} s "
            f"(it last answered {age:.0f} s ago)"
            if last.problem is None
            else last.problem
        )
