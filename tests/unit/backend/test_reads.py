"""GET /batches, /summary and /roc over a messy SQLite store, as the page reads them."""

from __future__ import annotations

import math
from typing import Any

import pytest

from pipeline.core import contract

UI = "http://mlflow.example:5000"  # conftest.MESSY_MLFLOW_UI


@pytest.fixture(scope="module")
def messy(messy_client):
    client, ids = messy_client
    return client, ids, client.get("/batches"), client.get("/summary")


def by_batch(response: Any) -> dict[int, dict[str, Any]]:
    return {row["batch"]: row for row in response.json()["batches"]}


def test_every_batch_is_listed_once_in_order_despite_trials_and_noise(messy) -> None:
    _, _, batches, _ = messy
    assert batches.status_code == 200
    assert [row["batch"] for row in batches.json()["batches"]] == [0, 1, 2, 3, 4, 5, 6]


def test_latest_finished_run_wins_and_hidden_runs_are_counted(messy) -> None:
    _, ids, batches, _ = messy
    rows = by_batch(batches)
    assert rows[1]["drift"]["run_id"] == ids["drift_1"]
    assert rows[1]["drift"]["share"] == pytest.approx(0.1)
    assert rows[1]["production"]["auc"] == pytest.approx(0.67)
    assert rows[1]["superseded_runs"] == 2  # one older drift run, one older gate run
    # batch 2: the newer failed and running runs do not hide the last finished ones
    assert rows[2]["drift"]["run_id"] == ids["drift_2"]
    assert rows[2]["decision"] == "DEPLOY"
    assert rows[2]["unfinished_newer_runs"] == 3
    # ties: same start -> later end wins; same start and end -> larger run id wins
    assert rows[4]["drift"]["run_id"] == ids["drift_4"]
    assert rows[5]["drift"]["run_id"] == ids["drift_5"]
    assert rows[5]["drift"]["share"] == pytest.approx(ids["share_5"])


def test_a_batch_with_only_a_running_gate_shows_without_results(messy) -> None:
    _, _, batches, _ = messy
    row = by_batch(batches)[6]
    assert row["decision"] is None and row["production"] is None and row["drift"] is None
    assert row["unfinished_newer_runs"] == 1


def test_trial_runs_never_stand_in_for_gate_results(messy) -> None:
    _, _, batches, _ = messy
    for row in batches.json()["batches"]:
        for scores in (row["production"], row["new"]):
            if scores is not None:
                assert scores["auc"] != pytest.approx(0.99)


def test_scores_decisions_and_nulls(messy) -> None:
    _, _, batches, _ = messy
    rows = by_batch(batches)
    assert rows[0]["decision"] == "BASELINE" and rows[0]["retrained"] is None
    assert rows[0]["new"] is None  # only retrained batches carry a candidate
    assert rows[1]["retrained"] is False and rows[1]["deployed"] is False
    assert rows[2]["new"]["auc"] == pytest.approx(0.70)
    assert rows[2]["auc_improvement"] == pytest.approx(0.06)
    assert rows[3]["decision"] == "SKIP" and rows[3]["deployed"] is False  # tag 'true'
    assert rows[4]["decision"] == "DEPLOY_REFRESH"  # no quality_gate tag: found by run name
    assert rows[4]["deployed"] is True
    # metrics that were never logged are null, not 0
    assert rows[2]["production"]["precision"] is None
    assert rows[2]["production"]["recall"] is None
    assert rows[5]["auc_improvement"] is None and rows[5]["f1_improvement"] is None
    assert rows[2]["test_set"] == contract.batch_test_set(2)


def test_unknown_decision_is_null_with_the_raw_value_kept(messy) -> None:
    _, _, batches, _ = messy
    row = by_batch(batches)[5]
    assert row["decision"] is None and row["raw_decision"] == "MAYBE"
    assert row["retrained"] is None and row["new"] is None
    assert row["production"]["auc"] == pytest.approx(0.70)


def test_drifted_columns_come_from_the_artifact_and_only_drifted_ones(messy) -> None:
    _, _, batches, _ = messy
    rows = by_batch(batches)
    assert [c["column"] for c in rows[1]["drift"]["drifted_columns"]] == ["age"]
    assert {c["column"] for c in rows[2]["drift"]["drifted_columns"]} == {
        "num_medications",
        "A1Cresult",
    }
    assert rows[3]["drift"]["drifted_columns"] is None  # artifact missing
    assert rows[3]["drift"]["share"] == pytest.approx(0.4)


def test_threshold_defaults_to_030_without_the_param(messy) -> None:
    _, _, batches, summary = messy
    assert batches.json()["drift_threshold"] == pytest.approx(0.30)
    assert summary.json()["drift_threshold"] == pytest.approx(0.30)


def test_links_point_at_the_mlflow_ui(messy) -> None:
    _, ids, batches, _ = messy
    drift = by_batch(batches)[1]["drift"]
    assert drift["mlflow_url"].startswith(f"{UI}/#/experiments/")
    assert drift["mlflow_url"].endswith(f"/runs/{ids['drift_1']}")


def test_summary_figures(messy) -> None:
    _, ids, _, summary = messy
    body = summary.json()
    assert summary.status_code == 200
    assert body["production_model"]["version"] == ids["production_version"]
    # the Production version was deployed at batch 4; batch 5 then scored it as Production
    assert body["production_model"]["auc"] == pytest.approx(0.70)
    assert body["total_batches"] == 6
    assert body["batches_processed"] == 5
    assert body["retraining_events"] == 3
    assert body["deployments"] == 2
    assert body["has_baseline"] is True
    assert body["start_auc"] == pytest.approx(0.68)
    assert body["end_auc"] == pytest.approx(0.70)
    assert "0.680" in body["takeaway"] and "0.700" in body["takeaway"]
    assert body["stale"] is False


def test_roc_reads_non_strict_json(messy) -> None:
    client, _, _, _ = messy
    response = client.get("/roc/0")
    assert response.status_code == 200
    body = response.json()
    curve = body["production"]
    assert curve["auc"] == pytest.approx(0.68)
    assert curve["fpr"] == [0.0, 0.0, 0.1, 0.4, 1.0]  # the NaN point is dropped
    assert all(math.isfinite(v) for v in curve["fpr"] + curve["tpr"])
    assert body["new"] is None


def test_roc_without_artifact_is_null_not_an_error(messy) -> None:
    client, _, _, _ = messy
    response = client.get("/roc/2")
    assert response.status_code == 200
    assert response.json() == {"batch": 2, "production": None, "new": None}


@pytest.mark.parametrize("batch", ["7", "99999999999999999999", "-1", "abc", "1.5"])
def test_roc_for_unknown_or_invalid_batches_is_a_json_4xx(messy, batch: str) -> None:
    client, _, _, _ = messy
    response = client.get(f"/roc/{batch}")
    assert response.status_code in (404, 422)
    assert "detail" in response.json()


def test_roc_for_a_batch_without_gate_run_is_404(messy) -> None:
    client, _, _, _ = messy
    response = client.get("/roc/6")  # only a running gate run
    assert response.status_code == 404
    assert "no quality-gate run" in response.json()["detail"]


def test_roc_curves_are_thinned_to_200_points(store, api) -> None:
    n = 5000
    fpr = [i / n for i in range(n + 1)]
    tpr = [min(1.0, math.sqrt(x) * 1.0) for x in fpr]
    import json

    curve = json.dumps({"fpr": fpr, "tpr": tpr, "thresholds": [1 - x for x in fpr], "auc": 0.66})
    store.gate_run(
        1, "DEPLOY", prod_auc=0.6, new_auc=0.66,
        roc={"roc_curve_production.json": curve, "roc_curve_new.json": curve},
    )  # fmt: skip
    body = api.get("/roc/1").json()
    for which in ("production", "new"):
        assert len(body[which]["fpr"]) <= 200
        assert body[which]["fpr"][0] == 0.0 and body[which]["fpr"][-1] == 1.0


def test_empty_store_is_an_empty_report(api) -> None:
    batches = api.get("/batches")
    summary = api.get("/summary")
    assert batches.status_code == 200 and summary.status_code == 200
    assert batches.json() == {
        "drift_threshold": 0.3,
        "batches": [],
        "stale": False,
        "initial_positive_rate": None,
    }
    body = summary.json()
    assert body["production_model"] is None and body["total_batches"] == 0
    assert body["start_auc"] is None and body["end_auc"] is None
    assert "No results yet" in body["takeaway"]


def test_threshold_param_of_the_latest_drift_run_is_used(store, make_client) -> None:
    store.drift_run(1, 0.1, threshold="0.25")
    store.drift_run(2, 0.1, threshold="0.35")
    api = make_client(store.tracking_uri, drift_threshold=0.5)
    assert api.get("/batches").json()["drift_threshold"] == pytest.approx(0.35)


def test_setting_default_threshold_applies_without_param(store, make_client) -> None:
    store.drift_run(1, 0.1)
    api = make_client(store.tracking_uri, drift_threshold=0.4)
    assert api.get("/batches").json()["drift_threshold"] == pytest.approx(0.4)


def test_alias_wins_over_a_higher_stage_version(store, api) -> None:
    first = store.training_run(0)
    second = store.training_run(1)
    aliased = store.register(first, alias=True)
    store.register(second, stage="Production")
    assert api.get("/summary").json()["production_model"]["version"] == aliased


def test_non_finite_metrics_are_null(store, api) -> None:
    store.gate_run(
        1, "DEPLOY", prod_auc=float("nan"), new_auc=float("inf"),
        extra_metrics={"f1_improvement": float("-inf")},
    )  # fmt: skip
    response = api.get("/batches")
    assert response.status_code == 200
    row = response.json()["batches"][0]
    assert row["production"]["auc"] is None
    assert row["new"]["auc"] is None  # MLflow stores inf as the largest float
    assert row["f1_improvement"] is None
    assert "NaN" not in response.text and "Infinity" not in response.text


def test_null_never_zero_where_nothing_was_measured(store, api) -> None:
    """MLflow keeps the contract's zeros (batch 0's drift over 0 columns, improvements of 0
    where no candidate was trained); the API says what they mean: nothing, so null."""
    store.drift_run(0, 0.0)  # the contract's batch 0: share 0 over 0 of 0 columns
    store.gate_run(0, "BASELINE", prod_auc=0.68, new_auc=0.68)  # improvements logged as 0
    store.drift_run(1, 0.1, drifted=["age"], not_drifted=[f"c{i}" for i in range(9)])
    store.gate_run(1, "SKIP_NO_DRIFT", prod_auc=0.66, new_auc=0.66)
    store.drift_run(2, 0.6, drifted=["age", "race", "a"], not_drifted=["b", "c"])
    store.gate_run(2, "DEPLOY", prod_auc=0.64, new_auc=0.7)
    rows = {row["batch"]: row for row in api.get("/batches").json()["batches"]}

    baseline_drift = rows[0]["drift"]
    assert baseline_drift["measured"] is False
    assert baseline_drift["share"] is None and baseline_drift["n_drifted_columns"] is None
    assert baseline_drift["majority_drifted"] is None and baseline_drift["dataset_drift"] is None
    for batch in (0, 1):
        assert rows[batch]["new"] is None
        assert rows[batch]["auc_improvement"] is None and rows[batch]["f1_improvement"] is None
    assert rows[1]["drift"]["measured"] is True and rows[1]["drift"]["share"] == pytest.approx(0.1)
    assert rows[1]["drift"]["majority_drifted"] is False
    assert rows[2]["auc_improvement"] == pytest.approx(0.06)
    assert rows[2]["drift"]["majority_drifted"] is True and rows[2]["drift"]["dataset_drift"]
