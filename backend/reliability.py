"""Reliability curves for the page, from the gate run's `calibration/reliability_*.json`.

Bins with a missing or non-finite value, a negative count or a rate outside 0..1 are dropped
rather than drawn; a file that holds no usable bin reads as no curve.
"""

from __future__ import annotations

from collections.abc import Mapping

from backend.run_fields import finite
from backend.schemas import ReliabilityBin, ReliabilityCurve
from pipeline.core import contract

_MEAN, _OBSERVED, _COUNT = contract.RELIABILITY_BIN_FIELDS


def _bin(record: object) -> ReliabilityBin | None:
    if not isinstance(record, Mapping):
        return None
    predicted, observed = finite(record.get(_MEAN)), finite(record.get(_OBSERVED))
    count = finite(record.get(_COUNT))
    if predicted is None or observed is None or count is None or count < 0:
        return None
    if not (0.0 <= predicted <= 1.0 and 0.0 <= observed <= 1.0):
        return None
    return ReliabilityBin(mean_predicted=predicted, observed=observed, count=round(count))


def curve_from_artifact(content: object) -> ReliabilityCurve | None:
    """A reliability artifact as a chart-ready curve; None when absent or unusable."""
    if not isinstance(content, Mapping) or not isinstance(content.get("bins"), list):
        return None
    bins = [b for b in (_bin(record) for record in content["bins"]) if b is not None]
    if not bins:
        return None
    return ReliabilityCurve(
        bins=bins, brier=finite(content.get("brier")), ece=finite(content.get("ece"))
    )
