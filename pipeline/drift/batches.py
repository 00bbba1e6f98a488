"""Batches 1-5 cut from the future data: two without drift, three with drift of a known kind.

Every batch is a weighted draw, without replacement, of real encounters from the future rows
(file order after the initial 20%), so batches never share a row and keep the raw table's format
and values. Only encounters that ``features.clean`` keeps are drawn, so each batch has exactly
``size`` usable rows. What differs between profiles is the weighting:

- ``no_drift`` (1, 2): the future rows are reweighted by raking (iterative proportional fitting)
  until every analysed column's distribution matches ``initial_train``: a month that looks like
  the training period. The data drift in time, so a plain random draw would not be "no drift".
- ``gradual_covariate_drift`` (3): the later half of the future (the data's real drift over the
  years), tilted towards older, sicker patients.
- ``strong_covariate_drift`` (4): the same population change, much stronger, plus emergency
  admissions and intensified diabetes treatment.
- ``concept_drift`` (5): the later half with a shift in testing and prescribing, and the outcome's
  relation to prior inpatient stays reversed: see ``_reverse_prior_stay_relation``.

docs/drift.md explains why each construction is honest and lists the measured drift shares.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Final

import numpy as np
import pandas as pd

from pipeline.core.errors import BatchError
from pipeline.data import features
from pipeline.drift import detection as drift

DEFAULT_BATCH_SIZE: Final = 2000
LATER_PERIOD_START: Final = 0.5  # drifted batches come from the later half of the future rows
RAKING_ROUNDS: Final = 25
RAKING_WEIGHT_CAP: Final = 20.0  # trimmed raking: no encounter counts more than 20 average ones
RAKING_NUMERIC_BINS: Final = 20  # numeric columns are matched on reference quantile bins
RAKING_RARE_SHARE: Final = 0.01  # categories rarer than this in the reference are matched together
Z_CLIP: Final = 3.0


@dataclass(frozen=True)
class Batch:
    number: int
    profile: str
    description: str
    frame: pd.DataFrame


@dataclass(frozen=True)
class Tilt:
    """One term of an exponential tilt: ``weight`` times a signal of one column.

    Without ``values`` the signal is the column's z-score against the reference (clipped to
    +/-3); with ``values`` it is 1 where the column takes one of them, else 0.
    """

    column: str
    weight: float
    values: tuple[str, ...] = ()


@dataclass
class FuturePool:
    """The future encounters a batch may still be drawn from, with what the profiles need."""

    raw: pd.DataFrame
    cleaned: pd.DataFrame
    reference: pd.DataFrame
    available: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.available = np.ones(len(self.raw), dtype=bool)

    @cached_property
    def later_period(self) -> np.ndarray:
        """1 for the later half of the future rows (file order is roughly time), else 0."""
        position = np.arange(len(self.raw))
        return (position >= LATER_PERIOD_START * len(self.raw)).astype(float)

    @cached_property
    def matching_weights(self) -> np.ndarray:
        return _raking_weights(self.cleaned, self.reference)

    def signal(self, tilt: Tilt) -> np.ndarray:
        series = self.cleaned[tilt.column]
        if tilt.values:
            return series.isin(tilt.values).fillna(False).to_numpy(float)
        values = pd.to_numeric(series, errors="coerce").astype("float64")
        reference = pd.to_numeric(self.reference[tilt.column], errors="coerce")
        scale = float(reference.std()) or 1.0
        z = ((values - float(reference.mean())) / scale).clip(-Z_CLIP, Z_CLIP)
        return z.fillna(0.0).to_numpy(float)

    def draw(self, weights: np.ndarray, rng: np.random.Generator, size: int) -> np.ndarray:
        """Positions of ``size`` unused rows, drawn with probability proportional to weights."""
        usable = np.where(self.available, weights, 0.0)
        if np.count_nonzero(usable) < size:
            raise BatchError(
                f"only {np.count_nonzero(usable):,} future rows fit this profile, need {size:,}"
            )
        chosen = np.sort(rng.choice(len(usable), size=size, replace=False, p=usable / usable.sum()))
        self.available[chosen] = False
        return chosen


Relabel = Callable[[pd.DataFrame, pd.DataFrame, np.random.Generator], pd.DataFrame]


@dataclass(frozen=True)
class BatchProfile:
    """A registered way of drawing a batch: what it simulates and how it samples."""

    name: str
    description: str
    sample: Callable[[FuturePool, np.random.Generator, int], pd.DataFrame]


def _sample_matched(pool: FuturePool, rng: np.random.Generator, size: int) -> pd.DataFrame:
    return pool.raw.iloc[pool.draw(pool.matching_weights, rng, size)].reset_index(drop=True)


def _sample_tilted(
    pool: FuturePool,
    rng: np.random.Generator,
    size: int,
    *,
    tilts: tuple[Tilt, ...],
    relabel: Relabel | None = None,
) -> pd.DataFrame:
    score = sum((t.weight * pool.signal(t) for t in tilts), start=np.zeros(len(pool.raw)))
    weights = pool.later_period * np.exp(score - score.max())
    chosen = pool.draw(weights, rng, size)
    frame = pool.raw.iloc[chosen].reset_index(drop=True)
    if relabel is not None:
        frame = relabel(frame, pool.cleaned.iloc[chosen].reset_index(drop=True), rng)
    return frame


def _reverse_prior_stay_relation(
    raw: pd.DataFrame, cleaned: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Concept drift: patients with and without prior inpatient stays swap their outcomes.

    Each patient with a prior stay gets the outcome of a random patient without one and vice
    versa (drawn with replacement within the batch). The strongest predictor of readmission then
    points the other way, while every value stays a valid ``readmitted`` value.
    """
    prior_stay = (cleaned["number_inpatient"].fillna(0) > 0).to_numpy()
    outcomes = raw[features.RAW_TARGET].to_numpy(dtype=object)
    with_stay, without_stay = outcomes[prior_stay], outcomes[~prior_stay]
    if len(with_stay) == 0 or len(without_stay) == 0:
        raise BatchError("concept drift needs patients both with and without prior inpatient stays")
    relabelled = outcomes.copy()
    relabelled[prior_stay] = rng.choice(without_stay, size=len(with_stay), replace=True)
    relabelled[~prior_stay] = rng.choice(with_stay, size=len(without_stay), replace=True)
    out = raw.copy()
    out[features.RAW_TARGET] = pd.Series(relabelled, index=raw.index).astype(
        raw[features.RAW_TARGET].dtype
    )
    return out


_ON_DRUG: Final = ("Steady", "Up", "Down")
_ORAL_DRUGS: Final = (
    "metformin",
    "glipizide",
    "glyburide",
    "pioglitazone",
    "rosiglitazone",
    "glimepiride",
)
# Older, sicker patients: older age bands, more prior stays, diagnoses, procedures and days in
# hospital, poorly controlled diabetes (HbA1c > 8) treated with more drugs.
_OLDER_SICKER: Final = (
    Tilt("age", 1.0, ("[70-80)", "[80-90)", "[90-100)")),
    Tilt("number_inpatient", 0.3),
    Tilt("number_diagnoses", 0.3),
    Tilt("num_procedures", 0.3),
    Tilt("time_in_hospital", 0.3),
    Tilt("A1Cresult", 1.2, (">8",)),
    Tilt("diabetesMed", 0.5, ("Yes",)),
    *(Tilt(drug, 0.6, _ON_DRUG) for drug in _ORAL_DRUGS),
)
_MUCH_OLDER_SICKER_EMERGENCIES: Final = (
    *(Tilt(t.column, 2 * t.weight, t.values) for t in _OLDER_SICKER),
    *(Tilt(drug, 0.8, _ON_DRUG) for drug in _ORAL_DRUGS),  # 2 x 0.6 + 0.8 = 2.0 in all
    Tilt("admission_type_id", 1.0, ("1",)),  # emergency admissions
    Tilt("max_glu_serum", 2.0, (">200", ">300")),
    Tilt("num_medications", 0.5),
    Tilt("gender", 0.8, ("Male",)),
)
# Newer practice: more HbA1c testing, metformin and newer oral drugs instead of glyburide,
# more middle-aged patients and procedures.
_NEWER_PRACTICE: Final = (
    Tilt("A1Cresult", 1.5, ("Norm", ">7", ">8")),
    Tilt("metformin", 1.0, _ON_DRUG),
    Tilt("pioglitazone", 1.0, _ON_DRUG),
    Tilt("glimepiride", 1.0, _ON_DRUG),
    Tilt("glyburide", -1.0, _ON_DRUG),
    Tilt("age", 0.8, ("[40-50)", "[50-60)")),
    Tilt("num_procedures", 0.3),
)

PROFILES: Final[dict[str, BatchProfile]] = {
    profile.name: profile
    for profile in (
        BatchProfile(
            "no_drift",
            "future encounters reweighted to the training period's distribution (no drift)",
            _sample_matched,
        ),
        BatchProfile(
            "gradual_covariate_drift",
            "later encounters, older and sicker patients on more drugs (gradual covariate drift)",
            partial(_sample_tilted, tilts=_OLDER_SICKER),
        ),
        BatchProfile(
            "strong_covariate_drift",
            "later encounters, much older and sicker, emergency admissions, high glucose "
            "(strong covariate drift)",
            partial(_sample_tilted, tilts=_MUCH_OLDER_SICKER_EMERGENCIES),
        ),
        BatchProfile(
            "concept_drift",
            "later encounters under newer practice; the outcome's relation to prior inpatient "
            "stays is reversed (concept drift)",
            partial(_sample_tilted, tilts=_NEWER_PRACTICE, relabel=_reverse_prior_stay_relation),
        ),
    )
}

# Batch N uses BATCH_PLAN[N - 1].
BATCH_PLAN: Final = (
    "no_drift",
    "no_drift",
    "gradual_covariate_drift",
    "strong_covariate_drift",
    "concept_drift",
)


def make_batches(
    future_raw: pd.DataFrame,
    reference_raw: pd.DataFrame,
    seed: int,
    size: int = DEFAULT_BATCH_SIZE,
) -> list[Batch]:
    """Batches 1-5 as raw rows; the same inputs and seed always give the same batches."""
    if size <= 0:
        raise BatchError(f"batch size must be positive, got {size}")
    pool = _future_pool(future_raw, reference_raw)
    rng = np.random.default_rng(seed)
    batches = []
    for number, name in enumerate(BATCH_PLAN, start=1):
        profile = PROFILES[name]
        frame = profile.sample(pool, rng, size)
        batches.append(Batch(number, profile.name, profile.description, frame))
    return batches


def _future_pool(future_raw: pd.DataFrame, reference_raw: pd.DataFrame) -> FuturePool:
    """Future rows that survive cleaning, aligned one to one with their cleaned form."""
    disposition = pd.to_numeric(future_raw["discharge_disposition_id"], errors="coerce")
    eligible = future_raw.loc[~disposition.isin(features.EXCLUDED_DISPOSITIONS)]
    eligible = eligible.reset_index(drop=True)
    cleaned = features.clean(eligible)
    if len(cleaned) != len(eligible):
        raise BatchError("features.clean dropped rows the batch pool expected to keep")
    return FuturePool(raw=eligible, cleaned=cleaned, reference=features.clean(reference_raw))


def _matching_codes(
    reference: pd.Series, future: pd.Series, numeric: bool
) -> tuple[pd.Series, pd.Series]:
    """Cells to match on: reference quantile bins, or categories with rare ones pooled.

    A future value the reference never had stays its own cell, so raking gives it weight 0.
    """
    if numeric:
        present = reference.dropna()
        quantiles = np.quantile(present, np.linspace(0, 1, RAKING_NUMERIC_BINS + 1))
        edges = np.unique(np.concatenate([[-np.inf], quantiles, [np.inf]])).tolist()
        return _bin_labels(reference, edges), _bin_labels(future, edges)
    ref = reference.astype(object).where(reference.notna(), "missing").astype(str)
    fut = future.astype(object).where(future.notna(), "missing").astype(str)
    shares = ref.value_counts(normalize=True)
    rare = set(shares[shares < RAKING_RARE_SHARE].index)
    return ref.where(~ref.isin(rare), "rare"), fut.where(~fut.isin(rare), "rare")


def _bin_labels(values: pd.Series, edges: list[float]) -> pd.Series:
    """``pd.cut(values, edges).astype(str)``, with each bin's label formatted once, not per row
    (the same text, so the same cells in the same order; several seconds faster on 80k rows)."""
    binned = pd.cut(values, edges)
    labels = np.asarray(binned.cat.categories.astype(str), dtype=object)
    codes = binned.cat.codes.to_numpy()
    text = np.where(codes >= 0, labels[np.maximum(codes, 0)], str(np.nan))
    return pd.Series(text, index=values.index, dtype="str")


def _raking_weights(future: pd.DataFrame, reference: pd.DataFrame) -> np.ndarray:
    """Trimmed raking: weights under which each analysed column's cells match the reference."""
    margins = []
    for column, kind in drift.ANALYSED_COLUMNS.items():
        ref_codes, fut_codes = _matching_codes(
            reference[column], future[column], kind is drift.ColumnKind.NUMERIC
        )
        target = ref_codes.value_counts(normalize=True)
        if len(target) < 2:
            continue
        cells = pd.Categorical(fut_codes)
        wanted = target.reindex(cells.categories, fill_value=0.0).to_numpy(float)
        margins.append((cells.codes, wanted, len(cells.categories)))
    weights = np.ones(len(future))
    for _ in range(RAKING_ROUNDS):
        for codes, wanted, n_cells in margins:
            current = np.bincount(codes, weights=weights, minlength=n_cells)
            current = current / current.sum()
            ratio = np.divide(wanted, current, out=np.zeros(n_cells), where=current > 0)
            weights = weights * ratio[codes]
        weights = np.minimum(weights / weights.mean(), RAKING_WEIGHT_CAP)
    return weights
