"""Statistics for the evidence the report shows: AUC intervals, paired differences, calibration.

Pure functions over numpy arrays returning frozen dataclasses; nothing here touches MLflow.
Like NannyML's ``sampling_error/``, uncertainty lives in one module of its own, so the pipeline
(which logs the figures) and the report API (which averages logged figures) use one definition.

What is hand-written, and why:
- **DeLong variance and covariance** (DeLong, DeLong & Clarke-Pearson 1988) by the fast
  O(n log n) midrank algorithm of Sun & Xu (2014, IEEE Signal Processing Letters 21(11)).
  Neither scipy nor scikit-learn provides DeLong; the algorithm is ~20 lines. The midranks are
  computed here too (``_midranks``, equal to ``scipy.stats.rankdata(method="average")``) so that
  this module needs numpy alone and the report API, which has no scipy, can import it.
- **Normal quantiles and p-values** come from the standard library (``statistics.NormalDist``),
  for the same reason.
- **Calibration intercept and slope** are maximum-likelihood logistic fits on the logit of the
  predicted probability, by Newton-Raphson (``_logistic_fit``). The intercept
  (calibration-in-the-large) is fitted with the logit as an *offset* (slope fixed at 1), which
  scikit-learn's ``LogisticRegression`` cannot express; the slope is the unpenalised
  two-parameter fit (scikit-learn penalises by default). Both are 1- or 2-parameter problems
  whose Newton iteration converges in a handful of steps.
- Brier score is scikit-learn's definition (mean squared error of the probability); ECE uses 10
  equal-width bins on [0, 1] (the last bin closed), weighted by bin count.

Everything the report shows is 95% by default; intervals of an AUC are clipped to [0, 1] and of a
difference to [-1, 1]. Degenerate cases are defined rather than NaN: a zero variance gives a
zero-width interval, and p = 1 when the difference is 0 (p = 0 otherwise).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Final, Literal

import numpy as np

from pipeline.core import contract

DEFAULT_LEVEL: Final = 0.95
CALIBRATION_BINS: Final = 10
ECE_NULL_DRAWS: Final = 400  # draws of outcomes from the predictions themselves (>= 200)
ECE_NULL_SEED: Final = 20_261_205
_STANDARD_NORMAL: Final = NormalDist()
CHANCE_AUC: Final = contract.CHANCE_AUC
_LOGIT_CLIP: Final = 1e-12  # probabilities are clipped to [eps, 1 - eps] before the logit
_NEWTON_MAX_STEPS: Final = 100
_NEWTON_TOLERANCE: Final = 1e-10

Verdict = Literal["better", "worse", "within_noise"]
AlarmOutcome = Literal["drift_with_harm", "harmless_alarm", "missed_alarm", "quiet"]


# --- Results ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class AucEstimate:
    """An AUC with its DeLong variance and confidence interval (clipped to [0, 1])."""

    auc: float
    ci_low: float
    ci_high: float
    variance: float


@dataclass(frozen=True)
class AucDifference:
    """``delta`` = AUC(a) - AUC(b), its variance, interval (clipped to [-1, 1]) and p-value."""

    delta: float
    ci_low: float
    ci_high: float
    p_value: float
    variance: float


@dataclass(frozen=True)
class ReliabilityBin:
    """One non-empty calibration bin: mean predicted probability, observed rate, row count."""

    mean_predicted: float
    observed: float
    count: int


@dataclass(frozen=True)
class Calibration:
    """A model's calibration on one test set."""

    brier: float
    ece: float
    intercept: float  # calibration-in-the-large: 0 when the mean prediction is right
    slope: float  # 1 when the spread of predictions is right; < 1: too extreme
    bins: tuple[ReliabilityBin, ...]
    slope_ci_low: float | None = None  # 95% Wald interval of the slope
    slope_ci_high: float | None = None
    ece_null_p95: float | None = None  # the ECE perfect calibration reaches at its 95th percentile

    def reliability_json(self) -> dict[str, object]:
        """The strict-JSON reliability artifact: ``{"bins": [...], "brier": ..., "ece": ...}``."""
        return {
            "bins": [
                {"mean_predicted": b.mean_predicted, "observed": b.observed, "count": b.count}
                for b in self.bins
            ],
            "brier": self.brier,
            "ece": self.ece,
        }


@dataclass(frozen=True)
class ChanceBand:
    """The drift share where nothing changed: its 50th and 95th percentiles and maximum."""

    p50: float
    p95: float
    samples: int
    max: float


# --- AUC and DeLong -------------------------------------------------------------------------------
def auc_with_ci(
    y_true: np.ndarray, y_score: np.ndarray, level: float = DEFAULT_LEVEL
) -> AucEstimate:
    """The AUC with its DeLong variance and a ``level`` normal interval clipped to [0, 1]."""
    aucs, covariance = delong_covariance(y_true, [y_score])
    auc, variance = float(aucs[0]), float(covariance[0, 0])
    low, high = _normal_interval(auc, variance, level)
    return AucEstimate(auc, max(low, 0.0), min(high, 1.0), variance)


def paired_auc_difference(
    y_true: np.ndarray,
    score_a: np.ndarray,
    score_b: np.ndarray,
    level: float = DEFAULT_LEVEL,
) -> AucDifference:
    """AUC(a) - AUC(b) for two models scored on the same rows: paired DeLong covariance."""
    aucs, covariance = delong_covariance(y_true, [score_a, score_b])
    delta = float(aucs[0] - aucs[1])
    variance = float(covariance[0, 0] + covariance[1, 1] - 2.0 * covariance[0, 1])
    return _difference(delta, variance, level)


def independent_auc_difference(
    a: AucEstimate, b: AucEstimate, level: float = DEFAULT_LEVEL
) -> AucDifference:
    """AUC(a) - AUC(b) measured on independent test sets: the variances add."""
    return _difference(a.auc - b.auc, a.variance + b.variance, level)


def delong_covariance(
    y_true: np.ndarray, scores: Sequence[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """AUCs of k models on the same rows and their kxk DeLong covariance (Sun & Xu 2014).

    With m positives X and n negatives Y, and midranks taken within X, within Y and within both
    (Z), for each model: AUC = (ΣR_Z(X) - m(m+1)/2)/(mn); the structural components are
    V10_i = (R_Z(X_i) - R_X(X_i))/n and V01_j = 1 - (R_Z(Y_j) - R_Y(Y_j))/m; and
    Cov = S10/m + S01/n with S10, S01 the sample covariances (ddof 1) of V10 and V01.
    """
    labels = _binary_labels(y_true)
    rows = [np.asarray(s, dtype=np.float64).reshape(-1) for s in scores]
    if any(row.size != labels.size for row in rows):
        sizes = ", ".join(str(row.size) for row in rows)
        raise ValueError(f"scores have {sizes} rows but the labels have {labels.size}")
    matrix = np.vstack(rows)
    if not np.all(np.isfinite(matrix)):
        raise ValueError("scores contain NaN or infinite values")
    positives, negatives = matrix[:, labels == 1], matrix[:, labels == 0]
    m, n = positives.shape[1], negatives.shape[1]
    if m < 2 or n < 2:
        raise ValueError(f"DeLong needs at least 2 positives and 2 negatives; got {m} and {n}")
    within_x = np.vstack([_midranks(row) for row in positives])
    within_y = np.vstack([_midranks(row) for row in negatives])
    within_z = np.vstack([_midranks(row) for row in np.hstack([positives, negatives])])
    aucs = (within_z[:, :m].sum(axis=1) - m * (m + 1) / 2.0) / (m * n)
    v10 = (within_z[:, :m] - within_x) / n
    v01 = 1.0 - (within_z[:, m:] - within_y) / m
    covariance = np.atleast_2d(np.cov(v10)) / m + np.atleast_2d(np.cov(v01)) / n
    return aucs, covariance


def interval_verdict(ci_low: float, ci_high: float) -> Verdict:
    """Where an interval of a difference lies against 0: the one "interval below 0" rule.

    ``better`` when it lies wholly above 0, ``worse`` when wholly below, else ``within_noise``.
    """
    if ci_low > 0:
        return "better"
    if ci_high < 0:
        return "worse"
    return "within_noise"


def verdict(diff: AucDifference) -> Verdict:
    """``better``/``worse`` when the interval excludes 0, else ``within_noise``."""
    return interval_verdict(diff.ci_low, diff.ci_high)


def worse_than_chance(ci_high: float | None) -> bool | None:
    """True when an AUC's whole interval lies below 0.5; None when there is no interval."""
    if ci_high is None:
        return None
    return ci_high < CHANCE_AUC


@dataclass(frozen=True)
class MeanEstimate:
    """The mean of independent estimates: variances add (var of the mean = sum(var) / k^2)."""

    mean: float
    ci_low: float
    ci_high: float
    p_value: float  # two-sided, against 0
    variance: float


def mean_of_independent(
    estimates: Sequence[float], variances: Sequence[float], level: float = DEFAULT_LEVEL
) -> MeanEstimate:
    """Mean of estimates from independent samples, with its normal interval and p-value.

    The one "average independent estimates" rule. Raises ``ValueError`` on no estimates or
    mismatched lengths. A zero variance gives the point as its interval and p = 1 at 0 (0 else).
    """
    if not estimates or len(estimates) != len(variances):
        raise ValueError("mean_of_independent needs as many variances as estimates (at least one)")
    k = len(estimates)
    mean = float(sum(estimates)) / k
    variance = max(float(sum(variances)), 0.0) / k**2
    low, high = _normal_interval(mean, variance, level)
    if variance > 0:
        p_value = 2.0 * (1.0 - _STANDARD_NORMAL.cdf(abs(mean) / math.sqrt(variance)))
    else:
        p_value = float(mean == 0.0)
    return MeanEstimate(mean=mean, ci_low=low, ci_high=high, p_value=p_value, variance=variance)


def variance_from_interval(ci_low: float, ci_high: float, level: float = DEFAULT_LEVEL) -> float:
    """The variance a symmetric normal interval of this level implies (for logged intervals)."""
    z = _STANDARD_NORMAL.inv_cdf(0.5 + level / 2)
    return ((ci_high - ci_low) / (2 * z)) ** 2


def detectable_difference(
    difference: AucDifference, power: float = 0.80, level: float = DEFAULT_LEVEL
) -> float:
    """The smallest true difference this comparison detects with ``power`` (two-sided, ``level``):
    (z of 1 - alpha/2 + z of the power) standard errors, the error read from its interval."""
    standard_error = math.sqrt(variance_from_interval(difference.ci_low, difference.ci_high, level))
    z_level = _STANDARD_NORMAL.inv_cdf(0.5 + level / 2)
    return (z_level + _STANDARD_NORMAL.inv_cdf(power)) * standard_error


def alarm_outcome(drift_triggered: bool, harm: AucDifference) -> AlarmOutcome:
    """Cross the drift verdict with harm: a significant drop of the never-retrained model's AUC.

    ``harm`` is AUC on this batch - AUC on the initial test set; harm means its interval lies
    entirely below 0.
    """
    harmed = verdict(harm) == "worse"
    if drift_triggered:
        return "drift_with_harm" if harmed else "harmless_alarm"
    return "missed_alarm" if harmed else "quiet"


def _difference(delta: float, variance: float, level: float) -> AucDifference:
    variance = max(variance, 0.0)  # rounding can leave -1e-18 for identical scores
    low, high = _normal_interval(delta, variance, level)
    if variance > 0:
        p_value = 2.0 * (1.0 - _STANDARD_NORMAL.cdf(abs(delta) / math.sqrt(variance)))
    else:
        p_value = 1.0 if delta == 0 else 0.0
    return AucDifference(delta, max(low, -1.0), min(high, 1.0), p_value, variance)


def _normal_interval(estimate: float, variance: float, level: float) -> tuple[float, float]:
    if not 0 < level < 1:
        raise ValueError(f"confidence level must lie strictly between 0 and 1, not {level}")
    half_width = _STANDARD_NORMAL.inv_cdf(0.5 + level / 2.0) * math.sqrt(max(variance, 0.0))
    return estimate - half_width, estimate + half_width


def _midranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks with ties given their average rank (``rankdata(method="average")``)."""
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    # Each run of equal values [start, end) shares the rank (start + 1 + end) / 2.
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    ends = np.append(starts[1:], ordered.size)
    run_ranks = (starts + 1 + ends) / 2.0
    ranks = np.empty(values.size, dtype=np.float64)
    ranks[order] = np.repeat(run_ranks, ends - starts)
    return ranks


def _binary_labels(y_true: np.ndarray) -> np.ndarray:
    labels = np.asarray(y_true).reshape(-1)
    if labels.size and not np.isin(labels, (0, 1)).all():
        raise ValueError("labels must be 0 or 1")
    return labels.astype(np.int64)


# --- Calibration ----------------------------------------------------------------------------
def brier(y_true: np.ndarray, y_prob: np.ndarray) -> float:
    """Mean squared difference between the predicted probability and the outcome."""
    labels, probabilities = _calibration_inputs(y_true, y_prob)
    return float(np.mean((probabilities - labels) ** 2))


def reliability_curve(
    y_true: np.ndarray, y_prob: np.ndarray, n_bins: int = CALIBRATION_BINS
) -> tuple[ReliabilityBin, ...]:
    """Equal-width bins on [0, 1] (last one closed); empty bins are left out."""
    labels, probabilities = _calibration_inputs(y_true, y_prob)
    index = np.minimum((probabilities * n_bins).astype(np.int64), n_bins - 1)
    counts = np.bincount(index, minlength=n_bins)
    predicted = np.bincount(index, weights=probabilities, minlength=n_bins)
    observed = np.bincount(index, weights=labels, minlength=n_bins)
    return tuple(
        ReliabilityBin(
            float(predicted[b] / counts[b]), float(observed[b] / counts[b]), int(counts[b])
        )
        for b in range(n_bins)
        if counts[b] > 0
    )


def expected_calibration_error(
    y_true: np.ndarray, y_prob: np.ndarray, n_bins: int = CALIBRATION_BINS
) -> float:
    """Σ over bins of (bin share of rows) x |mean predicted - observed rate|."""
    return _ece(reliability_curve(y_true, y_prob, n_bins))


def calibration_intercept(y_true: np.ndarray, y_prob: np.ndarray) -> float:
    """Calibration-in-the-large: a in logit P(y=1) = a + logit(p), the slope fixed at 1."""
    labels, probabilities = _calibration_inputs(y_true, y_prob)
    logits = _logit(probabilities)
    (intercept,) = _logistic_fit(np.ones((labels.size, 1)), labels, offset=logits)
    return intercept


def calibration_slope(y_true: np.ndarray, y_prob: np.ndarray) -> float:
    """Logistic recalibration: b in logit P(y=1) = a + b·logit(p)."""
    return calibration_slope_with_ci(y_true, y_prob)[0]


def calibration_slope_with_ci(
    y_true: np.ndarray, y_prob: np.ndarray, level: float = DEFAULT_LEVEL
) -> tuple[float, float, float]:
    """(slope, low, high): the slope with its Wald interval from the fit's observed information.

    scikit-learn's logistic regression gives coefficients but no standard errors, and statsmodels
    is not a dependency; the inverse Hessian is already at hand from the Newton fit.
    """
    labels, probabilities = _calibration_inputs(y_true, y_prob)
    logits = _logit(probabilities)
    if np.ptp(logits) == 0:
        raise ValueError("every prediction is the same probability: the slope is undefined")
    design = np.column_stack([np.ones(labels.size), logits])
    coefficients = _logistic_fit(design, labels, offset=np.zeros(labels.size))
    fitted = 1.0 / (1.0 + np.exp(-(design @ np.asarray(coefficients))))
    information = (design * (fitted * (1.0 - fitted))[:, None]).T @ design
    standard_error = float(np.sqrt(np.linalg.inv(information)[1, 1]))
    z = NormalDist().inv_cdf(0.5 + level / 2)
    slope = coefficients[1]
    return slope, slope - z * standard_error, slope + z * standard_error


def ece_null_p95(
    y_prob: np.ndarray, n_bins: int = CALIBRATION_BINS, draws: int = ECE_NULL_DRAWS
) -> float:
    """The 95th percentile of the ECE when outcomes are drawn from the predictions themselves.

    A perfectly calibrated model's ECE is not 0 on a finite test set: each draw sets every row's
    outcome to 1 with its predicted probability and measures the ECE with the same bins. Seeded,
    so the same predictions always give the same figure.
    """
    probabilities = np.asarray(y_prob, dtype=np.float64).reshape(-1)
    if probabilities.size == 0 or draws < 1:
        raise ValueError("the ECE null needs predictions and at least one draw")
    index = np.minimum((probabilities * n_bins).astype(np.int64), n_bins - 1)
    counts = np.bincount(index, minlength=n_bins).astype(np.float64)
    predicted = np.bincount(index, weights=probabilities, minlength=n_bins)
    rng = np.random.default_rng(ECE_NULL_SEED)
    outcomes = rng.random((draws, probabilities.size)) < probabilities  # draws x rows
    observed = np.zeros((draws, n_bins))
    for b in np.flatnonzero(counts):
        observed[:, b] = outcomes[:, index == b].sum(axis=1)
    per_bin = np.abs(predicted[None, :] - observed)  # count x |mean predicted - observed rate|
    eces = per_bin.sum(axis=1) / probabilities.size
    return float(np.percentile(eces, 95))


def calibration(
    y_true: np.ndarray, y_prob: np.ndarray, n_bins: int = CALIBRATION_BINS
) -> Calibration:
    """Brier, ECE, intercept, slope and the reliability bins of one model on one test set."""
    bins = reliability_curve(y_true, y_prob, n_bins)
    slope, slope_low, slope_high = calibration_slope_with_ci(y_true, y_prob)
    return Calibration(
        brier=brier(y_true, y_prob),
        ece=_ece(bins),
        intercept=calibration_intercept(y_true, y_prob),
        slope=slope,
        bins=bins,
        slope_ci_low=slope_low,
        slope_ci_high=slope_high,
        ece_null_p95=ece_null_p95(y_prob, n_bins),
    )


def _ece(bins: Sequence[ReliabilityBin]) -> float:
    total = sum(b.count for b in bins)
    return float(sum(b.count * abs(b.mean_predicted - b.observed) for b in bins) / total)


def _calibration_inputs(y_true: np.ndarray, y_prob: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    labels = _binary_labels(y_true).astype(np.float64)
    probabilities = np.asarray(y_prob, dtype=np.float64).reshape(-1)
    if probabilities.size != labels.size:
        raise ValueError(
            f"probabilities have {probabilities.size} rows but the labels have {labels.size}"
        )
    if labels.size == 0:
        raise ValueError("no rows to measure calibration on")
    if not np.all((probabilities >= 0) & (probabilities <= 1)):
        raise ValueError("probabilities must lie in [0, 1]")
    return labels, probabilities


def _logit(probabilities: np.ndarray) -> np.ndarray:
    clipped = np.clip(probabilities, _LOGIT_CLIP, 1.0 - _LOGIT_CLIP)
    return np.log(clipped / (1.0 - clipped))


def _logistic_fit(design: np.ndarray, labels: np.ndarray, offset: np.ndarray) -> tuple[float, ...]:
    """Unpenalised maximum-likelihood logistic coefficients by Newton-Raphson."""
    if labels.min() == labels.max():
        raise ValueError("calibration needs both outcomes in the test set")
    coefficients = np.zeros(design.shape[1])
    for _ in range(_NEWTON_MAX_STEPS):
        fitted = 1.0 / (1.0 + np.exp(-(offset + design @ coefficients)))
        gradient = design.T @ (labels - fitted)
        hessian = (design * (fitted * (1.0 - fitted))[:, None]).T @ design
        step = np.linalg.solve(hessian, gradient)
        coefficients = coefficients + step
        if np.max(np.abs(step)) < _NEWTON_TOLERANCE:
            return tuple(float(c) for c in coefficients)
    raise ValueError("the logistic recalibration did not converge (separable outcomes?)")


# --- Drift expected by chance ---------------------------------------------------------------
def chance_band(drift_shares: Sequence[float]) -> ChanceBand:
    """The 50th and 95th percentiles (linear interpolation) and the maximum of drift shares."""
    shares = np.asarray(drift_shares, dtype=np.float64)
    if shares.size == 0:
        raise ValueError("no drift shares to take percentiles of")
    p50, p95 = np.percentile(shares, [50, 95])
    return ChanceBand(float(p50), float(p95), int(shares.size), float(shares.max()))
