"""A store full of noise and broken records still reads as the six real batches, in strict JSON.

The store (see conftest) mixes the real batches with hundreds of HPO trials, older reruns,
failed and running runs, and runs whose batch number is noise ('1e30', '99999999999999999999',
'', full-width and Arabic-Indic digits, 'batch①', negatives) that are *newer* than the real runs,
so a lax reader would show them or let them hide the real ones.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pipeline.core import contract
from tests.hardening.helpers import strict_json
from tests.support.stores import (
    BATCHES,
    MALFORMED_NAN_BATCH,
    MISSING_METRICS_BATCH,
    ODD_DECISION_BATCH,
    XSS_TEXT,
    BuiltStore,
)

READ_ENDPOINTS = ("/batches", "/summary", "/config", "/health")


def get_strict(api: TestClient, path: str) -> Any:
    response = api.get(path)
    assert response.status_code == 200, (path, response.text[:300])
    return strict_json(response.text)


def batches_by_number(api: TestClient) -> dict[int, dict[str, Any]]:
    return {item["batch"]: item for item in get_strict(api, "/batches")["batches"]}


def all_numbers(value: Any) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [float(value)]
    if isinstance(value, dict):
        return [n for item in value.values() for n in all_numbers(item)]
    if isinstance(value, list):
        return [n for item in value for n in all_numbers(item)]
    return []


def test_only_real_batches_are_shown(messy_api: TestClient, messy_store: BuiltStore) -> None:
    shown = sorted(batches_by_number(messy_api))
    assert shown == [b.batch for b in messy_store.expected]
    assert shown == [*BATCHES, MISSING_METRICS_BATCH, ODD_DECISION_BATCH]


def test_newer_noise_does_not_hide_the_real_runs(
    messy_api: TestClient, messy_store: BuiltStore
) -> None:
    shown = batches_by_number(messy_api)
    for expected in messy_store.expected:
        item = shown[expected.batch]
        assert item["drift"]["run_id"] == expected.drift_run_id, expected.batch
        assert item["quality_gate_run_id"] == expected.gate_run_id, expected.batch
        assert item["decision"] == expected.decision, expected.batch
        assert item["superseded_runs"] == expected.superseded_runs, expected.batch
        assert item["unfinished_newer_runs"] == expected.unfinished_newer_runs, expected.batch


@pytest.mark.parametrize("path", READ_ENDPOINTS)
def test_bodies_are_strict_json_with_finite_numbers(messy_api: TestClient, path: str) -> None:
    body = get_strict(messy_api, path)
    assert all(math.isfinite(n) for n in all_numbers(body))


def test_every_roc_is_strict_json_with_finite_numbers(
    messy_api: TestClient, messy_store: BuiltStore
) -> None:
    for expected in messy_store.expected:
        body = get_strict(messy_api, f"/roc/{expected.batch}")
        assert body["batch"] == expected.batch
        assert all(math.isfinite(n) for n in all_numbers(body)), expected.batch


def test_roc_that_is_not_json_reads_as_no_curve(messy_api: TestClient) -> None:
    assert get_strict(messy_api, "/roc/1")["production"] is None


def test_roc_with_infinity_and_nan_keeps_only_finite_points(messy_api: TestClient) -> None:
    body = get_strict(messy_api, "/roc/3")
    for curve in (body["production"], body["new"]):
        assert curve is not None
        assert curve["auc"] is None  # the file said NaN
        assert len(curve["fpr"]) == len(curve["tpr"]) >= 2
        assert curve["fpr"][0] == 0.0 and curve["fpr"][-1] == 1.0


def test_nan_metrics_answer_null(messy_api: TestClient) -> None:
    item = batches_by_number(messy_api)[MALFORMED_NAN_BATCH]
    assert item["production"]["f1"] is None
    assert item["production"]["auc"] is not None  # the finite metrics still show


def test_infinite_metric_answers_null(messy_api: TestClient) -> None:
    """MLflow's SQL store saves +inf as the largest float: that is not a score either."""
    item = batches_by_number(messy_api)[MALFORMED_NAN_BATCH]
    assert item["f1_improvement"] is None


def test_missing_metrics_answer_null(messy_api: TestClient) -> None:
    item = batches_by_number(messy_api)[MISSING_METRICS_BATCH]
    production = item["production"]
    assert {score: production[score] for score in contract.SCORES} == dict.fromkeys(contract.SCORES)
    assert production["auc_ci_low"] is None and production["worse_than_chance"] is None
    assert production["calibration"] is None and item["evidence_recorded"] is False
    assert item["auc_improvement"] is None
    drift = item["drift"]
    assert drift["share"] is None and drift["n_drifted_columns"] is None
    assert drift["dataset_drift"] is None


def test_feature_drift_that_is_not_a_list_shows_no_columns(messy_api: TestClient) -> None:
    drift = batches_by_number(messy_api)[4]["drift"]
    assert drift["drifted_columns"] is None
    assert drift["share"] == pytest.approx(0.35)


def test_html_in_names_and_tags_is_returned_as_plain_text(messy_api: TestClient) -> None:
    shown = batches_by_number(messy_api)
    columns = [c["column"] for c in shown[3]["drift"]["drifted_columns"]]
    assert XSS_TEXT in columns
    assert shown[ODD_DECISION_BATCH]["decision"] is None
    assert shown[ODD_DECISION_BATCH]["raw_decision"] == XSS_TEXT


def test_summary_counts_only_real_batches(messy_api: TestClient) -> None:
    summary = get_strict(messy_api, "/summary")
    # Batches 1-5, the metric-less batch 6 and the odd-decision batch 7.
    assert summary["total_batches"] == 7
    assert summary["retraining_events"] == 3 and summary["deployments"] == 2
    assert summary["has_baseline"] is True


@pytest.mark.parametrize(
    "path",
    [
        "/roc/99999999999999999999",
        "/roc/1e30",
        "/roc/-1",
        "/roc/%E2%91%A0",  # ①
        "/roc/%EF%BC%93",  # full-width 3
        "/roc/%D9%A3",  # Arabic-Indic 3
        "/roc/1.5",
        "/roc/%20",
        "/roc/abc",
        "/roc/4242",  # a well-formed number without a batch
    ],
)
def test_odd_roc_paths_answer_4xx_with_a_json_detail(messy_api: TestClient, path: str) -> None:
    response = messy_api.get(path)
    assert 400 <= response.status_code < 500, (path, response.status_code, response.text[:200])
    body = strict_json(response.text)
    assert body["detail"], path
