"""`healthpredict batch run 1 --force-retrain` on a quiet batch, read back through `/batches`.

Before the verdict was logged, the page re-derived "drifted" from `share >= threshold` and showed
a green "below threshold" bar next to "Drift Detected -> Retrained". Now the drift run says the
retrain was forced, and the API passes that on: this reads a real store the real CLI wrote.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.main import create_app
from pipeline import steps
from pipeline.core import config, contract
from pipeline.data.storage import open_storage
from pipeline.steps import TrainingOptions
from pipeline.tracking import client as tracking
from tests.support.api import api_settings
from tests.support.sqlite_store import empty_store_uri

pytestmark = pytest.mark.integration

BATCH_SIZE = 600  # small batches: the point is the verdict, not the model
CLI_TIMEOUT_S = 600  # a hang guard, not a timing assertion


@pytest.fixture(scope="module")
def forced_store(
    real_data_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """Prepared data, an initial model and a baseline; then batch 1 run by the CLI, forced."""
    home = tmp_path_factory.mktemp("forced-retrain")
    tracking_uri = empty_store_uri(home)
    storage = open_storage(str(home / "storage"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(config.STATE_DIR_ENV, str(home))
        steps.prepare(real_data_path, storage, batch_size=BATCH_SIZE)
        client = tracking.configure(tracking_uri)
        steps.train_initial(client, storage, TrainingOptions(n_trials=1))
        steps.capture_baseline(tracking_uri, storage)
    result = subprocess.run(
        [sys.executable, "-m", "healthpredict", "batch", "run", "1", "--force-retrain",
         "--hpo-trials", "1", "--tracking-uri", tracking_uri, "--storage", str(home / "storage")],
        capture_output=True, text=True, timeout=CLI_TIMEOUT_S, check=False,
        env={**os.environ, config.STATE_DIR_ENV: str(home)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    app = create_app(api_settings(tracking_uri, home / "api"))
    with TestClient(app, client=("testclient", 50000)) as api:
        batches = api.get("/batches").json()
        yield {"rows": {row["batch"]: row for row in batches["batches"]}, "batches": batches}


def test_a_forced_retrain_on_a_quiet_batch_says_forced(forced_store) -> None:
    row = forced_store["rows"][1]
    drift = row["drift"]
    assert drift["share"] < drift["threshold"]  # a quiet batch ...
    assert row["retrained"] is True  # ... retrained anyway
    assert drift["retrain_triggered"] is True
    assert drift["trigger_reason"] == contract.TriggerReason.FORCED.value
    assert drift["trigger_logged"] is True


def test_the_baseline_has_no_verdict_and_the_scores_name_their_versions(forced_store) -> None:
    rows = forced_store["rows"]
    assert rows[0]["drift"]["retrain_triggered"] is None
    assert rows[0]["production"]["version"] == rows[0]["model_version"] == "1"
    batch_one = rows[1]
    assert batch_one["production"]["version"] == "1"
    expected_new = batch_one["model_version"] if batch_one["deployed"] else None
    assert batch_one["new"]["version"] == expected_new
