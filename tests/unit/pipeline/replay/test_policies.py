"""Retraining policies: triggers, training sets, weights, parsing, and the replay on tiny data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline import replay
from pipeline.core import contract
from pipeline.core.contract import Decision
from pipeline.core.errors import PolicyError
from pipeline.core.stats import AucDifference, AucEstimate, independent_auc_difference
from pipeline.data import features
from pipeline.models import training
from pipeline.replay import policies
from pipeline.replay.policies import BatchEvidence, LabelledHistory, Policy
from tests.unit.pipeline.models.test_training import prepared_frame

SEED = 3
TINY_FIT = training.TrainingSettings(
    seed=SEED, n_trials=1, max_trees=30, early_stopping_rounds=5, refit_on_validation=False
)
PARAMS = {name: values[0] for name, values in training.SEARCH_SPACE.items()}


def tagged(n: int, seed: int, origin: str) -> pd.DataFrame:
    frame = prepared_frame(n, seed)
    frame["origin"] = origin
    frame["row"] = [f"{origin}-{i}" for i in range(n)]
    return frame


@pytest.fixture(scope="module")
def history() -> LabelledHistory:
    return LabelledHistory(
        batch=3,
        seed=SEED,
        initial_train=tagged(300, 1, "initial_train"),
        initial_validation=tagged(100, 2, "initial_validation"),
        batch_train={n: tagged(80, 10 + n, f"batch_{n}") for n in (1, 2, 3)},
    )


def origins(frame: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(frame["origin"]))


# --- Triggers -------------------------------------------------------------------------------
def evidence(drift_share: float, shift: tuple[float, float] | None = None) -> BatchEvidence:
    """``shift``: (AUC here, AUC on initial_test), each with variance 0.0004 (sd 0.02)."""
    difference = None
    if shift is not None:
        here, reference = (AucEstimate(a, a - 0.04, a + 0.04, 0.0004) for a in shift)
        difference = independent_auc_difference(here, reference)
    return BatchEvidence(1, drift_share, 0.30, difference)


def test_drift_trigger_fires_at_the_threshold_and_not_below():
    drift = policies.get_trigger("drift")
    assert drift.fires(evidence(0.30))
    assert not drift.fires(evidence(0.2999))


def test_never_and_always_ignore_the_evidence():
    assert not policies.get_trigger("never").fires(evidence(0.9))
    assert policies.get_trigger("always").fires(evidence(0.0))


def test_performance_trigger_fires_only_on_a_significant_drop():
    performance = policies.get_trigger("performance")
    # sd of the difference is sqrt(2) * 0.02 = 0.0283: a drop of 0.07 is significant, 0.03 is not
    assert performance.fires(evidence(0.0, (0.63, 0.70)))
    assert not performance.fires(evidence(0.9, (0.67, 0.70)))
    assert not performance.fires(evidence(0.0, (0.75, 0.70)))
    with pytest.raises(PolicyError, match="no AUC shift for batch 1"):
        performance.fires(evidence(0.5))


# --- Training sets --------------------------------------------------------------------------
def test_all_data_is_every_training_row_validated_on_the_initial_split(history: LabelledHistory):
    built = policies.get_training_policy("all_data").build(history, "initial")
    assert origins(built.train) == ["initial_train", "batch_1", "batch_2", "batch_3"]
    assert len(built.train) == 300 + 3 * 80
    assert origins(built.validation) == ["initial_validation"]
    assert built.train_weight is None and built.newest_batch_weight is None


def test_window_keeps_only_the_newest_batches(history: LabelledHistory):
    built = policies.get_training_policy("window").build(history, "initial")
    assert origins(built.train) == ["batch_2", "batch_3"]
    first = LabelledHistory(
        1, SEED, history.initial_train, history.initial_validation, {1: history.batch_train[1]}
    )
    assert origins(policies.Window().build(first, "initial").train) == ["batch_1"]


def test_newest_validation_holds_out_a_quarter_of_the_newest_batch(history: LabelledHistory):
    built = policies.get_training_policy("all_data").build(history, "newest")
    assert origins(built.validation) == ["batch_3"]
    assert len(built.validation) == 20  # 25% of 80
    newest_in_train = built.train.loc[built.train["origin"] == "batch_3"]
    assert len(newest_in_train) == 60
    # held out means not trained on: the two parts are disjoint and together the whole batch
    trained, held_out = set(newest_in_train["row"]), set(built.validation["row"])
    assert not trained & held_out
    assert trained | held_out == set(history.newest()["row"])
    # stratified: the held-out positives match the batch's rate within one row
    rate = history.newest()[features.TARGET].mean()
    assert abs(built.validation[features.TARGET].sum() - rate * 20) <= 1


def test_recency_weights_by_hand():
    weights = policies.recency_weights(np.array([True, True, False, False, False, False]), 0.5)
    # n = 6, 2 newest: 0.5 * 6 / 2 = 1.5 each; 4 older: 0.5 * 6 / 4 = 0.75 each
    assert weights.tolist() == [1.5, 1.5, 0.75, 0.75, 0.75, 0.75]
    assert policies.recency_weights(np.array([True, True]), 0.5).tolist() == [1.0, 1.0]


def test_recent_weighted_gives_the_newest_batch_half_the_weight(history: LabelledHistory):
    built = policies.get_training_policy("recent_weighted").build(history, "initial")
    assert built.train_weight is not None and built.refit_weight is not None
    newest = (built.train["origin"] == "batch_3").to_numpy()
    assert built.train_weight[newest].sum() / built.train_weight.sum() == pytest.approx(0.5)
    assert built.train_weight.sum() == pytest.approx(len(built.train))
    # the refit adds the (older) initial validation rows: the newest batch keeps half
    assert len(built.refit_weight) == len(built.train) + len(built.validation)
    assert built.refit_weight[: len(newest)][
        newest
    ].sum() / built.refit_weight.sum() == pytest.approx(0.5)
    assert built.newest_batch_weight == 0.5


def test_weights_change_the_fitted_model(history: LabelledHistory):
    built = policies.get_training_policy("recent_weighted").build(history, "initial")
    plain = training.search(built.train, built.validation, TINY_FIT, fixed_params=PARAMS)
    weighted = training.search(
        built.train,
        built.validation,
        TINY_FIT,
        weights=training.SampleWeights(built.train_weight, built.refit_weight),
        fixed_params=PARAMS,
    )
    assert [t.params for t in plain.trials] == [PARAMS]
    x = features.transform(plain.final_preprocessor, features.split_xy(built.validation)[0])
    assert not np.allclose(
        plain.final_model.predict_proba(x)[:, 1], weighted.final_model.predict_proba(x)[:, 1]
    )


# --- Parsing --------------------------------------------------------------------------------
def test_policies_parse_as_the_cli_spells_them():
    assert Policy.parse("drift:window:newest") == Policy("drift", "window", "newest")
    assert Policy.parse("drift") == Policy("drift", "all_data", "initial")
    assert Policy.parse("always:recent_weighted") == Policy("always", "recent_weighted", "newest")
    assert Policy.parse("never").run_name == "replay_never_none"
    assert Policy.parse("drift:all_data").run_name == contract.replay_run_name("drift", "all_data")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "sometimes",
            "unknown trigger 'sometimes'; choose one of never, always, drift, performance",
        ),
        ("drift:everything", "unknown training policy 'everything'"),
        ("drift:window:future", "unknown validation data 'future'; choose one of initial, newest"),
        ("never:all_data", "`never` takes no training policy"),
        ("drift::", "is not trigger[:training_policy[:validation[:gate]]]"),
    ],
)
def test_a_bad_policy_is_one_line_naming_it(text: str, message: str):
    with pytest.raises(PolicyError, match=message.replace("[", r"\[").replace("]", r"\]")) as error:
        Policy.parse(text)
    assert "\n" not in str(error.value)


def test_two_validations_of_one_pair_are_refused():
    with pytest.raises(PolicyError, match="replay_drift_window is listed twice"):
        policies.check_unique(
            [Policy.parse("drift:window:newest"), Policy.parse("drift:window:initial")]
        )


def test_the_default_replay_holds_the_issue_set_and_the_configured_policy():
    names = [p.run_name for p in policies.DEFAULT_REPLAY]
    assert names == [
        "replay_never_none",
        "replay_drift_all_data",
        "replay_drift_all_data_strict",
        "replay_drift_recent_weighted",
        "replay_drift_window",
        "replay_always_all_data",
        "replay_performance_all_data",
        "replay_estimated_performance_all_data",
    ]
    # the policy study did not confirm its candidate: the original pipeline's policy stays
    assert Policy("drift", "all_data", "initial") == policies.CONFIGURED_POLICY
    assert policies.CONFIGURED_POLICY in policies.DEFAULT_REPLAY
    # and the same policy under the strict gate, to show what that gate would have done
    assert Policy("drift", "all_data", "initial", "strict") in policies.DEFAULT_REPLAY
    assert Policy.parse("drift:all_data:initial:strict").label == "drift:all_data:initial:strict"


# --- Gate -----------------------------------------------------------------------------------
def test_above_chance_gate_refuses_a_new_model_whose_interval_is_below_half():
    new = AucEstimate(0.44, 0.40, 0.48, 0.0004)
    assert replay.gate_decision(new, 0.43) == Decision.DEPLOY
    assert replay.gate_decision(new, 0.43, contract.REPLAY_GATE_ABOVE_CHANCE) == Decision.SKIP
    straddling = AucEstimate(0.47, 0.43, 0.51, 0.0004)
    assert (
        replay.gate_decision(straddling, 0.43, contract.REPLAY_GATE_ABOVE_CHANCE) == Decision.DEPLOY
    )


# --- Replay on tiny data --------------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny_replay() -> replay.ReplayResult:
    data = replay.ReplayData(
        seed=SEED,
        initial_train=prepared_frame(300, 1),
        initial_validation=prepared_frame(100, 2),
        initial_test=prepared_frame(150, 3),
        batch_train={n: prepared_frame(120, 20 + n) for n in (1, 2, 3)},
        batch_test={n: prepared_frame(80, 30 + n) for n in (1, 2, 3)},
        drift_shares={1: 0.0, 2: 0.5, 3: 0.4},
        drift_threshold=0.3,
    )
    fitted = training.search(
        data.initial_train, data.initial_validation, TINY_FIT, fixed_params=PARAMS
    )
    initial = replay.ScoringModel(
        replay.INITIAL_MODEL_KEY, fitted.final_model, fitted.final_preprocessor
    )
    chosen = [Policy.parse(text) for text in ("never", "drift:all_data", "always:all_data")]
    return replay.replay(
        data, initial, chosen, settings=TINY_FIT, fixed_params=PARAMS, configured=chosen[1]
    )


def test_never_keeps_the_initial_model_and_drift_retrains_where_the_share_reaches_the_threshold(
    tiny_replay: replay.ReplayResult,
):
    never, drift, always = tiny_replay.results
    assert [s.retrained for s in never.steps] == [False, False, False]
    assert [s.retrained for s in drift.steps] == [False, True, True]
    assert [s.retrained for s in always.steps] == [True, True, True]
    assert never.n_retrains == 0 and drift.n_retrains == 2 and always.n_retrains == 3
    assert never.steps[0].auc == drift.steps[0].auc  # same initial model, same test split
    assert drift.configured and not never.configured
    for result in tiny_replay.results:
        assert result.mean_auc == pytest.approx(np.mean([s.auc.auc for s in result.steps]))
        assert result.worst_auc == min(s.auc.auc for s in result.steps)
        for step in result.steps:
            assert step.deployed == (step.decision in contract.DEPLOYED_DECISIONS)
            assert step.auc.ci_low <= step.auc.auc <= step.auc.ci_high


def test_a_new_model_is_fitted_once_and_shared_between_triggers(tiny_replay: replay.ReplayResult):
    _, drift, always = tiny_replay.results
    # batches 2 and 3 train the same all_data new under both triggers
    assert [s.new_auc for s in drift.steps[1:]] == [s.new_auc for s in always.steps[1:]]
    assert tiny_replay.fixed_hyperparameters == PARAMS


# --- The label-free trigger ----------------------------------------------------------------------
def test_the_estimated_performance_trigger_fires_only_below_the_estimates_interval():
    trigger = policies.get_trigger("estimated_performance")
    assert trigger.needs_estimate and not trigger.needs_performance

    def evidence(low: float, high: float) -> policies.BatchEvidence:
        shift = AucDifference((low + high) / 2, low, high, float("nan"), float("nan"))
        return policies.BatchEvidence(3, 0.5, 0.3, production_auc_estimated_shift=shift)

    assert trigger.fires(evidence(-0.030, -0.005))  # the whole estimate below the reference
    assert not trigger.fires(evidence(-0.030, 0.004))  # its interval reaches the reference
    assert not trigger.fires(evidence(0.010, 0.020))
    with pytest.raises(PolicyError, match="no estimate for batch 2"):
        trigger.fires(policies.BatchEvidence(2, 0.5, 0.3))
