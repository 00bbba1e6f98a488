"""Wall time per step, logged as ``<step> done in <s> s`` (``make bench`` reads these lines)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

logger = logging.getLogger(__name__)

Timings = dict[str, float]


@contextmanager
def timed(step: str, timings: Timings) -> Iterator[None]:
    """Record a step's wall time and log it, so slow steps show in the CLI output."""
    logger.info("%s ...", step)
    start = time.perf_counter()
    yield
    timings[step] = time.perf_counter() - start
    logger.info("%s done in %.1f s", step, timings[step])
