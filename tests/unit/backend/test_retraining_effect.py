"""Did retraining help? (backend.retraining_effect): the average by hand values and a seeded
cross-check, and its sentence."""

from __future__ import annotations

import numpy as np
import pytest

from backend import retraining_effect
from backend.retraining_effect import Effect

Z_95 = 1.959964  # the two-sided 95% normal quantile, from a table


def test_one_effect_averages_to_itself() -> None:
    average = retraining_effect.average_effect([Effect(2, 0.01, -0.02, 0.04)])
    assert average is not None
    assert average.delta == pytest.approx(0.01)
    assert (average.ci_low, average.ci_high) == (pytest.approx(-0.02), pytest.approx(0.04))
    assert average.batches == (2,)


def test_average_of_independent_effects_adds_variances_by_hand() -> None:
    z = Z_95
    # SE 0.01 and 0.02: mean 0.02, SE of the mean sqrt(0.01^2 + 0.02^2) / 2 = 0.0111803
    effects = [
        Effect(3, 0.01, 0.01 - z * 0.01, 0.01 + z * 0.01),
        Effect(4, 0.03, 0.03 - z * 0.02, 0.03 + z * 0.02),
    ]
    average = retraining_effect.average_effect(effects)
    assert average is not None
    assert average.delta == pytest.approx(0.02)
    assert average.ci_low == pytest.approx(0.02 - 1.959964 * 0.0111803, abs=1e-6)
    assert average.ci_high == pytest.approx(0.02 + 1.959964 * 0.0111803, abs=1e-6)
    # z = 0.02 / 0.0111803 = 1.78885; two-sided p = 2 * (1 - Phi(1.78885)) = 0.07364
    assert average.p_value == pytest.approx(0.07364, abs=1e-4)
    assert average.batches == (3, 4)


def test_average_half_width_is_root_sum_of_squares_over_k() -> None:
    effects = [Effect(1, 0.0, -0.03, 0.03), Effect(2, 0.0, -0.04, 0.04)]
    average = retraining_effect.average_effect(effects)
    assert average is not None
    assert average.ci_high - average.delta == pytest.approx(0.05 / 2)  # sqrt(9+16)/2 hundredths


def test_identical_estimates_give_zero_width_and_p_one_not_nan() -> None:
    average = retraining_effect.average_effect([Effect(1, 0.0, 0.0, 0.0), Effect(2, 0.0, 0.0, 0.0)])
    assert average is not None
    assert (average.delta, average.ci_low, average.ci_high, average.p_value) == (0, 0, 0, 1.0)
    assert retraining_effect.average_effect([]) is None


def test_average_interval_agrees_with_a_seeded_simulation() -> None:
    """Independent normal estimates around known SEs: the mean's spread matches the formula."""
    rng = np.random.default_rng(11)
    ses = np.array([0.012, 0.02, 0.03])
    draws = rng.normal(0.0, ses, size=(200_000, 3)).mean(axis=1)
    z = Z_95
    effects = [Effect(i, 0.0, -z * se, z * se) for i, se in enumerate(ses)]
    average = retraining_effect.average_effect(effects)
    assert average is not None
    simulated = np.quantile(draws, 0.975)
    assert average.ci_high == pytest.approx(simulated, rel=0.01)


def test_signed_numbers_use_a_true_minus_and_no_sign_on_zero() -> None:
    assert retraining_effect.signed(0.0061) == "+0.006"
    assert retraining_effect.signed(-0.02) == "\u22120.020"
    assert retraining_effect.signed(-0.0001) == "0.000"


def test_takeaway_says_inconclusive_when_the_interval_spans_zero() -> None:
    average = retraining_effect.Average(0.006, -0.02, 0.03, 0.6, (3, 4, 5))
    assert retraining_effect.retraining_takeaway(average, [3, 4, 5]) == (
        "On the three retrained batches (3, 4 and 5), retraining left AUC +0.006 "
        "(95% CI \u22120.020 to +0.030) from where the never-retrained model would have been: "
        "inconclusive, the interval includes no change."
    )


@pytest.mark.parametrize(
    ("low", "high", "words"),
    [
        (0.001, 0.03, "a measurable gain"),
        (-0.03, -0.001, "a measurable loss"),
        (-0.01, 0.02, "inconclusive, the interval includes no change"),
        (0.0, 0.02, "inconclusive, the interval includes no change"),
    ],
)
def test_an_interval_of_a_difference_is_worded_by_where_it_lies_against_zero(
    low: float, high: float, words: str
) -> None:
    assert retraining_effect.gain_words(low, high) == words


def test_takeaway_names_gain_loss_and_batches_that_did_not_record() -> None:
    gain = retraining_effect.Average(0.03, 0.01, 0.05, 0.01, (3,))
    assert retraining_effect.retraining_takeaway(gain, [3, 5]) == (
        "On the one retrained batch (3) that recorded it (not 5), retraining left AUC +0.030 "
        "(95% CI +0.010 to +0.050) from where the never-retrained model would have been: "
        "a measurable gain."
    )
    loss = retraining_effect.Average(-0.03, -0.05, -0.01, 0.01, (4, 5))
    assert retraining_effect.retraining_takeaway(loss, [4, 5]).endswith("a measurable loss.")


def test_takeaway_without_retraining_or_without_records() -> None:
    assert "No batch was retrained" in retraining_effect.retraining_takeaway(None, [])
    unknown = retraining_effect.retraining_takeaway(None, [3, 4])
    assert unknown.startswith("Batches 3 and 4 retrained") and "unknown" in unknown
