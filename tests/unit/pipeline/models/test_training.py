"""Seeded hyper-parameter search on a tiny frame (how its runs land in MLflow:
tests/integration/pipeline/models/test_training_logged.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.core.errors import DataError
from pipeline.data import features
from pipeline.models import training
from pipeline.models.training import TrainingSettings

Frames = tuple[pd.DataFrame, pd.DataFrame]
FAST = TrainingSettings(seed=7, n_trials=3, max_trees=30, early_stopping_rounds=5)


def prepared_frame(n: int, seed: int) -> pd.DataFrame:
    """A frame shaped like ``features.prepare`` output, with a learnable outcome."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {c: rng.integers(0, 20, n).astype("float64") for c in features.MODEL_NUMERIC}
    )
    for column in features.MODEL_CATEGORICAL:
        frame[column] = pd.Series(rng.choice(["a", "b", "c"], n), dtype="string")
    is_a = (frame["race"] == "a").to_numpy(dtype=float)
    signal = frame["number_inpatient"] + 3 * is_a + rng.normal(0, 4, n)
    frame[features.TARGET] = (signal > signal.median()).astype("int64")
    return frame


@pytest.fixture(scope="module")
def tiny() -> Frames:
    return prepared_frame(400, seed=1), prepared_frame(200, seed=2)


def test_same_seed_gives_the_same_trials_and_best_params(tiny: Frames):
    first = training.search(*tiny, FAST)
    second = training.search(*tiny, FAST)
    assert [t.params for t in first.trials] == [t.params for t in second.trials]
    assert first.best.params == second.best.params
    assert first.best.validation_auc == second.best.validation_auc


def test_another_seed_draws_other_trials():
    assert training.sample_trial_params(1, 4) != training.sample_trial_params(2, 4)


def test_trials_are_distinct_points_of_the_search_space():
    trials = training.sample_trial_params(42, 6)
    assert len({tuple(sorted(t.items())) for t in trials}) == 6
    for trial in trials:
        for name, value in trial.items():
            assert value in training.SEARCH_SPACE[name]


def test_best_trial_has_the_highest_validation_auc(tiny: Frames):
    result = training.search(*tiny, FAST)
    assert result.best.validation_auc == max(t.validation_auc for t in result.trials)
    assert result.best.validation_auc > 0.6  # the tiny outcome is learnable


def test_n_trials_must_be_positive():
    with pytest.raises(ValueError, match="n_trials"):
        TrainingSettings(n_trials=0)


def test_refit_trains_the_best_params_on_train_and_validation(tiny: Frames):
    train, validation = tiny
    settings = TrainingSettings(
        seed=7, n_trials=2, max_trees=30, early_stopping_rounds=5, refit_on_validation=True
    )
    result = training.search(train, validation, settings)
    assert result.final_model is not result.best.model
    assert result.final_model.get_params()["max_depth"] == result.best.params["max_depth"]
    # The refit's preprocessor saw a category that only the validation rows hold.
    validation = validation.assign(
        race=pd.Series(["only-in-validation"] * len(validation), dtype="string")
    )
    refitted = training.search(train, validation, settings)
    categories = refitted.final_preprocessor.get_feature_names_out()
    assert any("only-in-validation" in name for name in categories)
    assert not any(
        "only-in-validation" in name for name in refitted.preprocessor.get_feature_names_out()
    )


def test_training_data_with_a_single_outcome_is_refused_before_any_fit(tiny: Frames):
    train, validation = tiny
    with pytest.raises(DataError, match="the training data has a single outcome: all 400"):
        training.search(train.assign(**{features.TARGET: 0}), validation, FAST)
    with pytest.raises(DataError, match="the validation data has a single outcome"):
        training.search(train, validation.assign(**{features.TARGET: 1}), FAST)
