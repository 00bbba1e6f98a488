"""The statistics module: exact values by hand, scikit-learn and a bootstrap as second opinions,
and a seeded coverage simulation."""

from __future__ import annotations

import json
import math
from statistics import NormalDist

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score

from pipeline.core import stats
from pipeline.core.stats import AucDifference, AucEstimate
from tests.support.bootstrap import binormal_scores, paired_bootstrap_interval

Z95 = NormalDist().inv_cdf(0.975)

# The tiny example: 3 positives then 2 negatives.
LABELS = np.array([1, 1, 1, 0, 0])
# Model a: positives 0.9, 0.6, 0.4; negatives 0.5, 0.2.
#   pairs (x > y): 0.9 beats both, 0.6 beats both, 0.4 beats 0.2 only -> AUC = 5/6
#   V10 (per positive, share of negatives beaten) = [1, 1, 1/2]
#   V01 (per negative, share of positives above it) = [2/3, 1]
#   S10 = var([1, 1, 1/2], ddof=1) = (1/36 + 1/36 + 4/36)/2 = 1/12
#   S01 = var([2/3, 1], ddof=1) = (1/36 + 1/36)/1 = 1/18
#   Var = S10/m + S01/n = (1/12)/3 + (1/18)/2 = 1/36 + 1/36 = 1/18
SCORE_A = np.array([0.9, 0.6, 0.4, 0.5, 0.2])
# Model b: positives 0.8, 0.3, 0.35; negatives 0.6, 0.1.
#   0.8 beats both, 0.3 and 0.35 beat 0.1 only -> AUC = 4/6 = 2/3
#   V10 = [1, 1/2, 1/2], V01 = [1/3, 1]
#   S10_bb = (1/9 + 1/36 + 1/36)/2 = 1/12; S01_bb = (1/9 + 1/9)/1 = 2/9
#   Var_b = (1/12)/3 + (2/9)/2 = 1/36 + 1/9 = 5/36
#   S10_ab = ((1/6)(1/3) + (1/6)(-1/6) + (-1/3)(-1/6))/2 = (3/36)/2 = 1/24
#   S01_ab = ((-1/6)(-1/3) + (1/6)(1/3))/1 = 1/9
#   Cov_ab = (1/24)/3 + (1/9)/2 = 1/72 + 1/18 = 5/72
#   Var(a - b) = 1/18 + 5/36 - 2·5/72 = 1/18; delta = 5/6 - 2/3 = 1/6
#   z = (1/6)/√(1/18) = √2/2, p = 2(1 - Φ(0.7071)) = 0.4795
SCORE_B = np.array([0.8, 0.3, 0.35, 0.6, 0.1])


def test_auc_and_delong_variance_match_the_hand_computation():
    estimate = stats.auc_with_ci(LABELS, SCORE_A)
    assert estimate.auc == pytest.approx(5 / 6)
    assert estimate.variance == pytest.approx(1 / 18)
    assert estimate.ci_low == pytest.approx(5 / 6 - Z95 * math.sqrt(1 / 18))
    assert estimate.ci_high == 1.0  # 5/6 + 0.46 is clipped to the largest possible AUC


def test_tied_scores_count_half_in_auc_and_variance():
    # Negatives 0.4 and 0.2: the positive 0.4 ties the first negative.
    #   V10 = [1, 1, (0.5 + 1)/2 = 3/4], AUC = 11/12; V01 = [(1 + 1 + 0.5)/3 = 5/6, 1]
    #   S10 = (1/144 + 1/144 + 4/144)/2 = 1/48; S01 = (1/144 + 1/144)/1 = 1/72
    #   Var = (1/48)/3 + (1/72)/2 = 1/144 + 1/144 = 1/72
    scores = np.array([0.9, 0.6, 0.4, 0.4, 0.2])
    estimate = stats.auc_with_ci(LABELS, scores)
    assert estimate.auc == pytest.approx(11 / 12)
    assert estimate.variance == pytest.approx(1 / 72)


def test_paired_difference_matches_the_hand_computation():
    diff = stats.paired_auc_difference(LABELS, SCORE_A, SCORE_B)
    assert diff.delta == pytest.approx(1 / 6)
    assert diff.variance == pytest.approx(1 / 18)
    assert diff.p_value == pytest.approx(2 * (1 - NormalDist().cdf(math.sqrt(2) / 2)))
    assert diff.p_value == pytest.approx(0.4795, abs=1e-4)
    assert diff.ci_low == pytest.approx(1 / 6 - Z95 * math.sqrt(1 / 18))
    assert diff.ci_high == pytest.approx(1 / 6 + Z95 * math.sqrt(1 / 18))
    assert stats.verdict(diff) == "within_noise"


def test_delong_covariance_reports_each_variance_and_the_covariance():
    aucs, covariance = stats.delong_covariance(LABELS, [SCORE_A, SCORE_B])
    assert aucs == pytest.approx([5 / 6, 2 / 3])
    assert covariance == pytest.approx(np.array([[1 / 18, 5 / 72], [5 / 72, 5 / 36]]))


def test_auc_agrees_with_scikit_learn_on_tied_scores():
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, 500)
    scores = np.round(rng.random(500) + 0.3 * labels, 1)  # coarse rounding: many ties
    assert stats.auc_with_ci(labels, scores).auc == pytest.approx(roc_auc_score(labels, scores))


def test_identical_scores_give_zero_difference_zero_width_and_p_one():
    rng = np.random.default_rng(5)
    labels, scores, _ = binormal_scores(rng, 300, 0.4, 1.0, 1.0, 0.5)
    diff = stats.paired_auc_difference(labels, scores, scores.copy())
    assert diff == AucDifference(delta=0.0, ci_low=0.0, ci_high=0.0, p_value=1.0, variance=0.0)
    assert stats.verdict(diff) == "within_noise"


def test_independent_difference_adds_the_variances():
    a = AucEstimate(auc=0.70, ci_low=0.0, ci_high=1.0, variance=0.0001)
    b = AucEstimate(auc=0.65, ci_low=0.0, ci_high=1.0, variance=0.0003)
    diff = stats.independent_auc_difference(a, b)
    assert diff.delta == pytest.approx(0.05)
    assert diff.variance == pytest.approx(0.0004)
    assert diff.ci_low == pytest.approx(0.05 - Z95 * 0.02)
    assert diff.ci_high == pytest.approx(0.05 + Z95 * 0.02)
    assert stats.verdict(diff) == "better"
    assert stats.verdict(stats.independent_auc_difference(b, a)) == "worse"


@pytest.mark.parametrize(
    ("drift", "delta", "expected"),
    [
        (True, -0.08, "drift_with_harm"),
        (True, -0.01, "harmless_alarm"),
        (False, -0.08, "missed_alarm"),
        (False, -0.01, "quiet"),
        (False, 0.08, "quiet"),  # a significant gain is not harm
    ],
)
def test_alarm_outcome_crosses_drift_with_significant_harm(drift, delta, expected):
    harm = AucDifference(delta, delta - 0.03, delta + 0.03, 0.5, 0.0002)
    assert stats.alarm_outcome(drift, harm) == expected


def test_bad_input_is_refused_in_one_clear_line():
    with pytest.raises(ValueError, match="at least 2 positives"):
        stats.auc_with_ci(np.array([1, 0, 0]), np.array([0.9, 0.1, 0.2]))
    with pytest.raises(ValueError, match="NaN"):
        stats.auc_with_ci(LABELS, np.array([0.9, np.nan, 0.4, 0.5, 0.2]))
    with pytest.raises(ValueError, match="rows"):
        stats.paired_auc_difference(LABELS, SCORE_A, SCORE_B[:4])
    with pytest.raises(ValueError, match="level"):
        stats.auc_with_ci(LABELS, SCORE_A, level=95)


def test_paired_delong_interval_agrees_with_a_stratified_bootstrap_on_binormal_scores():
    rng = np.random.default_rng(2024)
    labels, score_a, score_b = binormal_scores(rng, 600, 0.45, 0.8, 0.7, 0.6)
    diff = stats.paired_auc_difference(labels, score_a, score_b)
    low, high = paired_bootstrap_interval(labels, score_a, score_b, seed=7)
    assert diff.ci_low == pytest.approx(low, abs=0.01)
    assert diff.ci_high == pytest.approx(high, abs=0.01)


def test_paired_interval_covers_the_true_difference_in_about_95_percent_of_draws():
    # Binormal: true AUC = Φ(d/√2). Separations 0.9 vs 0.7, correlated scores, n = 600.
    rng = np.random.default_rng(42)
    truth = NormalDist().cdf(0.9 / math.sqrt(2)) - NormalDist().cdf(0.7 / math.sqrt(2))
    draws = 1_000
    covered = 0
    for _ in range(draws):
        labels, score_a, score_b = binormal_scores(rng, 600, 0.45, 0.9, 0.7, 0.5)
        diff = stats.paired_auc_difference(labels, score_a, score_b)
        covered += diff.ci_low <= truth <= diff.ci_high
    assert 0.93 <= covered / draws <= 0.97


# --- Calibration ------------------------------------------------------------------------------
# 6 rows; predictions 0.05 0.15 0.15 0.55 0.95 0.95, outcomes 0 0 1 1 1 0.
#   bins (width 0.1): [0.0,0.1): 0.05/obs 0 (n=1); [0.1,0.2): 0.15/obs 1/2 (n=2);
#   [0.5,0.6): 0.55/obs 1 (n=1); [0.9,1.0]: 0.95/obs 1/2 (n=2)
#   ECE = (1·0.05 + 2·0.35 + 1·0.45 + 2·0.45)/6 = 2.1/6 = 0.35
#   Brier = (0.0025 + 0.0225 + 0.7225 + 0.2025 + 0.0025 + 0.9025)/6 = 1.855/6
CAL_LABELS = np.array([0, 0, 1, 1, 1, 0])
CAL_PROBS = np.array([0.05, 0.15, 0.15, 0.55, 0.95, 0.95])


def test_reliability_bins_ece_and_brier_match_the_hand_computation():
    bins = stats.reliability_curve(CAL_LABELS, CAL_PROBS)
    assert [b.count for b in bins] == [1, 2, 1, 2]
    assert [b.mean_predicted for b in bins] == pytest.approx([0.05, 0.15, 0.55, 0.95])
    assert [b.observed for b in bins] == pytest.approx([0.0, 0.5, 1.0, 0.5])
    assert stats.expected_calibration_error(CAL_LABELS, CAL_PROBS) == pytest.approx(0.35)
    assert stats.brier(CAL_LABELS, CAL_PROBS) == pytest.approx(1.855 / 6)
    assert stats.brier(CAL_LABELS, CAL_PROBS) == pytest.approx(
        brier_score_loss(CAL_LABELS, CAL_PROBS)
    )


def test_a_probability_of_exactly_one_falls_in_the_last_bin():
    bins = stats.reliability_curve(np.array([1, 0]), np.array([1.0, 0.0]))
    assert [(b.mean_predicted, b.count) for b in bins] == [(0.0, 1), (1.0, 1)]


def test_reliability_artifact_is_strict_json_without_empty_bins():
    result = stats.calibration(CAL_LABELS, CAL_PROBS)
    text = json.dumps(result.reliability_json(), allow_nan=False)
    payload = json.loads(text)
    assert [b["count"] for b in payload["bins"]] == [1, 2, 1, 2]
    assert payload["ece"] == pytest.approx(0.35)


def test_calibrated_probabilities_have_intercept_zero_and_slope_one():
    rng = np.random.default_rng(8)
    probabilities = rng.uniform(0.05, 0.95, 20_000)
    labels = (rng.random(20_000) < probabilities).astype(np.int64)
    result = stats.calibration(labels, probabilities)
    assert result.intercept == pytest.approx(0.0, abs=0.05)
    assert result.slope == pytest.approx(1.0, abs=0.05)


def test_overconfident_and_biased_predictions_are_seen():
    # True log-odds t; the model says 2t - 0.5: too extreme (slope 1/2) and too low (intercept > 0).
    rng = np.random.default_rng(9)
    true_logit = rng.normal(0, 1, 20_000)
    labels = (rng.random(20_000) < 1 / (1 + np.exp(-true_logit))).astype(np.int64)
    said = 1 / (1 + np.exp(-(2 * true_logit - 0.5)))
    result = stats.calibration(labels, said)
    assert result.slope == pytest.approx(0.5, abs=0.05)
    assert result.intercept > 0.1


def test_slope_agrees_with_unpenalised_scikit_learn_and_intercept_solves_its_score_equation():
    rng = np.random.default_rng(10)
    probabilities = rng.uniform(0.1, 0.9, 800)
    labels = (rng.random(800) < probabilities**1.5).astype(np.int64)
    logits = np.log(probabilities / (1 - probabilities))
    reference = LogisticRegression(penalty=None, tol=1e-10, max_iter=1000).fit(
        logits[:, None], labels
    )
    assert stats.calibration_slope(labels, probabilities) == pytest.approx(
        reference.coef_[0, 0], abs=1e-5
    )
    # With the logit as offset, the fitted intercept makes the mean recalibrated probability
    # equal the observed rate (the maximum-likelihood score equation).
    intercept = stats.calibration_intercept(labels, probabilities)
    recalibrated = 1 / (1 + np.exp(-(intercept + logits)))
    assert recalibrated.mean() == pytest.approx(labels.mean(), abs=1e-9)


def test_calibration_refuses_constant_predictions_and_out_of_range_values():
    with pytest.raises(ValueError, match="same probability"):
        stats.calibration_slope(np.array([0, 1, 1]), np.array([0.3, 0.3, 0.3]))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        stats.brier(np.array([0, 1]), np.array([0.3, 1.2]))


# --- Chance band ------------------------------------------------------------------------------
def test_chance_band_takes_the_median_and_95th_percentile():
    # 21 shares 0.00, 0.01, ..., 0.20: the median is 0.10, the 95th percentile 0.19.
    band = stats.chance_band([i / 100 for i in range(21)])
    assert band.p50 == pytest.approx(0.10)
    assert band.p95 == pytest.approx(0.19)
    assert band.samples == 21
    assert band.max == pytest.approx(0.20)
    with pytest.raises(ValueError, match="no drift shares"):
        stats.chance_band([])
