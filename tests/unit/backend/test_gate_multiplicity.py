"""Holm across the gate comparisons of one run-through, and the words it allows."""

from __future__ import annotations

import pytest

from backend.gate_multiplicity import adjust_gate_comparisons
from backend.schemas import BatchResult, GateComparison


def result(batch: int, comparison: GateComparison | None) -> BatchResult:
    # only the fields the adjustment reads; the API's tests build whole results
    return BatchResult.model_construct(batch=batch, gate_comparison=comparison)


def comparison(delta: float, p: float | None) -> GateComparison:
    return GateComparison(delta=delta, ci_low=None, ci_high=None, p_value=p, verdict=None)


def test_a_single_test_below_005_is_inconclusive_once_three_are_shown():
    # p 0.035 (the batch 5), 0.2 and 0.01. By hand: sorted 0.01, 0.035, 0.2 ->
    # 3 x 0.01 = 0.03; max(0.03, 2 x 0.035 = 0.07) = 0.07; max(0.07, 1 x 0.2) = 0.2.
    shown = adjust_gate_comparisons(
        [
            result(1, None),
            result(3, comparison(+0.04, 0.035)),
            result(4, comparison(+0.01, 0.2)),
            result(5, comparison(-0.06, 0.01)),
        ]
    )
    assert shown[0].gate_comparison is None
    adjusted = [r.gate_comparison for r in shown[1:]]
    assert [c.p_holm for c in adjusted] == pytest.approx([0.07, 0.2, 0.03])
    assert [c.verdict_adjusted for c in adjusted] == ["inconclusive", "inconclusive", "worse"]
    assert {c.comparisons for c in adjusted} == {3}
    assert [c.p_value for c in adjusted] == [0.035, 0.2, 0.01]  # the raw p stays beside it


def test_one_comparison_is_its_own_family_and_a_gain_is_called_better():
    (only,) = adjust_gate_comparisons([result(3, comparison(+0.05, 0.004))])
    assert only.gate_comparison.p_holm == 0.004
    assert only.gate_comparison.verdict_adjusted == "better"


def test_comparisons_without_a_logged_p_are_left_as_the_store_has_them():
    (old,) = adjust_gate_comparisons([result(3, comparison(+0.05, None))])
    assert old.gate_comparison.p_holm is None
    assert old.gate_comparison.verdict_adjusted is None
