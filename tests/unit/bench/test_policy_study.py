"""The policy study's inference and decision rule (docs/policy-study.md), by hand."""

from __future__ import annotations

import math

import pytest

from bench import policy_study


def test_the_interval_is_a_t_interval_over_seeds():
    # mean 2, sd 1, n 3: half-width t(0.975, df 2) / sqrt(3), t = 4.302653 from a t table
    row = policy_study.t_interval([1.0, 2.0, 3.0])
    assert row["mean"] == pytest.approx(2.0)
    assert row["ci_high"] - 2.0 == pytest.approx(4.302653 / math.sqrt(3), rel=1e-6)


def test_selection_is_the_highest_mean_and_seed_42_is_in_neither_set():
    summary = {"a": {"mean": 0.001}, "b": {"mean": 0.004}, "c": {"mean": -0.01}}
    assert policy_study.select(summary) == "b"
    seeds = set(policy_study.SELECTION_SEEDS) | set(policy_study.CONFIRMATION_SEEDS)
    assert 42 not in seeds
    assert not set(policy_study.SELECTION_SEEDS) & set(policy_study.CONFIRMATION_SEEDS)


def test_the_reference_is_the_original_pipelines_policy():
    assert policy_study.REFERENCE.label == "drift:all_data:initial"
    assert policy_study.REFERENCE in policy_study.CANDIDATES
