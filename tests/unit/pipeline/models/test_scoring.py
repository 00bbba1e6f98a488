"""Evaluation: the scores and the ROC payload the gate and the baseline log, on tiny seeded data
(written to MLflow: tests/integration/pipeline/models/test_scoring_logged.py)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import xgboost

from pipeline.core import contract
from pipeline.core.errors import DataError
from pipeline.data import features
from pipeline.models import scoring as evaluation
from tests.support.synthetic import raw_encounters


def reject_constant(name: str) -> None:
    raise AssertionError(f"non-strict JSON constant {name}")


class FixedProbability:
    """A classifier that gives every row the same probability (a model that never says yes)."""

    def __init__(self, probability: float, width: int) -> None:
        self.probability = probability
        self.n_features_in_ = width

    def predict_proba(self, encoded: np.ndarray) -> np.ndarray:
        positive = np.full(len(encoded), self.probability)
        return np.column_stack([1 - positive, positive])


def prepared_frame() -> pd.DataFrame:
    """400 synthetic encounters through ``features.prepare`` (the first 300 train the model)."""
    return features.prepare(raw_encounters(400, seed=11))


def fitted_pair(prepared: pd.DataFrame) -> tuple[xgboost.XGBClassifier, object]:
    """A small seeded model and its preprocessor, fitted on the first 300 rows."""
    inputs, target = features.split_xy(prepared.iloc[:300])
    preprocessor = features.fit_preprocessor(inputs)
    model = xgboost.XGBClassifier(n_estimators=20, max_depth=2, random_state=0, n_jobs=1)
    model.fit(features.transform(preprocessor, inputs), target)
    return model, preprocessor


@pytest.fixture(scope="module")
def prepared() -> pd.DataFrame:
    return prepared_frame()


@pytest.fixture(scope="module")
def fitted(prepared: pd.DataFrame) -> tuple[xgboost.XGBClassifier, object]:
    return fitted_pair(prepared)


def rank_auc(y_true: np.ndarray, y_score: np.ndarray) -> float:
    """AUC as the share of (positive, negative) pairs ranked correctly, ties counting half."""
    positives = y_score[y_true == 1][:, None]
    negatives = y_score[y_true == 0][None, :]
    return float(((positives > negatives) + 0.5 * (positives == negatives)).mean())


def test_scores_follow_the_half_cut_off_and_rank_auc(fitted, prepared):
    model, preprocessor = fitted
    test = prepared.iloc[300:]
    scores = evaluation.score(model, preprocessor, test)

    inputs, target = features.split_xy(test)
    y_true = target.to_numpy()
    y_score = model.predict_proba(features.transform(preprocessor, inputs))[:, 1]
    predicted = y_score >= 0.5
    true_positives = int((predicted & (y_true == 1)).sum())
    precision = true_positives / int(predicted.sum())
    recall = true_positives / int((y_true == 1).sum())

    assert 0 < true_positives < len(y_true), "the sample must exercise both outcomes"
    assert scores.precision == pytest.approx(precision)
    assert scores.recall == pytest.approx(recall)
    assert scores.f1 == pytest.approx(2 * precision * recall / (precision + recall))
    assert scores.auc == pytest.approx(rank_auc(y_true, y_score))
    assert list(scores.as_dict()) == list(contract.SCORES)


def test_a_model_that_never_predicts_positive_scores_zero_not_nan(fitted, prepared):
    _, preprocessor = fitted
    width = len(preprocessor.get_feature_names_out())
    scores = evaluation.score(FixedProbability(0.2, width), preprocessor, prepared)
    assert (scores.f1, scores.precision, scores.recall) == (0.0, 0.0, 0.0)
    assert scores.auc == 0.5


def test_a_test_set_with_one_class_is_refused(fitted, prepared):
    model, preprocessor = fitted
    negatives = prepared.loc[prepared[features.TARGET] == 0]
    with pytest.raises(DataError, match="only class 0"):
        evaluation.score(model, preprocessor, negatives)


def test_a_raw_booster_scores_like_its_classifier(fitted, prepared):
    model, preprocessor = fitted
    encoded = features.transform(preprocessor, features.split_xy(prepared)[0])
    np.testing.assert_allclose(
        evaluation.positive_probability(model.get_booster(), encoded),
        model.predict_proba(encoded)[:, 1],
        rtol=1e-6,
    )


def test_roc_payload_is_strict_json_with_the_infinite_threshold_as_null(fitted, prepared):
    model, preprocessor = fitted
    scores = evaluation.score(model, preprocessor, prepared.iloc[300:])
    payload = evaluation.roc_curve_payload(scores.y_true, scores.y_score)

    parsed = json.loads(json.dumps(payload, allow_nan=False), parse_constant=reject_constant)
    assert set(parsed) == {"fpr", "tpr", "thresholds", "auc"}
    assert parsed["thresholds"][0] is None
    assert all(isinstance(t, float) for t in parsed["thresholds"][1:])
    assert len(parsed["fpr"]) == len(parsed["tpr"]) == len(parsed["thresholds"])
    assert (parsed["fpr"][0], parsed["tpr"][0]) == (0.0, 0.0)
    assert (parsed["fpr"][-1], parsed["tpr"][-1]) == (1.0, 1.0)
    assert np.all(np.diff(parsed["fpr"]) >= 0) and np.all(np.diff(parsed["tpr"]) >= 0)
    assert parsed["auc"] == pytest.approx(scores.auc)
