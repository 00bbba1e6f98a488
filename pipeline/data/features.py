"""The one feature path: clean -> engineer -> preprocess.

Training, the quality gate and the baseline all score through this module, so a model always sees
its data encoded exactly as it was trained: no re-encoding and no column padding anywhere else.
Column kinds are declared here, never inferred from dtypes (pandas 3 stores text as ``str``).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from pipeline.core.errors import DataError, FeatureMismatchError
from pipeline.data.columns import MEDICATION_COLUMNS, RAW_COLUMNS, RAW_TARGET

NOT_READMITTED: Final = "NO"
TARGET: Final = "readmitted_binary"
MISSING_MARKER: Final = "?"
MISSING_CATEGORY: Final = "missing"

IDENTIFIER_COLUMNS: Final = ("encounter_id", "patient_nbr")
DROPPED_COLUMNS: Final = ("weight", "payer_code", "medical_specialty", *IDENTIFIER_COLUMNS)
# Patients who died or went to hospice cannot be readmitted; they are not part of the problem.
EXCLUDED_DISPOSITIONS: Final = frozenset({11, 13, 14, 19, 20, 21})
DIAGNOSIS_COLUMNS: Final = ("diag_1", "diag_2", "diag_3")

NUMERIC_COLUMNS: Final = (
    "time_in_hospital",
    "num_lab_procedures",
    "num_procedures",
    "num_medications",
    "number_outpatient",
    "number_emergency",
    "number_inpatient",
    "number_diagnoses",
)
# The *_id columns are codes (an admission type of 3 is not "more" than 1): categorical.
CATEGORICAL_COLUMNS: Final = (
    "race",
    "gender",
    "age",
    "admission_type_id",
    "discharge_disposition_id",
    "admission_source_id",
    "max_glu_serum",
    "A1Cresult",
    *MEDICATION_COLUMNS,
    "change",
    "diabetesMed",
)

AGE_BANDS: Final = tuple(f"[{10 * i}-{10 * (i + 1)})" for i in range(10))
ENGINEERED_NUMERIC: Final = ("age_ordinal",)
ENGINEERED_CATEGORICAL: Final = tuple(f"{c}_group" for c in DIAGNOSIS_COLUMNS)

# What the model sees (the preprocessor's input), in a fixed order.
MODEL_NUMERIC: Final = (*NUMERIC_COLUMNS, *ENGINEERED_NUMERIC)
MODEL_CATEGORICAL: Final = (
    *(c for c in CATEGORICAL_COLUMNS if c != "age"),
    *ENGINEERED_CATEGORICAL,
)
MODEL_FEATURES: Final = (*MODEL_NUMERIC, *MODEL_CATEGORICAL)


def read_raw_csv(source: object) -> pd.DataFrame:
    """Read the raw table with explicit dtypes: ``?`` is missing; the text ``None`` is a value."""
    dtypes: dict[str, str] = {c: "str" for c in RAW_COLUMNS}
    for column in (*IDENTIFIER_COLUMNS, *NUMERIC_COLUMNS):
        dtypes[column] = "Int64"
    return pd.read_csv(
        source,  # type: ignore[call-overload]
        dtype=dtypes,
        na_values=[MISSING_MARKER],
        keep_default_na=False,
    )


def clean(raw: pd.DataFrame) -> pd.DataFrame:
    """Drop unusable columns and encounters that cannot be readmitted; normalise column kinds."""
    missing = [c for c in RAW_COLUMNS if c not in raw.columns and c not in DROPPED_COLUMNS]
    if missing:
        raise FeatureMismatchError(f"data is missing columns: {', '.join(missing)}")
    frame = raw.drop(columns=[c for c in DROPPED_COLUMNS if c in raw.columns])
    frame = frame.replace(MISSING_MARKER, np.nan)
    disposition = pd.to_numeric(frame["discharge_disposition_id"], errors="coerce")
    frame = frame.loc[~disposition.isin(EXCLUDED_DISPOSITIONS)].copy()
    for column in NUMERIC_COLUMNS:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    for column in (*CATEGORICAL_COLUMNS, *DIAGNOSIS_COLUMNS):
        frame[column] = _as_text(frame[column])
    return frame.reset_index(drop=True)


def engineer(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the target and the engineered features; keeps every cleaned column."""
    out = frame.copy()
    if RAW_TARGET in out.columns:
        out[TARGET] = outcome(out)
    band = {label: float(i) for i, label in enumerate(AGE_BANDS)}
    out["age_ordinal"] = out["age"].map(band).astype("float64")
    for column in DIAGNOSIS_COLUMNS:
        out[f"{column}_group"] = out[column].map(icd9_group, na_action="ignore")
        out[f"{column}_group"] = _as_text(out[f"{column}_group"])
    return out


def outcome(raw: pd.DataFrame) -> pd.Series:
    """The target: 1 for any readmission (``readmitted`` other than ``NO``), else 0."""
    return (raw[RAW_TARGET] != NOT_READMITTED).astype("int64")


READMITTED_VALUES: Final = (NOT_READMITTED, "<30", ">30")
EXAMPLES_SHOWN: Final = 3


def _refusal(values: pd.Series, bad: pd.Series, column: str, allowed: str) -> str | None:
    """`N of M values of <column> are not <allowed> (e.g. ...)`, or None when none is bad."""
    count = int(bad.sum())
    if count == 0:
        return None
    examples = ", ".join(
        "missing" if pd.isna(value) else repr(value)
        for value in values[bad].drop_duplicates().head(EXAMPLES_SHOWN)
    )
    return f"{count:,} of {len(values):,} values of `{column}` are not {allowed} (e.g. {examples})"


def check_values(raw: pd.DataFrame, label: str) -> None:
    """``DataError`` in one line when a column the pipeline relies on holds implausible values.

    The target is `readmitted != "NO"`, so a missing, misspelt or lower-case value would count
    as a readmission: every value must be one of ``READMITTED_VALUES``. `age` must be one of the
    ten bands, and the ids present, positive and (for encounters) unique. Checked on the raw
    table, before anything is written.
    """
    problems = []
    target = raw[RAW_TARGET]
    problems.append(_refusal(target, ~target.isin(READMITTED_VALUES), RAW_TARGET, "NO, <30 or >30"))
    age = raw["age"]
    problems.append(_refusal(age, ~age.isin(AGE_BANDS), "age", "an age band such as [50-60)"))
    for column in IDENTIFIER_COLUMNS:
        ids = raw[column]
        problems.append(_refusal(ids, ~(ids > 0).fillna(False), column, "positive integers"))
    repeated = raw["encounter_id"].duplicated(keep=False) & raw["encounter_id"].notna()
    problems.append(
        _refusal(raw["encounter_id"], repeated, "encounter_id", "unique (one row per encounter)")
    )
    found = [problem for problem in problems if problem]
    if found:
        raise DataError(f"data file {label}: {'; '.join(found)}; fix the file and run again")


def require_both_outcomes(target: pd.Series, what: str) -> None:
    """``DataError`` unless ``target`` holds both outcomes: one class gives no model, no AUC."""
    present = set(target.dropna().astype("int64").unique().tolist())
    if present >= {0, 1}:
        return
    only = {frozenset({0}): "not readmitted", frozenset({1}): "readmitted"}.get(
        frozenset(present), "without an outcome"
    )
    raise DataError(
        f"{what} has a single outcome: all {len(target):,} encounters are {only}; "
        "a model needs both readmitted and not-readmitted encounters"
    )


def prepare(raw: pd.DataFrame) -> pd.DataFrame:
    """clean + engineer: the frame every later step works on."""
    return engineer(clean(raw))


def split_xy(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Model inputs (in MODEL_FEATURES order) and the binary target."""
    missing = [c for c in (*MODEL_FEATURES, TARGET) if c not in frame.columns]
    if missing:
        raise FeatureMismatchError(f"frame is missing model columns: {', '.join(missing)}")
    return frame.loc[:, list(MODEL_FEATURES)], frame[TARGET].astype("int64")


def build_preprocessor() -> ColumnTransformer:
    """An unfitted ColumnTransformer over MODEL_FEATURES.

    Categories unseen at fit time encode as all-zeros, so a later batch never changes the width.
    """
    categorical = Pipeline(
        [
            ("impute", SimpleImputer(strategy="constant", fill_value=MISSING_CATEGORY)),
            (
                "one_hot",
                OneHotEncoder(
                    handle_unknown="infrequent_if_exist",
                    min_frequency=5,
                    sparse_output=False,
                    dtype=np.float32,
                ),
            ),
        ]
    )
    numeric = SimpleImputer(strategy="median")
    return ColumnTransformer(
        [
            ("numeric", numeric, list(MODEL_NUMERIC)),
            ("categorical", categorical, list(MODEL_CATEGORICAL)),
        ],
        remainder="drop",
        verbose_feature_names_out=False,
    )


def fit_preprocessor(features: pd.DataFrame) -> ColumnTransformer:
    return build_preprocessor().fit(_for_sklearn(features))


def transform(preprocessor: ColumnTransformer, features: pd.DataFrame) -> np.ndarray:
    """Encode features with a fitted preprocessor; a frame it was not fitted for is an error."""
    expected = list(getattr(preprocessor, "feature_names_in_", []))
    missing = [c for c in expected if c not in features.columns]
    if missing:
        raise FeatureMismatchError(
            f"preprocessor expects columns the data lacks: {', '.join(missing[:5])}"
        )
    encoded = preprocessor.transform(_for_sklearn(features.loc[:, expected]))
    return np.asarray(encoded, dtype=np.float32)


def check_model_fits(model: object, preprocessor: ColumnTransformer) -> None:
    """Refuse a model whose input width differs from what the preprocessor produces."""
    width = len(preprocessor.get_feature_names_out())
    n_features = getattr(model, "n_features_in_", None)
    if n_features is not None and int(n_features) != width:
        raise FeatureMismatchError(
            f"model expects {n_features} features but its preprocessor produces {width}"
        )


def icd9_group(code: str) -> str:
    """Map an ICD-9 code to the disease group used in the data set's paper (Strack et al. 2014)."""
    text = str(code).strip()
    if not text:
        return "Other"
    if text[0] in "VE":
        return "Other"
    try:
        value = float(text)
    except ValueError:
        return "Other"
    if 250 <= value < 251:
        return "Diabetes"
    if 390 <= value <= 459 or int(value) == 785:
        return "Circulatory"
    if 460 <= value <= 519 or int(value) == 786:
        return "Respiratory"
    if 520 <= value <= 579 or int(value) == 787:
        return "Digestive"
    if 800 <= value <= 999:
        return "Injury"
    if 710 <= value <= 739:
        return "Musculoskeletal"
    if 580 <= value <= 629 or int(value) == 788:
        return "Genitourinary"
    if 140 <= value <= 239:
        return "Neoplasms"
    return "Other"


def _as_text(series: pd.Series) -> pd.Series:
    """Categorical values as text with real missing values (codes like 3 become "3")."""
    text = series.astype("string")
    return text.where(text.notna() & (text != MISSING_MARKER))


def _for_sklearn(features: pd.DataFrame) -> pd.DataFrame:
    """scikit-learn's imputers want object columns with NaN, not pandas' string dtype with NA."""
    out = features.copy()
    for column in out.columns:
        if column in MODEL_CATEGORICAL:
            out[column] = out[column].astype(object).where(out[column].notna(), np.nan)
    return out
