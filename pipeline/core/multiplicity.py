"""Adjusting p values for the several comparisons one report makes at once.

Holm's step-down method (Holm 1979) controls the family-wise error rate at the nominal level
under any dependence between the tests. It is written here because neither scipy nor
scikit-learn offers it (``scipy.stats.false_discovery_control`` is Benjamini-Hochberg, which
controls a different error rate) and statsmodels, which has it, is not a dependency; the method
is five lines and the report API, which has no scipy, imports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

FAMILY_LEVEL: Final = 0.05  # the family-wise error rate Holm's adjustment controls

AdjustedVerdict = Literal["better", "worse", "inconclusive"]


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-adjusted p values, in the order given.

    Sort the m p values ascending; the k-th smallest (k = 0..m-1) becomes
    max over j <= k of min(1, (m - j) * p_(j)), which keeps the adjusted values monotone.
    """
    if any(not 0.0 <= p <= 1.0 for p in p_values):
        raise ValueError("p values must lie in [0, 1]")
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def adjusted_verdict(delta: float, p_holm: float) -> AdjustedVerdict:
    """The word an adjusted p allows: "better"/"worse" (by the sign of ``delta``) only below
    ``FAMILY_LEVEL``, otherwise "inconclusive"."""
    if p_holm >= FAMILY_LEVEL:
        return "inconclusive"
    return "better" if delta > 0 else "worse"
