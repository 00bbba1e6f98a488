"""Per-column drift of a batch against the training data, by Evidently's default rules.

The tests and their choice mirror Evidently's legacy ``stattests`` package (``registry.py``,
``ks_stattest.py``, ``chisquare_stattest.py``, ``z_stattest.py``, ``wasserstein_distance_norm.py``,
``jensenshannon.py``), so the numbers match what an Evidently ``DataDriftPreset`` would report for
the same columns:

- reference of at most 1,000 rows: numeric columns with more than 5 distinct values -> two-sample
  Kolmogorov-Smirnov (drift when p <= 0.05); other columns with more than 2 values -> chi-squared
  (p < 0.05); 2 values or fewer -> Z-test for two proportions (p < 0.05);
- larger reference: numeric with more than 5 values -> Wasserstein distance divided by the
  reference's standard deviation (drift when >= 0.1); otherwise Jensen-Shannon distance with the
  natural logarithm (>= 0.1).

"Distinct values" counts the reference and the current column together, as Evidently does, after
dropping missing values (Evidently tests non-missing values only). Column kinds are the ones
declared in ``pipeline.data.features``; they are never inferred from dtypes. docs/drift.md lists the
analysed columns and explains each choice.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any, Final

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance

from pipeline.core import contract
from pipeline.core.errors import DataError, FeatureMismatchError, HealthPredictError
from pipeline.data import features
from pipeline.drift.rule import retrain_trigger


class ColumnKind(StrEnum):
    NUMERIC = "numeric"
    CATEGORICAL = "categorical"


# Analysed: every cleaned model input with a declared kind. Not analysed: the identifiers and
# the sparse columns that `features.clean` drops, the free-text ICD-9 codes diag_1/2/3 (hundreds
# of codes; their groups are engineered later) and the target.
ANALYSED_COLUMNS: Final[dict[str, ColumnKind]] = {
    **{c: ColumnKind.NUMERIC for c in features.NUMERIC_COLUMNS},
    **{c: ColumnKind.CATEGORICAL for c in features.CATEGORICAL_COLUMNS},
}

SMALL_REFERENCE_ROWS: Final = 1000  # Evidently: p-value tests up to here, distances above
FEW_VALUES: Final = 5  # a numeric column with at most this many values is tested like categories
BINARY_VALUES: Final = 2
P_VALUE_THRESHOLD: Final = 0.05
DISTANCE_THRESHOLD: Final = 0.1
WASSERSTEIN_MIN_NORM: Final = 0.001  # Evidently's floor for the reference std


@dataclass(frozen=True)
class TestResult:
    """What one test measured: its statistic and, for hypothesis tests, the p-value."""

    statistic: float
    p_value: float | None

    @property
    def score(self) -> float:
        """The number compared with the threshold: the p-value, else the distance."""
        return self.statistic if self.p_value is None else self.p_value


@dataclass(frozen=True)
class StatTest:
    """A registered drift test: how to compute it and when its score means drift."""

    name: str
    kind: str  # "p_value" or "distance"
    threshold: float
    compute: Callable[[pd.Series, pd.Series], TestResult]
    drift_when: Callable[[float, float], bool]  # (score, threshold) -> drifted

    def run(self, reference: pd.Series, current: pd.Series) -> tuple[TestResult, bool]:
        result = self.compute(reference, current)
        return result, bool(self.drift_when(result.score, self.threshold))


def _ks(reference: pd.Series, current: pd.Series) -> TestResult:
    outcome = stats.ks_2samp(reference.to_numpy(float), current.to_numpy(float))
    return TestResult(float(outcome.statistic), float(outcome.pvalue))


def _aligned_counts(reference: pd.Series, current: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Counts per value over the union of both columns' values (a value absent on one side is 0)."""
    codes, uniques = pd.factorize(pd.concat([reference, current], ignore_index=True))
    ref_counts = np.bincount(codes[: len(reference)], minlength=len(uniques))
    cur_counts = np.bincount(codes[len(reference) :], minlength=len(uniques))
    return ref_counts.astype(float), cur_counts.astype(float)


def _chi_squared(reference: pd.Series, current: pd.Series) -> TestResult:
    """Current counts against reference proportions scaled to the current size (Evidently)."""
    ref_counts, cur_counts = _aligned_counts(reference, current)
    expected = ref_counts * (len(current) / len(reference))
    with np.errstate(divide="ignore", invalid="ignore"):
        outcome = stats.chisquare(cur_counts, expected)
    return TestResult(float(outcome.statistic), float(outcome.pvalue))


def _z_proportions(reference: pd.Series, current: pd.Series) -> TestResult:
    """Two-proportion Z-test on "is not the first value (sorted)"; one shared value gives p = 1."""
    values = sorted(set(reference.unique()) | set(current.unique()))
    if len(values) == 1:
        return TestResult(0.0, 1.0)
    p_ref = float((reference != values[0]).mean())
    p_cur = float((current != values[0]).mean())
    n_ref, n_cur = len(reference), len(current)
    pooled = (p_ref * n_ref + p_cur * n_cur) / (n_ref + n_cur)
    z = (p_ref - p_cur) / math.sqrt(pooled * (1 - pooled) * (1 / n_ref + 1 / n_cur))
    return TestResult(z, float(2 * (1 - stats.norm.cdf(abs(z)))))


def _wasserstein_norm(reference: pd.Series, current: pd.Series) -> TestResult:
    """Wasserstein-1 distance in units of the reference's (population) standard deviation."""
    ref = reference.to_numpy(float)
    norm = max(float(np.std(ref)), WASSERSTEIN_MIN_NORM)
    return TestResult(wasserstein_1d(ref, current.to_numpy(float)) / norm, None)


def wasserstein_1d(u: np.ndarray, v: np.ndarray) -> float:
    """``scipy.stats.wasserstein_distance(u, v)`` for unweighted samples: the area between the
    two empirical CDFs, by the same sort-and-search steps as scipy's ``_cdf_distance``.

    Written out because scipy 1.17 routes the 1-D case through its N-d code, about 10x slower;
    the drift-by-chance band runs this test hundreds of times. Tests compare it with scipy.
    """
    u_sorted, v_sorted = np.sort(u), np.sort(v)
    points = np.sort(np.concatenate([u_sorted, v_sorted]), kind="mergesort")
    widths = np.diff(points)
    u_cdf = np.searchsorted(u_sorted, points[:-1], side="right") / u_sorted.size
    v_cdf = np.searchsorted(v_sorted, points[:-1], side="right") / v_sorted.size
    return float(np.sum(np.abs(u_cdf - v_cdf) * widths))


def _jensen_shannon(reference: pd.Series, current: pd.Series) -> TestResult:
    """Jensen-Shannon distance (natural log, scipy's default as Evidently calls it) of shares."""
    ref_counts, cur_counts = _aligned_counts(reference, current)
    value = distance.jensenshannon(ref_counts / len(reference), cur_counts / len(current))
    return TestResult(float(value), None)


STAT_TESTS: Final[dict[str, StatTest]] = {
    test.name: test
    for test in (
        StatTest("ks", "p_value", P_VALUE_THRESHOLD, _ks, operator.le),
        StatTest("chisquare", "p_value", P_VALUE_THRESHOLD, _chi_squared, operator.lt),
        StatTest("z", "p_value", P_VALUE_THRESHOLD, _z_proportions, operator.lt),
        StatTest("wasserstein", "distance", DISTANCE_THRESHOLD, _wasserstein_norm, operator.ge),
        StatTest("jensenshannon", "distance", DISTANCE_THRESHOLD, _jensen_shannon, operator.ge),
    )
}

# Evidently's default choice: (reference is small, shape of the column) -> test name.
DEFAULT_TEST: Final[dict[tuple[bool, str], str]] = {
    (True, "continuous"): "ks",
    (True, "multi-valued"): "chisquare",
    (True, "binary"): "z",
    (False, "continuous"): "wasserstein",
    (False, "multi-valued"): "jensenshannon",
    (False, "binary"): "jensenshannon",
}


def column_shape(kind: ColumnKind, n_values: int) -> str:
    """Numeric columns with more than 5 values are continuous; the rest are tested as categories."""
    if kind is ColumnKind.NUMERIC and n_values > FEW_VALUES:
        return "continuous"
    return "multi-valued" if n_values > BINARY_VALUES else "binary"


def choose_test(kind: ColumnKind, reference: pd.Series, current: pd.Series) -> StatTest:
    """The test Evidently would pick by default for this column (non-missing values)."""
    n_values = len(set(reference.unique()) | set(current.unique()))
    small = len(reference) <= SMALL_REFERENCE_ROWS
    return STAT_TESTS[DEFAULT_TEST[(small, column_shape(kind, n_values))]]


@dataclass(frozen=True)
class ColumnDrift:
    """One analysed column's test, its numbers and the verdict."""

    column: str
    kind: str
    test: str
    statistic: float | None
    p_value: float | None
    threshold: float
    drifted: bool


@dataclass(frozen=True)
class DriftReport:
    """The drift check of one batch: per-column results and the share that gates retraining."""

    columns: list[ColumnDrift]
    drift_share: float
    n_drifted_columns: int
    n_total_columns: int
    dataset_drift: bool
    threshold: float
    trigger: contract.TriggerReason  # the retrain verdict's reason; logged on the drift run

    @property
    def retrain(self) -> bool:
        """The pipeline's verdict: retrain (drift at or above the threshold, or forced)."""
        return self.trigger is not contract.TriggerReason.NONE

    @property
    def drifted_columns(self) -> list[str]:
        return [c.column for c in self.columns if c.drifted]

    def to_records(self) -> list[dict[str, Any]]:
        """Rows for ``drift/feature_drift.json``: strict JSON (no NaN/Infinity)."""
        return [asdict(c) for c in self.columns]

    def to_df(self) -> pd.DataFrame:
        return pd.DataFrame(self.to_records(), columns=list(ColumnDrift.__dataclass_fields__))


def detect_drift(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    threshold: float = contract.DEFAULT_DRIFT_THRESHOLD,
    *,
    force_retrain: bool = False,
) -> DriftReport:
    """Test every analysed column of cleaned frames (``features.clean``) by Evidently's defaults."""
    if not 0.0 <= threshold <= 1.0:
        raise HealthPredictError(f"drift threshold must be between 0 and 1, got {threshold}")
    for label, frame in (("reference", reference), ("current", current)):
        missing = [c for c in ANALYSED_COLUMNS if c not in frame.columns]
        if missing:
            raise FeatureMismatchError(
                f"{label} data is missing drift columns: {', '.join(missing)}"
            )
    columns = [
        _column_drift(name, kind, reference[name], current[name])
        for name, kind in ANALYSED_COLUMNS.items()
    ]
    n_drifted = sum(c.drifted for c in columns)
    share = n_drifted / len(columns)
    return DriftReport(
        columns=columns,
        drift_share=share,
        n_drifted_columns=n_drifted,
        n_total_columns=len(columns),
        dataset_drift=share >= contract.DATASET_DRIFT_SHARE,
        threshold=threshold,
        trigger=retrain_trigger(share, threshold, force_retrain=force_retrain),
    )


def _column_drift(
    name: str, kind: ColumnKind, reference: pd.Series, current: pd.Series
) -> ColumnDrift:
    ref = _present_values(reference, name, "reference", kind)
    cur = _present_values(current, name, "current", kind)
    test = choose_test(kind, ref, cur)
    result, drifted = test.run(ref, cur)
    return ColumnDrift(
        column=name,
        kind=kind.value,
        test=test.name,
        statistic=_finite_or_none(result.statistic),
        p_value=_finite_or_none(result.p_value),
        threshold=test.threshold,
        drifted=drifted,
    )


def _present_values(series: pd.Series, name: str, label: str, kind: ColumnKind) -> pd.Series:
    """Non-missing values (Evidently drops NaN and +/-inf); an all-missing column is an error."""
    values: pd.Series
    if kind is ColumnKind.NUMERIC:
        numbers = pd.to_numeric(series, errors="coerce").astype("float64")
        values = numbers[np.isfinite(numbers)]
    else:
        values = series.dropna()
        if not pd.api.types.is_string_dtype(values):
            values = values.astype(str)  # codes stored as numbers still compare as text
    if values.empty:
        raise DataError(f"column {name} has no values in the {label} data; drift is undefined")
    return values.reset_index(drop=True)


def _finite_or_none(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None
