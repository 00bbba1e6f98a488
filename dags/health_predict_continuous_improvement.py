"""Health Predict as an Airflow DAG: wiring only.

prepare → train_initial → capture_baseline → per batch 1..5, in order: check_drift → branch →
evaluate_production_only (no drift) or retrain → compare_against_production → the policy replay,
one mapped task per policy → record_replay (logs the replay, exports the report).

Every task calls one function of ``healthpredict.airflow_tasks``, which calls the same public
step the command line calls; nothing heavy is imported while the file is parsed (pandas, MLflow
and XGBoost load inside the tasks). The params default to the command line's defaults; an empty
tracking URI or storage means "from the environment, else the state folder", as on the command
line (``MLFLOW_TRACKING_URI``, ``HEALTHPREDICT_STORAGE``, ``HEALTHPREDICT_HOME``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from airflow.sdk import Param, TaskGroup, TriggerRule, dag, get_current_context, task

from healthpredict.cli.options import DEFAULT_BATCH_SIZE, DEFAULT_HPO_TRIALS
from pipeline.core.config import DEFAULT_SEED
from pipeline.core.contract import AIRFLOW_DAG_ID, REPLAY_GATE_ABOVE_CHANCE, REPLAY_GATE_STANDARD

if TYPE_CHECKING:
    from airflow.sdk import XComArg

DAG_ID = AIRFLOW_DAG_ID
# The prepared batches; `prepare` refuses a preparation that cut others.
BATCHES = (1, 2, 3, 4, 5)
# A join after a branch: one side ran, the other was skipped, neither failed.
AFTER_BRANCH = TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS

PARAMS = {
    "data": Param(None, type=["null", "string"], description="the raw data set (zip or csv)"),
    "tracking_uri": Param(None, type=["null", "string"], description="MLflow store"),
    "storage": Param(None, type=["null", "string"], description="folder or s3://bucket/prefix"),
    "s3_endpoint_url": Param(None, type=["null", "string"], description="MinIO endpoint"),
    "seed": Param(DEFAULT_SEED, type="integer"),
    "batch_size": Param(DEFAULT_BATCH_SIZE, type="integer", minimum=1),
    "hpo_trials": Param(DEFAULT_HPO_TRIALS, type="integer", minimum=1),
    "refit_on_validation": Param(True, type="boolean"),
    "gate": Param(REPLAY_GATE_STANDARD, enum=[REPLAY_GATE_STANDARD, REPLAY_GATE_ABOVE_CHANCE]),
    "policies": Param(
        None,
        type=["null", "array"],
        description="replayed policies as trigger[:training_policy[:validation]] "
        "(default: the standard set)",
    ),
}


def _params() -> dict[str, Any]:
    return dict(get_current_context()["params"])


@task
def prepare() -> dict[str, Any]:
    from healthpredict import airflow_tasks

    return airflow_tasks.run_prepare(_params(), BATCHES)


@task
def train_initial() -> dict[str, Any]:
    from healthpredict import airflow_tasks

    return airflow_tasks.run_train_initial(_params())


@task
def capture_baseline() -> dict[str, Any]:
    from healthpredict import airflow_tasks

    return airflow_tasks.run_capture_baseline(_params())


@task(trigger_rule=AFTER_BRANCH)
def check_drift(batch: int) -> dict[str, Any]:
    from healthpredict import airflow_tasks

    return airflow_tasks.run_check_drift(_params(), batch)


@task.branch
def branch(drift: dict[str, Any]) -> str:
    group = f"batch_{drift['batch']}"
    return f"{group}.retrain" if drift["retrain"] else f"{group}.evaluate_production_only"


@task
def evaluate_production_only(drift: dict[str, Any]) -> dict[str, Any]:
    from healthpredict import airflow_tasks

    return airflow_tasks.run_gate(_params(), drift)


@task
def retrain(drift: dict[str, Any]) -> dict[str, Any]:
    from healthpredict import airflow_tasks

    return airflow_tasks.run_retrain(_params(), drift)


@task
def compare_against_production(drift: dict[str, Any], trained: dict[str, Any]) -> dict[str, Any]:
    from healthpredict import airflow_tasks

    return airflow_tasks.run_gate(_params(), drift, trained["training_run_id"])


@task(trigger_rule=AFTER_BRANCH)
def plan_replay(drifts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from healthpredict import airflow_tasks

    return airflow_tasks.replay_plan(_params(), drifts)


@task
def replay_policy(plan: dict[str, Any]) -> dict[str, Any]:
    from healthpredict import airflow_tasks

    return airflow_tasks.run_replay_policy(_params(), plan)


@task
def record_replay(replayed: list[dict[str, Any]]) -> dict[str, Any]:
    from healthpredict import airflow_tasks

    return airflow_tasks.record_replay(_params(), list(replayed))


@dag(
    dag_id=DAG_ID,
    schedule=None,
    catchup=False,
    params=PARAMS,
    default_args={"retries": 1, "retry_delay": timedelta(seconds=5)},
    tags=["health-predict"],
    doc_md=__doc__,
)
def health_predict_continuous_improvement() -> None:
    previous: XComArg | list[XComArg] = capture_baseline()
    prepare() >> train_initial() >> previous
    drifts = []
    for number in BATCHES:
        with TaskGroup(group_id=f"batch_{number}"):
            drift = check_drift(number)
            previous >> drift
            production_only = evaluate_production_only(drift)
            trained = retrain(drift)
            compared = compare_against_production(drift, trained)
            branch(drift) >> [production_only, trained]
        drifts.append(drift)
        previous = [production_only, compared]
    plan = plan_replay(drifts)
    previous >> plan
    record_replay(replay_policy.expand(plan=plan))


health_predict_continuous_improvement()
