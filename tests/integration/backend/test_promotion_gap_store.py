"""The promotion gap on a real store (issue 24 item 4): killed after "registered version N".

A gate step writes its FINISHED gate run, registered the new version, and is killed before the
promotion. The report then tells one story: `/batches`, `/summary` and `/provenance` all say the
registry's Production (the old version) serves and that the decided deploy is pending, until
`finish_pending_promotion` (the next gate step's first move) completes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from mlflow import MlflowClient

from backend.main import create_app
from pipeline.core import contract
from pipeline.core.contract import Decision
from pipeline.data import features
from pipeline.gate import runs
from pipeline.gate import steps as gate
from pipeline.models import registry, scoring, training_runs
from pipeline.tracking import client as tracking
from tests.support.api import api_settings
from tests.support.model_registry import fit_pair, pipeline_layout, training_run
from tests.support.sqlite_store import empty_store_uri
from tests.support.synthetic import raw_encounters

pytestmark = pytest.mark.integration


def report(tracking_uri: str, scratch: Path) -> dict[str, Any]:
    """One fresh API's answers (a new app: nothing cached from before)."""
    app = create_app(api_settings(tracking_uri, scratch))
    with TestClient(app, client=("testclient", 50000)) as api:
        return {path: api.get(f"/{path}").json() for path in ("batches", "summary", "provenance")}


def test_a_deploy_killed_before_promotion_is_one_pending_story_until_repaired(
    tmp_path: Path,
) -> None:
    tracking_uri = empty_store_uri(tmp_path)
    client: MlflowClient = tracking.configure(tracking_uri)
    old = pipeline_layout(client, fit_pair(raw_encounters(400, seed=1)))  # version 1, Production
    test_set = features.prepare(raw_encounters(300, seed=3))
    experiment_id, run_id = training_run(client)
    candidate = fit_pair(raw_encounters(400, seed=2))
    training_runs.log_preprocessor(client, run_id, candidate.preprocessor)
    training_runs.log_model(client, experiment_id, run_id, candidate.model)
    client.set_terminated(run_id, "FINISHED")
    registered = str(registry.register(client, run_id).version)  # "registered version 2" ...
    old_pair = registry.load_scoring_pair(client, old)
    production = scoring.score(*old_pair, test_set)
    record = runs.GateRun(
        batch=1,
        decision=Decision.DEPLOY,
        test_set=contract.batch_test_set(1),
        production=production,
        new=scoring.score(candidate.model, candidate.preprocessor, test_set),
        production_model_version=str(old.version),
        model_version=registered,
        training_run_id=run_id,
    )
    with tracking.result_runs(client) as group:
        runs.write_gate_run(group, experiment_id, record)
    # ... and killed here: the gate run is a result, the registry still serves version 1.

    before = report(tracking_uri, tmp_path / "api-before")
    (row,) = before["batches"]["batches"]
    assert (registered, str(old.version)) == ("2", "1")
    assert (row["decision"], row["promotion_pending"], row["model_version"]) == (
        "DEPLOY",
        True,
        "1",
    )
    assert row["new"]["version"] == "2"
    assert row["production_after"]["version"] == "1"
    assert row["production_after"]["auc"] == pytest.approx(production.auc)
    summary = before["summary"]
    assert summary["production_model"]["version"] == "1"
    assert summary["promotion_pending"] == {"batch": 1, "version": "2", "production_version": "1"}
    assert summary["end_auc"] == pytest.approx(production.auc)
    assert summary["takeaway"].endswith(
        "Batch 1's gate decided to deploy version 2, but the promotion did not complete: "
        "Production is still version 1 until the next step completes it."
    )
    provenance = before["provenance"]
    assert provenance["production_version"] == "1"
    assert [b["model_version"] for b in provenance["batches"]] == ["1"]

    assert gate.finish_pending_promotion(client, experiment_id) == "2"

    after = report(tracking_uri, tmp_path / "api-after")
    (row,) = after["batches"]["batches"]
    assert (row["promotion_pending"], row["model_version"]) == (False, "2")
    assert row["production_after"]["version"] == "2"
    assert after["summary"]["production_model"]["version"] == "2"
    assert after["summary"]["promotion_pending"] is None
    assert "promotion" not in after["summary"]["takeaway"]
    assert after["provenance"]["production_version"] == "2"
    assert [b["model_version"] for b in after["provenance"]["batches"]] == ["2"]
