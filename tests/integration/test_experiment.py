"""The whole experiment on the real data through a real ``mlflow server``, and the CLI's errors.

The experiment runs once per session (``experiment_store`` in tests/conftest.py); these tests read
what it left in MLflow the way the report does, and check it against the contract.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from mlflow import MlflowClient
from mlflow.entities import Run

from pipeline.core import config, contract
from pipeline.core.contract import Decision
from tests.conftest import ExperimentStore
from tests.support.servers import (
    closed_port_url,
    moto_s3_server,
    use_aws_test_credentials,
)

pytestmark = pytest.mark.integration

BATCHES = range(1, 6)
# The README's table for the default run (seed 42): drifted columns of the 41 analysed (shares
# 0.02, 0.05, 0.49, 0.56, 0.46), whether that reached the 0.30 threshold (retraining ran), and
# the quality gate's decision.
ANALYSED_COLUMNS = 41
SEED_42_STORY = {
    1: (2, False, "SKIP_NO_DRIFT"),
    2: (2, False, "SKIP_NO_DRIFT"),
    3: (19, True, "DEPLOY_REFRESH"),
    4: (23, True, "DEPLOY"),
    5: (19, True, "DEPLOY"),
}
# CONTRACT.md's ranges of auc_improvement for each decision of a retrained batch.
IMPROVEMENT_RANGE = {
    "DEPLOY": (0.0, 1.0),
    "DEPLOY_REFRESH": (-0.02, 0.0),
    "SKIP": (-1.0, -0.02),
}
CLI_TIMEOUT_S = 120  # a hang guard, not a timing assertion


def all_runs(client: MlflowClient, experiment_name: str, filter_string: str = "") -> list[Run]:
    experiment = client.get_experiment_by_name(experiment_name)
    assert experiment is not None, f"experiment {experiment_name} is missing"
    runs: list[Run] = []
    token = None
    while True:
        page = client.search_runs(
            [experiment.experiment_id], filter_string, max_results=50, page_token=token
        )
        runs.extend(page)
        token = page.token
        if not token:
            return runs


def by_name(runs: list[Run]) -> dict[str, Run]:
    named: dict[str, Run] = {}
    for run in runs:
        assert run.info.run_name not in named, f"two runs named {run.info.run_name}"
        named[run.info.run_name] = run
    return named


def strict_json(text: str) -> Any:
    def refuse(constant: str) -> None:
        raise AssertionError(f"non-strict JSON constant {constant}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def client(experiment_store: ExperimentStore) -> MlflowClient:
    return MlflowClient(experiment_store.tracking_uri, registry_uri=experiment_store.tracking_uri)


@pytest.fixture(scope="module")
def gate_runs(client: MlflowClient) -> dict[int, Run]:
    runs = all_runs(
        client, contract.TRAINING_EXPERIMENT, f"tags.{contract.Tag.QUALITY_GATE} = 'True'"
    )
    named = by_name(runs)
    return {b: named[contract.quality_gate_run_name(b)] for b in range(0, 6)}


@pytest.fixture(scope="module")
def drift_runs(client: MlflowClient) -> dict[int, Run]:
    named = by_name(all_runs(client, contract.DRIFT_EXPERIMENT))
    return {b: named[contract.drift_run_name(b)] for b in range(0, 6)}


def test_every_batch_has_a_finished_drift_run_with_the_contract_fields(
    client: MlflowClient, drift_runs: dict[int, Run], experiment_store: ExperimentStore
):
    for batch in BATCHES:
        run = drift_runs[batch]
        assert run.info.status == "FINISHED"
        params, metrics = run.data.params, run.data.metrics
        assert params[contract.Param.BATCH_NUMBER] == str(batch)
        assert params[contract.Param.REFERENCE_DATA].endswith(contract.INITIAL_TRAIN_KEY)
        assert params[contract.Param.NEW_DATA].endswith(contract.batch_data_key(batch))
        assert float(params[contract.Param.DRIFT_THRESHOLD]) == contract.DEFAULT_DRIFT_THRESHOLD
        assert len(params[contract.Param.DATA_SHA256]) == 64
        outcome = experiment_store.outcomes[batch - 1]
        assert params[contract.Param.BATCH_PROFILE] == outcome.profile
        assert params[contract.Param.BATCH_DESCRIPTION]
        assert 0.0 <= metrics[contract.Metric.DRIFT_SHARE] <= 1.0
        assert metrics[contract.Metric.DATASET_DRIFT] in (0.0, 1.0)

        path = client.download_artifacts(
            run.info.run_id, contract.FEATURE_DRIFT_ARTIFACT, str(experiment_store.state_dir)
        )
        records = strict_json(Path(path).read_text())
        assert len(records) == metrics[contract.Metric.N_TOTAL_COLUMNS]
        assert sum(r["drifted"] for r in records) == metrics[contract.Metric.N_DRIFTED_COLUMNS]
        for record in records:
            assert set(contract.FEATURE_DRIFT_FIELDS) <= set(record)
            assert record["kind"] in ("numeric", "categorical")
        share = (
            metrics[contract.Metric.N_DRIFTED_COLUMNS] / metrics[contract.Metric.N_TOTAL_COLUMNS]
        )
        assert metrics[contract.Metric.DRIFT_SHARE] == pytest.approx(share)


def test_batch_zero_is_the_baseline(gate_runs: dict[int, Run], drift_runs: dict[int, Run]):
    baseline = gate_runs[0]
    assert baseline.data.tags[contract.Tag.DECISION] == Decision.BASELINE
    assert baseline.data.params[contract.Param.TEST_SET_USED] == contract.INITIAL_TEST_SET
    assert drift_runs[0].data.metrics[contract.Metric.DRIFT_SHARE] == 0.0


def test_quiet_batches_skip_and_drifting_batches_retrain(
    gate_runs: dict[int, Run], drift_runs: dict[int, Run]
):
    """The README's seed-42 table: shares, whether retraining ran (and why), the decisions."""
    for batch, (drifted, retrained, decision) in SEED_42_STORY.items():
        drift = drift_runs[batch]
        metrics = drift.data.metrics
        assert metrics[contract.Metric.N_TOTAL_COLUMNS] == ANALYSED_COLUMNS
        assert metrics[contract.Metric.N_DRIFTED_COLUMNS] == drifted, f"batch {batch}"
        assert metrics[contract.Metric.DRIFT_SHARE] == pytest.approx(drifted / ANALYSED_COLUMNS)
        assert gate_runs[batch].data.tags[contract.Tag.DECISION] == decision, f"batch {batch}"
        # the verdict travels with the drift run, so the report never re-derives it
        assert drift.data.tags[contract.Tag.RETRAIN_TRIGGERED] == str(retrained), f"batch {batch}"
        reason = "drift" if retrained else "none"
        assert drift.data.tags[contract.Tag.TRIGGER_REASON] == reason, f"batch {batch}"


def test_gate_runs_carry_the_contract_fields(client: MlflowClient, gate_runs: dict[int, Run]):
    for batch in BATCHES:
        run = gate_runs[batch]
        assert run.info.status == "FINISHED"
        params, metrics, tags = run.data.params, run.data.metrics, run.data.tags
        assert tags[contract.Tag.QUALITY_GATE] == contract.Tag.TRUE
        assert params[contract.Param.BATCH_NUMBER] == str(batch)
        assert params[contract.Param.TEST_SET_USED] == contract.batch_test_set(batch)
        assert params[contract.Param.MODEL_TYPE] == contract.MODEL_TYPE_XGBOOST
        assert params[contract.Param.MODEL_VERSION].isdigit()
        for score in contract.SCORES:
            assert 0.0 <= metrics[contract.new_metric(score)] <= 1.0
            assert 0.0 <= metrics[contract.prod_metric(score)] <= 1.0
        improvement = metrics[contract.Metric.AUC_IMPROVEMENT]
        assert improvement == pytest.approx(
            metrics[contract.new_metric("auc")] - metrics[contract.prod_metric("auc")]
        )
        artifacts = {a.path for a in client.list_artifacts(run.info.run_id, contract.ROC_DIR)}
        if tags[contract.Tag.DECISION] == Decision.SKIP_NO_DRIFT:
            assert (
                params[contract.Param.EVALUATION_TYPE] == contract.EVALUATION_TYPE_PRODUCTION_ONLY
            )
            assert improvement == 0.0 and metrics[contract.Metric.F1_IMPROVEMENT] == 0.0
            assert artifacts == {contract.ROC_PRODUCTION_ARTIFACT}
        else:
            low, high = IMPROVEMENT_RANGE[tags[contract.Tag.DECISION]]
            assert low <= improvement <= high, (batch, improvement)
            assert artifacts == {contract.ROC_PRODUCTION_ARTIFACT, contract.ROC_NEW_ARTIFACT}
            training_run = client.get_run(params[contract.Param.TRAINING_RUN_ID])
            assert training_run.info.run_name == contract.training_run_name(batch)
            assert training_run.info.status == "FINISHED"


def test_roc_files_are_strict_json_curves(
    client: MlflowClient, gate_runs: dict[int, Run], tmp_path: Path
):
    for batch in BATCHES:
        run = gate_runs[batch]
        for item in client.list_artifacts(run.info.run_id, contract.ROC_DIR):
            local = client.download_artifacts(run.info.run_id, item.path, str(tmp_path))
            curve = strict_json(Path(local).read_text())
            assert len(curve["fpr"]) == len(curve["tpr"]) == len(curve["thresholds"]) > 2
            assert curve["fpr"][0] == 0.0 and curve["tpr"][-1] == 1.0
            prefix = "new" if item.path == contract.ROC_NEW_ARTIFACT else "prod"
            expected = run.data.metrics[f"{prefix}_auc_test"]
            assert curve["auc"] == pytest.approx(expected)


def test_trial_runs_are_tagged_and_invisible_to_the_gate_query(client: MlflowClient):
    trials = all_runs(
        client, contract.TRAINING_EXPERIMENT, f"tags.{contract.Tag.HPO_TRIAL} = 'True'"
    )
    assert trials, "HPO trials were not logged"
    assert all(contract.new_metric("auc") not in t.data.metrics for t in trials)
    assert all(contract.TrainingMetric.VALIDATION_AUC in t.data.metrics for t in trials)
    gate_hits = all_runs(client, contract.TRAINING_EXPERIMENT, contract.QUALITY_GATE_FILTER)
    assert {r.info.run_name for r in gate_hits} == {
        contract.quality_gate_run_name(b) for b in range(0, 6)
    }


def test_registry_alias_and_stage_agree_and_older_versions_are_archived(
    client: MlflowClient, experiment_store: ExperimentStore
):
    versions = client.search_model_versions(f"name='{contract.MODEL_NAME}'")
    by_alias = client.get_model_version_by_alias(contract.MODEL_NAME, contract.PRODUCTION_ALIAS)
    in_production = [v for v in versions if v.current_stage == contract.PRODUCTION_STAGE]
    assert [v.version for v in in_production] == [by_alias.version]
    deployed = [o for o in experiment_store.outcomes if o.decision in contract.DEPLOYED_DECISIONS]
    assert len(versions) == 1 + len(deployed)
    expected = deployed[-1].model_version if deployed else "1"
    assert str(by_alias.version) == expected
    others = [v for v in versions if v.version != by_alias.version]
    assert all(v.current_stage == contract.ARCHIVED_STAGE for v in others)


# --- CLI errors ------------------------------------------------------------------------------
def run_cli(
    *args: str, home: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, config.STATE_DIR_ENV: str(home), **(env or {})}
    environment.pop(config.TRACKING_URI_ENV, None)
    return subprocess.run(
        [sys.executable, "-m", "healthpredict", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=CLI_TIMEOUT_S,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert result.stderr.rstrip().splitlines()[-1] == errors[0]
    for fragment in fragments:
        assert fragment in errors[0], errors[0]


def test_cli_names_a_missing_data_file(tmp_path: Path):
    missing = tmp_path / "nowhere.zip"
    result = run_cli(
        "experiment",
        "prepare",
        "--data",
        str(missing),
        "--storage",
        str(tmp_path / "s"),
        home=tmp_path,
    )
    assert_one_line_error(result, str(missing))


def test_cli_refuses_a_corrupt_data_file(tmp_path: Path):
    corrupt = tmp_path / "dataset_diabetes.zip"
    corrupt.write_bytes(b"PK\x03\x04 not really a zip")
    result = run_cli(
        "experiment",
        "run",
        "--data",
        str(corrupt),
        "--storage",
        str(tmp_path / "s"),
        "--tracking-uri",
        f"sqlite:///{tmp_path / 'mlflow.db'}",
        home=tmp_path,
    )
    assert_one_line_error(result, corrupt.name)


def test_cli_reports_an_unreachable_tracking_server(tmp_path: Path, real_data_path: Path):
    url = closed_port_url()
    result = run_cli(
        "experiment",
        "run",
        "--data",
        str(real_data_path),
        "--tracking-uri",
        url,
        "--storage",
        str(tmp_path / "s"),
        home=tmp_path,
    )
    assert_one_line_error(result, url)


def test_cli_refuses_a_batch_outside_the_prepared_range(
    tmp_path: Path, experiment_store: ExperimentStore
):
    result = run_cli(
        "batch",
        "run",
        "9",
        "--storage",
        experiment_store.storage,
        "--tracking-uri",
        experiment_store.tracking_uri,
        home=tmp_path,
    )
    assert_one_line_error(result, "batch 9 is outside the prepared range 1-5")


def test_cli_refuses_a_batch_before_prepare(tmp_path: Path):
    empty = tmp_path / "empty-storage"
    result = run_cli(
        "batch",
        "run",
        "1",
        "--storage",
        str(empty),
        "--tracking-uri",
        f"sqlite:///{tmp_path / 'mlflow.db'}",
        home=tmp_path,
    )
    assert_one_line_error(result, "no prepared data", "healthpredict experiment prepare")


def test_cli_names_a_missing_bucket(
    tmp_path: Path, real_data_path: Path, monkeypatch: pytest.MonkeyPatch
):
    use_aws_test_credentials(monkeypatch)
    with moto_s3_server() as endpoint:
        result = run_cli(
            "experiment",
            "prepare",
            "--data",
            str(real_data_path),
            "--storage",
            "s3://no-such-bucket",
            "--s3-endpoint-url",
            endpoint,
            home=tmp_path,
        )
    assert_one_line_error(result, "no-such-bucket")


def test_if_missing_leaves_a_complete_store_alone(
    tmp_path: Path, experiment_store: ExperimentStore, client: MlflowClient
):
    before = len(all_runs(client, contract.TRAINING_EXPERIMENT))
    result = run_cli(
        "experiment",
        "run",
        "--if-missing",
        "--storage",
        experiment_store.storage,
        "--tracking-uri",
        experiment_store.tracking_uri,
        home=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "already there" in result.stdout
    assert len(all_runs(client, contract.TRAINING_EXPERIMENT)) == before
