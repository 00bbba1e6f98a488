"""Reading one run's values (backend.run_fields): numbers, counts, flags and the drift artifact."""

from __future__ import annotations

import pytest

from backend import run_fields
from backend.mlflow_reader import RunRecord
from pipeline.core import contract
from pipeline.core.contract import EvidenceMetric, EvidenceParam
from tests.unit.backend.records import run


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0.3", 0.3), (" 0.25 ", 0.25), ("1e-1", 0.1), ("abc", None), ("", None), (None, None),
     ("inf", None), ("nan", None), ("1e999", None)],
)  # fmt: skip
def test_a_number_in_a_param_reads_once_the_same_way(raw: str | None, expected: float | None):
    assert run_fields.parse_float(raw) == expected


def test_counts_logged_as_floats_read_as_whole_numbers_and_missing_stays_null() -> None:
    assert run_fields.as_int(3.0) == 3
    assert run_fields.as_int(2.6) == 3
    assert run_fields.as_int(None) is None


@pytest.mark.parametrize(
    ("ci_high", "expected"), [(0.499, True), (0.5, False), (0.7, False), (None, None)]
)
def test_worse_than_chance_only_when_the_whole_auc_interval_is_below_half(
    ci_high: float | None, expected: bool | None
) -> None:
    metrics = {contract.prod_metric("auc"): 0.45}
    if ci_high is not None:
        metrics[contract.auc_ci_low_metric(contract.PROD_PREFIX)] = 0.40
        metrics[contract.auc_ci_high_metric(contract.PROD_PREFIX)] = ci_high
    gate = run("g", metrics=metrics)
    scores = run_fields.scores(gate, contract.PROD_PREFIX, contract.prod_metric)
    assert scores.worse_than_chance is expected


def test_drifted_columns_keep_only_drifted_and_tolerate_junk() -> None:
    columns = run_fields.drifted_columns(
        [
            {"column": "age", "drifted": True, "statistic": float("inf"), "p_value": 0.01},
            {"column": "race", "drifted": False},
            {"column": 3, "drifted": True},
            "junk",
        ]
    )
    assert columns is not None and [c.column for c in columns] == ["age"]
    assert columns[0].statistic is None and columns[0].p_value == pytest.approx(0.01)
    assert run_fields.drifted_columns({"not": "a list"}) is None


# --- The drift share expected by chance --------------------------------------------------------
def test_a_chance_band_is_read_with_its_maximum_and_named_chance():
    drift_run = run(
        "d",
        metrics={
            EvidenceMetric.DRIFT_SHARE_CHANCE_P50: 0.0,
            EvidenceMetric.DRIFT_SHARE_CHANCE_P95: 0.0,
            EvidenceMetric.DRIFT_SHARE_CHANCE_MAX: 0.024,
        },
        params={EvidenceParam.DRIFT_CHANCE_SAMPLES: "200"},
    )
    band = run_fields.chance_band(drift_run)
    assert band is not None
    assert (band.kind, band.p50, band.p95, band.max, band.samples) == ("chance", 0, 0, 0.024, 200)


def test_an_older_stores_later_period_band_is_never_called_chance():
    drift_run = run(
        "d",
        metrics={
            EvidenceMetric.DRIFT_SHARE_NULL_P50: 0.122,
            EvidenceMetric.DRIFT_SHARE_NULL_P95: 0.146,
        },
        params={EvidenceParam.DRIFT_NULL_SAMPLES: "30"},
    )
    band = run_fields.chance_band(drift_run)
    assert band is not None
    assert (band.kind, band.p50, band.p95, band.max, band.samples) == (
        "later_period",
        0.122,
        0.146,
        None,
        30,
    )
    assert run_fields.chance_band(run("d")) is None


# --- Calibration in words ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ece", "null", "low", "high", "expected"),
    [
        (0.045, 0.060, 0.80, 1.20, "within_perfect"),  # the ECE 0.042-0.055 at n = 600
        (0.080, 0.060, 0.80, 1.20, "miscalibrated"),
        (0.045, 0.060, 1.20, 1.80, "under_confident"),  # the candidates' slopes 1.46-1.52
        (0.045, 0.060, 0.40, 0.90, "over_confident"),
        (0.225, 0.060, -0.73, -0.25, "reversed"),  # batch 5's label reversal
        (0.045, None, 0.80, 1.20, None),  # an older store: no null, no words
    ],
)
def test_calibration_words_say_only_what_the_null_and_the_interval_allow(
    ece, null, low, high, expected
):
    gate = run(
        "g",
        metrics={
            contract.ece_metric("prod"): ece,
            contract.calibration_slope_metric("prod"): (low + high) / 2,
            contract.calibration_slope_ci_low_metric("prod"): low,
            contract.calibration_slope_ci_high_metric("prod"): high,
            **({} if null is None else {contract.ece_null_p95_metric("prod"): null}),
        },
    )
    calibration = run_fields.scores(gate, "prod", contract.prod_metric).calibration
    assert calibration is not None
    assert calibration.verdict == expected


# --- The AUC estimated before the labels -------------------------------------------------------
def estimate_run(estimate: float, realised: float) -> RunRecord:
    return run(
        "g",
        metrics={
            contract.prod_metric("auc"): realised,
            contract.auc_ci_low_metric("prod"): realised - 0.045,
            contract.auc_ci_high_metric("prod"): realised + 0.045,
            contract.auc_estimated_metric("prod"): estimate,
            contract.auc_estimated_ci_low_metric("prod"): estimate - 0.01,
            contract.auc_estimated_ci_high_metric("prod"): estimate + 0.01,
            contract.auc_estimation_error_metric("prod"): estimate - realised,
        },
    )


@pytest.mark.parametrize(
    ("estimate", "realised", "missed"),
    [
        # standard errors 0.045 / 1.96 and 0.01 / 1.96 together: 0.0235; 1.96 x 0.0235 = 0.046
        (0.691, 0.391, True),  # batch 5's concept reversal: 0.300 apart
        (0.671, 0.652, False),  # 0.019 apart: sampling explains it
        (0.700, 0.653, True),  # 0.047 apart: just beyond
        (0.700, 0.655, False),  # 0.045 apart: just within
    ],
)
def test_an_estimate_is_missed_only_beyond_both_sampling_errors(estimate, realised, missed):
    scores = run_fields.scores(estimate_run(estimate, realised), "prod", contract.prod_metric)
    assert scores.estimated is not None
    assert scores.estimated.auc == estimate
    assert scores.estimated.error == pytest.approx(estimate - realised)
    assert scores.estimated.missed is missed


def test_a_run_without_an_estimate_reads_as_none():
    assert run_fields.scores(run("g", metrics={}), "prod", contract.prod_metric).estimated is None
