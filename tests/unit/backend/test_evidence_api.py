"""/batches, /summary and /calibration over real SQLite stores with and without the evidence.

The evidence store is written with CONTRACT.md's "Evidence" names (tests.support.stores,
`StoreSpec(evidence=True)`); the plain store is what the original pipeline left. Expected values
come from the generator (`stores.EVIDENCE`), never from an earlier API answer.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.main import create_app
from pipeline.core import contract
from tests.support.api import api_settings
from tests.support.stores import (
    CHANCE_BAND,
    CHANCE_SAMPLES,
    EVIDENCE,
    BuiltStore,
    StoreSpec,
    build_store,
    reliability_curve,
)

RETRAINED = (3, 4, 5)


def _client(store: BuiltStore, tmp: Path) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings(store.tracking_uri, tmp))) as client:
        yield client


@pytest.fixture(scope="module")
def evidence_store(tmp_path_factory: pytest.TempPathFactory) -> BuiltStore:
    return build_store(tmp_path_factory.mktemp("evidence") / "store", StoreSpec(evidence=True))


@pytest.fixture(scope="module")
def with_evidence(
    evidence_store: BuiltStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    yield from _client(evidence_store, tmp_path_factory.mktemp("api"))


@pytest.fixture(scope="module")
def without_evidence(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store = build_store(tmp_path_factory.mktemp("plain") / "store", StoreSpec())
    yield from _client(store, tmp_path_factory.mktemp("api"))


def rows(client: TestClient) -> dict[int, dict[str, Any]]:
    response = client.get("/batches")
    assert response.status_code == 200
    return {row["batch"]: row for row in response.json()["batches"]}


def test_every_auc_carries_its_interval_and_the_initial_model(
    with_evidence: TestClient, evidence_store: BuiltStore
) -> None:
    for batch, row in rows(with_evidence).items():
        ev, expected = EVIDENCE[batch], evidence_store.batch(batch)
        assert row["evidence_recorded"] is True
        assert row["initial"]["auc"] == pytest.approx(ev.initial_auc)
        assert row["initial"]["version"] == "1"
        for model, auc in (("production", expected.prod_auc), ("new", expected.new_auc)):
            if auc is None:
                assert row[model] is None
                continue
            assert row[model]["auc_ci_low"] == pytest.approx(auc - ev.auc_half_width)
            assert row[model]["auc_ci_high"] == pytest.approx(auc + ev.auc_half_width)
            assert row[model]["worse_than_chance"] is False
            assert set(row[model]["calibration"]) == {
                *("brier", "ece", "slope", "intercept", "slope_ci_low", "slope_ci_high"),
                *("ece_null_p95", "verdict"),
            }
        assert row["positive_rate"] == pytest.approx(ev.positive_rate)
        assert row["alarm_outcome"] == ev.alarm_outcome.value
        assert row["net_effect"]["delta"] == pytest.approx(ev.net_auc_change)


def test_gate_comparison_only_on_retrained_batches_with_the_logged_verdict(
    with_evidence: TestClient, evidence_store: BuiltStore
) -> None:
    for batch, row in rows(with_evidence).items():
        if batch not in RETRAINED:
            assert row["gate_comparison"] is None
            continue
        expected, ev = evidence_store.batch(batch), EVIDENCE[batch]
        assert expected.new_auc is not None and expected.prod_auc is not None
        delta = expected.new_auc - expected.prod_auc
        comparison = row["gate_comparison"]
        assert comparison["delta"] == pytest.approx(delta, abs=1e-4)
        assert comparison["ci_low"] == pytest.approx(delta - ev.gate_half_width, abs=1e-4)
        assert comparison["verdict"] == ev.auc_change


def test_production_after_the_decision_is_the_candidate_only_when_deployed(
    with_evidence: TestClient, evidence_store: BuiltStore
) -> None:
    batches = rows(with_evidence)
    for batch, row in batches.items():
        expected = evidence_store.batch(batch)
        deployed = expected.decision in contract.DEPLOYED_DECISIONS
        after = expected.new_auc if deployed else expected.prod_auc
        assert row["production_after"]["auc"] == pytest.approx(after)
        assert row["deployed_worse_than_chance"] is False


def test_chance_band_on_every_drift_run_after_the_baseline(with_evidence: TestClient) -> None:
    batches = rows(with_evidence)
    assert batches[0]["drift"]["chance_band"] is None
    for batch in range(1, 6):
        band = batches[batch]["drift"]["chance_band"]
        assert band["kind"] == "chance"
        assert (band["p50"], band["p95"], band["max"], band["samples"]) == (
            *CHANCE_BAND,
            CHANCE_SAMPLES,
        )
    assert with_evidence.get("/batches").json()["initial_positive_rate"] == pytest.approx(
        EVIDENCE[0].positive_rate
    )


def test_summary_averages_the_net_effect_over_retrained_batches(
    with_evidence: TestClient, evidence_store: BuiltStore
) -> None:
    summary = with_evidence.get("/summary").json()
    assert summary["evidence_recorded"] is True
    mean = sum(EVIDENCE[b].net_auc_change for b in RETRAINED) / 3
    half = math.sqrt(sum(EVIDENCE[b].net_half_width ** 2 for b in RETRAINED)) / 3
    average = summary["net_effect_average"]
    assert average["batches"] == list(RETRAINED)
    assert average["delta"] == pytest.approx(mean)
    assert average["ci_low"] == pytest.approx(mean - half)
    assert average["ci_high"] == pytest.approx(mean + half)
    assert summary["net_effect_last"]["delta"] == pytest.approx(EVIDENCE[5].net_auc_change)
    sentence = summary["retraining_takeaway"]
    assert sentence.startswith("On the three retrained batches (3, 4 and 5), retraining left AUC")
    assert f"+{mean:.3f} (95% CI +{mean - half:.3f} to +{mean + half:.3f})" in sentence
    assert sentence.endswith("a measurable gain.")


def test_summary_compares_like_with_like_on_the_last_batch(
    with_evidence: TestClient, evidence_store: BuiltStore
) -> None:
    summary = with_evidence.get("/summary").json()
    last = evidence_store.batch(5)
    assert summary["end_production"]["batch"] == 5
    assert summary["end_production"]["auc"] == pytest.approx(last.prod_auc)  # batch 5 skipped
    assert summary["end_initial"]["auc"] == pytest.approx(EVIDENCE[5].initial_auc)
    assert summary["end_initial"]["test_set"] == contract.batch_test_set(5)
    assert summary["start"]["test_set"] == contract.INITIAL_TEST_SET
    assert summary["start"]["ci_high"] == pytest.approx(
        evidence_store.batch(0).prod_auc + EVIDENCE[0].auc_half_width
    )
    production = summary["production_model"]
    assert production["auc_ci_low"] == pytest.approx(last.prod_auc - EVIDENCE[5].auc_half_width)


def test_reliability_curves_are_fetched_per_batch(with_evidence: TestClient) -> None:
    retrained = with_evidence.get("/calibration/3").json()
    expected = reliability_curve(0.01)
    assert retrained["new"]["bins"] == expected["bins"]
    assert retrained["new"]["ece"] == pytest.approx(expected["ece"])
    assert len(retrained["production"]["bins"]) == 10 and len(retrained["initial"]["bins"]) == 10
    skipped = with_evidence.get("/calibration/1").json()
    assert skipped["new"] is None and skipped["production"] is not None
    missing = with_evidence.get("/calibration/42")
    assert missing.status_code == 404 and "batch 42" in missing.json()["detail"]


def test_a_store_without_evidence_reads_as_before_and_says_so(
    without_evidence: TestClient,
) -> None:
    for row in rows(without_evidence).values():
        assert row["evidence_recorded"] is False
        for key in ("initial", "gate_comparison", "net_effect", "alarm_outcome", "positive_rate"):
            assert row[key] is None, key
        assert row["production"]["auc"] is not None
        assert row["production"]["auc_ci_low"] is None
        assert row["production"]["worse_than_chance"] is None
        assert row["production"]["calibration"] is None
        assert row["drift"]["chance_band"] is None
    summary = without_evidence.get("/summary").json()
    assert summary["evidence_recorded"] is False
    assert summary["retraining_takeaway"] is None and summary["net_effect_average"] is None
    assert summary["end_initial"] is None
    assert summary["takeaway"].startswith("Over 5 batches")
    curves = without_evidence.get("/calibration/3").json()
    assert curves == {"batch": 3, "production": None, "new": None, "initial": None}


def test_a_deployed_model_whose_interval_is_below_chance_is_flagged(store, api) -> None:
    training = store.training_run(1)
    store.gate_run(
        1,
        contract.Decision.DEPLOY,
        prod_auc=0.44,
        new_auc=0.45,
        training_run_id=training,
        extra_metrics={
            contract.auc_ci_low_metric(contract.NEW_PREFIX): 0.41,
            contract.auc_ci_high_metric(contract.NEW_PREFIX): 0.49,
            contract.auc_ci_low_metric(contract.PROD_PREFIX): 0.40,
            contract.auc_ci_high_metric(contract.PROD_PREFIX): 0.51,
        },
    )
    row = rows(api)[1]
    assert row["new"]["worse_than_chance"] is True
    assert row["production"]["worse_than_chance"] is False  # 0.51 reaches above chance
    assert row["deployed_worse_than_chance"] is True


def test_unknown_verdicts_and_broken_reliability_files_read_as_not_recorded(store, api) -> None:
    bins = [
        {"mean_predicted": 0.1, "observed": 0.12, "count": 50},
        {"mean_predicted": None, "observed": 0.3, "count": 5},
        {"mean_predicted": 0.3, "observed": 1.7, "count": 5},
    ]
    store.run(
        contract.TRAINING_EXPERIMENT,
        contract.quality_gate_run_name(2),
        params={contract.Param.BATCH_NUMBER: "2"},
        tags={
            contract.Tag.QUALITY_GATE: contract.Tag.TRUE,
            contract.Tag.DECISION: contract.Decision.SKIP_NO_DRIFT,
            contract.EvidenceTag.ALARM_OUTCOME: "maybe",
        },
        metrics={contract.prod_metric("auc"): 0.6, contract.initial_metric("auc"): 0.6},
        artifacts={
            contract.RELIABILITY_PRODUCTION_ARTIFACT: json.dumps({"bins": bins, "ece": "NaN"}),
            contract.RELIABILITY_INITIAL_ARTIFACT: "<html>not JSON",
        },
    )
    assert rows(api)[2]["alarm_outcome"] is None
    curves = api.get("/calibration/2").json()
    assert curves["production"]["bins"] == [bins[0]]
    assert curves["production"]["ece"] is None
    assert curves["initial"] is None
