"""The command line as a newcomer meets it: help and mistakes answer at once, in one line.

Each test runs the real ``healthpredict`` (``python -m pipeline``) or ``python -m baseline`` in a
subprocess with a private state folder. "At once" is checked by what the process imports
(``python -X importtime``): no pandas, MLflow, scikit-learn, boto3, XGBoost or uvicorn. How long
that takes is a ``make bench`` figure (``bench/cli.py``), not an assertion.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.core import config
from pipeline.data.manifest import MANIFEST_KEY, BatchInfo, Manifest
from pipeline.data.storage import LocalStorage
from tests.support.servers import closed_port_url

HEAVY_PACKAGES = frozenset(
    {"pandas", "mlflow", "sklearn", "scipy", "boto3", "botocore", "xgboost", "uvicorn", "fastapi"}
)
ENVIRONMENT_SET_BY_USERS = (
    config.STATE_DIR_ENV,
    config.TRACKING_URI_ENV,
    config.STORAGE_ENV,
    config.DATA_ENV,
    config.CACHE_DIR_ENV,
    config.DATA_URL_ENV,
)


@dataclass(frozen=True)
class Answer:
    code: int
    stdout: str
    stderr: str  # without the -X importtime lines
    imported: frozenset[str]  # top-level packages the process imported

    @property
    def heavy(self) -> set[str]:
        return set(self.imported & HEAVY_PACKAGES)

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def environment(tmp_path: Path, home: Path) -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT_SET_BY_USERS}
    env[config.STATE_DIR_ENV] = str(home)
    env[config.CACHE_DIR_ENV] = str(tmp_path / "empty-cache")
    # Nothing listens there: a download attempt fails at once, with no network needed.
    env[config.DATA_URL_ENV] = f"{closed_port_url()}/dataset_diabetes.zip"
    yield env


def run(env: dict[str, str], *args: str, module: str = "healthpredict") -> Answer:
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", module, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    imported: set[str] = set()
    other: list[str] = []
    for line in completed.stderr.splitlines():
        if line.startswith("import time:"):
            imported.add(line.rsplit("|", 1)[1].strip().split(".")[0])
        else:
            other.append(line)
    return Answer(completed.returncode, completed.stdout, "\n".join(other), frozenset(imported))


def prepared_storage(folder: Path, batches: Sequence[int] = (1, 2, 3, 4, 5)) -> Path:
    """A storage whose manifest says which batches were cut (the CSVs are not needed here)."""
    manifest = Manifest(
        seed=42,
        data_sha256="0" * 64,
        batch_size=2000,
        batches=tuple(BatchInfo(n, "no_drift", "test batch", 2000) for n in batches),
    )
    LocalStorage(folder).write_csv(MANIFEST_KEY, manifest.to_frame())
    return folder


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["experiment", "run", "--help"],
        ["batch", "run", "--help"],
        ["serve", "--help"],
        ["baseline", "--help"],
    ],
)
def test_help_answers_without_loading_the_heavy_stack(environment, args):
    answer = run(environment, *args)
    assert answer.code == 0
    assert answer.stdout.startswith("usage: healthpredict")
    assert answer.heavy == set()


def test_the_baseline_command_helps_without_loading_the_heavy_stack(environment):
    answer = run(environment, "--help", module="baseline")
    assert answer.code == 0
    assert "--s3-bucket-name" in answer.stdout
    assert answer.heavy == set()


def test_an_unknown_option_gets_the_subcommands_usage(environment):
    answer = run(environment, "experiment", "run", "--bogus")
    assert answer.code == 2
    assert answer.error_lines[0].startswith("usage: healthpredict experiment run ")
    assert answer.error_lines[-1] == (
        "healthpredict experiment run: error: unrecognized arguments: --bogus"
    )
    assert answer.heavy == set()


@pytest.mark.parametrize(
    ("port", "problem"), [("99999", "must be 1-65535, got 99999"), ("http", "not a port number")]
)
def test_a_bad_port_gets_argparses_own_error(environment, port, problem):
    answer = run(environment, "serve", "--port", port)
    assert answer.code == 2
    assert answer.error_lines[-1].startswith("healthpredict serve: error: argument --port: ")
    assert problem in answer.error_lines[-1]
    assert "Traceback" not in answer.stderr
    assert answer.heavy == set()


def test_a_batch_outside_the_prepared_range_is_refused_before_mlflow(environment, home, tmp_path):
    storage = prepared_storage(tmp_path / "storage")
    answer = run(environment, "batch", "run", "9", "--storage", str(storage))
    assert answer.code == 1
    assert answer.error_lines == ["error: batch 9 is outside the prepared range 1-5"]
    assert answer.heavy == set()
    assert not home.exists()  # no MLflow store was created for a refused batch


def test_a_batch_before_prepare_says_to_prepare_first(environment, home):
    answer = run(environment, "batch", "run", "3")
    assert answer.code == 1
    assert len(answer.error_lines) == 1
    assert "run `healthpredict experiment prepare` first" in answer.error_lines[0]
    assert not home.exists()


def test_batch_zero_points_at_the_baseline_command(environment):
    answer = run(environment, "batch", "run", "0")
    assert answer.code == 2
    assert "batch 0 is the baseline: run `healthpredict baseline`" in answer.error_lines[-1]


def test_an_unsupported_tracking_uri_names_the_schemes_that_work(environment, home, tmp_path):
    storage = prepared_storage(tmp_path / "storage")
    answer = run(
        environment, "batch", "run", "1", "--storage", str(storage), "--tracking-uri", "foo://bar"
    )
    assert answer.code == 1
    assert len(answer.error_lines) == 1
    line = answer.error_lines[0]
    assert line.startswith("error: MLflow tracking URI scheme 'foo:' is not supported")
    for scheme in ("http://", "https://", "sqlite://", "postgresql://"):
        assert scheme in line
    assert not home.exists()


def test_a_missing_data_file_fails_at_once_and_creates_nothing(environment, home):
    answer = run(environment, "experiment", "run", "--data", "/nonexistent.zip")
    assert answer.code == 1
    assert answer.error_lines == ["error: data file /nonexistent.zip not found (given by --data)"]
    assert answer.heavy == set()
    assert not home.exists()  # no MLflow store, no storage folder


def test_no_data_and_no_network_says_how_to_pass_a_local_copy(environment, home):
    answer = run(environment, "experiment", "run", "--if-missing")
    assert answer.code == 1
    errors = [line for line in answer.error_lines if line.startswith("error:")]
    assert len(errors) == 1
    assert answer.error_lines[-1] == errors[0]
    for way in ("--data PATH", "HEALTHPREDICT_DATA=PATH", "make demo DATA=PATH"):
        assert way in errors[0]
    assert not home.exists()
