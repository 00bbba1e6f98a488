"""Drift expected by chance: the detector on samples of the training period against the rest of it.

A batch's drift share means little without knowing what the same detector reports where nothing
changed. This draws ``CHANCE_SAMPLES`` random subsets of ``initial_train`` (the detector's own
reference), each the size of the batch, and checks each against the rest of ``initial_train``
with the very rules the batches get (``drift.detect_drift``'s tests, after the same
``features.clean``). Both sides come from one period and one population, so any drift found is
chance. The 50th and 95th percentiles and the maximum are logged on each drift run; no decision
reads them.

Each draw's reference is a different 90% of the rows, so the detector's per-call work (cleaning,
pandas per column) would cost about 45 ms a draw, 9 s for 200. ``_CountedColumns`` encodes every
column once and computes each draw's statistics from value counts: the same tests and thresholds
(``detection.choose_test``), Wasserstein by scipy's weighted ``wasserstein_distance`` and
Jensen-Shannon by scipy's ``jensenshannon``. Tests check it against ``detect_drift`` draw by draw.

The shares are computed once per prepared data set, seed and batch size and kept in storage
(``chance_band_key``), so every batch of an experiment, and a later ``batch run N``, share them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats
from scipy.spatial import distance

from pipeline.core import contract, stats
from pipeline.core.errors import DataError
from pipeline.core.stats import ChanceBand
from pipeline.data import features
from pipeline.data.storage import Storage
from pipeline.drift import detection as drift

logger = logging.getLogger(__name__)

CHANCE_SAMPLES: Final = 200
SHARE_COLUMN: Final = "drift_share"
_IDENTITY_COLUMNS: Final = ("data_sha256", "seed", "rows")


def chance_band_key(seed: int, rows: int) -> str:
    """Where the shares for one seed and batch size are kept (next to the batches)."""
    return f"drift_monitoring/chance_band/training_period_drift_shares_seed_{seed}_rows_{rows}.csv"


@dataclass(frozen=True)
class NullSampling:
    """What identifies a set of draws: the prepared data, the seed and the sample size."""

    data_sha256: str
    seed: int
    rows: int
    samples: int = CHANCE_SAMPLES


@dataclass(frozen=True)
class _CountedColumn:
    """One analysed column of the reference, as codes into its sorted distinct present values."""

    name: str
    test: drift.StatTest
    codes: np.ndarray  # per row: index into ``support``, -1 where the value is missing
    support: np.ndarray  # numeric columns: the distinct values, sorted (float)
    totals: np.ndarray  # count of each value over all rows


class _CountedColumns:
    """The reference encoded once; ``drift_share(in_sample)`` is the detector's share for a draw."""

    def __init__(self, cleaned: pd.DataFrame, sample_rows: int) -> None:
        self.columns = [
            self._encode(name, kind, cleaned[name], sample_rows)
            for name, kind in drift.ANALYSED_COLUMNS.items()
        ]

    def _encode(
        self, name: str, kind: drift.ColumnKind, series: pd.Series, sample_rows: int
    ) -> _CountedColumn:
        if kind is drift.ColumnKind.NUMERIC:
            numbers = pd.to_numeric(series, errors="coerce").to_numpy("float64")
            present = np.isfinite(numbers)
            support = np.unique(numbers[present])
            codes = np.where(present, np.searchsorted(support, np.where(present, numbers, 0)), -1)
        else:
            text = series.astype(object).where(series.notna(), None)
            codes, uniques = pd.factorize(text.map(lambda v: v if v is None else str(v)))
            support = np.asarray(uniques, dtype=object)
        codes = np.asarray(codes, dtype=np.int64)
        totals = np.bincount(codes[codes >= 0], minlength=len(support))
        # a draw and its rest partition the rows, so together they hold every distinct value
        if int(totals.sum()) - sample_rows <= drift.SMALL_REFERENCE_ROWS:
            raise DataError(
                f"column {name} has {int(totals.sum()):,} values in the training period: a draw "
                f"of {sample_rows:,} leaves too few for the distance tests the batches get"
            )
        shape = drift.column_shape(kind, len(support))
        test = drift.STAT_TESTS[drift.DEFAULT_TEST[(False, shape)]]
        return _CountedColumn(name, test, codes, np.asarray(support), totals)

    def statistics(self, in_sample: np.ndarray) -> list[float]:
        """Each column's distance between the drawn rows and the rest (``detect_drift``'s)."""
        scores = []
        for column in self.columns:
            sample_codes = column.codes[in_sample]
            current = np.bincount(sample_codes[sample_codes >= 0], minlength=len(column.totals))
            reference = column.totals - current
            if current.sum() == 0:
                raise DataError(
                    f"column {column.name} has no values in a drawn sample; drift is undefined"
                )
            scores.append(_statistic(column, reference.astype(float), current.astype(float)))
        return scores

    def drift_share(self, in_sample: np.ndarray) -> float:
        """The share of columns whose distance reaches its test's threshold."""
        scores = self.statistics(in_sample)
        drifted = sum(
            bool(c.test.drift_when(score, c.test.threshold))
            for c, score in zip(self.columns, scores, strict=True)
        )
        return drifted / len(self.columns)


def _statistic(column: _CountedColumn, reference: np.ndarray, current: np.ndarray) -> float:
    if column.test.name == "wasserstein":
        values = column.support.astype(float)
        mean = float(np.dot(values, reference) / reference.sum())
        std = float(np.sqrt(np.dot((values - mean) ** 2, reference) / reference.sum()))
        w1 = scipy_stats.wasserstein_distance(values, values, reference, current)
        return float(w1) / max(std, drift.WASSERSTEIN_MIN_NORM)
    return float(distance.jensenshannon(reference / reference.sum(), current / current.sum()))


def null_drift_shares(reference_raw: pd.DataFrame, sampling: NullSampling) -> list[float]:
    """Drift share of each of ``sampling.samples`` seeded draws of ``rows`` cleaned reference rows,
    each tested against the reference rows not drawn."""
    cleaned = features.clean(reference_raw).reset_index(drop=True)
    if sampling.rows >= len(cleaned):
        raise DataError(
            f"the training period holds {len(cleaned):,} usable rows, not more than the batch "
            f"size {sampling.rows:,}: drift expected by chance cannot be sampled"
        )
    counted = _CountedColumns(cleaned, sampling.rows)
    rng = np.random.default_rng([sampling.seed, sampling.rows])
    shares = []
    for _ in range(sampling.samples):
        in_sample = np.zeros(len(cleaned), dtype=bool)
        in_sample[rng.choice(len(cleaned), size=sampling.rows, replace=False)] = True
        shares.append(counted.drift_share(in_sample))
    return shares


def chance_band(storage: Storage, sampling: NullSampling) -> ChanceBand | None:
    """The band for this data, seed and batch size: read from storage, else computed and kept.

    None (with a warning) when the training period is too small to sample: the band is evidence
    beside the drift check, so it may be missing but never stops one.
    """
    key = chance_band_key(sampling.seed, sampling.rows)
    shares = _stored_shares(storage, key, sampling)
    if shares is None:
        try:
            shares = null_drift_shares(storage.read_csv(contract.INITIAL_TRAIN_KEY), sampling)
        except DataError as error:
            logger.warning("no drift-by-chance band: %s", error)
            return None
        storage.write_csv(key, _shares_frame(shares, sampling))
        logger.info(
            "drift expected by chance: %d samples of %d training-period rows",
            len(shares),
            sampling.rows,
        )
    return stats.chance_band(shares)


def _shares_frame(shares: list[float], sampling: NullSampling) -> pd.DataFrame:
    return pd.DataFrame(
        {
            SHARE_COLUMN: shares,
            "data_sha256": sampling.data_sha256,
            "seed": sampling.seed,
            "rows": sampling.rows,
        }
    )


def _stored_shares(storage: Storage, key: str, sampling: NullSampling) -> list[float] | None:
    """The kept shares when they were drawn from this very data and seed, else None."""
    if not storage.exists(key):
        return None
    frame = storage.read_csv(key)
    try:
        identity = tuple(str(frame[c].iloc[0]) for c in _IDENTITY_COLUMNS)
        shares = [float(value) for value in frame[SHARE_COLUMN]]
    except (KeyError, IndexError, ValueError, TypeError):
        return None
    wanted = (sampling.data_sha256, str(sampling.seed), str(sampling.rows))
    if identity != wanted or len(shares) != sampling.samples:
        return None
    return shares
