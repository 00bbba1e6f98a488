"""The report's evidence aggregates (backend.evidence): hand values, and a seeded cross-check."""

from __future__ import annotations

import numpy as np
import pytest

from backend import evidence
from backend.evidence import Effect


def test_z_is_the_two_sided_95_percent_quantile() -> None:
    assert pytest.approx(1.959964, abs=1e-6) == evidence.Z_95


def test_standard_error_is_read_back_from_a_symmetric_interval() -> None:
    # delta 0.01 +/- 1.96 * 0.005
    z = evidence.Z_95
    assert evidence.standard_error(0.01 - z * 0.005, 0.01 + z * 0.005) == pytest.approx(0.005)
    assert evidence.standard_error(0.2, 0.2) == 0.0
    with pytest.raises(ValueError, match="reversed"):
        evidence.standard_error(0.3, 0.1)


def test_average_of_independent_effects_adds_variances_by_hand() -> None:
    z = evidence.Z_95
    # SE 0.01 and 0.02: mean 0.02, SE of the mean sqrt(0.01^2 + 0.02^2) / 2 = 0.0111803
    effects = [
        Effect(3, 0.01, 0.01 - z * 0.01, 0.01 + z * 0.01),
        Effect(4, 0.03, 0.03 - z * 0.02, 0.03 + z * 0.02),
    ]
    average = evidence.average_effect(effects)
    assert average is not None
    assert average.delta == pytest.approx(0.02)
    assert average.ci_low == pytest.approx(0.02 - 1.959964 * 0.0111803, abs=1e-6)
    assert average.ci_high == pytest.approx(0.02 + 1.959964 * 0.0111803, abs=1e-6)
    # z = 0.02 / 0.0111803 = 1.78885; two-sided p = 2 * (1 - Phi(1.78885)) = 0.07364
    assert average.p_value == pytest.approx(0.07364, abs=1e-4)
    assert average.batches == (3, 4)


def test_average_half_width_is_root_sum_of_squares_over_k() -> None:
    effects = [Effect(1, 0.0, -0.03, 0.03), Effect(2, 0.0, -0.04, 0.04)]
    average = evidence.average_effect(effects)
    assert average is not None
    assert average.ci_high - average.delta == pytest.approx(0.05 / 2)  # sqrt(9+16)/2 hundredths


def test_identical_estimates_give_zero_width_and_p_one_not_nan() -> None:
    average = evidence.average_effect([Effect(1, 0.0, 0.0, 0.0), Effect(2, 0.0, 0.0, 0.0)])
    assert average is not None
    assert (average.delta, average.ci_low, average.ci_high, average.p_value) == (0, 0, 0, 1.0)
    assert evidence.average_effect([]) is None


def test_average_interval_agrees_with_a_seeded_simulation() -> None:
    """Independent normal estimates around known SEs: the mean's spread matches the formula."""
    rng = np.random.default_rng(11)
    ses = np.array([0.012, 0.02, 0.03])
    draws = rng.normal(0.0, ses, size=(200_000, 3)).mean(axis=1)
    z = evidence.Z_95
    average = evidence.average_effect([Effect(i, 0.0, -z * se, z * se) for i, se in enumerate(ses)])
    assert average is not None
    simulated = np.quantile(draws, 0.975)
    assert average.ci_high == pytest.approx(simulated, rel=0.01)


def test_worse_than_chance_only_when_the_whole_interval_is_below_half() -> None:
    assert evidence.worse_than_chance(0.499) is True
    assert evidence.worse_than_chance(0.5) is False
    assert evidence.worse_than_chance(0.7) is False
    assert evidence.worse_than_chance(None) is None


def test_signed_numbers_use_a_true_minus_and_no_sign_on_zero() -> None:
    assert evidence.signed(0.0061) == "+0.006"
    assert evidence.signed(-0.02) == "\u22120.020"
    assert evidence.signed(-0.0001) == "0.000"


def test_takeaway_says_no_measurable_gain_when_the_interval_spans_zero() -> None:
    average = evidence.Average(0.006, -0.02, 0.03, 0.6, (3, 4, 5))
    assert evidence.retraining_takeaway(average, [3, 4, 5]) == (
        "On the three retrained batches (3, 4 and 5), retraining left AUC +0.006 "
        "(95% CI \u22120.020 to +0.030) from where the never-retrained model would have been: "
        "no measurable gain."
    )


def test_takeaway_names_gain_loss_and_batches_that_did_not_record() -> None:
    gain = evidence.Average(0.03, 0.01, 0.05, 0.01, (3,))
    assert evidence.retraining_takeaway(gain, [3, 5]) == (
        "On the one retrained batch (3) that recorded it (not 5), retraining left AUC +0.030 "
        "(95% CI +0.010 to +0.050) from where the never-retrained model would have been: "
        "a measurable gain."
    )
    loss = evidence.Average(-0.03, -0.05, -0.01, 0.01, (4, 5))
    assert evidence.retraining_takeaway(loss, [4, 5]).endswith("a measurable loss.")


def test_takeaway_without_retraining_or_without_records() -> None:
    assert "No batch was retrained" in evidence.retraining_takeaway(None, [])
    unknown = evidence.retraining_takeaway(None, [3, 4])
    assert unknown.startswith("Batches 3 and 4 retrained") and "unknown" in unknown
