"""The Airflow DAG as the dag-processor sees it: it imports, its tasks run in the pipeline's
order, and its file parses fast with nothing heavy imported.

Airflow loads the DAG folder in a subprocess with a throw-away AIRFLOW_HOME (examples off), the
way ``make dag-test`` and the compose dag-processor do.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.drift.batches import BATCH_PLAN

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
DAG_ID = "health_predict_continuous_improvement"
PARSE_BUDGET_S = 1.0
HEAVY = ("pandas", "mlflow", "xgboost", "sklearn", "scipy", "boto3")

LOAD_DAG = """
import json, sys, time
import airflow.sdk  # what every DAG file imports, already loaded in a dag-processor
from airflow.dag_processing.dagbag import DagBag
started = time.perf_counter()
bag = DagBag(dag_folder=sys.argv[1])
seconds = time.perf_counter() - started
dag = bag.dags.get(sys.argv[2])
print(json.dumps({
    "errors": {str(k): str(v) for k, v in bag.import_errors.items()},
    "seconds": seconds,
    "heavy": sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[3].split(","))),
    "params": None if dag is None else {k: dag.params[k] for k in dag.params},
    "tasks": None if dag is None else {
        t.task_id: {"upstream": sorted(t.upstream_task_ids), "mapped": t.is_mapped,
                    "trigger_rule": str(t.trigger_rule)}
        for t in dag.tasks
    },
    "order": None if dag is None else [t.task_id for t in dag.topological_sort()],
}))
"""


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    home = tmp_path_factory.mktemp("airflow-home")
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", LOAD_DAG, str(ROOT / "dags"), DAG_ID, ",".join(HEAVY)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_dag_folder_imports_without_errors(loaded: dict) -> None:
    assert loaded["errors"] == {}
    assert loaded["tasks"] is not None, f"no DAG {DAG_ID} in dags/"


def test_parsing_imports_nothing_heavy_and_stays_under_a_second(loaded: dict) -> None:
    assert loaded["heavy"] == []
    assert loaded["seconds"] < PARSE_BUDGET_S


def batch_tasks(batch: int) -> list[str]:
    group = f"batch_{batch}"
    return [
        f"{group}.check_drift",
        f"{group}.branch",
        f"{group}.evaluate_production_only",
        f"{group}.retrain",
        f"{group}.compare_against_production",
    ]


def test_tasks_run_in_the_pipelines_order(loaded: dict) -> None:
    tasks = loaded["tasks"]
    batches = range(1, len(BATCH_PLAN) + 1)
    expected = {"prepare", "train_initial", "capture_baseline", "plan_replay"}
    expected |= {"replay_policy", "record_replay"}
    expected |= {task for batch in batches for task in batch_tasks(batch)}
    assert set(tasks) == expected

    def upstream(task: str) -> list[str]:
        return tasks[task]["upstream"]

    assert upstream("train_initial") == ["prepare"]
    assert upstream("capture_baseline") == ["train_initial"]
    previous = ["capture_baseline"]
    for batch in batches:
        check, branch, production_only, retrain, compare = batch_tasks(batch)
        assert upstream(check) == previous
        assert upstream(branch) == [check]
        assert upstream(production_only) == sorted([check, branch])
        assert upstream(retrain) == sorted([check, branch])
        assert upstream(compare) == sorted([check, retrain])
        previous = sorted([production_only, compare])
    assert set(previous) <= set(upstream("plan_replay"))
    assert upstream("replay_policy") == ["plan_replay"]
    assert tasks["replay_policy"]["mapped"] is True
    assert upstream("record_replay") == ["replay_policy"]
    order = loaded["order"]
    assert order[:3] == ["prepare", "train_initial", "capture_baseline"]
    assert order[-1] == "record_replay"


def test_params_default_to_the_command_lines_defaults(loaded: dict) -> None:
    from healthpredict.cli import build_parser

    cli = build_parser().parse_args(["experiment", "run"])
    params = loaded["params"]
    assert params["seed"] == cli.seed == 42
    assert params["batch_size"] == cli.batch_size == 2000
    assert params["hpo_trials"] == cli.hpo_trials == 4
    assert params["refit_on_validation"] is cli.refit_on_validation is True
    assert params["gate"] == "standard"
    assert params["data"] is params["tracking_uri"] is params["storage"] is None
