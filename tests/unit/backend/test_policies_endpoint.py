"""GET /policies: the latest finished replay, read from a real MLflow store written by the replay's
own writer, and the pure rules behind it (mean interval by hand, the wording)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from fastapi.testclient import TestClient

from backend import policy_comparison
from backend.policy_notes import notes
from backend.policy_schemas import PolicyBatch, PolicyResult
from pipeline import replay
from pipeline.core import contract
from pipeline.core.contract import Decision
from pipeline.core.stats import AucEstimate
from pipeline.replay.policies import Policy
from pipeline.tracking.store import RunRecord
from tests.support.report_stores import AppFactory, StoreBuilder

BEST = {"max_depth": 6, "learning_rate": 0.05}


def step(batch: int, auc: float, decision: Decision = Decision.SKIP_NO_DRIFT) -> replay.BatchStep:
    return replay.BatchStep(
        batch,
        decision,
        retrained=decision in contract.RETRAINED_DECISIONS,
        deployed=decision in contract.DEPLOYED_DECISIONS,
        auc=AucEstimate(auc, auc - 0.04, auc + 0.04, (0.04 / 1.959964) ** 2),
        new_auc=None,
        scores=np.zeros(1),
    )


def a_replay(never_batch5: float, drift_batch5: float, seed: int = 42) -> replay.ReplayResult:
    never = replay.PolicyReplay(
        Policy.parse("never"),
        [step(1, 0.63), step(2, 0.68), step(3, 0.67), step(4, 0.68), step(5, never_batch5)],
        0.0,
        configured=False,
    )
    drift = replay.PolicyReplay(
        Policy.parse("drift:all_data"),
        [
            step(1, 0.63),
            step(2, 0.68),
            step(3, 0.67, Decision.DEPLOY),
            step(4, 0.68, Decision.SKIP),
            step(5, drift_batch5, Decision.DEPLOY_REFRESH),
        ],
        12.5,
        configured=True,
    )
    return replay.ReplayResult(
        replay_id=f"replay-{never_batch5}-{drift_batch5}",
        seed=seed,
        fixed_hyperparameters=BEST,
        gate=contract.REPLAY_GATE_STANDARD,
        drift_threshold=0.3,
        results=[never, drift],
        seconds=1.0,
    )


def test_a_store_without_a_replay_says_so(api: TestClient):
    body = api.get("/policies").json()
    assert body["available"] is False
    assert body["policies"] == []


def test_the_latest_finished_replay_is_shown_as_the_replay_logged_it(
    store: StoreBuilder, make_client: AppFactory
):
    replay.log_replay(store.client, a_replay(0.43, 0.44))
    body = make_client(store.tracking_uri).get("/policies").json()
    assert body["available"] is True
    assert body["seed"] == 42 and body["drift_threshold"] == 0.3
    assert body["fixed_hyperparameters"] is True
    assert body["hyperparameters"] == "learning_rate 0.05, max_depth 6"
    never, drift = body["policies"]
    assert never["label"] == "never" and drift["label"] == "drift:all_data:initial"
    assert drift["configured"] is True and never["configured"] is False
    assert [b["outcome"] for b in drift["batches"]] == [
        "not_retrained",
        "not_retrained",
        "deployed",
        "kept_production",
        "deployed",
    ]
    assert [b["auc"] for b in never["batches"]] == [0.63, 0.68, 0.67, 0.68, 0.43]
    assert drift["batches"][4]["ci_low"] == pytest.approx(0.40)
    assert (drift["n_retrains"], drift["n_deploys"]) == (3, 2)
    assert drift["worst_auc"] == 0.44 and drift["worst_batch"] == 5
    assert drift["training_seconds"] == 12.5
    assert body["notes"][0].startswith("5 batches and one seed (42)")
    # the configured policy is the default: the page says in one sentence how it was chosen
    assert body["notes"][1] == (
        "The pipeline's policy, drift:all_data:initial, is the original pipeline's: a protocol "
        "committed before the study (docs/policy-study.md) kept it, because held-out seeds did "
        "not confirm the alternative its selection seeds chose."
    )


def test_a_newer_replay_with_a_failed_run_does_not_hide_the_last_finished_one(
    store: StoreBuilder, make_client: AppFactory
):
    replay.log_replay(store.client, a_replay(0.43, 0.44))
    newer = replay.log_replay(store.client, a_replay(0.50, 0.51))
    store.client.set_terminated(newer[1], "FAILED")
    body = make_client(store.tracking_uri).get("/policies").json()
    assert body["replay_id"] == "replay-0.43-0.44"


def record(replay_id: str, status: str, start: int, end: int) -> RunRecord:
    return RunRecord(
        run_id=f"{replay_id}-{start}",
        experiment_id="1",
        run_name="replay_never_none",
        status=status,
        start_time=start,
        end_time=end,
        tags={contract.Tag.REPLAY_ID: replay_id},
    )


def test_latest_finished_replay_rule():
    untagged = RunRecord("x", "1", "replay_never_none", "FINISHED", 30, 31)
    runs = [
        record("old", "FINISHED", 1, 2),
        record("old", "FINISHED", 3, 4),
        record("new", "FINISHED", 10, 11),
        record("new", "RUNNING", 12, 0),
        untagged,
    ]
    chosen = policy_comparison.latest_finished_replay(runs)
    assert [run.run_id for run in chosen] == ["old-1", "old-3"]
    assert policy_comparison.latest_finished_replay(runs[2:]) == []  # no replay id: not a replay


def test_the_latest_replay_is_the_one_whose_last_run_started_last():
    """The store's one order of runs (start, then end, then run id), as for a batch's runs: a
    replay that started later is the latest even when an older one ended after it."""
    runs = [
        record("long", "FINISHED", 1, 50),
        record("long", "FINISHED", 2, 60),
        record("short", "FINISHED", 10, 11),
        record("short", "FINISHED", 12, 13),
    ]
    chosen = policy_comparison.latest_finished_replay(runs)
    assert [run.run_id for run in chosen] == ["short-10", "short-12"]
    tie = [record("a", "FINISHED", 5, 9), record("b", "FINISHED", 5, 9)]
    assert [run.run_id for run in policy_comparison.latest_finished_replay(tie)] == ["b-5"]


def batch(n: int, auc: float, low: float, high: float) -> PolicyBatch:
    return PolicyBatch(
        batch=n, auc=auc, ci_low=low, ci_high=high, retrained=False, deployed=False, outcome=None
    )


def test_mean_interval_by_hand():
    # each half-width 0.1 -> sd 0.1/1.96; mean of two independent: sd 0.1/1.96/sqrt(2)
    low, high = policy_comparison.mean_interval([batch(1, 0.6, 0.5, 0.7), batch(2, 0.8, 0.7, 0.9)])
    assert low == pytest.approx(0.7 - 0.1 / math.sqrt(2))
    assert high == pytest.approx(0.7 + 0.1 / math.sqrt(2))
    unknown = batch(2, 0.8, None, None)  # type: ignore[arg-type]
    assert policy_comparison.mean_interval([batch(1, 0.6, 0.5, 0.7), unknown]) == (None, None)


def result(label: str, mean: float, low: float, high: float) -> PolicyResult:
    return PolicyResult(
        run_id=label,
        run_name=label,
        label=label,
        trigger=None,
        training_policy=None,
        validation_data=None,
        configured=False,
        gate=None,
        batches=[],
        n_retrains=None,
        n_deploys=None,
        mean_auc=mean,
        mean_auc_ci_low=low,
        mean_auc_ci_high=high,
        worst_auc=None,
        worst_batch=None,
        training_seconds=None,
    )


def test_overlapping_intervals_show_no_policy_better():
    lines = notes(
        [result("a", 0.62, 0.60, 0.64), result("b", 0.63, 0.61, 0.65)], 42, True, "max_depth 6"
    )
    assert "no policy is shown better than another" in lines[-1]
    assert "initial search's best hyper-parameters (max_depth 6)" in lines[1]


def test_separated_intervals_name_the_policies_below():
    lines = notes(
        [
            result("a", 0.62, 0.60, 0.64),
            result("b", 0.70, 0.66, 0.74),
            result("c", 0.69, 0.63, 0.75),
        ],
        7,
        False,
        None,
    )
    assert len(lines) == 3  # no fixed-hyper-parameter note
    assert "did not record the forward-in-time paired comparison" in lines[1]
    assert lines[-1] == (
        "b has the highest mean AUC, and its 95% interval lies above that of a; "
        "where intervals overlap, no policy is shown better."
    )
