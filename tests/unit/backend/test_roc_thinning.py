"""The ROC downsampler keeps the curve's shape within the point budget."""

from __future__ import annotations

import math

import numpy as np
import pytest

from backend.roc import curve_from_artifact, downsample_curve


def max_deviation(xs, ys, kept_x, kept_y) -> float:
    """Largest vertical gap between the full curve and the thinned one (both x-monotone)."""
    return float(np.max(np.abs(np.interp(xs, kept_x, kept_y) - np.asarray(ys))))


def test_short_curves_are_unchanged() -> None:
    assert downsample_curve([0, 0.5, 1], [0, 0.8, 1]) == ([0, 0.5, 1], [0, 0.8, 1])


def test_step_curve_keeps_exactly_its_corners() -> None:
    # a staircase with 4 corners, each flat or vertical run sampled by many collinear points
    xs = [0.0] * 100 + list(np.linspace(0, 0.5, 300)) + [0.5] * 100 + list(np.linspace(0.5, 1, 300))
    ys = list(np.linspace(0, 0.6, 100)) + [0.6] * 300 + list(np.linspace(0.6, 1, 100)) + [1.0] * 300
    kept_x, kept_y = downsample_curve(xs, ys, 200)
    corners = {(0.0, 0.0), (0.0, 0.6), (0.5, 0.6), (0.5, 1.0), (1.0, 1.0)}
    assert set(zip(kept_x, kept_y, strict=True)) == corners


def test_smooth_curve_fits_the_budget_and_stays_close() -> None:
    rng = np.random.default_rng(7)
    xs = np.sort(rng.random(8000))
    xs[0], xs[-1] = 0.0, 1.0
    ys = np.sqrt(xs)
    kept_x, kept_y = downsample_curve(list(xs), list(ys), 200)
    assert len(kept_x) == 200
    assert (kept_x[0], kept_y[0]) == (0.0, 0.0) and (kept_x[-1], kept_y[-1]) == (1.0, 1.0)
    assert kept_x == sorted(kept_x)
    assert max_deviation(xs, ys, kept_x, kept_y) < 0.01


def test_budget_below_two_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        downsample_curve([0, 1, 2], [0, 1, 2], 1)


def test_artifact_with_non_finite_values_and_junk() -> None:
    curve = curve_from_artifact(
        {"fpr": [0, math.nan, 0.5, "x", 1], "tpr": [0, 0.2, 0.7, 0.8, 1], "auc": math.inf}
    )
    assert curve is not None
    assert curve.fpr == [0, 0.5, 1] and curve.tpr == [0, 0.7, 1] and curve.auc is None
    assert curve_from_artifact({"fpr": [0], "tpr": [0]}) is None
    assert curve_from_artifact(["not", "a", "curve"]) is None
