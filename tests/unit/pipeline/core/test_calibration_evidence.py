"""What a calibration figure and a non-significant drop can be compared with: the slope's
interval, the ECE perfect calibration reaches, and the smallest drop a comparison detects."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from pipeline.core import stats


def calibrated_sample(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Predictions spread like a readmission model's, outcomes drawn from them (slope 1)."""
    probabilities = rng.beta(2.0, 3.0, n)
    return (rng.random(n) < probabilities).astype(int), probabilities


# --- The calibration slope's interval ------------------------------------------------------------
def test_the_slope_and_its_error_agree_with_independent_methods():
    rng = np.random.default_rng(3)
    y, p = calibrated_sample(rng, 800)
    slope, low, high = stats.calibration_slope_with_ci(y, p)
    logits = np.log(p / (1 - p))
    # the slope: scikit-learn's unpenalised fit
    fitted = LogisticRegression(penalty=None, tol=1e-12, max_iter=10_000).fit(logits[:, None], y)
    assert slope == pytest.approx(fitted.coef_[0][0], abs=1e-6)

    # the standard error: the log-likelihood's curvature by finite differences, not the Hessian
    def log_likelihood(a: float, b: float) -> float:
        eta = a + b * logits
        return float(np.sum(y * eta - np.log1p(np.exp(eta))))

    point, h = np.array([float(fitted.intercept_[0]), slope]), 1e-4

    def f(shift: np.ndarray) -> float:
        return log_likelihood(*(point + shift))

    second = np.empty((2, 2))
    for i, j in ((0, 0), (0, 1), (1, 1)):
        e_i, e_j = np.eye(2)[i] * h, np.eye(2)[j] * h
        second[i, j] = second[j, i] = (
            f(e_i + e_j) - f(e_i - e_j) - f(-e_i + e_j) + f(-e_i - e_j)
        ) / (4 * h * h)
    standard_error = np.sqrt(np.linalg.inv(-second)[1, 1])
    assert (high - low) / (2 * 1.959964) == pytest.approx(standard_error, rel=1e-4)


def test_the_slope_interval_covers_the_true_slope_95_times_in_100():
    rng = np.random.default_rng(20261205)
    covered = 0
    simulations = 400
    for _ in range(simulations):
        _, low, high = stats.calibration_slope_with_ci(*calibrated_sample(rng, 600))
        covered += low <= 1.0 <= high
    # 400 draws of a 95% interval: 380 expected, 3 SD = 13
    assert 367 <= covered <= 393


# --- ECE under perfect calibration ---------------------------------------------------------------
def test_the_ece_null_of_two_coin_flips_by_hand():
    # Two rows predicted 0.5, one bin: outcomes 00 or 11 (probability 1/2) give ECE 0.5,
    # 01 or 10 give 0. The 95th percentile of that distribution is 0.5.
    assert stats.ece_null_p95(np.array([0.5, 0.5])) == 0.5


def test_a_perfectly_calibrated_model_exceeds_the_null_p95_about_5_times_in_100():
    rng = np.random.default_rng(11)
    p = rng.beta(2.0, 3.0, 600)
    threshold = stats.ece_null_p95(p)
    assert stats.ece_null_p95(p) == threshold  # seeded: the same predictions, the same figure
    exceed = sum(
        stats.expected_calibration_error((rng.random(600) < p).astype(int), p) > threshold
        for _ in range(400)
    )
    assert 8 <= exceed <= 35  # 20 expected; a binomial(400, 0.05) lies here 99.9% of the time
    # and at n = 600 a perfectly calibrated model's ECE is far from 0 (the 0.060)
    assert 0.04 < threshold < 0.08


def test_the_calibration_carries_both_figures():
    y, p = calibrated_sample(np.random.default_rng(5), 600)
    measured = stats.calibration(y, p)
    assert measured.slope_ci_low < measured.slope < measured.slope_ci_high
    assert measured.ece_null_p95 == stats.ece_null_p95(p)


# --- The smallest detectable drop ----------------------------------------------------------------
def test_the_detectable_difference_by_hand_and_by_simulation():
    # An interval of +/-0.0392 is a standard error of 0.02 (0.0392 / 1.96);
    # (1.959964 + 0.841621) x 0.02 = 0.0560317.
    difference = stats.AucDifference(
        delta=0.0, ci_low=-0.039199, ci_high=0.039199, p_value=1.0, variance=0.0004
    )
    detectable = stats.detectable_difference(difference)
    assert detectable == pytest.approx(0.0560317, abs=1e-5)
    # a true drop of that size is found 80% of the time
    rng = np.random.default_rng(8)
    estimates = rng.normal(-detectable, 0.02, 20_000)
    assert np.mean(np.abs(estimates / 0.02) > 1.959964) == pytest.approx(0.80, abs=0.01)
