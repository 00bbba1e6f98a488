"""Report API settings for tests: every field explicit, so nothing leaks in from the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from backend.settings import Settings, load_settings
from pipeline.core import contract

# Starlette's TestClient sends `Host: testserver`; a test client on this machine has a loopback
# address (the API never takes the TestClient's placeholder name "testclient" for one).
TEST_HOST = "testserver"
LOCAL_CLIENT = ("127.0.0.1", 50000)


def api_settings(tracking_uri: str, tmp: Path, **overrides: Any) -> Settings:
    """Settings for a store at `tracking_uri`, with scratch folders under `tmp`."""
    values: dict[str, Any] = {
        "tracking_uri": tracking_uri,
        "storage": str(tmp / "storage"),
        "static_dir": tmp / "no-page-built",
        "cache_ttl_seconds": 30,
        "api_token": None,
        "cors_origins": [],
        "allowed_hosts": ["127.0.0.1", "localhost", TEST_HOST],
        "mlflow_ui_url": None,
        "airflow_ui_url": None,
        "s3_endpoint_url": None,
        "drift_threshold": contract.DEFAULT_DRIFT_THRESHOLD,
    }
    values.update(overrides)
    return load_settings(**values)
