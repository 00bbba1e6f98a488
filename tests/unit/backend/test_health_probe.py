"""`/health`'s probe: one call in flight, the last state while recent, never an old success."""

from __future__ import annotations

import asyncio
import gc
import threading
import time

import pytest

from backend import health_probe
from backend.health_probe import HealthProbe


class Store:
    """A `ping` that answers, fails, or hangs until released; counts its calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.hang = threading.Event()
        self.release = threading.Event()
        self.problem: str | None = None

    def ping(self) -> str | None:
        self.calls += 1
        if self.hang.is_set():
            self.release.wait(10)
        return self.problem


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health_probe, "FRESH_SECONDS", 0.2)
    monkeypatch.setattr(health_probe, "FAILED_FRESH_SECONDS", 0.1)
    monkeypatch.setattr(health_probe, "WAIT_SECONDS", 0.1)
    monkeypatch.setattr(health_probe, "PROBE_DEADLINE_SECONDS", 0.5)


def test_a_burst_shares_one_probe_and_a_hang_long_after_a_success_reads_as_no_answer(fast):
    store = Store()
    probe = HealthProbe(store.ping)
    assert asyncio.run(probe.check()) is None
    assert [asyncio.run(probe.check()) for _ in range(20)] == [None] * 20
    assert store.calls == 1  # fresh: the burst cost one call

    store.hang.set()
    time.sleep(0.3)  # the success is no longer fresh; a new probe starts and hangs
    assert asyncio.run(probe.check()) is None  # a recent success still stands while it runs
    time.sleep(0.6)  # past the deadline: the running probe counts as no answer
    assert "did not answer within" in asyncio.run(probe.check())
    assert store.calls == 2  # no second probe while one hangs
    store.release.set()


def test_a_new_probe_after_a_long_silence_never_reports_the_old_success(fast):
    store = Store()
    probe = HealthProbe(store.ping)
    assert asyncio.run(probe.check()) is None
    store.hang.set()
    time.sleep(0.6)  # silence longer than the deadline, then the store hangs
    answer = asyncio.run(probe.check())
    assert answer is not None and answer.startswith("MLflow has not answered within 0.1 s")
    store.release.set()


def _asyncio_futures() -> set[int]:
    """The plain asyncio futures alive (not tasks, not gather's own): what waiting makes."""
    gc.collect()
    return {id(o) for o in gc.get_objects() if type(o) is asyncio.Future}


def test_a_burst_during_a_hang_leaves_nothing_behind_on_the_probe(fast, monkeypatch):
    """100 clients during a hung store used to leave ~3,500 callbacks a second on the probe, each
    holding an asyncio future, until the probe ended: the API's heap grew and its garbage
    collections, which pause every route, grew with it."""
    monkeypatch.setattr(health_probe, "PROBE_DEADLINE_SECONDS", 30.0)  # the hang outlasts the test
    store = Store()
    store.hang.set()
    probe = HealthProbe(store.ping)

    async def burst() -> tuple[list[str | None], int, list[str | None], int]:
        before = _asyncio_futures()
        waited = await asyncio.gather(*(probe.check() for _ in range(500)))  # inside the wait
        after_waiting = len(_asyncio_futures() - before)
        await asyncio.sleep(0.15)  # past WAIT_SECONDS: later requests answer at once
        before = _asyncio_futures()
        late = [await probe.check() for _ in range(2_000)]
        return waited, after_waiting, late, len(_asyncio_futures() - before)

    waited, after_waiting, late, after_late = asyncio.run(burst())
    store.release.set()
    assert set(waited) == set(late) == {"MLflow has not answered yet (probe running over 0.1 s)"}
    assert store.calls == 1
    assert after_waiting == 1  # the 500 waiters shared one view of the probe
    assert after_late == 0  # and the 2,000 later requests added nothing
