"""Evaluation: the scores and the ROC payload the gate and the baseline log, on tiny seeded data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xgboost
from mlflow import MlflowClient

from pipeline.core import contract
from pipeline.core.errors import DataError
from pipeline.data import features
from pipeline.models import scoring as evaluation
from pipeline.tracking import client as tracking
from tests.support.sqlite_store import empty_store_uri
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


@pytest.fixture(scope="module")
def prepared() -> pd.DataFrame:
    return features.prepare(raw_encounters(400, seed=11))


@pytest.fixture(scope="module")
def fitted(prepared: pd.DataFrame) -> tuple[xgboost.XGBClassifier, object]:
    inputs, target = features.split_xy(prepared.iloc[:300])
    preprocessor = features.fit_preprocessor(inputs)
    model = xgboost.XGBClassifier(n_estimators=20, max_depth=2, random_state=0, n_jobs=1)
    model.fit(features.transform(preprocessor, inputs), target)
    return model, preprocessor


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


def test_logged_scores_use_the_contract_names(fitted, prepared, tmp_path: Path):
    model, preprocessor = fitted
    scores = evaluation.score(model, preprocessor, prepared.iloc[300:])
    client = MlflowClient(empty_store_uri(tmp_path))
    run_id = client.create_run(tracking.ensure_experiment(client, "evaluation")).info.run_id

    evaluation.log_scores(client, run_id, "prod", scores)
    evaluation.log_roc(client, run_id, contract.ROC_PRODUCTION_ARTIFACT, {"auc": scores.auc})

    logged = client.get_run(run_id).data.metrics
    assert logged == {contract.prod_metric(k): v for k, v in scores.as_dict().items()}
    text = Path(client.download_artifacts(run_id, contract.ROC_PRODUCTION_ARTIFACT, str(tmp_path)))
    assert json.loads(text.read_text()) == {"auc": scores.auc}


def test_bad_prefixes_and_non_finite_metrics_are_refused(fitted, prepared, tmp_path: Path):
    model, preprocessor = fitted
    scores = evaluation.score(model, preprocessor, prepared.iloc[300:])
    client = MlflowClient(empty_store_uri(tmp_path))
    run_id = client.create_run(tracking.ensure_experiment(client, "evaluation")).info.run_id
    with pytest.raises(ValueError, match="'new' or 'prod'"):
        evaluation.log_scores(client, run_id, "candidate", scores)
    with pytest.raises(ValueError, match="auc_improvement"):
        evaluation.log_metrics(client, run_id, {contract.Metric.AUC_IMPROVEMENT: float("nan")})
    assert client.get_run(run_id).data.metrics == {}
