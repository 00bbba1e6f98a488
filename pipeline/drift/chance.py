"""Drift expected by chance: the drift share of reference-period samples the size of a batch.

A batch's drift share means little without knowing what rows from the reference period itself
would show. This draws ``NULL_SAMPLES`` samples of held-out reference rows (the initial
validation and test rows; never ``initial_train``, the detector's own reference), each the size
of the batch, checks each with the very detector the batches get (``drift.detect_drift`` against
``initial_train``, after the same ``features.clean``) and keeps their drift shares. The 50th and
95th percentiles are logged on each drift run; no decision reads them.

The shares are computed once per prepared data set and batch size and kept in storage
(``chance_band_key``), so every batch of an experiment, and a later ``batch run N``, reuse them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from pipeline.core import contract, stats
from pipeline.core.errors import DataError
from pipeline.core.stats import ChanceBand
from pipeline.data import features
from pipeline.data.storage import Storage
from pipeline.drift import detection as drift

logger = logging.getLogger(__name__)

NULL_SAMPLES: Final = 30
SHARE_COLUMN: Final = "drift_share"
_POSITION: Final = "_raw_position"
_IDENTITY_COLUMNS: Final = ("data_sha256", "seed", "rows")


def chance_band_key(seed: int, rows: int) -> str:
    """Where the shares for one seed and batch size are kept (next to the batches)."""
    return f"drift_monitoring/chance_band/null_drift_shares_seed_{seed}_rows_{rows}.csv"


@dataclass(frozen=True)
class NullSampling:
    """What identifies a set of null samples: the prepared data, the seed and the sample size."""

    data_sha256: str
    seed: int
    rows: int
    samples: int = NULL_SAMPLES


def null_drift_shares(
    reference_raw: pd.DataFrame, held_out_raw: pd.DataFrame, sampling: NullSampling
) -> list[float]:
    """Drift share of each of ``sampling.samples`` seeded draws of ``rows`` held-out raw rows."""
    if sampling.rows > len(held_out_raw):
        raise DataError(
            f"the reference period holds {len(held_out_raw)} held-out rows, fewer than the batch "
            f"size {sampling.rows}: drift expected by chance cannot be sampled"
        )
    reference = features.clean(reference_raw)
    held_out = cleaned_with_positions(held_out_raw)
    rng = np.random.default_rng([sampling.seed, sampling.rows])
    shares = []
    for _ in range(sampling.samples):
        rows = rng.choice(len(held_out_raw), size=sampling.rows, replace=False)
        shares.append(drift.detect_drift(reference, clean_sample(held_out, rows)).drift_share)
    return shares


def cleaned_with_positions(raw: pd.DataFrame) -> pd.DataFrame:
    """``features.clean`` of every row once, each kept row remembering its raw position.

    ``clean`` works row by row (it drops rows and converts values), so cleaning a sample equals
    taking the sample's surviving rows from the cleaned whole (tests check this); cleaning once
    halves the band's cost.
    """
    return features.clean(raw.reset_index(drop=True).assign(**{_POSITION: np.arange(len(raw))}))


def clean_sample(held_out: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """``features.clean`` of the raw rows at positions ``rows``, cut from the cleaned whole."""
    chosen = held_out[held_out[_POSITION].isin(rows)]
    return chosen.drop(columns=_POSITION).reset_index(drop=True)


def chance_band(storage: Storage, sampling: NullSampling) -> ChanceBand | None:
    """The band for this data, seed and batch size: read from storage, else computed and kept.

    None (with a warning) when the batch is larger than the held-out rows: the band is evidence
    beside the drift check, so it may be missing but never stops one.
    """
    key = chance_band_key(sampling.seed, sampling.rows)
    shares = _stored_shares(storage, key, sampling)
    if shares is None:
        held_out = pd.concat(
            [
                storage.read_csv(contract.INITIAL_VALIDATION_KEY),
                storage.read_csv(contract.INITIAL_TEST_KEY),
            ],
            ignore_index=True,
        )
        try:
            shares = null_drift_shares(
                storage.read_csv(contract.INITIAL_TRAIN_KEY), held_out, sampling
            )
        except DataError as error:
            logger.warning("no drift-by-chance band: %s", error)
            return None
        storage.write_csv(key, _shares_frame(shares, sampling))
        logger.info(
            "drift expected by chance: %d samples of %d held-out rows", len(shares), sampling.rows
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
