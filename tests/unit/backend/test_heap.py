"""The served process freezes its long-lived heap, so a full garbage collection (which pauses
every route) walks only young objects: once the app is built, and once the first report is read."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.heap import freeze_long_lived
from backend.service import ReportService
from tests.support.api import api_settings
from tests.support.stores import BuiltStore, StoreSpec, build_store


@pytest.fixture
def unfrozen_after() -> Iterator[None]:
    yield
    gc.unfreeze()  # this test process keeps the collector's defaults


def test_after_freezing_a_full_collection_walks_only_what_is_new(unfrozen_after: None) -> None:
    gc.collect()
    tracked_before = len(gc.get_objects())
    assert tracked_before > 50_000  # pytest, MLflow and the app's modules
    frozen = freeze_long_lived()
    young = [{"request": n} for n in range(1_000)]
    assert frozen >= tracked_before - 1_000
    # what a collection now walks: the new objects, not the heap from before
    assert len(gc.get_objects()) < 1_000 + len(young) + 1_000


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> BuiltStore:
    return build_store(tmp_path_factory.mktemp("heap") / "store", StoreSpec())


def test_the_first_report_calls_the_hook_once_and_later_reloads_do_not(
    store: BuiltStore, tmp_path: Path
) -> None:
    service = ReportService(api_settings(store.tracking_uri, tmp_path))
    calls: list[int] = []
    service.after_first_report = lambda: calls.append(1)
    first = service.batches_json()
    assert service.refresh()  # a reload of the whole report
    assert service.batches_json() == first
    assert calls == [1]
