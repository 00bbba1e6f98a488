"""The command line on real stores: refusing data with one outcome, announcing the report's URL.

Real subprocesses of ``healthpredict`` on a real MLflow SQLite store and local storage.
"""

from __future__ import annotations

import os
import re
import selectors
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mlflow import MlflowClient

from pipeline.core import config, contract
from pipeline.data.manifest import MANIFEST_KEY, BatchInfo, Manifest
from pipeline.data.storage import LocalStorage
from tests.support.servers import free_port, stop_process_group
from tests.support.sqlite_store import empty_store_uri
from tests.support.synthetic import raw_encounters

pytestmark = pytest.mark.integration

URL_LINE_TIMEOUT_S = 240.0


def cli_environment(tmp_path: Path, tracking_uri: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HEALTHPREDICT_", "MLFLOW_"))}
    env[config.STATE_DIR_ENV] = str(tmp_path / "state")
    env[config.TRACKING_URI_ENV] = tracking_uri
    return env


def healthpredict(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "healthpredict", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def error_lines(completed: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in completed.stderr.splitlines() if line.startswith("error:")]


def test_prepare_refuses_a_data_set_with_a_single_outcome(tmp_path: Path):
    data_file = tmp_path / "diabetic_data.csv"
    raw_encounters(101_766, seed=3).assign(readmitted="NO").to_csv(data_file, index=False)
    storage = tmp_path / "storage"
    completed = healthpredict(
        cli_environment(tmp_path, empty_store_uri(tmp_path)),
        *("experiment", "prepare", "--data", str(data_file), "--storage", str(storage)),
    )
    assert completed.returncode == 1
    (line,) = error_lines(completed)
    counted = re.fullmatch(
        r"error: the initial training split has a single outcome: all ([\d,]+) encounters are "
        r"not readmitted; a model needs both readmitted and not-readmitted encounters",
        line,
    )
    assert counted is not None, line
    # the initial period is 20,353 rows; about 70% belong to training patients (ids here are
    # nearly all distinct), of which 70 parts in 85 train: about 11,730 rows
    assert 11_000 < int(counted.group(1).replace(",", "")) < 12_500
    assert "Traceback" not in completed.stderr
    assert not LocalStorage(storage).exists(MANIFEST_KEY)  # nothing a batch run would accept


def test_train_initial_refuses_training_data_with_a_single_outcome(tmp_path: Path):
    storage = LocalStorage(tmp_path / "storage")
    raw = raw_encounters(600, seed=4)
    storage.write_csv(contract.INITIAL_TRAIN_KEY, raw.iloc[:400].assign(readmitted="NO"))
    storage.write_csv(contract.INITIAL_VALIDATION_KEY, raw.iloc[400:])
    manifest = Manifest(42, "0" * 64, 100, (BatchInfo(1, "no_drift", "test batch", 100),))
    storage.write_csv(MANIFEST_KEY, manifest.to_frame())
    tracking_uri = empty_store_uri(tmp_path)
    completed = healthpredict(
        cli_environment(tmp_path, tracking_uri),
        *("train-initial", "--storage", storage.describe(), "--hpo-trials", "1"),
    )
    assert completed.returncode == 1
    assert error_lines(completed) == [
        "error: the training data has a single outcome: all 400 encounters are not readmitted; "
        "a model needs both readmitted and not-readmitted encounters"
    ]
    client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    assert client.search_registered_models() == []
    experiments = [e.experiment_id for e in client.search_experiments()]
    assert client.search_runs(experiments) == []


def _read_stdout_until(process: subprocess.Popen[str], marker: str) -> str:
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + URL_LINE_TIMEOUT_S
    while time.monotonic() < deadline:
        if not selector.select(timeout=1.0):
            assert process.poll() is None, "serve exited before printing the report's URL"
            continue
        line = process.stdout.readline()
        if marker in line:
            return line
        assert line, "serve closed its output before printing the report's URL"
    raise AssertionError(f"no {marker!r} line within {URL_LINE_TIMEOUT_S:.0f} s")


def test_serve_prints_the_reports_url_once_it_listens(tmp_path: Path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "healthpredict", "serve", "--port", str(port)],
        env=cli_environment(tmp_path, empty_store_uri(tmp_path)),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        line = _read_stdout_until(process, "Health Predict report:")
        assert f"http://127.0.0.1:{port}" in line
        # Printed only once listening: the very first connection is accepted.
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
    finally:
        stop_process_group(process)  # type: ignore[arg-type]
