"""Tiny seeded raw tables with the real schema, for unit tests that must not need the data set.

Readmission rises with prior inpatient stays (as in the real data), so a model fitted on these
rows learns something and its scores are neither trivial nor constant.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from pipeline.data import features


def raw_encounters(n: int, seed: int) -> pd.DataFrame:
    """``n`` raw rows in the CSV's column order, ``?`` marking missing values like the CSV."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {column: rng.choice(["No", "Steady", "Up"], n) for column in features.MEDICATION_COLUMNS}
    )
    inpatient = rng.poisson(0.6, n)
    readmitted = rng.random(n) < np.clip(0.25 + 0.2 * inpatient, 0, 0.95)
    frame = frame.assign(
        encounter_id=np.arange(1, n + 1),
        patient_nbr=rng.integers(1, 10**6, n),
        race=rng.choice(["Caucasian", "AfricanAmerican", "?"], n),
        gender=rng.choice(["Female", "Male"], n),
        age=rng.choice(features.AGE_BANDS, n),
        weight="?",
        admission_type_id=rng.choice(["1", "2", "3"], n),
        discharge_disposition_id=rng.choice(["1", "3", "6"], n),
        admission_source_id=rng.choice(["1", "7"], n),
        time_in_hospital=rng.integers(1, 14, n),
        payer_code="?",
        medical_specialty="?",
        num_lab_procedures=rng.integers(1, 90, n),
        num_procedures=rng.integers(0, 7, n),
        num_medications=rng.integers(1, 40, n),
        number_outpatient=rng.poisson(0.3, n),
        number_emergency=rng.poisson(0.2, n),
        number_inpatient=inpatient,
        diag_1=rng.choice(["250.01", "428", "V57", "?"], n),
        diag_2=rng.choice(["414", "786"], n),
        diag_3=rng.choice(["?", "250.6", "401"], n),
        number_diagnoses=rng.integers(1, 16, n),
        max_glu_serum=rng.choice(["None", ">200"], n),
        A1Cresult=rng.choice(["None", ">8", "Norm"], n),
        change=rng.choice(["No", "Ch"], n),
        diabetesMed=rng.choice(["Yes", "No"], n),
        readmitted=np.where(readmitted, rng.choice([">30", "<30"], n), "NO"),
    )
    return frame.loc[:, list(features.RAW_COLUMNS)]


def as_read_from_csv(raw: pd.DataFrame) -> pd.DataFrame:
    """The frame as ``features.read_raw_csv`` returns it (``?`` becomes missing, typed columns)."""
    return features.read_raw_csv(io.StringIO(raw.to_csv(index=False)))
