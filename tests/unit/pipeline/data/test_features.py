"""features.clean and features.engineer on a five-row frame, every expected value worked out by
hand from the data set's documentation (Strack et al. 2014): which encounters cannot be
readmitted, what "?" means, the age bands and the ICD-9 disease groups."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest

from pipeline.core.errors import FeatureMismatchError
from pipeline.data import features

# A raw encounter as the UCI file spells it; each row below changes only what it is about.
TYPICAL: dict[str, Any] = {
    **{column: "No" for column in features.RAW_COLUMNS},
    "encounter_id": 1,
    "patient_nbr": 10,
    "race": "Caucasian",
    "gender": "Female",
    "age": "[70-80)",
    "weight": "?",
    "admission_type_id": "1",
    "discharge_disposition_id": "1",
    "admission_source_id": "7",
    "time_in_hospital": "5",
    "payer_code": "MC",
    "medical_specialty": "Cardiology",
    "num_lab_procedures": "40",
    "num_procedures": "1",
    "num_medications": "12",
    "number_outpatient": "0",
    "number_emergency": "0",
    "number_inpatient": "2",
    "diag_1": "250.83",
    "diag_2": "428",
    "diag_3": "V45",
    "number_diagnoses": "9",
    "max_glu_serum": "None",
    "A1Cresult": ">8",
    "change": "Ch",
    "diabetesMed": "Yes",
    "readmitted": "NO",
}
ROWS: list[dict[str, Any]] = [
    TYPICAL,
    # expired (discharge disposition 11): cannot be readmitted, dropped
    {**TYPICAL, "encounter_id": 2, "discharge_disposition_id": "11", "readmitted": "<30"},
    {
        **TYPICAL,
        "encounter_id": 3,
        "race": "?",
        "age": "[0-10)",
        "admission_type_id": "3",
        "time_in_hospital": "3",
        "num_lab_procedures": "?",
        "diag_1": "786",
        "diag_2": "E909",
        "diag_3": None,
        "readmitted": "<30",
    },
    # hospice (discharge disposition 13): dropped as well
    {**TYPICAL, "encounter_id": 4, "discharge_disposition_id": "13"},
    {
        **TYPICAL,
        "encounter_id": 5,
        "race": "AfricanAmerican",
        "age": "[90-100)",
        "time_in_hospital": "14",
        "diag_1": "820",
        "diag_2": "715",
        "diag_3": "599",
        "readmitted": ">30",
    },
]


@pytest.fixture
def raw() -> pd.DataFrame:
    return pd.DataFrame(ROWS)


def values(series: pd.Series) -> list[Any]:
    """The column as plain Python values, missing as None (NaN and pd.NA alike)."""
    return [None if pd.isna(v) else v for v in series.tolist()]


def test_clean_drops_encounters_that_cannot_be_readmitted(raw: pd.DataFrame):
    cleaned = features.clean(raw)
    assert values(cleaned["time_in_hospital"]) == [5.0, 3.0, 14.0]  # encounters 1, 3 and 5
    assert list(cleaned.index) == [0, 1, 2]


def test_clean_drops_identifiers_and_the_mostly_empty_columns(raw: pd.DataFrame):
    cleaned = features.clean(raw)
    for gone in ("encounter_id", "patient_nbr", "weight", "payer_code", "medical_specialty"):
        assert gone not in cleaned.columns
    assert len(cleaned.columns) == len(raw.columns) - 5


def test_clean_reads_question_marks_as_missing_and_numbers_as_floats(raw: pd.DataFrame):
    cleaned = features.clean(raw)
    assert values(cleaned["race"]) == ["Caucasian", None, "AfricanAmerican"]
    assert values(cleaned["num_lab_procedures"]) == [40.0, None, 40.0]
    assert cleaned["num_lab_procedures"].dtype == "float64"
    assert values(cleaned["diag_3"]) == ["V45", None, "599"]


def test_clean_keeps_codes_and_the_word_none_as_text(raw: pd.DataFrame):
    cleaned = features.clean(raw)
    assert values(cleaned["admission_type_id"]) == ["1", "3", "1"]
    assert values(cleaned["discharge_disposition_id"]) == ["1", "1", "1"]
    # "None" in max_glu_serum means "not measured", a value of its own, not a missing cell
    assert values(cleaned["max_glu_serum"]) == ["None", "None", "None"]
    assert pd.api.types.is_string_dtype(cleaned["admission_type_id"])


def test_clean_names_a_missing_column():
    without_age = pd.DataFrame(ROWS).drop(columns=["age"])
    with pytest.raises(FeatureMismatchError, match="data is missing columns: age"):
        features.clean(without_age)


def test_engineer_adds_the_target_age_order_and_diagnosis_groups(raw: pd.DataFrame):
    engineered = features.engineer(features.clean(raw))
    assert values(engineered["readmitted_binary"]) == [0, 1, 1]  # NO, <30, >30
    assert values(engineered["age_ordinal"]) == [7.0, 0.0, 9.0]  # [70-80), [0-10), [90-100)
    assert values(engineered["diag_1_group"]) == ["Diabetes", "Respiratory", "Injury"]
    assert values(engineered["diag_2_group"]) == ["Circulatory", "Other", "Musculoskeletal"]
    assert values(engineered["diag_3_group"]) == ["Other", None, "Genitourinary"]


def test_engineer_keeps_every_cleaned_column(raw: pd.DataFrame):
    cleaned = features.clean(raw)
    engineered = features.engineer(cleaned)
    added = {"readmitted_binary", "age_ordinal", "diag_1_group", "diag_2_group", "diag_3_group"}
    assert set(engineered.columns) == set(cleaned.columns) | added
    pd.testing.assert_frame_equal(engineered[cleaned.columns], cleaned)


def test_new_encounters_without_an_outcome_get_no_target(raw: pd.DataFrame):
    unlabelled = features.engineer(features.clean(raw).drop(columns=["readmitted"]))
    assert "readmitted_binary" not in unlabelled.columns
    assert values(unlabelled["age_ordinal"]) == [7.0, 0.0, 9.0]


def test_an_age_outside_the_bands_has_no_order(raw: pd.DataFrame):
    cleaned = features.clean(raw)
    cleaned.loc[0, "age"] = "70-80"
    assert math.isnan(features.engineer(cleaned)["age_ordinal"].iloc[0])


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("250", "Diabetes"),
        ("250.99", "Diabetes"),
        ("251", "Other"),  # endocrine, not diabetes
        ("390", "Circulatory"),
        ("459", "Circulatory"),
        ("785", "Circulatory"),
        ("460", "Respiratory"),
        ("519", "Respiratory"),
        ("786", "Respiratory"),
        ("520", "Digestive"),
        ("787", "Digestive"),
        ("800", "Injury"),
        ("999", "Injury"),
        ("710", "Musculoskeletal"),
        ("739", "Musculoskeletal"),
        ("580", "Genitourinary"),
        ("788", "Genitourinary"),
        ("140", "Neoplasms"),
        ("239", "Neoplasms"),
        ("V57", "Other"),
        ("E878", "Other"),
        ("", "Other"),
        ("not a code", "Other"),
    ],
)
def test_icd9_codes_fall_in_the_papers_disease_groups(code: str, group: str):
    assert features.icd9_group(code) == group
