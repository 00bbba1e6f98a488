"""Batch 0 capture against real MLflow stores (SQLite and `mlflow server`), real data, moto S3.

Every failure case also checks what the report would see: no FINISHED baseline run.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from mlflow import MlflowClient
from mlflow.entities import Run

from baseline.capture import capture_baseline, capture_lock
from pipeline.core import contract
from pipeline.core.errors import (
    FeatureMismatchError,
    NoProductionModelError,
    StorageError,
    TrackingError,
)
from pipeline.data.storage import LocalStorage
from pipeline.tracking import client as tracking
from tests.support import model_registry, real_data
from tests.support.model_registry import FittedPair
from tests.support.servers import (
    closed_port_url,
    mlflow_server,
    moto_s3_server,
    s3_client,
    use_aws_test_credentials,
)
from tests.support.sqlite_store import empty_store_uri

pytestmark = pytest.mark.integration

BASELINE_RUN_NAMES = (contract.quality_gate_run_name(0), contract.drift_run_name(0))


@pytest.fixture(scope="module")
def split():
    return real_data.initial_split()


@pytest.fixture(scope="module")
def pair(split) -> FittedPair:
    return model_registry.fit_pair(split.train.iloc[:3000])


@pytest.fixture(scope="module")
def storage_folder(split, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("storage")
    LocalStorage(folder).write_csv(contract.INITIAL_TEST_KEY, split.test)
    return folder


@pytest.fixture(scope="module")
def expected(pair: FittedPair, split) -> dict[str, float]:
    return model_registry.expected_scores(pair, split.test)


@pytest.fixture
def tracking_uri(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    uri = empty_store_uri(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("HEALTHPREDICT_HOME", str(tmp_path / "home"))
    return uri


@pytest.fixture
def client(tracking_uri: str) -> MlflowClient:
    return tracking.configure(tracking_uri)


def all_runs(client: MlflowClient, experiment: str) -> list[Run]:
    found = client.get_experiment_by_name(experiment)
    if found is None:
        return []
    runs: list[Run] = []
    token: str | None = None
    while True:
        page = client.search_runs([found.experiment_id], max_results=50, page_token=token)
        runs.extend(page)
        token = page.token
        if not token:
            return runs


def baseline_runs(client: MlflowClient) -> list[Run]:
    runs = all_runs(client, contract.TRAINING_EXPERIMENT) + all_runs(
        client, contract.DRIFT_EXPERIMENT
    )
    return [run for run in runs if run.info.run_name in BASELINE_RUN_NAMES]


def finished_baseline_runs(client: MlflowClient) -> list[Run]:
    return [run for run in baseline_runs(client) if run.info.status == "FINISHED"]


def reject_constant(name: str) -> None:
    raise AssertionError(f"non-strict JSON constant {name}")


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "baseline", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=dict(os.environ),
        timeout=300,
        check=False,
    )


def assert_contract_pair(
    client: MlflowClient, gate_run_id: str, drift_run_id: str, version: str, expected: dict
) -> None:
    """The pair as CONTRACT.md spells it, with scores recomputed outside the pipeline."""
    gate = client.get_run(gate_run_id)
    drift = client.get_run(drift_run_id)
    assert (gate.info.status, drift.info.status) == ("FINISHED", "FINISHED")
    assert gate.info.run_name == "quality_gate_batch_0"
    assert drift.info.run_name == "drift_batch_0"
    assert client.get_experiment(gate.info.experiment_id).name == contract.TRAINING_EXPERIMENT
    assert client.get_experiment(drift.info.experiment_id).name == contract.DRIFT_EXPERIMENT

    assert gate.data.params == {
        "batch_number": "0",
        "test_set_used": "initial_test",
        "model_type": "XGBoost",
        "model_version": version,
        # batch 0 is written by the gate-run writer every batch uses, so it carries this too
        contract.Param.PRODUCTION_MODEL_VERSION: version,
    }
    assert gate.data.tags["quality_gate"] == "True"
    assert gate.data.tags["decision"] == "BASELINE"
    metrics = gate.data.metrics
    for score, value in expected.items():
        assert metrics[f"new_{score}_test"] == pytest.approx(value, abs=1e-12)
        assert metrics[f"prod_{score}_test"] == pytest.approx(value, abs=1e-12)
    assert metrics["auc_improvement"] == 0.0
    assert metrics["f1_improvement"] == 0.0

    assert drift.data.params == {"batch_number": "0", "drift_threshold": "0.3"}
    assert drift.data.metrics == {
        "drift_share": 0.0,
        "n_drifted_columns": 0.0,
        "n_total_columns": 0.0,
        "dataset_drift": 0.0,
    }
    assert gate.data.tags[contract.Tag.CAPTURE_ID] == drift.data.tags[contract.Tag.CAPTURE_ID]

    with_roc = client.list_artifacts(gate.info.run_id, "roc_curves")
    assert [item.path for item in with_roc] == ["roc_curves/roc_curve_production.json"]
    assert client.list_artifacts(drift.info.run_id) == []


def read_roc(client: MlflowClient, run_id: str, folder: Path) -> dict:
    local = client.download_artifacts(run_id, "roc_curves/roc_curve_production.json", str(folder))
    return json.loads(Path(local).read_text(), parse_constant=reject_constant)


def test_baseline_on_a_pipeline_registry_logs_the_contract_pair(
    client, tracking_uri, pair, storage_folder, expected, tmp_path
):
    version = model_registry.pipeline_layout(client, pair)

    result = capture_baseline(tracking_uri, str(storage_folder))

    assert result.model_version == str(version.version)
    assert result.auc == pytest.approx(expected["auc"], abs=1e-12)
    assert result.recall == pytest.approx(expected["recall"], abs=1e-12)
    assert_contract_pair(
        client, result.quality_gate_run_id, result.drift_run_id, result.model_version, expected
    )
    roc = read_roc(client, result.quality_gate_run_id, tmp_path)
    assert roc["auc"] == pytest.approx(expected["auc"], abs=1e-12)
    assert roc["thresholds"][0] is None
    assert (roc["fpr"][-1], roc["tpr"][-1]) == (1.0, 1.0)


def test_baseline_on_a_stage_only_registry_left_by_the_original_pipeline(
    client, tracking_uri, pair, storage_folder, expected
):
    version = model_registry.legacy_layout(client, pair, stage="production")
    assert version.current_stage == "production" and not version.aliases

    result = capture_baseline(tracking_uri, str(storage_folder))

    assert_contract_pair(
        client, result.quality_gate_run_id, result.drift_run_id, str(version.version), expected
    )


def test_cli_reads_initial_test_from_an_s3_bucket(
    client, tracking_uri, pair, split, expected, tmp_path, monkeypatch
):
    version = model_registry.pipeline_layout(client, pair)
    use_aws_test_credentials(monkeypatch)
    with moto_s3_server() as endpoint:
        s3_client(endpoint).create_bucket(Bucket="health-predict-data")
        body = split.test.to_csv(index=False, na_rep="?").encode()
        s3_client(endpoint).put_object(
            Bucket="health-predict-data", Key=contract.INITIAL_TEST_KEY, Body=body
        )
        done = run_cli(
            "--s3-bucket-name",
            "health-predict-data",
            "--s3-endpoint-url",
            endpoint,
            "--mlflow-tracking-uri",
            tracking_uri,
            cwd=tmp_path,
        )
    assert done.returncode == 0, done.stderr
    assert "quality_gate_batch_0" in done.stdout
    [gate] = [r for r in finished_baseline_runs(client) if r.info.run_name.startswith("quality")]
    [drift] = [r for r in finished_baseline_runs(client) if r.info.run_name.startswith("drift")]
    assert gate.info.run_id in done.stdout and drift.info.run_id in done.stdout
    assert_contract_pair(
        client, gate.info.run_id, drift.info.run_id, str(version.version), expected
    )


def test_no_production_model_exits_2_and_logs_nothing(tracking_uri, storage_folder, tmp_path):
    done = run_cli(
        "--storage", str(storage_folder), "--mlflow-tracking-uri", tracking_uri, cwd=tmp_path
    )
    assert done.returncode == 2
    last_line = done.stderr.strip().splitlines()[-1]
    assert "no Production version of HealthPredictModel" in last_line
    assert "healthpredict train-initial" in last_line
    assert baseline_runs(MlflowClient(tracking_uri)) == []


def test_a_registry_without_production_is_refused_too(client, tracking_uri, pair, storage_folder):
    model_registry.legacy_layout(client, pair, stage="Staging")
    with pytest.raises(NoProductionModelError, match="no Production version"):
        capture_baseline(tracking_uri, str(storage_folder))
    assert baseline_runs(client) == []


def test_missing_initial_test_names_the_key_and_the_storage(client, tracking_uri, pair, tmp_path):
    model_registry.pipeline_layout(client, pair)
    empty = tmp_path / "empty-storage"
    with pytest.raises(StorageError) as caught:
        capture_baseline(tracking_uri, str(empty))
    assert f"processed_data/initial_test.csv not found in {empty}" in str(caught.value)
    assert finished_baseline_runs(client) == []


def test_missing_bucket_is_named(client, tracking_uri, pair, monkeypatch):
    model_registry.pipeline_layout(client, pair)
    use_aws_test_credentials(monkeypatch)
    with moto_s3_server() as endpoint, pytest.raises(StorageError, match="'no-such-bucket'"):
        capture_baseline(tracking_uri, "s3://no-such-bucket", s3_endpoint_url=endpoint)
    assert finished_baseline_runs(client) == []


@pytest.mark.timeout(90)
def test_unreachable_mlflow_is_a_clear_error(storage_folder, tmp_path, monkeypatch):
    monkeypatch.setenv("HEALTHPREDICT_HOME", str(tmp_path / "home"))
    uri = closed_port_url()
    with pytest.raises(TrackingError, match=re.escape(f"MLflow at {uri} is unreachable")):
        capture_baseline(uri, str(storage_folder))


def test_mismatched_model_and_preprocessor_is_refused(client, tracking_uri, split, storage_folder):
    mismatched = model_registry.fit_pair(split.train.iloc[:3000], preprocessor_rows=60)
    width = len(mismatched.preprocessor.get_feature_names_out())
    assert width != mismatched.model.n_features_in_
    model_registry.pipeline_layout(client, mismatched)

    with pytest.raises(FeatureMismatchError, match=f"preprocessor produces {width}"):
        capture_baseline(tracking_uri, str(storage_folder))
    assert finished_baseline_runs(client) == []


def test_concurrent_captures_never_interleave(client, tracking_uri, pair, storage_folder):
    model_registry.pipeline_layout(client, pair)
    errors: list[BaseException] = []

    def capture() -> None:
        try:
            capture_baseline(tracking_uri, str(storage_folder))
        except Exception as error:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=capture) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []

    finished = finished_baseline_runs(client)
    assert len(finished) == 4
    by_capture: dict[str, list[Run]] = {}
    for run in finished:
        by_capture.setdefault(run.data.tags[contract.Tag.CAPTURE_ID], []).append(run)
    assert sorted(sorted(r.info.run_name for r in runs) for runs in by_capture.values()) == [
        sorted(BASELINE_RUN_NAMES),
        sorted(BASELINE_RUN_NAMES),
    ]
    spans = sorted(
        (min(r.info.start_time for r in runs), max(r.info.end_time for r in runs))
        for runs in by_capture.values()
    )
    assert spans[0][1] <= spans[1][0], "the second capture started writing before the first ended"


def test_a_capture_already_running_elsewhere_is_refused_without_waiting(
    client, tracking_uri, pair, storage_folder, tmp_path
):
    model_registry.pipeline_layout(client, pair)
    with capture_lock(tracking_uri):
        done = run_cli(
            "--no-wait",
            "--storage",
            str(storage_folder),
            "--mlflow-tracking-uri",
            tracking_uri,
            cwd=tmp_path,
        )
    assert done.returncode == 3
    assert "another baseline capture" in done.stderr
    assert baseline_runs(client) == []


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("HEALTHPREDICT_HOME", str(tmp_path / "home"))
    with mlflow_server(tmp_path) as running:
        monkeypatch.setenv("MLFLOW_TRACKING_URI", running.url)
        yield running.url


def test_baseline_through_a_real_mlflow_server(server, pair, storage_folder, expected, tmp_path):
    client = tracking.configure(server)
    version = model_registry.pipeline_layout(client, pair)

    result = capture_baseline(server, str(storage_folder))

    assert_contract_pair(
        client, result.quality_gate_run_id, result.drift_run_id, str(version.version), expected
    )
    roc = read_roc(client, result.quality_gate_run_id, tmp_path)
    assert roc["auc"] == pytest.approx(expected["auc"], abs=1e-12)
