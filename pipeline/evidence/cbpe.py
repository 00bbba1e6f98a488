"""A model's AUC estimated before the labels arrive: confidence-based performance estimation.

Readmission labels arrive 30 days or more after the encounter. NannyML's CBPE estimates a
classifier's AUC from its own probabilities: calibrate them on a labelled reference period, read
each calibrated probability as the expected label, and take the AUC of the expected ROC curve.
It follows a covariate shift (the probabilities move with the patients) and is blind, by
construction, to a change in how the features relate to the outcome (concept drift).

This module follows NannyML 0.13.1 (``nannyml.calibration`` and
``performance_estimation/confidence_based/metrics.py``, ``estimate_roc_auc``) step for step, so
the two agree (``bench/cbpe_agreement.py`` checks it; NannyML itself pins plotly < 6 and needs
statsmodels, so it stays out of this project's environment):

- **Reference**: the model's scores on ``initial_test``, with their labels. Not the validation
  rows, as NannyML's guide suggests: every model here is refit on training + validation rows,
  so its validation scores are in-sample, and calibrating on them inflated every estimate by
  0.04-0.08 of AUC on seed 42. ``initial_test`` holds only test patients, never trained on.
- **Calibration**: isotonic regression (scikit-learn's ``IsotonicRegression``, clipped), kept only
  when it lowers the expected calibration error on held-out reference rows: 10 stratified
  shuffle splits (10% held out, seed 42), ECE over 10 equal-count bins, as NannyML decides.
- **Estimate**: rows ranked by the model's own score; the expected ROC curve counts a row as
  ``p`` of a positive and ``1 - p`` of a negative, ``p`` its calibrated probability. Its area is
  scikit-learn's weighted ``roc_auc_score`` over each row entered twice (a positive weighted
  ``p``, a negative weighted ``1 - p``): the same curve, ties included.
- **Interval**: a seeded bootstrap over the batch's rows (``BOOTSTRAP_DRAWS`` resamples), 2.5th
  and 97.5th percentiles: the estimate's sampling error on a batch of this size. The calibrator
  is held fixed (it is fitted on the reference, not on the batch).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Final

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedShuffleSplit

METHOD: Final = "cbpe_isotonic"
BOOTSTRAP_DRAWS: Final = 200
BOOTSTRAP_SEED: Final = 20_261_205
_SPLITS: Final = 10  # NannyML's needs_calibration: split_count=10, test_size=0.1, random_state=42
_HELD_OUT: Final = 0.1
_SPLIT_SEED: Final = 42
_BINS: Final = 10
_SEPARABLE_AUC: Final = 0.999  # NannyML leaves a near-perfect reference uncalibrated


@dataclass(frozen=True)
class Calibrator:
    """Isotonic calibration fitted on the reference, or the identity when it does not help."""

    isotonic: IsotonicRegression | None

    def apply(self, scores: np.ndarray) -> np.ndarray:
        scores = np.asarray(scores, dtype=np.float64)
        if self.isotonic is None:
            return scores
        return np.asarray(self.isotonic.predict(scores), dtype=np.float64)


@dataclass(frozen=True)
class EstimatedAuc:
    estimate: float
    ci_low: float
    ci_high: float
    calibrated: bool  # whether the isotonic calibration was kept


def _isotonic() -> IsotonicRegression:
    return IsotonicRegression(out_of_bounds="clip", increasing=True)


def _equal_count_ece(y_true: np.ndarray, y_prob: np.ndarray, bins: int = _BINS) -> float:
    """ECE over equal-count bins of the sorted predictions (NannyML's calibration check)."""
    order = np.argsort(y_prob)
    y_prob, y_true = y_prob[order], y_true[order]
    n = len(y_prob)
    if n <= 2 * bins:
        bins = n // 2
    # NannyML's edges: every (n // bins) rows, the last edge moved to n
    cuts = np.asarray(range(0, n + 1, n // bins))
    cuts[-1] = n
    edges = list(itertools.pairwise(cuts))
    return float(
        sum(
            (right - left) / n * abs(np.mean(y_prob[left:right]) - np.mean(y_true[left:right]))
            for left, right in edges
        )
    )


def fit_calibrator(y_reference: np.ndarray, scores_reference: np.ndarray) -> Calibrator:
    """Isotonic calibration when it lowers the held-out ECE on the reference, else none."""
    y = np.asarray(y_reference, dtype=np.int64)
    scores = np.asarray(scores_reference, dtype=np.float64)
    if len(np.unique(y)) < 2 or roc_auc_score(y, scores) > _SEPARABLE_AUC:
        return Calibrator(None)
    splits = StratifiedShuffleSplit(n_splits=_SPLITS, test_size=_HELD_OUT, random_state=_SPLIT_SEED)
    truth, raw, calibrated = [], [], []
    for train, test in splits.split(scores, y):
        fold = _isotonic().fit(scores[train], y[train])
        truth.append(y[test])
        raw.append(scores[test])
        calibrated.append(fold.predict(scores[test]))
    y_test = np.concatenate(truth)
    before = _equal_count_ece(y_test, np.concatenate(raw))
    after = _equal_count_ece(y_test, np.concatenate(calibrated))
    if before > after:
        return Calibrator(_isotonic().fit(scores, y))
    return Calibrator(None)


def expected_auc(scores: np.ndarray, probabilities: np.ndarray) -> float:
    """The AUC of the expected ROC curve: rows ranked by ``scores``, each ``p`` of a positive
    and ``1 - p`` of a negative (``probabilities`` calibrated)."""
    scores = np.asarray(scores, dtype=np.float64)
    p = np.clip(np.asarray(probabilities, dtype=np.float64), 0.0, 1.0)
    if p.sum() <= 0 or (1 - p).sum() <= 0:
        raise ValueError("the expected labels are all one outcome: the AUC is undefined")
    labels = np.r_[np.ones(len(p)), np.zeros(len(p))]
    return float(roc_auc_score(labels, np.r_[scores, scores], sample_weight=np.r_[p, 1 - p]))


def weighted_expected_auc(group: np.ndarray, p: np.ndarray, counts: np.ndarray) -> float:
    """``expected_auc`` for rows taken ``counts`` times (a bootstrap resample), in O(n).

    ``group`` numbers the distinct scores in ascending order. A positive share outranks every
    negative share at a lower score and half of those at its own (the trapezoid over a tie).
    The tests check it against ``expected_auc`` on resampled rows.
    """
    n_groups = int(group.max()) + 1
    positive = np.bincount(group, weights=counts * p, minlength=n_groups)
    negative = np.bincount(group, weights=counts * (1.0 - p), minlength=n_groups)
    below = np.cumsum(negative) - negative
    pairs = positive.sum() * negative.sum()
    if pairs <= 0:
        return float("nan")
    return float(np.sum(positive * (below + 0.5 * negative)) / pairs)


def estimate_auc(
    calibrator: Calibrator, scores: np.ndarray, draws: int = BOOTSTRAP_DRAWS
) -> EstimatedAuc:
    """The estimated AUC of a model on rows it scored, with a bootstrap interval over the rows."""
    scores = np.asarray(scores, dtype=np.float64)
    p = calibrator.apply(scores)
    estimate = expected_auc(scores, p)
    _, group = np.unique(scores, return_inverse=True)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    n = len(scores)
    counts = rng.multinomial(n, np.full(n, 1.0 / n), size=draws)
    resampled = [weighted_expected_auc(group, p, row) for row in counts.astype(np.float64)]
    resampled = [value for value in resampled if np.isfinite(value)]
    low, high = np.percentile(resampled, [2.5, 97.5]) if resampled else (estimate, estimate)
    return EstimatedAuc(estimate, float(low), float(high), calibrator.isotonic is not None)
