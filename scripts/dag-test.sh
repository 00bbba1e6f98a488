#!/usr/bin/env bash
# Run the Airflow DAG end to end with `airflow dags test`, the way `make dag-test` and the tests do:
# a throw-away AIRFLOW_HOME (SQLite metadata migrated once per Airflow version and copied from the
# cache after that, no examples), the DAG
# folder dags/, and the pipeline's state in $HEALTHPREDICT_HOME (default .healthpredict-airflow/).
#
#   scripts/dag-test.sh [CONF_JSON]     e.g. '{"hpo_trials": 1, "policies": ["never"]}'
#
# DAG_LOGICAL_DATE (optional) fixes the logical date, and so the DAG run's id
# (scripts/dag_test_at.py): running again with the same date re-runs the same DAG run (a retry).
# Exits non-zero when any task failed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${HEALTHPREDICT_VENV:-$root/.venv}"
dag_id="health_predict_continuous_improvement"
conf="${1:-{\}}"

if [ ! -x "$venv/bin/airflow" ]; then
    echo "dag-test: Airflow is not installed in $venv; run 'make install' (the airflow extra)" >&2
    exit 2
fi
airflow_home="$(mktemp -d -t healthpredict-airflow-XXXXXX)"
trap 'rm -rf "$airflow_home"' EXIT
export AIRFLOW_HOME="$airflow_home"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__DAGS_FOLDER="$root/dags"
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="sqlite:///$airflow_home/airflow.db"
export HEALTHPREDICT_HOME="${HEALTHPREDICT_HOME:-$root/.healthpredict-airflow}"
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"

# A freshly migrated, empty metadata database is the same for one Airflow version every time:
# migrate once into a cache keyed by that version, then copy it (about 8 s saved per run).
airflow_version="$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("apache-airflow"))')"
cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/healthpredict"
template="$cache_dir/airflow-$airflow_version-empty.db"
if [ -f "$template" ]; then
    cp "$template" "$airflow_home/airflow.db"
else
    if ! "$venv/bin/airflow" db migrate >"$airflow_home/db-migrate.log" 2>&1; then
        cat "$airflow_home/db-migrate.log" >&2
        echo "dag-test: airflow db migrate failed" >&2
        exit 1
    fi
    mkdir -p "$cache_dir" && cp "$airflow_home/airflow.db" "$template.tmp.$$" \
        && mv "$template.tmp.$$" "$template" || true
fi
echo "dag-test: airflow dags test $dag_id ${DAG_LOGICAL_DATE:-} --conf '$conf' (state in $HEALTHPREDICT_HOME)"
status=0
if [ -n "${DAG_LOGICAL_DATE:-}" ]; then
    # The same run id on every call with this date (a retry); `airflow dags test` takes "now".
    "$venv/bin/python" "$root/scripts/dag_test_at.py" "$dag_id" "$DAG_LOGICAL_DATE" "$conf" \
        || status=$?
else
    "$venv/bin/airflow" dags test "$dag_id" --conf "$conf" || status=$?
fi
# `airflow dags test` exits 1 on a failed run; the run's own state is checked as well.
state="$("$venv/bin/python" - "$airflow_home/airflow.db" "$dag_id" <<'PY' || true
import sqlite3, sys
row = sqlite3.connect(sys.argv[1]).execute(
    "SELECT state FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1", (sys.argv[2],)
).fetchone()
print(row[0] if row else "")
PY
)"
if [ "$status" -ne 0 ] || [ "$state" != "success" ]; then
    echo "dag-test: the DAG run ended '${state:-unknown}' (exit $status)" >&2
    exit 1
fi
echo "dag-test: the DAG run succeeded; report in $HEALTHPREDICT_HOME/report.html"
