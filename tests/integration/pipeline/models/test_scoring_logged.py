"""Scores and ROC payloads written to a real SQLite MLflow store under the contract's names."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from mlflow import MlflowClient

from pipeline.core import contract
from pipeline.models import scoring as evaluation
from pipeline.tracking import client as tracking
from tests.support.sqlite_store import empty_store_uri
from tests.unit.pipeline.models.test_scoring import fitted_pair, prepared_frame

Fitted = tuple[object, object]


@pytest.fixture(scope="module")
def prepared() -> pd.DataFrame:
    return prepared_frame()


@pytest.fixture(scope="module")
def fitted(prepared: pd.DataFrame) -> Fitted:
    return fitted_pair(prepared)


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
