"""The forward-in-time paired comparison on tiny replays whose AUCs are worked out independently
(scikit-learn's ``roc_auc_score``), and its logging into a real MLflow store."""

from __future__ import annotations

import numpy as np
import pytest
from mlflow import MlflowClient
from sklearn.metrics import roc_auc_score

from pipeline import replay
from pipeline.core import contract
from pipeline.core.contract import Decision, ReplayMetric
from pipeline.core.stats import auc_with_ci
from pipeline.replay import forward
from pipeline.replay.policies import Policy
from pipeline.tracking import store as mlflow_store

RNG = np.random.default_rng(7)
LABELS = {b: RNG.integers(0, 2, 80) for b in (1, 2, 3)}
# two "models" per batch: one informative, one noise
GOOD = {b: LABELS[b] * 0.6 + RNG.uniform(0, 1, 80) for b in LABELS}
NOISE = {b: RNG.uniform(0, 1, 80) for b in LABELS}


def step(batch: int, scores: dict[int, np.ndarray]) -> replay.BatchStep:
    estimate = auc_with_ci(LABELS[batch], scores[batch])
    return replay.BatchStep(
        batch,
        Decision.SKIP_NO_DRIFT,
        retrained=False,
        deployed=False,
        auc=estimate,
        new_auc=None,
        scores=scores[batch],
        forward=estimate,
        forward_scores=scores[batch],
        labels=LABELS[batch],
    )


def policy(label: str, scores: dict[int, np.ndarray], configured: bool) -> replay.PolicyReplay:
    return replay.PolicyReplay(
        Policy.parse(label), [step(b, scores) for b in LABELS], 0.0, configured
    )


RESULTS = [policy("never", NOISE, False), policy("drift:all_data:initial", GOOD, True)]


def test_each_step_is_the_auc_on_the_next_batch_and_its_paired_difference():
    compared = forward.compare(RESULTS)
    never = compared["never"]
    assert [s.step for s in never.steps] == [0, 1, 2]  # Production after batch N, on batch N+1
    for s in never.steps:
        batch = s.step + 1
        auc_never = roc_auc_score(LABELS[batch], NOISE[batch])
        auc_good = roc_auc_score(LABELS[batch], GOOD[batch])
        assert s.auc.auc == pytest.approx(auc_never, abs=1e-12)
        assert s.vs_configured.delta == pytest.approx(auc_never - auc_good, abs=1e-12)
        assert s.vs_configured.ci_low < s.vs_configured.delta < s.vs_configured.ci_high
    expected_mean = np.mean(
        [roc_auc_score(LABELS[b], NOISE[b]) - roc_auc_score(LABELS[b], GOOD[b]) for b in LABELS]
    )
    assert never.mean_vs_configured.mean == pytest.approx(expected_mean, abs=1e-12)
    # the mean of three independent differences: its variance is the sum of theirs over 9
    variance = sum(s.vs_configured.variance for s in never.steps) / 9
    assert never.mean_vs_configured.variance == pytest.approx(variance, rel=1e-12)


def test_the_configured_policy_differs_from_itself_by_exactly_zero():
    configured = forward.compare(RESULTS)["drift:all_data:initial"]
    assert {
        (s.vs_configured.delta, s.vs_configured.ci_low, s.vs_configured.ci_high)
        for s in configured.steps
    } == {(0.0, 0.0, 0.0)}
    assert configured.mean_vs_configured.p_value == 1.0


def test_pairing_is_tighter_than_comparing_two_separate_intervals():
    # the same noise model against itself plus a tiny perturbation: nearly identical rankings
    nudged = {b: NOISE[b] + RNG.normal(0, 1e-3, 80) for b in LABELS}
    compared = forward.compare([policy("never", nudged, False), policy("always", NOISE, True)])
    s = compared["never"].steps[0]
    separate = (s.auc.ci_high - s.auc.ci_low) * np.sqrt(2)
    assert s.vs_configured.ci_high - s.vs_configured.ci_low < separate / 5


def test_nothing_is_compared_without_a_configured_policy_or_without_forward_scores():
    assert forward.compare([policy("never", NOISE, False)]) == {}
    bare = replay.PolicyReplay(
        Policy.parse("always"),
        [
            replay.BatchStep(
                1, Decision.SKIP, False, False, auc_with_ci(LABELS[1], GOOD[1]), None, GOOD[1]
            )
        ],
        0.0,
        True,
    )
    assert forward.compare([bare]) == {}


def test_the_replay_logs_the_forward_figures_at_step_n(tmp_path):
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    client = MlflowClient(uri)
    result = replay.ReplayResult("r1", 42, None, contract.REPLAY_GATE_STANDARD, 0.3, RESULTS, 1.0)
    replay.log_replay(client, result)
    experiment = mlflow_store.experiment_id(client, contract.POLICY_REPLAY_EXPERIMENT)
    assert experiment is not None
    runs = {r.run_name: r for r in mlflow_store.search_runs(client, experiment)}
    never = runs[Policy.parse("never").run_name]
    logged = {
        m.step: m.value for m in client.get_metric_history(never.run_id, ReplayMetric.AUC_NEXT)
    }
    assert logged == pytest.approx(
        {n: roc_auc_score(LABELS[n + 1], NOISE[n + 1]) for n in (0, 1, 2)}
    )
    expected_mean = np.mean([roc_auc_score(LABELS[b], NOISE[b]) for b in LABELS])
    assert never.metrics[ReplayMetric.MEAN_AUC_NEXT] == pytest.approx(expected_mean)
    assert ReplayMetric.MEAN_DELTA_NEXT_CI_LOW in never.metrics
    assert ReplayMetric.CALIBRATION_SLOPE_NEXT in never.metrics
