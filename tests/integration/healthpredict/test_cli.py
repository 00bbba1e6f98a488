"""The command line as a newcomer meets it: help and mistakes answer at once, in one line.

Each test runs the real ``healthpredict`` (``python -m healthpredict``) or ``python -m baseline``
in a subprocess with a private state folder. "At once" is checked by what the process imports
(``python -X importtime``): no pandas, MLflow, scikit-learn, boto3, XGBoost or uvicorn. How long
that takes is a ``make bench`` figure (``bench/cli.py``), not an assertion.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from pipeline.data.manifest import MANIFEST_KEY, BatchInfo, Manifest
from pipeline.data.storage import LocalStorage
from tests.support.cli import isolated_environment
from tests.support.cli import run_cli as run


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def environment(tmp_path: Path, home: Path) -> dict[str, str]:
    return isolated_environment(tmp_path, home)


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


@pytest.mark.parametrize(
    ("module", "args"),
    [
        ("baseline", ["--mlflow-tracking-uri", "foo://bar", "--s3-bucket-name", "bucket"]),
        ("baseline", ["--tracking-uri", "foo://bar", "--storage", "s3://bucket/prefix"]),
        ("healthpredict", ["baseline", "--mlflow-tracking-uri", "foo://bar"]),
        ("healthpredict", ["train-initial", "--tracking-uri", "foo://bar"]),
    ],
)
def test_both_command_lines_share_one_tracking_uri_option(environment, home, module, args):
    answer = run(environment, *args, module=module)
    assert answer.code == 1
    assert len(answer.error_lines) == 1
    assert answer.error_lines[0].startswith(
        "error: MLflow tracking URI scheme 'foo:' is not supported; use http://, https://"
    )
    assert answer.heavy == set()
    assert not home.exists()


def test_the_baseline_command_takes_a_bucket_or_a_storage_not_both(environment):
    answer = run(
        environment, "--s3-bucket-name", "bucket", "--storage", "/tmp/x", module="baseline"
    )
    assert answer.code == 2
    assert answer.error_lines[-1] == (
        "python -m baseline: error: argument --storage: not allowed with argument --s3-bucket-name"
    )


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
