"""Fixtures for the report API: real SQLite MLflow stores built run by run with the contract's
names, a real `mlflow server` on 127.0.0.1, and TestClients over `create_app`.

A pytest plugin (tests/conftest.py loads it), so the fast tier's API tests and the integration
tests that need an `mlflow server` over the same kind of store share one set of fixtures."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from mlflow import MlflowClient
from mlflow.entities import Metric, Param

from backend.main import create_app
from pipeline.core import contract
from tests.support.api import LOCAL_CLIENT, api_settings
from tests.support.sqlite_store import empty_store_uri

START = 1_700_000_000_000  # ms; runs get increasing start times from here


class StoreBuilder:
    """Writes runs the way the pipeline (or the old Airflow DAG, noise included) would."""

    def __init__(self, tracking_uri: str, artifact_root: Path) -> None:
        self.tracking_uri = tracking_uri
        self.artifact_root = artifact_root
        self.client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
        self._clock = START
        self._experiments: dict[str, str] = {}

    def tick(self) -> int:
        self._clock += 1000
        return self._clock

    def experiment(self, name: str) -> str:
        if name not in self._experiments:
            existing = self.client.get_experiment_by_name(name)
            self._experiments[name] = (
                existing.experiment_id
                if existing
                else self.client.create_experiment(
                    name, artifact_location=(self.artifact_root / name).as_uri()
                )
            )
        return self._experiments[name]

    def run(
        self,
        experiment: str,
        run_name: str,
        *,
        params: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
        metrics: Mapping[str, float] | None = None,
        artifacts: Mapping[str, str] | None = None,
        status: str = "FINISHED",
        start_time: int | None = None,
        end_time: int | None = None,
    ) -> str:
        start = start_time if start_time is not None else self.tick()
        run = self.client.create_run(
            self.experiment(experiment), start_time=start, tags=dict(tags or {}), run_name=run_name
        )
        run_id = run.info.run_id
        if params or metrics:  # one write for all of them: the messy store has hundreds of runs
            self.client.log_batch(
                run_id,
                metrics=[Metric(key, value, start, 0) for key, value in (metrics or {}).items()],
                params=[Param(key, value) for key, value in (params or {}).items()],
            )
        for path, text in (artifacts or {}).items():
            self.client.log_text(run_id, text, path)
        if status != "RUNNING":
            self.client.set_terminated(
                run_id, status, end_time=end_time if end_time is not None else start + 500
            )
        return run_id

    def drift_run(
        self,
        batch: int | str,
        share: float | None = 0.0,
        *,
        drifted: list[str] | None = None,
        not_drifted: list[str] | None = None,
        threshold: str | None = None,
        raw_artifact: str | None = None,
        **kwargs: Any,
    ) -> str:
        params = {contract.Param.BATCH_NUMBER: str(batch)}
        if threshold is not None:
            params[contract.Param.DRIFT_THRESHOLD] = threshold
        metrics: dict[str, float] = {}
        if share is not None:
            drifted_n = len(drifted or [])
            total = drifted_n + len(not_drifted or [])
            metrics = {
                contract.Metric.DRIFT_SHARE: share,
                contract.Metric.N_DRIFTED_COLUMNS: drifted_n,
                contract.Metric.N_TOTAL_COLUMNS: total,
                contract.Metric.DATASET_DRIFT: 1.0 if share >= 0.5 else 0.0,
            }
        artifacts = {}
        if drifted is not None or not_drifted is not None:
            records = [
                {
                    "column": c,
                    "kind": "numeric",
                    "test": "ks",
                    "statistic": 0.3,
                    "p_value": 0.001,
                    "threshold": 0.05,
                    "drifted": True,
                }
                for c in drifted or []
            ] + [
                {
                    "column": c,
                    "kind": "categorical",
                    "test": "chi2",
                    "statistic": 1.0,
                    "p_value": 0.6,
                    "threshold": 0.05,
                    "drifted": False,
                }
                for c in not_drifted or []
            ]
            artifacts[contract.FEATURE_DRIFT_ARTIFACT] = json.dumps(records)
        if raw_artifact is not None:
            artifacts[contract.FEATURE_DRIFT_ARTIFACT] = raw_artifact
        return self.run(
            contract.DRIFT_EXPERIMENT,
            contract.drift_run_name(int(batch)) if str(batch).isdigit() else f"drift_{batch}",
            params=params,
            metrics=metrics,
            artifacts=artifacts,
            **kwargs,
        )

    def gate_run(
        self,
        batch: int | str,
        decision: str | None,
        *,
        prod_auc: float | None = None,
        new_auc: float | None = None,
        training_run_id: str | None = None,
        tag: str | None = contract.Tag.TRUE,
        roc: Mapping[str, str] | None = None,
        extra_metrics: Mapping[str, float] | None = None,
        **kwargs: Any,
    ) -> str:
        params = {contract.Param.BATCH_NUMBER: str(batch)}
        if str(batch).isdigit():
            n = int(batch)
            params[contract.Param.TEST_SET_USED] = (
                contract.INITIAL_TEST_SET if n == 0 else contract.batch_test_set(n)
            )
        if training_run_id:
            params[contract.Param.TRAINING_RUN_ID] = training_run_id
        tags = {}
        if tag is not None:
            tags[contract.Tag.QUALITY_GATE] = tag
        if decision is not None:
            tags[contract.Tag.DECISION] = decision
        metrics: dict[str, float] = dict(extra_metrics or {})
        if prod_auc is not None:
            metrics[contract.prod_metric("auc")] = prod_auc
            metrics[contract.prod_metric("f1")] = prod_auc / 4
        if new_auc is not None:
            metrics[contract.new_metric("auc")] = new_auc
            metrics[contract.new_metric("f1")] = new_auc / 4
        if prod_auc is not None and new_auc is not None:
            metrics[contract.Metric.AUC_IMPROVEMENT] = new_auc - prod_auc
        artifacts = {f"{contract.ROC_DIR}/{name}": text for name, text in (roc or {}).items()}
        name = contract.quality_gate_run_name(int(batch)) if str(batch).isdigit() else "gate"
        return self.run(
            contract.TRAINING_EXPERIMENT,
            kwargs.pop("run_name", name),
            params=params,
            tags=tags,
            metrics=metrics,
            artifacts=artifacts,
            **kwargs,
        )

    def training_run(self, batch: int, auc: float = 0.99) -> str:
        """A training run: carries batch_number and scores but is never a gate result."""
        return self.run(
            contract.TRAINING_EXPERIMENT,
            contract.training_run_name(batch),
            params={contract.Param.BATCH_NUMBER: str(batch)},
            metrics={"val_auc": auc},
        )

    def trial_run(self, batch: int, auc: float = 0.99, *, gate_name: bool = False) -> str:
        """An HPO trial; with `gate_name` it even borrows a gate's run name and metrics."""
        return self.run(
            contract.TRAINING_EXPERIMENT,
            contract.quality_gate_run_name(batch) if gate_name else f"trial_{batch}",
            params={contract.Param.BATCH_NUMBER: str(batch)},
            tags={contract.Tag.HPO_TRIAL: contract.Tag.TRUE},
            metrics={"val_auc": auc, contract.new_metric("auc"): auc},
        )

    def register(self, run_id: str, *, stage: str | None = None, alias: bool = False) -> str:
        """A model version of `run_id` (no model files: the report only reads the registry)."""
        if not self.client.search_registered_models(f"name = '{contract.MODEL_NAME}'"):
            self.client.create_registered_model(contract.MODEL_NAME)
        version = self.client.create_model_version(
            contract.MODEL_NAME, source=f"runs:/{run_id}/model", run_id=run_id
        ).version
        if stage:
            self.client.transition_model_version_stage(contract.MODEL_NAME, version, stage)
        if alias:
            self.client.set_registered_model_alias(
                contract.MODEL_NAME, contract.PRODUCTION_ALIAS, version
            )
        return str(version)


@pytest.fixture(scope="session")
def blank_mlflow_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated, empty SQLite store; tests copy it instead of migrating their own."""
    uri = empty_store_uri(tmp_path_factory.mktemp("blank"))  # the session's one migration
    return Path(uri.removeprefix("sqlite:///"))


def _new_store(blank: Path, folder: Path) -> StoreBuilder:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(blank, folder / "mlflow.db")
    return StoreBuilder(f"sqlite:///{folder / 'mlflow.db'}", folder / "artifacts")


@pytest.fixture
def store(blank_mlflow_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StoreBuilder:
    """An empty store of this test's own; MLFLOW_TRACKING_URI points at it."""
    builder = _new_store(blank_mlflow_db, tmp_path / "store")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", builder.tracking_uri)
    return builder


AppFactory = Callable[..., TestClient]


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[AppFactory]:
    """`make_client(tracking_uri, client=(host, port), **settings)` -> a TestClient."""
    clients: list[TestClient] = []

    def factory(
        tracking_uri: str, *, client: tuple[str, int] = LOCAL_CLIENT, **overrides: Any
    ) -> TestClient:
        app = create_app(api_settings(tracking_uri, tmp_path, **overrides))
        test_client = TestClient(app, client=client)
        clients.append(test_client)
        return test_client

    yield factory
    for test_client in clients:
        test_client.close()


@pytest.fixture
def api(store: StoreBuilder, make_client: AppFactory) -> TestClient:
    """A TestClient (a loopback client) over this test's store."""
    return make_client(store.tracking_uri)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MlflowServer:
    """A real `mlflow server` on 127.0.0.1 over a given SQLite store."""

    def __init__(self, backend_uri: str, artifacts: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log.open("wb")
        env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1",
             "--port", str(self.port), "--backend-store-uri", backend_uri,
             "--artifacts-destination", str(artifacts), "--workers", "1"],
            stdout=self._log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mlflow server exited; see {log}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"mlflow server did not start within 120 s; see {log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()
        self._log.close()


@pytest.fixture
def mlflow_server(store: StoreBuilder, tmp_path: Path) -> Iterator[MlflowServer]:
    """`mlflow server` serving this test's store (build the store first through `store`)."""
    server = MlflowServer(
        f"sqlite:///{tmp_path / 'store' / 'mlflow.db'}",
        tmp_path / "store" / "artifacts",
        tmp_path / "mlflow-server.log",
    )
    yield server
    server.stop()


@pytest.fixture
def fast_failing_http(monkeypatch: pytest.MonkeyPatch) -> None:
    """The API process's MLflow HTTP limits (what `serve` sets), scoped to this test."""
    from backend.mlflow_reader import API_HTTP_LIMITS

    for name, value in API_HTTP_LIMITS.items():
        monkeypatch.setenv(name, value)


NON_STRICT_ROC = (
    '{"fpr": [0.0, 0.0, 0.1, 0.4, 1.0, NaN], "tpr": [0.0, 0.3, 0.6, 0.9, 1.0, 1.0],'
    ' "thresholds": [Infinity, 0.9, 0.7, 0.4, 0.1, 0.0], "auc": 0.68}'
)
NOISE_BATCH_NUMBERS = ("abc", "-1", "", "10000000000000000000000", "\uff13", " 2", "1e3")


def build_messy_store(builder: StoreBuilder) -> dict[str, Any]:
    """Six batches written the messy way a real store looks after years; returns what to expect.

    Reruns (latest finished wins, ties by end time then run id), newer failed/running runs,
    150 HPO trials carrying `new_auc_test` (some even named like gate runs), training runs,
    noise batch numbers, a missing artifact, a non-strict ROC file, an unknown decision, a
    gate run from before the `quality_gate` tag existed and a stage-only registry.
    """
    b = builder
    ids: dict[str, Any] = {}
    # --- drift experiment
    b.drift_run(0, 0.0)
    b.drift_run(1, 0.9, drifted=["age", "race", "gender"])  # superseded by the rerun below
    ids["drift_1"] = b.drift_run(1, 0.1, drifted=["age"], not_drifted=["race", "gender"])
    ids["drift_2"] = b.drift_run(2, 0.5, drifted=["num_medications", "A1Cresult"])
    b.drift_run(2, 0.95, status="FAILED")
    b.drift_run(2, None, status="RUNNING")
    ids["drift_3"] = b.drift_run(3, 0.4)  # no feature_drift.json
    tie = b.tick()
    b.drift_run(4, 0.2, start_time=tie, end_time=tie + 100)
    ids["drift_4"] = b.drift_run(4, 0.6, start_time=tie, end_time=tie + 900)
    tie = b.tick()
    five = [b.drift_run(5, s, start_time=tie, end_time=tie + 5) for s in (0.31, 0.32)]
    ids["drift_5"] = max(five)
    ids["share_5"] = 0.31 if five[0] > five[1] else 0.32
    for noise in NOISE_BATCH_NUMBERS:
        b.drift_run(noise, 0.77)
    # --- training experiment
    initial = b.training_run(0)
    b.gate_run(
        0,
        "BASELINE",
        prod_auc=0.68,
        new_auc=0.68,
        roc={"roc_curve_production.json": NON_STRICT_ROC},
    )
    b.gate_run(1, "SKIP_NO_DRIFT", prod_auc=0.60, new_auc=0.60)  # superseded
    b.gate_run(1, "SKIP_NO_DRIFT", prod_auc=0.67, new_auc=0.67)
    t2 = b.training_run(2)
    b.gate_run(2, "DEPLOY", prod_auc=0.64, new_auc=0.70, training_run_id=t2)
    b.gate_run(2, "SKIP", prod_auc=0.1, new_auc=0.1, status="FAILED")
    t3 = b.training_run(3)
    b.gate_run(3, "SKIP", prod_auc=0.69, new_auc=0.60, training_run_id=t3, tag="true")
    t4 = b.training_run(4)
    b.gate_run(4, "DEPLOY_REFRESH", prod_auc=0.69, new_auc=0.685, training_run_id=t4, tag=None)
    ids["gate_5"] = b.gate_run(5, "MAYBE", prod_auc=0.70)
    b.gate_run(6, None, status="RUNNING")
    for i in range(150):
        b.trial_run(1 + i % 5, auc=0.99, gate_name=i % 10 == 0)
    for noise in NOISE_BATCH_NUMBERS:
        b.gate_run(noise, "DEPLOY", prod_auc=0.5, new_auc=0.99)
    # --- registry: stages only, mixed case; the highest Production version wins
    b.register(initial, stage="Production")
    b.register(t2, stage="Archived")
    ids["production_version"] = b.register(t4, stage="PRODUCTION")
    return ids


@pytest.fixture(scope="session")
def messy_store(
    blank_mlflow_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[StoreBuilder, dict[str, Any]]:
    """Built once per session; tests only read it."""
    builder = _new_store(blank_mlflow_db, tmp_path_factory.mktemp("messy"))
    return builder, build_messy_store(builder)


MESSY_MLFLOW_UI = "http://mlflow.example:5000"


@pytest.fixture(scope="session")
def messy_client(
    messy_store: tuple[StoreBuilder, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    """A TestClient over the messy store (MLflow UI links configured) and what to expect."""
    builder, ids = messy_store
    settings = api_settings(
        builder.tracking_uri, tmp_path_factory.mktemp("app"), mlflow_ui_url=MESSY_MLFLOW_UI
    )
    with TestClient(create_app(settings)) as client:
        yield client, ids


@pytest.fixture
def closed_port() -> int:
    """A localhost port nothing listens on."""
    return free_port()
