"""The report cache (single flight, stale fallback) and the start-up checks on settings."""

from __future__ import annotations

import threading
import time

import pytest

from backend.cache import TtlCache
from backend.settings import InvalidSettingsError, load_settings
from pipeline.core.errors import TrackingError


def test_concurrent_cold_reads_load_once() -> None:
    loads: list[int] = []

    def slow_load() -> int:
        loads.append(1)
        time.sleep(0.2)
        return len(loads)

    cache = TtlCache(slow_load, ttl_seconds=30)
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get().value)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [1] * 8 and len(loads) == 1


def test_failed_reload_serves_the_last_good_value_as_stale() -> None:
    answers: list[object] = ["first", TrackingError("down")]

    def load() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return str(answer)

    cache = TtlCache(load, ttl_seconds=30)
    assert cache.get().value == "first"
    assert cache.reload() is False  # POST /refresh answers {"refreshed": false}, not a 503
    again = cache.get()
    assert again.value == "first" and again.stale is True


def test_failed_first_load_raises() -> None:
    def load() -> str:
        raise TrackingError("MLflow at http://x did not answer")

    with pytest.raises(TrackingError, match="did not answer"):
        TtlCache(load, ttl_seconds=30).get()


def test_an_expired_copy_is_served_while_mlflow_hangs_and_one_reload_runs() -> None:
    release = threading.Event()
    loads: list[int] = []

    def load() -> int:
        loads.append(1)
        if len(loads) > 1:
            release.wait()  # MLflow hung (SIGSTOP'd) until the test lets it go
        return len(loads)

    cache = TtlCache(load, ttl_seconds=0.01)
    assert cache.get().value == 1
    time.sleep(0.05)  # the copy expires
    answers: list[int] = []
    readers = [
        threading.Thread(target=lambda: answers.append(cache.get().value)) for _ in range(20)
    ]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(timeout=30)
    hung = not release.is_set()
    release.set()
    assert hung and answers == [1] * 20, "readers with a copy waited for the hung reload"
    assert len(loads) == 2, "one background reload, not one per reader"
    assert cache.reload() is True and cache.get().value >= 2


def test_refreshes_in_quick_succession_share_reloads_yet_each_sees_the_store_as_of_its_call() -> (
    None
):
    store = {"runs": 0}
    loads: list[int] = []

    def load() -> int:
        loads.append(1)
        time.sleep(0.05)
        return store["runs"]

    cache = TtlCache(load, ttl_seconds=30, min_reload_interval=0.5)
    assert cache.get().value == 0
    store["runs"] = 1  # a run is written, then 30 clients refresh at once
    refreshers = [threading.Thread(target=cache.reload) for _ in range(30)]
    for refresher in refreshers:
        refresher.start()
    for refresher in refreshers:
        refresher.join()
    assert cache.get().value == 1, "a refresh returned before a reload that saw the new run"
    assert len(loads) == 2, "30 simultaneous refreshes ran more than one reload"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("HEALTHPREDICT_DRIFT_THRESHOLD", "0", "HEALTHPREDICT_DRIFT_THRESHOLD must be in (0, 1]"),
        ("HEALTHPREDICT_DRIFT_THRESHOLD", "1.5", "HEALTHPREDICT_DRIFT_THRESHOLD must be in (0, 1]"),
        ("HEALTHPREDICT_DRIFT_THRESHOLD", "nan", "HEALTHPREDICT_DRIFT_THRESHOLD"),
        ("HEALTHPREDICT_DRIFT_THRESHOLD", "lots", "HEALTHPREDICT_DRIFT_THRESHOLD"),
        ("HEALTHPREDICT_CACHE_TTL_SECONDS", "-1", "HEALTHPREDICT_CACHE_TTL_SECONDS must be >= 0"),
        ("MLFLOW_UI_URL", "localhost:5000", "MLFLOW_UI_URL must be an http(s) URL"),
        ("AIRFLOW_UI_URL", "ftp://x", "AIRFLOW_UI_URL must be an http(s) URL"),
        ("MLFLOW_S3_ENDPOINT_URL", "http://", "MLFLOW_S3_ENDPOINT_URL must be an http(s) URL"),
        ("HEALTHPREDICT_CORS_ORIGINS", "http://ok:1,nope", "HEALTHPREDICT_CORS_ORIGINS"),
        ("MLFLOW_TRACKING_URI", "http://", "MLFLOW_TRACKING_URI has no host"),
        ("HEALTHPREDICT_ALLOWED_HOSTS", "http://api", "HEALTHPREDICT_ALLOWED_HOSTS takes host"),
        ("HEALTHPREDICT_ALLOWED_HOSTS", "api:8000", "HEALTHPREDICT_ALLOWED_HOSTS takes host"),
    ],
)
def test_bad_values_refuse_to_start(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(InvalidSettingsError) as refused:
        load_settings()
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


def test_environment_values_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/m.db")
    monkeypatch.setenv("HEALTHPREDICT_DRIFT_THRESHOLD", "0.25")
    monkeypatch.setenv("HEALTHPREDICT_CORS_ORIGINS", "http://localhost:5173, http://127.0.0.1:5173")
    monkeypatch.setenv("HEALTHPREDICT_API_TOKEN", "")
    settings = load_settings()
    assert settings.tracking_uri == f"sqlite:///{tmp_path}/m.db"
    assert settings.drift_threshold == 0.25
    assert settings.cors_origins == ["http://localhost:5173", "http://127.0.0.1:5173"]
    assert settings.api_token is None
    assert settings.cache_ttl_seconds == 30


def test_a_store_that_refuses_at_once_is_not_asked_on_every_read():
    """A stopped database fails each load in milliseconds: readers keep the copy, and a new
    background reload waits for the interval after the last one ended."""
    calls = {"n": 0}

    def load() -> str:
        calls["n"] += 1
        if calls["n"] > 1:
            raise TrackingError("connection refused")
        return "copy"

    cache = TtlCache(load, ttl_seconds=0.01, min_reload_interval=0.2)
    assert cache.get().value == "copy"
    ended = time.monotonic() + 0.5
    reads = 0
    while time.monotonic() < ended:
        answer = cache.get()
        assert answer.value == "copy"
        reads += 1
        time.sleep(0.002)
    assert reads > 50
    # one initial load, then at most one reload per 0.2 s over 0.5 s (plus the first at once)
    assert 2 <= calls["n"] <= 5, calls
    assert cache.get().stale is True
