"""``airflow dags test`` at a fixed date, for ``scripts/dag-test.sh`` with ``DAG_LOGICAL_DATE``.

Airflow 3 names a test run after the moment it starts (``manual__<run_after>``), even when given a
logical date, so two calls never share a DAG run id. Here the run starts "after" its logical date,
as a scheduled run would: the id is the same on every call with the same date, and a run killed
and run again is a retry of the same DAG run (its tasks find what the first attempt finished).

    python scripts/dag_test_at.py DAG_ID ISO_DATE CONF_JSON
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime

from airflow.dag_processing.dagbag import DagBag


def main(dag_id: str, date: str, conf: str) -> int:
    bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    dag = bag.get_dag(dag_id)
    if dag is None:
        print(f"dag-test: no DAG {dag_id}: {bag.import_errors}", file=sys.stderr)
        return 1
    when = datetime.fromisoformat(date)
    run = dag.test(logical_date=when, run_after=when, run_conf=json.loads(conf))
    return 0 if run is not None and run.state == "success" else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
