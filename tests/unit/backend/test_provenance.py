"""The provenance footer's runs table: which Airflow DAG run wrote each batch's runs."""

from __future__ import annotations

from typing import Any

from pipeline.core import contract
from pipeline.core.contract import Decision

DAG_RUN = "manual__2026-01-01T00:00:00+00:00"
AIRFLOW_UI = "http://airflow.example:8081/"


def rows(make_client: Any, tracking_uri: str, **settings: Any) -> dict[int, dict[str, Any]]:
    response = make_client(tracking_uri, **settings).get("/provenance")
    assert response.status_code == 200, response.text
    return {row["batch"]: row for row in response.json()["batches"]}


def test_a_batch_written_under_airflow_links_its_dag_run(store: Any, make_client: Any) -> None:
    store.gate_run(0, Decision.BASELINE, prod_auc=0.62)
    under_airflow = store.gate_run(1, Decision.SKIP_NO_DRIFT, prod_auc=0.61)
    store.client.set_tag(under_airflow, contract.Tag.AIRFLOW_DAG_RUN_ID, DAG_RUN)

    linked = rows(make_client, store.tracking_uri, airflow_ui_url=AIRFLOW_UI)
    assert linked[1]["airflow_dag_run_id"] == DAG_RUN
    assert linked[1]["airflow_dag_run_url"] == (
        "http://airflow.example:8081/dags/health_predict_continuous_improvement/runs/"
        "manual__2026-01-01T00%3A00%3A00%2B00%3A00"
    )
    assert linked[0]["airflow_dag_run_id"] is None  # written by the command line
    assert linked[0]["airflow_dag_run_url"] is None

    unlinked = rows(make_client, store.tracking_uri)  # no AIRFLOW_UI_URL: the id, no link
    assert unlinked[1]["airflow_dag_run_id"] == DAG_RUN
    assert unlinked[1]["airflow_dag_run_url"] is None
