"""The policy replay on the real data: what ``experiment run`` logged at its end, and fidelity —
an exact replay of the policy that ran reproduces the decisions and AUCs the pipeline logged."""

from __future__ import annotations

import json

import pytest
from mlflow import MlflowClient

from pipeline import replay
from pipeline.core import contract
from pipeline.core.contract import ReplayMetric
from pipeline.data.storage import open_storage
from pipeline.models import training
from pipeline.replay import policies
from pipeline.tracking import store as mlflow_store
from tests.conftest import ExperimentStore

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def client(experiment_store: ExperimentStore) -> MlflowClient:
    return MlflowClient(experiment_store.tracking_uri, registry_uri=experiment_store.tracking_uri)


@pytest.fixture(scope="module")
def replay_runs(client: MlflowClient) -> dict[str, mlflow_store.RunRecord]:
    experiment_id = mlflow_store.experiment_id(client, contract.POLICY_REPLAY_EXPERIMENT)
    assert experiment_id is not None, "experiment run logged no policy replay"
    runs = list(mlflow_store.search_runs(client, experiment_id))
    return {run.run_name: run for run in runs}


def history(client: MlflowClient, run_id: str, key: str) -> dict[int, float]:
    return {m.step: m.value for m in client.get_metric_history(run_id, key)}


def gate_metric(experiment_store: ExperimentStore, client: MlflowClient, batch: int) -> float:
    outcome = experiment_store.outcomes[batch - 1]
    run = client.get_run(outcome.gate_run_id)
    return run.data.metrics[contract.prod_metric("auc")]


def test_experiment_run_ends_with_the_default_replay(
    replay_runs: dict[str, mlflow_store.RunRecord], experiment_store: ExperimentStore
):
    assert sorted(replay_runs) == sorted(p.run_name for p in policies.DEFAULT_REPLAY)
    assert {run.status for run in replay_runs.values()} == {"FINISHED"}
    assert len({run.tags[contract.Tag.REPLAY_ID] for run in replay_runs.values()}) == 1
    configured = [name for name, run in replay_runs.items() if contract.Tag.CONFIGURED in run.tags]
    assert configured == [policies.CONFIGURED_POLICY.run_name]
    # the fixed hyper-parameters are the initial search's best, said on every run
    best = experiment_store.result.initial.training.params
    for run in replay_runs.values():
        assert json.loads(run.params[contract.Param.FIXED_HYPERPARAMETERS]) == best
        assert run.params[contract.Param.SEED] == "42"
    assert experiment_store.result.replay is not None


def test_the_strict_lane_deploys_only_what_is_shown_above_chance(
    replay_runs: dict[str, mlflow_store.RunRecord], client: MlflowClient
):
    strict = replay_runs["replay_drift_all_data_strict"]
    standard = replay_runs[policies.CONFIGURED_POLICY.run_name]
    assert strict.params[contract.Param.REPLAY_GATE] == "strict"
    assert standard.params[contract.Param.REPLAY_GATE] == "standard"
    deployed = history(client, strict.run_id, contract.ReplayMetric.DEPLOYED)
    low = history(client, strict.run_id, contract.ReplayMetric.AUC_CI_LOW)
    retrained = history(client, strict.run_id, contract.ReplayMetric.RETRAINED)
    for batch, was_deployed in deployed.items():
        if was_deployed:  # Production after the batch is the new model, on this batch's rows
            assert low[batch] > 0.5, f"batch {batch}"
    # seed 42: the standard gate deploys the batch-5 candidate, whose interval lies below 0.5;
    # the strict one retrains too and keeps Production
    assert history(client, standard.run_id, contract.ReplayMetric.DEPLOYED)[5] == 1.0
    assert (retrained[5], deployed[5]) == (1.0, 0.0)


def test_per_batch_metrics_are_logged_at_their_batch_step(
    replay_runs: dict[str, mlflow_store.RunRecord], client: MlflowClient
):
    for run in replay_runs.values():
        aucs = history(client, run.run_id, ReplayMetric.AUC_TEST)
        lows = history(client, run.run_id, ReplayMetric.AUC_CI_LOW)
        highs = history(client, run.run_id, ReplayMetric.AUC_CI_HIGH)
        retrained = history(client, run.run_id, ReplayMetric.RETRAINED)
        assert sorted(aucs) == [1, 2, 3, 4, 5]
        assert all(lows[b] < aucs[b] < highs[b] for b in aucs)
        assert run.metrics[ReplayMetric.N_RETRAINS] == sum(retrained.values())
        assert run.metrics[ReplayMetric.MEAN_AUC] == pytest.approx(sum(aucs.values()) / 5)
        assert run.metrics[ReplayMetric.WORST_AUC] == min(aucs.values())
    never = replay_runs["replay_never_none"]
    assert history(client, never.run_id, ReplayMetric.RETRAINED) == dict.fromkeys(range(1, 6), 0.0)


def test_never_scores_the_initial_model_as_the_gate_did(
    replay_runs: dict[str, mlflow_store.RunRecord],
    client: MlflowClient,
    experiment_store: ExperimentStore,
):
    """Batches 1-2 are not retrained by the pipeline: its gate scored the initial model there."""
    never = history(client, replay_runs["replay_never_none"].run_id, ReplayMetric.AUC_TEST)
    for batch in (1, 2):
        assert never[batch] == pytest.approx(gate_metric(experiment_store, client, batch), abs=1e-9)


def test_never_forward_scores_are_the_initial_model_on_the_next_batch_as_the_gate_logged_it(
    replay_runs: dict[str, mlflow_store.RunRecord],
    client: MlflowClient,
    experiment_store: ExperimentStore,
):
    """Step N of the never lane is the initial model on batch N+1's test split: the gate scored
    that same model on those rows (``initial_auc_test``), independently of the replay."""
    never = history(client, replay_runs["replay_never_none"].run_id, ReplayMetric.AUC_NEXT)
    assert sorted(never) == [0, 1, 2, 3, 4]
    for step, outcome in enumerate(experiment_store.outcomes):
        gate = client.get_run(outcome.gate_run_id).data.metrics
        assert never[step] == pytest.approx(gate[contract.initial_metric("auc")], abs=1e-9)


def test_forward_scores_agree_with_the_same_batch_scores_where_nothing_was_deployed(
    replay_runs: dict[str, mlflow_store.RunRecord], client: MlflowClient
):
    """Production after batch N is still Production after batch N+1 when N+1 deployed nothing,
    so its forward score at step N is the same-batch score at batch N+1."""
    for run in replay_runs.values():
        forward = history(client, run.run_id, ReplayMetric.AUC_NEXT)
        same_batch = history(client, run.run_id, ReplayMetric.AUC_TEST)
        deployed = history(client, run.run_id, ReplayMetric.DEPLOYED)
        for step in range(5):
            if deployed[step + 1] == 0.0:
                assert forward[step] == pytest.approx(same_batch[step + 1], abs=1e-12)
        configured = contract.Tag.CONFIGURED in run.tags
        deltas = history(client, run.run_id, ReplayMetric.DELTA_NEXT)
        if configured:
            assert set(deltas.values()) == {0.0}
        assert run.metrics[ReplayMetric.MEAN_AUC_NEXT] == pytest.approx(sum(forward.values()) / 5)


def test_an_exact_replay_of_the_policy_that_ran_reproduces_the_logged_run(
    client: MlflowClient, experiment_store: ExperimentStore
):
    storage = open_storage(experiment_store.storage)
    data = replay.load_data(storage)
    initial, best = replay.initial_model_from_store(client)
    assert best == experiment_store.result.initial.training.params
    result = replay.replay(
        data,
        initial,
        [policies.CONFIGURED_POLICY],
        settings=training.TrainingSettings(seed=data.seed),
        fixed_params=None,
    )
    (configured,) = result.results
    for step, outcome in zip(configured.steps, experiment_store.outcomes, strict=True):
        assert step.decision == outcome.decision
        after = outcome.new_auc if step.deployed else outcome.prod_auc
        assert after is not None
        assert step.auc.auc == pytest.approx(after, abs=1e-6)
    fidelity = replay.compare_with_pipeline(client, configured)
    assert fidelity.reproduced, fidelity
