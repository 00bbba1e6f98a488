"""A one-value TTL cache with single-flight loading and a last-good fallback.

Concurrent cold requests wait for the one load in progress instead of each querying MLflow. When
a load fails, the last good value (if any) is served and flagged stale rather than failing the
page; without one the error propagates.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from pipeline.errors import TrackingError

T = TypeVar("T")


@dataclass(frozen=True)
class Cached(Generic[T]):
    value: T
    stale: bool


class TtlCache(Generic[T]):
    """Holds one value for `ttl_seconds`; `ttl_seconds=0` reloads on every read."""

    def __init__(self, load: Callable[[], T], ttl_seconds: float) -> None:
        self._load = load
        self._ttl = ttl_seconds
        self._lock = threading.Lock()
        self._value: T | None = None
        self._loaded_at: float | None = None
        self._last_good: T | None = None
        self._generation = 0

    def _fresh(self) -> bool:
        return self._loaded_at is not None and time.monotonic() - self._loaded_at < self._ttl

    def peek(self) -> T | None:
        """The value when it is fresh, else None; never loads and never blocks."""
        value = self._value
        return value if value is not None and self._fresh() else None

    def get(self) -> Cached[T]:
        """The cached value, loading it once when expired; stale when MLflow failed to answer."""
        value = self._value
        if value is not None and self._fresh():
            return Cached(value, stale=False)
        with self._lock:
            if self._value is not None and self._fresh():
                return Cached(self._value, stale=False)
            generation = self._generation
            try:
                value = self._load()
            except TrackingError:
                if self._last_good is None:
                    raise
                return Cached(self._last_good, stale=True)
            if generation == self._generation:
                self._value, self._loaded_at = value, time.monotonic()
            self._last_good = value
            return Cached(value, stale=False)

    def clear(self) -> None:
        """Forget the current value (the last good one stays as the fallback)."""
        self._generation += 1
        self._value, self._loaded_at = None, None
