"""Security of the report API's HTTP layer (issue 14): what it shows, who may write, headers."""

from __future__ import annotations

import pytest

from backend.server import startup_line
from pipeline import tracking
from pipeline.errors import TrackingError
from tests.support.api import api_settings

SECRET = "Pa55w0rd"


def test_tracking_uri_credentials_are_never_shown(
    make_client, fast_failing_http, closed_port, tmp_path
) -> None:
    uri = f"http://alice:{SECRET}@127.0.0.1:{closed_port}/?token={SECRET}"
    api = make_client(uri)
    config = api.get("/config").json()
    assert config["mlflow_tracking_uri"] == f"http://***@127.0.0.1:{closed_port}/?token=***"
    health = api.get("/health")
    assert health.json()["mlflow"] is False
    responses = [health, api.get("/batches"), api.get("/summary"), api.get("/roc/1")]
    assert [r.status_code for r in responses] == [200, 503, 503, 503]
    for response in responses:
        assert SECRET not in response.text
    assert "127.0.0.1" in responses[1].json()["detail"]  # still says which store failed
    line = startup_line("127.0.0.1", 8000, api_settings(uri, tmp_path))
    assert SECRET not in line and f"***@127.0.0.1:{closed_port}" in line


def test_cli_tracking_errors_mask_credentials(closed_port, fast_failing_http) -> None:
    with pytest.raises(TrackingError) as caught:
        tracking.configure(f"http://alice:{SECRET}@127.0.0.1:{closed_port}")
    assert SECRET not in str(caught.value)
    assert f"***@127.0.0.1:{closed_port}" in str(caught.value)
