"""The deployment's topology, natively: what docker-compose runs, without Docker.

An ``mlflow server`` on 127.0.0.1 keeps its runs in PostgreSQL (``HEALTHPREDICT_TEST_POSTGRES_URI``,
set by .ci/run; SQLite when unset) and its artifacts in an S3-compatible server (moto), where the
experiment's data bucket lives too. The experiment runs through it with the CLI, exactly as the
compose ``experiment`` job does, and the report API reads the result back over HTTP.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from pipeline.core import contract
from tests.support.servers import (
    mlflow_server,
    moto_s3_server,
    report_api,
    s3_client,
    use_aws_test_credentials,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(1500)]

ARTIFACT_BUCKET = "mlflow"
DATA_BUCKET = "healthpredict-data"
POSTGRES_ENV = "HEALTHPREDICT_TEST_POSTGRES_URI"


def test_experiment_through_tracking_server_with_s3_artifacts_reads_back_over_http(
    real_data_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_aws_test_credentials(monkeypatch)
    with moto_s3_server() as endpoint:
        s3 = s3_client(endpoint)
        s3.create_bucket(Bucket=ARTIFACT_BUCKET)
        s3.create_bucket(Bucket=DATA_BUCKET)
        # The server writes artifacts to S3 itself; clients go through its artifact proxy.
        monkeypatch.setenv("MLFLOW_S3_ENDPOINT_URL", endpoint)
        backend_uri = os.environ.get(POSTGRES_ENV) or None
        with mlflow_server(
            tmp_path,
            backend_uri=backend_uri,
            artifacts_destination=f"s3://{ARTIFACT_BUCKET}/artifacts",
        ) as server:
            storage = f"s3://{DATA_BUCKET}/experiment"
            run = subprocess.run(
                [
                    str(Path(sys.executable).with_name("healthpredict")),
                    "experiment",
                    "run",
                    "--data",
                    str(real_data_path),
                    "--tracking-uri",
                    server.url,
                    "--storage",
                    storage,
                    "--s3-endpoint-url",
                    endpoint,
                ],
                env={**os.environ, "HEALTHPREDICT_HOME": str(tmp_path / "state")},
                capture_output=True,
                text=True,
                timeout=1200,
                check=False,
            )
            assert run.returncode == 0, run.stderr[-3000:]

            data_keys = _keys(s3, DATA_BUCKET, "experiment/")
            assert f"experiment/{contract.INITIAL_TEST_KEY}" in data_keys
            for batch in range(1, 6):
                assert f"experiment/{contract.batch_data_key(batch)}" in data_keys
                assert f"experiment/{contract.batch_test_key(batch)}" in data_keys
            artifact_keys = _keys(s3, ARTIFACT_BUCKET, "artifacts/")
            assert any(k.endswith(contract.ROC_NEW_ARTIFACT) for k in artifact_keys)
            assert any(k.endswith(contract.FEATURE_DRIFT_ARTIFACT) for k in artifact_keys)
            assert any(k.endswith(contract.PREPROCESSOR_ARTIFACT) for k in artifact_keys)

            # The API holds no S3 credentials: it reads runs and artifacts through the server.
            with report_api(tmp_path, server.url, storage) as api:
                batches = httpx.get(f"{api}/batches", timeout=60).json()
                assert [b["batch"] for b in batches["batches"]] == list(range(6))
                decisions = [b["decision"] for b in batches["batches"]]
                assert decisions[0] == contract.Decision.BASELINE
                assert decisions[1:3] == [contract.Decision.SKIP_NO_DRIFT] * 2
                assert all(d in contract.RETRAINED_DECISIONS for d in decisions[3:])
                assert all(b["superseded_runs"] == 0 for b in batches["batches"])

                roc = httpx.get(f"{api}/roc/3", timeout=60)
                assert roc.status_code == 200
                body = json.loads(roc.text)  # strict: no Infinity/NaN on the wire
                for which in ("production", "new"):
                    curve = body[which]
                    assert curve is not None, which
                    assert curve["fpr"][0] == 0 and curve["fpr"][-1] == 1
                    assert 0.5 < curve["auc"] < 1

                summary = httpx.get(f"{api}/summary", timeout=60).json()
                assert summary["has_baseline"] is True
                assert summary["batches_processed"] == 5
                assert summary["production_model"]["name"] == contract.MODEL_NAME


def _keys(s3: object, bucket: str, prefix: str) -> set[str]:
    paginator = s3.get_paginator("list_objects_v2")  # type: ignore[attr-defined]
    return {
        item["Key"]
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix)
        for item in page.get("Contents", [])
    }
