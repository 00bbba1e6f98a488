"""The served process's long-lived heap, kept out of the garbage collector's way.

A full collection walks every object the process tracks and pauses every route while it runs.
After start-up and the first report that is ~300,000 objects (modules, functions, classes of
FastAPI, pydantic, MLflow, SQLAlchemy), ~150 ms on the 2-core machine. Under a burst of requests
the objects of requests in flight keep being promoted to the oldest generation, which triggers a
full collection every few seconds: the fault bench's /config and /roc maxima of ~150 ms were those
pauses. `gc.freeze()` moves everything alive into a permanent generation that collections skip,
as the Python documentation suggests for long-running processes; collections then walk only what
is younger. It is called twice: once the app is built, and once the first report has been read
(MLflow's client and SQLAlchemy are imported on first use). `gc.collect()` runs first, so nothing
that is already garbage is frozen. Objects frozen are still freed by reference counting; only a
reference cycle among them would outlive its use, and only what is alive at those two moments is
frozen.

Only `backend.server.serve` calls this: a process that builds many apps (the tests) keeps the
collector's defaults.
"""

from __future__ import annotations

import gc
import logging
import time

logger = logging.getLogger(__name__)


def freeze_long_lived() -> int:
    """Collect, then freeze what is alive; returns how many objects are frozen in all."""
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    logger.debug(
        "froze %d long-lived objects in %.0f ms", frozen, 1000 * (time.perf_counter() - started)
    )
    return frozen
