"""Holm's step-down adjustment, checked by hand on small families."""

from __future__ import annotations

import pytest

from pipeline.core.multiplicity import holm


def test_three_p_values_by_hand():
    # sorted: 0.01 x 3 = 0.03; 0.03 x 2 = 0.06; 0.04 x 1 = 0.04, raised to 0.06 to stay monotone
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])


def test_the_gate_example_from_the_issue_is_not_significant_after_adjustment():
    # batch 5's p 0.035 is one of three gate comparisons: Holm needs p < 0.05 / 3 = 0.0167
    adjusted = holm([0.035, 0.40, 0.90])
    assert adjusted[0] == pytest.approx(0.105)
    assert adjusted[0] > 0.05


def test_adjusted_values_are_capped_at_one_and_keep_the_order():
    assert holm([0.6, 0.001]) == pytest.approx([0.6, 0.002])
    assert holm([0.9, 0.8, 0.7]) == [1.0, 1.0, 1.0]
    assert holm([]) == []


def test_a_single_test_is_not_adjusted():
    assert holm([0.03]) == [0.03]


def test_a_p_value_outside_zero_one_is_refused():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        holm([0.5, 1.2])
