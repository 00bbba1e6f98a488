"""A paired, stratified bootstrap of an AUC difference: the independent check on DeLong.

Resamples positives and negatives separately (with replacement, so every resample has both
classes in the original numbers), the same rows for both models, and computes each AUC as the
Mann-Whitney statistic from scipy's ranks. The percentile interval's ends are what DeLong's
normal interval is compared with.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

RESAMPLES = 2_000


def _rank_aucs(positives: np.ndarray, negatives: np.ndarray) -> np.ndarray:
    """AUC per row of (resamples x m) positives and (resamples x n) negatives."""
    m, n = positives.shape[1], negatives.shape[1]
    ranks = rankdata(np.hstack([positives, negatives]), axis=1)
    return (ranks[:, :m].sum(axis=1) - m * (m + 1) / 2) / (m * n)


def paired_bootstrap_interval(
    y_true: np.ndarray,
    score_a: np.ndarray,
    score_b: np.ndarray,
    seed: int,
    resamples: int = RESAMPLES,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile interval of AUC(a) - AUC(b) over stratified paired resamples."""
    rng = np.random.default_rng(seed)
    positive_rows = np.flatnonzero(y_true == 1)
    negative_rows = np.flatnonzero(y_true == 0)
    pick_pos = rng.choice(positive_rows, size=(resamples, positive_rows.size))
    pick_neg = rng.choice(negative_rows, size=(resamples, negative_rows.size))
    deltas = _rank_aucs(score_a[pick_pos], score_a[pick_neg]) - _rank_aucs(
        score_b[pick_pos], score_b[pick_neg]
    )
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(deltas, [tail, 100 - tail])
    return float(low), float(high)


def binormal_scores(
    rng: np.random.Generator,
    n: int,
    prevalence: float,
    separation_a: float,
    separation_b: float,
    correlation: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels and two correlated binormal scores: N(0, 1) for negatives, N(d, 1) for positives.

    The true AUC of a model with separation d is Φ(d/√2).
    """
    labels = (rng.random(n) < prevalence).astype(np.int64)
    shared = rng.standard_normal(n)
    own_a, own_b = rng.standard_normal(n), rng.standard_normal(n)
    weight = np.sqrt(correlation)
    rest = np.sqrt(1 - correlation)
    score_a = weight * shared + rest * own_a + separation_a * labels
    score_b = weight * shared + rest * own_b + separation_b * labels
    return labels, score_a, score_b
