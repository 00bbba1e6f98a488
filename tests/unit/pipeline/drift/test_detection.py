"""Drift tests by Evidently's default rules, on tiny seeded frames with the real schema."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pipeline.core import contract
from pipeline.core.contract import TriggerReason
from pipeline.core.errors import DataError, FeatureMismatchError, HealthPredictError
from pipeline.data import features
from pipeline.drift import detection as drift
from pipeline.drift.detection import ColumnKind, choose_test, detect_drift
from pipeline.drift.rule import retrain_trigger


def raw_frame(n: int, seed: int, *, older: bool = False) -> pd.DataFrame:
    """Raw rows with valid values for all 50 columns; ``older`` shifts age and hospital use."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {c: rng.choice(["No", "Steady"], n, p=[0.9, 0.1]) for c in features.MEDICATION_COLUMNS}
    )
    frame["examide"] = "No"
    frame["citoglipton"] = "No"
    ages = features.AGE_BANDS[5:] if older else features.AGE_BANDS[3:8]
    frame = frame.assign(
        encounter_id=np.arange(n),
        patient_nbr=np.arange(n) + 10_000,
        race=rng.choice(["Caucasian", "AfricanAmerican", "?"], n),
        gender=rng.choice(["Female", "Male"], n),
        age=rng.choice(ages, n),
        weight="?",
        admission_type_id=rng.choice(["1", "2", "3"], n),
        discharge_disposition_id=rng.choice(["1", "3", "6"], n),
        admission_source_id=rng.choice(["1", "7"], n),
        time_in_hospital=rng.integers(1, 15, n) + (3 if older else 0),
        payer_code="?",
        medical_specialty="?",
        num_lab_procedures=rng.integers(1, 90, n),
        num_procedures=rng.integers(0, 7, n),
        num_medications=rng.integers(1, 40, n),
        number_outpatient=rng.poisson(0.3, n),
        number_emergency=rng.poisson(0.2, n),
        number_inpatient=rng.poisson(1.5 if older else 0.5, n),
        diag_1=rng.choice(["250.01", "428", "V57"], n),
        diag_2="414",
        diag_3="?",
        number_diagnoses=rng.integers(3, 10, n),
        max_glu_serum=rng.choice(["None", ">200"], n, p=[0.9, 0.1]),
        A1Cresult=rng.choice(["None", ">8", "Norm"], n),
        change=rng.choice(["No", "Ch"], n),
        diabetesMed=rng.choice(["Yes", "No"], n),
        readmitted=rng.choice(["NO", ">30", "<30"], n),
    )
    return frame.loc[:, list(features.RAW_COLUMNS)]


def cleaned(n: int, seed: int, *, older: bool = False) -> pd.DataFrame:
    return features.clean(raw_frame(n, seed, older=older))


# --- the tests themselves: exact values ------------------------------------------------------


def test_wasserstein_is_divided_by_the_reference_std():
    reference = pd.Series([0.0, 2.0])  # std (population) = 1
    current = pd.Series([1.0, 3.0])  # every value moved by 1
    result = drift.STAT_TESTS["wasserstein"].compute(reference, current)
    assert result.statistic == pytest.approx(1.0)
    assert result.p_value is None


def test_wasserstein_of_a_constant_reference_uses_the_floor():
    result = drift.STAT_TESTS["wasserstein"].compute(pd.Series([5.0] * 4), pd.Series([5.01] * 4))
    assert result.statistic == pytest.approx(0.01 / drift.WASSERSTEIN_MIN_NORM)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_wasserstein_equals_scipys_on_tied_and_unequal_samples(seed: int):
    rng = np.random.default_rng(seed)
    reference = np.round(rng.normal(0, 3, 1_500))  # integers: many ties, like the real counts
    current = np.round(rng.normal(0.5, 3, 400))
    assert drift.wasserstein_1d(reference, current) == pytest.approx(
        stats.wasserstein_distance(reference, current), rel=1e-12
    )


def test_jensen_shannon_uses_natural_log_and_aligns_categories():
    reference = pd.Series(["a", "b"] * 50)  # a: 0.5, b: 0.5
    current = pd.Series(["a"] * 100)  # a: 1.0, b never seen
    mixture = [0.75, 0.25]
    kl_ref = 0.5 * math.log(0.5 / mixture[0]) + 0.5 * math.log(0.5 / mixture[1])
    kl_cur = math.log(1 / mixture[0])
    expected = math.sqrt((kl_ref + kl_cur) / 2)

    result = drift.STAT_TESTS["jensenshannon"].compute(reference, current)

    assert result.statistic == pytest.approx(expected)  # 0.4645, not the base-2 0.5579
    assert drift.STAT_TESTS["jensenshannon"].compute(current, current).statistic == 0.0


def test_ks_exact_p_value():
    result = drift.STAT_TESTS["ks"].compute(pd.Series([1.0, 2, 3]), pd.Series([4.0, 5, 6]))
    assert result.statistic == pytest.approx(1.0)
    assert result.p_value == pytest.approx(2 / math.comb(6, 3))


def test_chi_squared_scales_reference_counts_to_the_current_size():
    reference = pd.Series(["a"] * 50 + ["b"] * 50)
    current = pd.Series(["a"] * 30 + ["b"] * 10)  # expected 20/20 -> chi2 = 5 + 5
    result = drift.STAT_TESTS["chisquare"].compute(reference, current)
    assert result.statistic == pytest.approx(10.0)
    assert result.p_value == pytest.approx(stats.chi2.sf(10.0, df=1))


def test_z_test_for_two_proportions():
    reference = pd.Series(["Yes"] * 50 + ["No"] * 50)
    current = pd.Series(["Yes"] * 70 + ["No"] * 30)
    z = (0.5 - 0.7) / math.sqrt(0.6 * 0.4 * (1 / 100 + 1 / 100))
    result = drift.STAT_TESTS["z"].compute(reference, current)
    assert result.statistic == pytest.approx(z)
    assert result.p_value == pytest.approx(math.erfc(abs(z) / math.sqrt(2)))
    assert drift.STAT_TESTS["z"].compute(current[:1], current[:1]).p_value == 1.0


@pytest.mark.parametrize(
    ("name", "score", "drifted"),
    [
        ("ks", 0.05, True),  # KS: p <= 0.05
        ("chisquare", 0.05, False),  # chi-squared and Z: p < 0.05
        ("z", 0.049, True),
        ("wasserstein", 0.1, True),  # distances: >= 0.1
        ("jensenshannon", 0.0999, False),
    ],
)
def test_thresholds_follow_evidently(name: str, score: float, drifted: bool):
    test = drift.STAT_TESTS[name]
    assert test.drift_when(score, test.threshold) is drifted


# --- which test a column gets ----------------------------------------------------------------


def series(values: list[float] | list[str], repeat: int) -> pd.Series:
    return pd.Series(values * repeat)


@pytest.mark.parametrize(
    ("kind", "values", "repeat", "expected"),
    [
        (ColumnKind.NUMERIC, [1.0, 2, 3, 4, 5, 6], 10, "ks"),
        (ColumnKind.NUMERIC, [1.0, 2, 3, 4, 5], 10, "chisquare"),
        (ColumnKind.NUMERIC, [0.0, 1], 10, "z"),
        (ColumnKind.CATEGORICAL, ["a", "b", "c"], 10, "chisquare"),
        (ColumnKind.CATEGORICAL, ["a", "b"], 10, "z"),
        (ColumnKind.CATEGORICAL, [str(i) for i in range(30)], 10, "chisquare"),
        (ColumnKind.NUMERIC, [1.0, 2, 3, 4, 5, 6], 200, "wasserstein"),
        (ColumnKind.NUMERIC, [1.0, 2, 3, 4, 5], 300, "jensenshannon"),
        (ColumnKind.CATEGORICAL, ["a", "b"], 600, "jensenshannon"),
        (ColumnKind.CATEGORICAL, ["a", "b", "c"], 400, "jensenshannon"),
    ],
)
def test_default_test_choice(kind: ColumnKind, values: list, repeat: int, expected: str):
    reference = series(values, repeat)
    assert choose_test(kind, reference, reference).name == expected


def test_distinct_values_are_counted_over_reference_and_current():
    reference = series([1.0, 2, 3, 4, 5], 10)
    assert choose_test(ColumnKind.NUMERIC, reference, pd.Series([6.0])).name == "ks"


def test_a_reference_of_exactly_1000_rows_is_still_small():
    assert (
        choose_test(
            ColumnKind.NUMERIC, series([1.0, 2, 3, 4, 5, 6, 7, 8], 125), pd.Series([1.0])
        ).name
        == "ks"
    )


# --- the report --------------------------------------------------------------------------------


def test_analysed_columns_exclude_codes_identifiers_and_target():
    report = detect_drift(cleaned(600, 1), cleaned(300, 2))
    analysed = [c.column for c in report.columns]
    assert report.n_total_columns == len(analysed) == 41
    for excluded in (*features.DIAGNOSIS_COLUMNS, *features.DROPPED_COLUMNS, features.RAW_TARGET):
        assert excluded not in analysed
    kinds = {c.column: c.kind for c in report.columns}
    assert kinds["admission_type_id"] == "categorical"  # a code, declared categorical
    assert kinds["num_procedures"] == "numeric"


def test_same_population_does_not_drift_and_a_shift_does():
    reference = cleaned(800, 1)
    same = detect_drift(reference, cleaned(400, 2))
    shifted = detect_drift(reference, cleaned(400, 3, older=True))

    moved = {"age", "time_in_hospital", "number_inpatient"}
    assert not same.retrain  # a few p < 0.05 by chance among 41 tests, far below 0.30
    assert not {"age", "time_in_hospital"} & set(same.drifted_columns)
    assert moved <= set(shifted.drifted_columns)
    assert shifted.drift_share == shifted.n_drifted_columns / shifted.n_total_columns
    by_column = {c.column: c for c in shifted.columns}
    assert by_column["time_in_hospital"].test == "ks"  # small reference: p-value tests
    assert by_column["time_in_hospital"].p_value is not None
    assert by_column["examide"].test == "z"  # one value everywhere: p = 1, never drifts
    assert by_column["examide"].p_value == 1.0 and not by_column["examide"].drifted


def test_large_reference_uses_distances_and_constant_columns_count():
    report = detect_drift(cleaned(3000, 1), cleaned(500, 3, older=True))
    by_column = {c.column: c for c in report.columns}
    assert by_column["num_lab_procedures"].test == "wasserstein"
    assert by_column["number_outpatient"].test in {"wasserstein", "jensenshannon"}
    assert by_column["citoglipton"].test == "jensenshannon"
    assert by_column["citoglipton"].statistic == 0.0
    assert by_column["citoglipton"].p_value is None
    assert by_column["age"].drifted and by_column["age"].threshold == 0.1


def test_retrain_and_dataset_drift_follow_the_share():
    reference = cleaned(800, 1)
    shifted = detect_drift(reference, cleaned(400, 3, older=True), threshold=0.05)
    calm = detect_drift(reference, cleaned(400, 2), threshold=0.9)
    forced = detect_drift(reference, cleaned(400, 2), threshold=0.9, force_retrain=True)

    assert shifted.retrain and shifted.threshold == 0.05
    assert shifted.dataset_drift is (shifted.drift_share >= contract.DATASET_DRIFT_SHARE)
    assert not calm.retrain and not calm.dataset_drift
    assert forced.retrain and forced.drift_share == calm.drift_share
    assert (shifted.trigger, calm.trigger, forced.trigger) == (
        TriggerReason.DRIFT,
        TriggerReason.NONE,
        TriggerReason.FORCED,
    )


@pytest.mark.parametrize(
    ("share", "threshold", "force", "expected"),
    [
        (0.30, 0.30, False, TriggerReason.DRIFT),  # at the threshold counts
        (0.29, 0.30, False, TriggerReason.NONE),
        (0.29, 0.30, True, TriggerReason.FORCED),
        (0.50, 0.30, True, TriggerReason.DRIFT),  # drift alone would have retrained
    ],
)
def test_retrain_trigger_names_why(share, threshold, force, expected):
    assert retrain_trigger(share, threshold, force_retrain=force) is expected


def test_records_are_strict_json_even_for_a_category_the_reference_never_had():
    reference = cleaned(300, 1)
    current = cleaned(200, 2)
    current.loc[:50, "admission_type_id"] = "9"  # unseen -> chi-squared statistic is infinite
    report = detect_drift(reference, current)

    records = json.loads(json.dumps(report.to_records(), allow_nan=False))
    admission = next(r for r in records if r["column"] == "admission_type_id")

    assert admission["test"] == "chisquare" and admission["drifted"] is True
    assert admission["statistic"] is None and admission["p_value"] == pytest.approx(0.0)
    assert tuple(records[0]) == contract.FEATURE_DRIFT_FIELDS
    assert report.to_df()["drifted"].sum() == report.n_drifted_columns


def test_missing_values_are_left_out_not_counted_as_a_category():
    reference = cleaned(300, 1)
    current = reference.copy()
    current.loc[: len(current) // 2, "race"] = pd.NA
    by_column = {c.column: c for c in detect_drift(reference, current).columns}
    assert not by_column["race"].drifted


def test_bad_input_gives_one_line_errors():
    reference = cleaned(300, 1)
    with pytest.raises(FeatureMismatchError, match="current data is missing drift columns: age"):
        detect_drift(reference, reference.drop(columns=["age"]))
    empty = reference.assign(num_procedures=np.nan)
    with pytest.raises(DataError, match="column num_procedures has no values in the current"):
        detect_drift(reference, empty)
    with pytest.raises(
        HealthPredictError, match=r"drift threshold must be between 0 and 1, got 1\.5"
    ):
        detect_drift(reference, reference, threshold=1.5)
