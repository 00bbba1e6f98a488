"""Reads that need MLflow run in pools of their own, with a deadline.

FastAPI runs every `def` route in one shared thread pool; a route blocked on a hung MLflow (a
stopped PostgreSQL, a locked SQLite file, an HTTP server that stopped answering) held a thread
for as long as MLflow's own retries lasted, and a burst of them starved every other route. Here
each group of reads has its own small pool, and the request waits at most `READ_DEADLINE_SECONDS`
on the event loop before answering 503 in one line; the read itself finishes in its pool.
Routes that need no MLflow (`/config`, `/docs`) are `async` and touch no pool at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Final, TypeVar

from pipeline.core.errors import TrackingError

T = TypeVar("T")

READ_DEADLINE_SECONDS: Final = 10.0
# A first (cold) read of a large store can legitimately take this long.
COLD_READ_DEADLINE_SECONDS: Final = 60.0
CURVES: Final = ThreadPoolExecutor(max_workers=6, thread_name_prefix="curves-read")
PROVENANCE: Final = ThreadPoolExecutor(max_workers=2, thread_name_prefix="provenance-read")


async def bounded(
    read: Callable[[], T], pool: ThreadPoolExecutor, deadline: float = READ_DEADLINE_SECONDS
) -> T:
    """`read()` in `pool`; `TrackingError` (503) when it takes longer than `deadline`."""
    future = asyncio.get_running_loop().run_in_executor(pool, read)
    try:
        return await asyncio.wait_for(asyncio.shield(future), deadline)
    except TimeoutError:
        raise TrackingError(f"MLflow did not answer within {deadline:g} s") from None
