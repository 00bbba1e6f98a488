"""Batch profiles on a tiny seeded future whose population drifts the way real data do."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.core.errors import BatchError
from pipeline.data import features
from pipeline.drift import batches
from pipeline.drift.batches import BATCH_PLAN, make_batches
from pipeline.drift.detection import detect_drift

SIZE = 400


def encounters(n: int, seed: int, *, first_id: int, drift: float) -> pd.DataFrame:
    """Raw rows, 50 real columns. ``drift`` in 0..1 ages the population and raises hospital use.

    Readmission rises with prior inpatient stays, as in the real data.
    """
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            c: rng.choice(["No", "Steady", "Up"], n, p=[0.8, 0.15, 0.05])
            for c in features.MEDICATION_COLUMNS
        }
    )
    frame["examide"] = "No"
    age_index = np.clip(rng.normal(5 + 2 * drift, 1.5, n).round(), 0, 9).astype(int)
    inpatient = rng.poisson(0.4 + 1.2 * drift, n)
    readmit_p = np.clip(0.3 + 0.15 * inpatient, 0, 0.9)
    frame = frame.assign(
        encounter_id=np.arange(first_id, first_id + n),
        patient_nbr=rng.integers(1, 10**6, n),
        race=rng.choice(["Caucasian", "AfricanAmerican", "?"], n, p=[0.7, 0.25, 0.05]),
        gender=rng.choice(["Female", "Male"], n),
        age=np.asarray(features.AGE_BANDS)[age_index],
        weight="?",
        admission_type_id=rng.choice(["1", "2", "3"], n),
        discharge_disposition_id=rng.choice(["1", "3", "6", "11"], n, p=[0.6, 0.2, 0.17, 0.03]),
        admission_source_id=rng.choice(["1", "7"], n),
        time_in_hospital=np.clip(rng.poisson(4 + 3 * drift, n), 1, 14),
        payer_code="?",
        medical_specialty="?",
        num_lab_procedures=rng.integers(1, 90, n),
        num_procedures=rng.integers(0, 7, n),
        num_medications=rng.integers(1, 40, n) + int(8 * drift),
        number_outpatient=rng.poisson(0.3, n),
        number_emergency=rng.poisson(0.2, n),
        number_inpatient=inpatient,
        diag_1=rng.choice(["250.01", "428", "V57"], n),
        diag_2="414",
        diag_3="?",
        number_diagnoses=np.clip(rng.poisson(6 + 2 * drift, n), 1, 16),
        max_glu_serum=rng.choice(["None", ">200", ">300"], n, p=[0.9, 0.06, 0.04]),
        A1Cresult=rng.choice(["None", ">8", "Norm", ">7"], n, p=[0.7, 0.15, 0.1, 0.05]),
        change=rng.choice(["No", "Ch"], n),
        diabetesMed=rng.choice(["Yes", "No"], n, p=[0.75, 0.25]),
        readmitted=np.where(rng.random(n) < readmit_p, rng.choice([">30", "<30"], n), "NO"),
    )
    return frame.loc[:, list(features.RAW_COLUMNS)]


@pytest.fixture(scope="module")
def reference_raw() -> pd.DataFrame:
    return encounters(1500, seed=1, first_id=0, drift=0.0)


@pytest.fixture(scope="module")
def future_raw() -> pd.DataFrame:
    """Encounters that drift steadily over time, like the real future rows."""
    parts = [
        encounters(1600, seed=10 + i, first_id=100_000 + 1600 * i, drift=0.15 * (i + 1))
        for i in range(5)
    ]
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def made(future_raw: pd.DataFrame, reference_raw: pd.DataFrame) -> list[batches.Batch]:
    return make_batches(future_raw, reference_raw, seed=42, size=SIZE)


def age_ordinal(frame: pd.DataFrame) -> float:
    return float(features.prepare(frame)["age_ordinal"].mean())


def test_five_batches_of_raw_rows_in_the_planned_order(made, future_raw):
    assert [b.number for b in made] == [1, 2, 3, 4, 5]
    assert [b.profile for b in made] == list(BATCH_PLAN)
    for batch in made:
        assert list(batch.frame.columns) == list(features.RAW_COLUMNS)
        assert len(batch.frame) == SIZE
        assert len(features.clean(batch.frame)) == SIZE  # only usable encounters
        assert batch.frame["encounter_id"].isin(future_raw["encounter_id"]).all()
        assert batch.description
    ids = [set(b.frame["encounter_id"]) for b in made]
    assert len(set().union(*ids)) == 5 * SIZE  # no encounter in two batches


def test_same_seed_same_batches_other_seed_other_batches(made, future_raw, reference_raw):
    again = make_batches(future_raw, reference_raw, seed=42, size=SIZE)
    other = make_batches(future_raw, reference_raw, seed=7, size=SIZE)
    for first, second, third in zip(made, again, other, strict=True):
        pd.testing.assert_frame_equal(first.frame, second.frame)
        assert set(first.frame["encounter_id"]) != set(third.frame["encounter_id"])


def test_no_drift_batches_look_like_the_reference(made, future_raw, reference_raw):
    reference = features.clean(reference_raw)
    plain_draw = future_raw.sample(SIZE, random_state=0)
    naive = detect_drift(reference, features.clean(plain_draw))
    assert {"age", "number_inpatient"} <= set(naive.drifted_columns)  # the future did drift
    for batch in made[:2]:
        report = detect_drift(reference, features.clean(batch.frame))
        assert report.drift_share < naive.drift_share
        assert not {"age", "number_inpatient"} & set(report.drifted_columns)


def test_no_drift_batches_keep_their_real_outcomes(made, future_raw):
    original = future_raw.set_index("encounter_id")[features.RAW_TARGET]
    for batch in made[:4]:
        kept = original.loc[batch.frame["encounter_id"]].to_numpy()
        assert (batch.frame[features.RAW_TARGET].to_numpy() == kept).all()


def test_drifted_batches_come_from_the_later_period(made, future_raw):
    later_start = future_raw["encounter_id"].iloc[len(future_raw) // 2]
    for batch in made[2:]:
        assert (batch.frame["encounter_id"] >= later_start).all()


def test_covariate_drift_is_older_and_sicker_and_batch_4_adds_emergencies(made):
    no_drift, gradual, strong = made[0].frame, made[2].frame, made[3].frame
    assert age_ordinal(no_drift) < age_ordinal(gradual)
    assert age_ordinal(no_drift) < age_ordinal(strong)
    assert no_drift["number_inpatient"].mean() < gradual["number_inpatient"].mean()

    def share(frame: pd.DataFrame, column: str, values: tuple[str, ...]) -> float:
        return float(frame[column].isin(values).mean())

    for column, values in (("admission_type_id", ("1",)), ("max_glu_serum", (">200", ">300"))):
        assert share(strong, column, values) > share(gradual, column, values)


def test_concept_drift_reverses_the_prior_stay_relation(made, future_raw):
    def readmission_by_prior_stay(frame: pd.DataFrame) -> pd.Series:
        prepared = features.prepare(frame)
        return prepared.groupby(prepared["number_inpatient"] > 0)[features.TARGET].mean()

    before = readmission_by_prior_stay(future_raw)
    after = readmission_by_prior_stay(made[4].frame)
    assert before[True] > before[False]
    assert after[True] < after[False]
    concept = made[4].frame
    assert set(concept[features.RAW_TARGET]) <= {"NO", ">30", "<30"}
    originals = future_raw.set_index("encounter_id").loc[concept["encounter_id"]]
    covariates = [c for c in features.RAW_COLUMNS if c not in ("encounter_id", features.RAW_TARGET)]
    pd.testing.assert_frame_equal(
        concept[covariates].reset_index(drop=True), originals[covariates].reset_index(drop=True)
    )


def test_too_small_a_future_is_refused(future_raw, reference_raw):
    with pytest.raises(BatchError, match="future rows fit this profile, need 2,000"):
        make_batches(future_raw, reference_raw, seed=1, size=2000)
    with pytest.raises(BatchError, match="batch size must be positive"):
        make_batches(future_raw, reference_raw, seed=1, size=0)


def test_every_planned_profile_is_registered():
    assert set(BATCH_PLAN) <= set(batches.PROFILES)
    for name, profile in batches.PROFILES.items():
        assert profile.name == name and callable(profile.sample)
