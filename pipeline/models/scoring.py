"""Scoring a model on a test set, and writing the scores and the ROC curve to MLflow.

The quality gate and the baseline both score through ``score``: the same feature path
(``features.split_xy`` + ``features.transform``), the same 0.5 cut-off, the same ROC format
(see docs/architecture.md, "pipeline.models.scoring").
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from mlflow import MlflowClient
from mlflow.entities import Metric
from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score, roc_curve

from pipeline.core import contract
from pipeline.core.errors import DataError, FeatureMismatchError
from pipeline.data import features
from pipeline.tracking.client import log_json_artifact

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scores:
    """A model's scores on one test set; ``y_true``/``y_score`` kept for the ROC curve."""

    auc: float
    f1: float
    precision: float
    recall: float
    y_true: np.ndarray
    y_score: np.ndarray

    def as_dict(self) -> dict[str, float]:
        """The four contract scores by name (``contract.SCORES`` order)."""
        return {name: float(getattr(self, name)) for name in contract.SCORES}


def score(model: Any, preprocessor: Any, prepared: pd.DataFrame) -> Scores:
    """Score ``model`` on a ``features.prepare``-d frame, encoded by its own preprocessor."""
    inputs, target = features.split_xy(prepared)
    if len(target) == 0:
        raise DataError("the test set has no rows to score")
    if target.nunique() < 2:
        raise DataError(
            f"the test set holds only class {int(target.iloc[0])}: AUC needs both classes"
        )
    encoded = features.transform(preprocessor, inputs)
    y_true = target.to_numpy(dtype=np.int64)
    y_score = positive_probability(model, encoded)
    y_pred = (y_score >= contract.PROBABILITY_CUTOFF).astype(np.int64)
    return Scores(
        auc=float(roc_auc_score(y_true, y_score)),
        f1=float(f1_score(y_true, y_pred, zero_division=0)),
        precision=float(precision_score(y_true, y_pred, zero_division=0)),
        recall=float(recall_score(y_true, y_pred, zero_division=0)),
        y_true=y_true,
        y_score=y_score,
    )


def positive_probability(model: Any, encoded: np.ndarray) -> np.ndarray:
    """P(readmitted) per row, from a classifier or a raw XGBoost booster."""
    if hasattr(model, "predict_proba"):
        try:
            probabilities = np.asarray(model.predict_proba(encoded), dtype=np.float64)
        except ValueError as error:
            raise FeatureMismatchError(f"the model refused the encoded data: {error}") from error
        return probabilities[:, 1]
    import xgboost  # only here: a Booster is the rare case, and xgboost is slow to import

    if isinstance(model, xgboost.Booster):
        return np.asarray(model.predict(xgboost.DMatrix(encoded)), dtype=np.float64)
    raise FeatureMismatchError(f"{type(model).__name__} cannot predict probabilities")


def roc_curve_payload(y_true: np.ndarray, y_score: np.ndarray) -> dict[str, Any]:
    """``{"fpr", "tpr", "thresholds", "auc"}`` that serialises as strict JSON."""
    fpr, tpr, thresholds = roc_curve(y_true, y_score)
    return {
        "fpr": [float(value) for value in fpr],
        "tpr": [float(value) for value in tpr],
        "thresholds": [float(value) if math.isfinite(value) else None for value in thresholds],
        "auc": float(roc_auc_score(y_true, y_score)),
    }


def log_scores(client: MlflowClient, run_id: str, prefix: str, scores: Scores) -> None:
    """``new_*_test`` or ``prod_*_test`` metrics (``prefix`` is ``"new"`` or ``"prod"``)."""
    naming = {"new": contract.new_metric, "prod": contract.prod_metric}
    if prefix not in naming:
        raise ValueError(f"metric prefix must be 'new' or 'prod', not {prefix!r}")
    log_metrics(
        client, run_id, {naming[prefix](name): value for name, value in scores.as_dict().items()}
    )


def log_metrics(client: MlflowClient, run_id: str, metrics: dict[str, float]) -> None:
    """Log metrics in one request; non-finite values are refused (the report cannot show them)."""
    bad = [name for name, value in metrics.items() if not math.isfinite(value)]
    if bad:
        raise ValueError(f"non-finite metric values: {', '.join(bad)}")
    timestamp = _now_ms()
    client.log_batch(
        run_id,
        metrics=[Metric(name, float(value), timestamp, 0) for name, value in metrics.items()],
    )


def log_roc(client: MlflowClient, run_id: str, artifact_file: str, payload: dict[str, Any]) -> None:
    log_json_artifact(client, run_id, artifact_file, payload)


def _now_ms() -> int:
    return int(time.time() * 1000)
