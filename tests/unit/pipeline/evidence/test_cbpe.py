"""The AUC estimated without labels (CBPE): by hand, against weighted ROC, and by simulation."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from pipeline.evidence import cbpe


def test_the_expected_auc_of_three_rows_by_hand():
    # Scores 0.9, 0.6, 0.2 read as probabilities: row i is 0.9, 0.6, 0.2 of a positive.
    # A positive share outranks every negative share below it and half of its own row's:
    # 0.9 x (0.4 + 0.8) + 0.9 x 0.1 / 2 + 0.6 x 0.8 + 0.6 x 0.4 / 2 + 0.2 x 0.8 / 2 = 1.805,
    # over (0.9 + 0.6 + 0.2) x (0.1 + 0.4 + 0.8) = 2.21 pairs.
    scores = np.array([0.9, 0.6, 0.2])
    assert cbpe.expected_auc(scores, scores) == pytest.approx(1.805 / 2.21)
    _, group = np.unique(scores, return_inverse=True)
    assert cbpe.weighted_expected_auc(group, scores, np.ones(3)) == pytest.approx(1.805 / 2.21)


def test_the_bootstrap_formula_equals_the_estimate_on_resampled_rows():
    rng = np.random.default_rng(2)
    scores = np.round(rng.random(400), 2)  # ties on purpose
    p = np.clip(scores + rng.normal(0, 0.05, 400), 0, 1)
    _, group = np.unique(scores, return_inverse=True)
    for _ in range(5):
        rows = rng.integers(0, 400, 400)
        counts = np.bincount(rows, minlength=400).astype(float)
        assert cbpe.weighted_expected_auc(group, p, counts) == pytest.approx(
            cbpe.expected_auc(scores[rows], p[rows]), abs=1e-12
        )


def test_calibration_is_kept_only_where_it_helps():
    rng = np.random.default_rng(4)
    x = rng.normal(size=3000)
    y = (rng.random(3000) < 1 / (1 + np.exp(-x))).astype(int)
    calibrated_scores = 1 / (1 + np.exp(-x))
    squeezed = 1 / (1 + np.exp(-0.3 * x))  # the same ranking, far too timid
    assert cbpe.fit_calibrator(y, squeezed).isotonic is not None
    assert cbpe.fit_calibrator(y, calibrated_scores).isotonic is None
    assert (
        cbpe.fit_calibrator(
            np.r_[np.zeros(50), np.ones(50)], np.r_[np.zeros(50), np.ones(50)]
        ).isotonic
        is None
    )


def simulate(shift: float, flipped: bool, seed: int) -> tuple[float, float, float, float]:
    """A perfectly calibrated model (P = sigmoid(x)) with a reference of 3,000 rows; a batch of
    600 whose x moves by ``shift`` and, when ``flipped``, whose outcome follows sigmoid(-x)."""
    rng = np.random.default_rng(seed)
    x_ref = rng.normal(size=3000)
    y_ref = (rng.random(3000) < 1 / (1 + np.exp(-x_ref))).astype(int)
    score_ref = 1 / (1 + np.exp(-x_ref))
    x = rng.normal(shift, 0.8, 600)
    score = 1 / (1 + np.exp(-x))
    y = (rng.random(600) < 1 / (1 + np.exp(x if flipped else -x))).astype(int)
    estimated = cbpe.estimate_auc(cbpe.fit_calibrator(y_ref, score_ref), score)
    return estimated.estimate, roc_auc_score(y, score), estimated.ci_low, estimated.ci_high


def test_the_estimate_tracks_a_covariate_shift_and_misses_a_concept_flip():
    shifted = [simulate(1.0, False, seed) for seed in range(40)]
    errors = np.array([estimate - realised for estimate, realised, _, _ in shifted])
    # covariate shift: unbiased within sampling error (mean error 0 +/- 3 SE of the 40 runs)
    assert abs(errors.mean()) < 3 * errors.std(ddof=1) / np.sqrt(len(errors))
    assert np.abs(errors).mean() < 0.03
    flipped = [simulate(0.0, True, seed) for seed in range(10)]
    # concept flip: the estimate still says the model ranks well; the realised AUC is below 0.5
    for estimate, realised, _, _ in flipped:
        assert estimate > 0.65 and realised < 0.4
